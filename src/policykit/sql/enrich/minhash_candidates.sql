-- Candidate pairs: a pending article and any article sharing one LSH band bucket.
SELECT DISTINCT
    least(p.article_id, o.article_id) AS article_a,
    greatest(p.article_id, o.article_id) AS article_b
FROM minhash_bands p
JOIN _pending_clusters x ON x.article_id = p.article_id
JOIN minhash_bands o
    ON o.band = p.band AND o.bucket = p.bucket AND o.article_id <> p.article_id
