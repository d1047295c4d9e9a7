-- Fixed fragments spliced into universe.sql by policykit.trends._core.build, one per
-- `-- part: <name>` header. In a zone other than UTC, `local_day` replaces universe.sql's
-- UTC day (the stored published_day) and `local` (or `page_local`) its `/*local*/
-- a.published_at` (the instant as local wall-clock time); the others replace
-- `/*<name>*/ TRUE`.
-- part: local
timezone($tz, a.published_at)
-- part: local_day
epoch_us(/*local*/ a.published_at) // 86400000000
-- part: start
a.published_at >= timezone($tz, $start_date::TIMESTAMP)
-- part: end
a.published_at < timezone($tz, ($end_date::DATE + 1)::TIMESTAMP)
-- tz = 'page': each article's own calendar day (articles.published_local_date, the UTC
-- day when none is stored), for local, start and end.
-- part: page_local
coalesce(CAST(a.published_local_date AS TIMESTAMP), timezone('UTC', a.published_at))
-- part: page_start
coalesce(a.published_local_date, CAST(timezone('UTC', a.published_at) AS DATE)) >= $start_date::DATE
-- part: page_end
coalesce(a.published_local_date, CAST(timezone('UTC', a.published_at) AS DATE)) <= $end_date::DATE
-- part: outlets
list_contains($outlets, a.outlet) OR list_contains($domains, a.domain)
