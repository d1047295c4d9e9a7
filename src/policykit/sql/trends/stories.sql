-- Stories (story clusters) with at least one matching article. An article without a
-- story_clusters row is its own story. A story's articles are its articles inside the
-- universe (the outlet and date filter); its first article is the earliest of them
-- (ties: the one enrichment marked is_first, then the smaller article_id).
-- The caller appends a tail (stories_in_periods.sql or stories_sample.sql) at
-- the stories_tail marker below.
WITH {universe},
rows AS (
    SELECT
        u.article_id,
        u.outlet,
        u.published_at,
        u.hit,
        date_trunc($interval, DATE '1970-01-01' + u.day_key::INTEGER)::DATE AS period,
        coalesce(c.cluster_id, u.article_id) AS cluster_id,
        coalesce(c.is_first, TRUE) AS is_first,
        a.title,
        a.url
    FROM universe AS u
    LEFT JOIN story_clusters AS c ON c.article_id = u.article_id
    JOIN articles AS a ON a.article_id = u.article_id
),
hit_clusters AS (SELECT DISTINCT cluster_id FROM rows WHERE hit),
stories AS (
    SELECT
        r.cluster_id,
        count(*) AS articles,
        count(DISTINCT r.outlet) AS outlets,
        first(r.outlet ORDER BY r.published_at, r.is_first DESC, r.article_id) AS first_outlet,
        min(r.published_at) AS first_published_at,
        first(r.title ORDER BY r.published_at, r.is_first DESC, r.article_id) AS title,
        first(r.url ORDER BY r.published_at, r.is_first DESC, r.article_id) AS url
    FROM rows AS r
    JOIN hit_clusters AS h ON h.cluster_id = r.cluster_id
    GROUP BY r.cluster_id
)
{stories_tail}
