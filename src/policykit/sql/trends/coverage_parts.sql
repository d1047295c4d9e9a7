-- Fixed fragments of coverage.sql, chosen by policykit.trends.coverage (no user text).
-- {keys}: the per-day grouping columns: none, the outlet, or the outlet and its domain
-- (outlet attributes are joined on the domain).
-- part: keys_none
NULL::VARCHAR AS outlet, NULL::VARCHAR AS domain
-- part: keys_outlet
outlet, NULL::VARCHAR AS domain
-- part: keys_domain
outlet, domain
-- {hits}: the matching articles per day and group.
-- part: hits_filtered
SELECT day_key, {keys}, count(*) AS n_hit FROM matches GROUP BY ALL
-- part: hits_all
SELECT day_key, outlet, domain, n_all AS n_hit FROM totals
