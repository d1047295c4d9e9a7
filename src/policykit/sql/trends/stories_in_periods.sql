-- Tail of stories.sql for spikes: the $top stories of each period in $periods, ranked
-- by their matching articles in that period (then earliest first, then cluster id).
, in_period AS (
    SELECT period, cluster_id, count(*) AS period_articles
    FROM rows
    WHERE hit AND list_contains($periods, period)
    GROUP BY ALL
)
SELECT
    ip.period,
    row_number() OVER (
        PARTITION BY ip.period
        ORDER BY ip.period_articles DESC, s.first_published_at, ip.cluster_id
    ) AS rank,
    ip.cluster_id,
    ip.period_articles AS articles,
    s.articles AS story_articles,
    s.outlets,
    s.first_outlet,
    s.first_published_at,
    s.title,
    s.url
FROM in_period AS ip
JOIN stories AS s ON s.cluster_id = ip.cluster_id
QUALIFY rank <= $top
ORDER BY ip.period, rank
