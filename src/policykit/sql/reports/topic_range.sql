-- One topic's articles: the dated range (NULLs when none is dated), how many there are,
-- and how many are undated (published_at NULL: they fall in no period, so charts and
-- period counts leave them out while whole-database topic counts include them).
SELECT min(a.published_at) AS first_published,
       max(a.published_at) AS last_published,
       count(DISTINCT a.article_id) AS articles,
       count(DISTINCT a.article_id) FILTER (WHERE a.published_at IS NULL) AS undated
FROM articles a
JOIN article_topics t ON t.article_id = a.article_id AND t.topic = $topic
