-- The dated range of the whole database: the default report period, so that the quiet
-- days before and after a topic's coverage show (NULLs when no article is dated).
SELECT min(published_at) AS first_published, max(published_at) AS last_published
FROM articles
