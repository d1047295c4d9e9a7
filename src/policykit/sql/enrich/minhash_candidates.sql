-- Candidate pairs: a pending article and any article sharing one LSH band bucket,
-- published within $window_days days of it (or either undated).
WITH pairs AS (
    SELECT DISTINCT
        least(p.article_id, o.article_id) AS article_a,
        greatest(p.article_id, o.article_id) AS article_b
    FROM minhash_bands p
    JOIN _pending_clusters x ON x.article_id = p.article_id
    JOIN minhash_bands o
        ON o.band = p.band AND o.bucket = p.bucket AND o.article_id <> p.article_id
)
SELECT pairs.article_a, pairs.article_b
FROM pairs
JOIN articles a ON a.article_id = pairs.article_a
JOIN articles b ON b.article_id = pairs.article_b
WHERE a.published_at IS NULL
    OR b.published_at IS NULL
    OR abs(epoch(a.published_at) - epoch(b.published_at)) <= $window_days * 86400
