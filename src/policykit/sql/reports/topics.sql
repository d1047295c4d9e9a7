-- Topics present in the database, most articles first: every article of the topic
-- (`articles`), those with a publication date (`dated`: what charts and period counts
-- can place) and those without (`undated`).
SELECT t.topic,
       count(DISTINCT t.article_id) AS articles,
       count(DISTINCT t.article_id) FILTER (WHERE a.published_at IS NOT NULL) AS dated,
       count(DISTINCT t.article_id) FILTER (WHERE a.published_at IS NULL) AS undated
FROM article_topics t
JOIN articles a ON a.article_id = t.article_id
GROUP BY t.topic
ORDER BY articles DESC, t.topic
