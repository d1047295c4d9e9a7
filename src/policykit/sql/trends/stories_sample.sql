-- Tail of stories.sql for sample_stories: $n stories in an order fixed by a hash of the
-- cluster id and $seed (reproducible, and independent of insertion order).
, sampled AS (
    SELECT *
    FROM stories
    ORDER BY md5(cluster_id || ':' || $seed::VARCHAR), cluster_id
    LIMIT $n
)
SELECT cluster_id, articles, outlets, first_outlet, first_published_at, title, url
FROM sampled
ORDER BY first_published_at, cluster_id
