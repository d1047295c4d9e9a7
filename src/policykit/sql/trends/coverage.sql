-- coverage_over_time, unit = 'articles', by = NULL | outlet | outlet_type | country.
-- Stage 1 counts per local day (and outlet when grouping), stage 2 rolls days up to
-- periods and joins outlet attributes on the small aggregate, not on every article.
WITH {universe},
daily AS (
    SELECT
        day_key,
        CASE WHEN $by IS NOT NULL THEN outlet END AS outlet,
        CASE WHEN $by IN ('outlet_type', 'country') THEN domain END AS domain,
        count(*) FILTER (WHERE hit) AS n_hit,
        count(*) AS n_all
    FROM universe
    GROUP BY ALL
),
labelled AS (
    SELECT
        date_trunc($interval, DATE '1970-01-01' + d.day_key::INTEGER)::DATE AS period,
        CASE $by
            WHEN 'outlet' THEN d.outlet
            WHEN 'outlet_type' THEN coalesce(o.type, 'unknown')
            WHEN 'country' THEN coalesce(o.country, 'unknown')
            ELSE '(all)'
        END AS grp,
        d.n_hit,
        d.n_all
    FROM daily AS d
    LEFT JOIN outlets AS o ON o.domain = d.domain
),
counts AS (
    SELECT period, grp, sum(n_hit) AS count, sum(n_all) AS total_count
    FROM labelled
    GROUP BY ALL
),
groups AS (SELECT DISTINCT grp FROM counts),
span AS (SELECT period FROM counts),
{fill}
