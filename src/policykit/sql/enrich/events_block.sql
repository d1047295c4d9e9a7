-- The articles of one time block and of its context (the LINK_DAYS before it), in time
-- order: what policykit.enrich.events compares. The lead comes from the first 2,000
-- characters of the summary, else of the body (the stage keeps the first LEAD_WORDS
-- words). Parameters: $lo, $hi (epoch seconds: context start, block end).
SELECT
    article_id,
    epoch(published_at) AS seconds,
    title,
    outlet,
    left(coalesce(nullif(trim(summary), ''), body), 2000) AS lead
FROM articles
WHERE published_at >= to_timestamp($lo) AND published_at < to_timestamp($hi)
ORDER BY published_at, article_id
