-- Records set aside at ingest, by reason (whole database: rejects carry no topic).
SELECT reason, count(*) AS records, count(DISTINCT source_path) AS files
FROM rejects
GROUP BY reason
ORDER BY records DESC, reason
