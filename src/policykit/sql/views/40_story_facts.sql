-- story_facts: one row per story (story cluster; an unclustered article is its own
-- story) with its size and its first article (earliest published; ties: is_first, then
-- the smaller article_id). Undated articles are left out.
CREATE OR REPLACE VIEW story_facts AS
WITH rows AS (
    SELECT
        a.article_id,
        coalesce(a.outlet, a.domain, 'unknown') AS outlet,
        a.published_at,
        a.title,
        a.url,
        coalesce(c.cluster_id, a.article_id) AS cluster_id,
        coalesce(c.is_first, TRUE) AS is_first
    FROM articles AS a
    LEFT JOIN story_clusters AS c ON c.article_id = a.article_id
    WHERE a.published_at IS NOT NULL
)
SELECT
    cluster_id,
    count(*) AS articles,
    count(DISTINCT outlet) AS outlets,
    first(outlet ORDER BY published_at, is_first DESC, article_id) AS first_outlet,
    min(published_at) AS first_published_at,
    first(title ORDER BY published_at, is_first DESC, article_id) AS title,
    first(url ORDER BY published_at, is_first DESC, article_id) AS url
FROM rows
GROUP BY cluster_id;
