-- The dated range of one topic's articles (NULLs when the topic has none).
SELECT min(a.published_at) AS first_published, max(a.published_at) AS last_published
FROM articles a
JOIN article_topics t ON t.article_id = a.article_id AND t.topic = $topic
