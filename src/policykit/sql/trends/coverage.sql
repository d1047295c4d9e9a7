-- coverage_over_time, unit = 'articles', by = NULL | outlet | outlet_type | country.
-- Stage 1 counts per local day (and outlet when grouping): all articles of the universe
-- in `totals`, a scan that reads no article ids, and the `matches` (universe.sql: a
-- semi-join that passes on only the matching articles) in `hits`; with no topic and no
-- query every article matches and `hits` reuses `totals`. Stage 2 rolls days up to
-- periods and joins outlet attributes on the small aggregate, not on every article.
-- {keys} and {hits} come from coverage_parts.sql.
WITH {universe},
{matches},
totals AS (
    SELECT day_key, {keys}, count(*) AS n_all
    FROM universe
    GROUP BY ALL
),
hits AS ({hits}),
daily AS (
    SELECT t.day_key, t.outlet, t.domain, coalesce(h.n_hit, 0) AS n_hit, t.n_all
    FROM totals AS t
    LEFT JOIN hits AS h
        ON h.day_key = t.day_key
        AND h.outlet IS NOT DISTINCT FROM t.outlet
        AND h.domain IS NOT DISTINCT FROM t.domain
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
