-- Topics present in the database, most articles first.
SELECT topic, count(DISTINCT article_id) AS articles
FROM article_topics
GROUP BY topic
ORDER BY articles DESC, topic
