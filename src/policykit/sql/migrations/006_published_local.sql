-- 006: the page's own calendar day and the UTC offset its date was written with.
--
-- published_at stays the UTC instant. A day asked for in the outlet's zone (coverage by
-- day, the day a reader sees on the page) is published_local_date:
--   * the value was written with an offset: the day at that offset
--     ('2020-05-03T23:30:00-05:00' -> 2020-05-03, published_at 2020-05-04 04:30 UTC);
--   * written without a zone (naive, or date only): the day as written;
--   * written in UTC with a time, within a day of a date in the URL path: the URL's day
--     (the path is in the outlet's calendar); a UTC time of exactly 20:00..23:00:00 is a
--     local midnight east of UTC: the next day;
--   * otherwise (epoch, relative, UTC) the UTC day.
-- published_utc_offset is the offset the source wrote, in minutes east of UTC
-- ('-05:00' -> -300, 'Z'/'GMT' -> 0); NULL when the source wrote no zone (naive values,
-- dates only, epochs, relative dates, URL dates). It is never inferred.
-- The rules live in policykit.normalise.pubdate and ingest.sql (local_dates).
ALTER TABLE articles ADD COLUMN IF NOT EXISTS published_local_date DATE;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS published_utc_offset SMALLINT;

-- Rows stored before this schema: the offset of an ISO 8601 / RFC 2822 value with a
-- numeric zone or Z/GMT/UTC, and the day at that offset; the UTC day otherwise.
-- Reloading a file re-derives both with the full rules.
UPDATE articles SET published_utc_offset = CASE
    WHEN regexp_matches(published_raw, '\d:\d\d(?::\d\d(?:[.,]\d+)?)? ?(?:Z|UTC|GMT|UT)$') THEN 0
    WHEN regexp_matches(published_raw, '\d:\d\d(?::\d\d(?:[.,]\d+)?)? ?[+-]\d\d:?\d\d$')
        THEN (CASE WHEN regexp_extract(published_raw, '([+-])\d\d:?\d\d$', 1) = '-' THEN -1 ELSE 1 END)
             * (CAST(regexp_extract(published_raw, '[+-](\d\d):?\d\d$', 1) AS INTEGER) * 60
                + CAST(regexp_extract(published_raw, '[+-]\d\d:?(\d\d)$', 1) AS INTEGER))
    END
WHERE published_at IS NOT NULL AND published_raw IS NOT NULL;

UPDATE articles SET published_utc_offset = NULL
WHERE abs(published_utc_offset) > 14 * 60;

UPDATE articles SET published_local_date =
    DATE '1970-01-01'
    + ((epoch_us(published_at) + coalesce(published_utc_offset, 0)::BIGINT * 60000000) // 86400000000)::INTEGER
WHERE published_at IS NOT NULL;
