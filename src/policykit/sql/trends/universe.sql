-- The shared filter of every trend query: a CTE named `universe` (spliced after WITH).
--
-- universe = every dated article from the chosen outlets between start and end: the
-- user's own media universe and the denominator of every ratio. `hit` marks the articles
-- that also match the topic and the query (the numerator). `day_key` is the local
-- calendar day in $tz as days since 1970-01-01; in UTC the stored published_day
-- (migration 008: a stored DATE groups in about half the time of one computed from the
-- timestamp), the day of published_at for a row stored without it.
--
-- Parameters: $tz, $start_date, $end_date (DATE, both inclusive, in $tz), $outlets and
-- $domains (VARCHAR[]: outlet names / domains to keep).
--
-- policykit.trends._core.build fills the /*marker*/ slots with fixed text from
-- universe_parts.sql, only for the filters actually given (`local_day` only for a zone
-- other than UTC): a filter that is not given then costs nothing per article (a bound
-- parameter test such as "$start_date IS NULL OR ..." is not folded by the planner and
-- would run on every row). /*topic*/ takes topic_filter.sql and /*query*/ the compiled
-- boolean query (policykit.enrich.query).
--
-- A query that writes {matches} gets, besides `universe` WITHOUT the hit column, a CTE
-- `matches`: the same text with the topic and query in its WHERE clause instead of the
-- hit line, so a topic plans as a semi-join that passes on only the matching articles,
-- and `universe` (the denominator) scans no article ids at all.
universe AS (
    SELECT
        (/*topic*/ TRUE) AND (/*query*/ TRUE) AS hit,
        a.article_id,
        coalesce(a.outlet, a.domain, 'unknown') AS outlet,
        a.domain,
        a.published_at,
        coalesce(a.published_day - DATE '1970-01-01', epoch_us(a.published_at) // 86400000000) AS day_key
    FROM articles AS a
    WHERE a.published_at IS NOT NULL
      AND (/*start*/ TRUE)
      AND (/*end*/ TRUE)
      AND (/*outlets*/ TRUE)
      AND (/*match*/ TRUE)
)
