-- The shared filter of every trend query: a CTE named `universe` (spliced after WITH).
--
-- universe = every dated article from the chosen outlets between start and end: the
-- user's own media universe and the denominator of every ratio. `hit` marks the articles
-- that also match the topic and the query (the numerator). `day_key` is the local
-- calendar day in $tz as days since 1970-01-01; UTC skips the per-row zone lookup.
--
-- Parameters: $tz, $start_date, $end_date (DATE, both inclusive, in $tz), $outlets and
-- $domains (VARCHAR[] or NULL: outlet names / domains to keep).
-- /*topic*/ TRUE is replaced by topic_filter.sql when a topic is given (a plain IN
-- subquery plans as a cheaper join than "topic IS NULL OR ..."), and /*query*/ TRUE by
-- the compiled boolean query (policykit.enrich.query).
universe AS (
    SELECT
        a.article_id,
        coalesce(a.outlet, a.domain, 'unknown') AS outlet,
        a.domain,
        a.published_at,
        (CASE WHEN $tz = 'UTC' THEN epoch_us(a.published_at)
              ELSE epoch_us(timezone($tz, a.published_at)) END) // 86400000000 AS day_key,
        (/*topic*/ TRUE) AND (/*query*/ TRUE) AS hit
    FROM articles AS a
    WHERE a.published_at IS NOT NULL
      AND ($start_date IS NULL OR a.published_at >= timezone($tz, $start_date::TIMESTAMP))
      AND ($end_date IS NULL
           OR a.published_at < timezone($tz, ($end_date::DATE + 1)::TIMESTAMP))
      AND ($outlets IS NULL
           OR list_contains($outlets, a.outlet) OR list_contains($domains, a.domain))
)
