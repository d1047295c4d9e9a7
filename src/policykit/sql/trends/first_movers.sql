-- first_movers: which outlets break stories first.
-- Only stories (clusters with a matching article) carried by at least $min_outlets
-- outlets count. Each outlet's time in a story is its earliest article there; the
-- leader is the outlet with the earliest time (ties: alphabetical). A follower's lag is
-- its time minus the leader's, in hours.
WITH {universe},
rows AS (
    SELECT u.outlet, u.published_at, u.hit, coalesce(c.cluster_id, u.article_id) AS cluster_id
    FROM universe AS u
    LEFT JOIN story_clusters AS c ON c.article_id = u.article_id
),
hit_clusters AS (SELECT DISTINCT cluster_id FROM rows WHERE hit),
outlet_times AS (
    SELECT r.cluster_id, r.outlet, min(r.published_at) AS at
    FROM rows AS r
    JOIN hit_clusters AS h ON h.cluster_id = r.cluster_id
    GROUP BY ALL
),
multi AS (
    SELECT cluster_id FROM outlet_times GROUP BY cluster_id HAVING count(*) >= $min_outlets
),
ranked AS (
    SELECT
        o.cluster_id,
        o.outlet,
        o.at,
        row_number() OVER (PARTITION BY o.cluster_id ORDER BY o.at, o.outlet) AS position,
        min(o.at) OVER (PARTITION BY o.cluster_id) AS lead_at
    FROM outlet_times AS o
    JOIN multi AS m ON m.cluster_id = o.cluster_id
),
leaders AS (SELECT cluster_id, outlet AS leader FROM ranked WHERE position = 1),
lags AS (
    SELECT l.leader, epoch(r.at - r.lead_at) / 3600.0 AS lag_hours
    FROM ranked AS r
    JOIN leaders AS l ON l.cluster_id = r.cluster_id
    WHERE r.position > 1
),
per_outlet AS (
    SELECT outlet, count(*) FILTER (WHERE position = 1) AS first_count, count(*) AS stories
    FROM ranked
    GROUP BY outlet
),
lag_stats AS (
    SELECT leader AS outlet, median(lag_hours) AS median_lag_hours FROM lags GROUP BY leader
)
SELECT
    p.outlet,
    p.first_count,
    p.stories,
    p.first_count / p.stories AS first_share,
    s.median_lag_hours
FROM per_outlet AS p
LEFT JOIN lag_stats AS s ON s.outlet = p.outlet
ORDER BY p.first_count DESC, first_share DESC, p.outlet
