-- The tail of coverage_over_time: every period from start (or the first period of the
-- data) to end (or the last), for every group, zero-filled. Expects CTEs
-- counts(period, grp, count, total_count), groups(grp) and span(period), the periods
-- the filtered data covers (used when start or end is not given); $step is '1 day', '7 days',
-- '1 month', '3 months' or '1 year'.
bounds AS (
    SELECT
        coalesce(date_trunc($interval, $start_date::DATE)::DATE, min(period)) AS lo,
        coalesce(date_trunc($interval, $end_date::DATE)::DATE, max(period)) AS hi
    FROM span
),
periods AS (
    SELECT unnest(generate_series(lo::TIMESTAMP, hi::TIMESTAMP, $step::INTERVAL))::DATE AS period
    FROM bounds
    WHERE lo IS NOT NULL AND hi IS NOT NULL
)
SELECT
    p.period,
    g.grp,
    coalesce(c.count, 0)::BIGINT AS count,
    coalesce(c.total_count, 0)::BIGINT AS total_count,
    CASE WHEN coalesce(c.total_count, 0) = 0 THEN 0.0
         ELSE c.count / c.total_count END::DOUBLE AS ratio
FROM periods AS p
CROSS JOIN groups AS g
LEFT JOIN counts AS c ON c.period = p.period AND c.grp = g.grp
ORDER BY g.grp, p.period
