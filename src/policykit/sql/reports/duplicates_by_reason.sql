-- Records merged into an existing article at ingest, by rule (whole database).
SELECT reason, count(*) AS records, count(DISTINCT article_id) AS articles
FROM duplicates
GROUP BY reason
ORDER BY records DESC, reason
