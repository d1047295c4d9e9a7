-- Fixed fragments spliced into universe.sql by policykit.trends._core.build, one per
-- `-- part: <name>` header: `local` replaces `/*local*/ a.published_at` (the instant
-- as local wall-clock time), the others replace `/*<name>*/ TRUE`.
-- part: local
timezone($tz, a.published_at)
-- part: start
a.published_at >= timezone($tz, $start_date::TIMESTAMP)
-- part: end
a.published_at < timezone($tz, ($end_date::DATE + 1)::TIMESTAMP)
-- part: outlets
list_contains($outlets, a.outlet) OR list_contains($domains, a.domain)
