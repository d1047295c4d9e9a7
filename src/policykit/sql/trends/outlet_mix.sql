-- outlet_mix: the matching articles per outlet (or outlet type, or country), each
-- group's share of them, and the Herfindahl-Hirschman index over ALL groups.
-- `matches` (universe.sql) is the semi-join form: only matching articles leave the scan.
WITH {universe},
{matches},
per_outlet AS (
    SELECT outlet, domain, count(*) AS count
    FROM matches
    GROUP BY ALL
),
labelled AS (
    SELECT
        CASE $by
            WHEN 'outlet_type' THEN coalesce(o.type, 'unknown')
            WHEN 'country' THEN coalesce(o.country, 'unknown')
            ELSE p.outlet
        END AS grp,
        sum(p.count)::BIGINT AS count
    FROM per_outlet AS p
    LEFT JOIN outlets AS o ON o.domain = p.domain
    GROUP BY 1
),
shares AS (
    SELECT grp, count, count / sum(count) OVER () AS ratio FROM labelled
)
SELECT grp, count, ratio, sum(ratio * ratio) OVER () AS hhi
FROM shares
ORDER BY count DESC, grp
