-- The ingest pipeline's statements, one block per `-- name:` marker (loaded by policykit.ingest).
-- They run on an explicit connection inside the per-file transaction. Temp tables:
--   stg      the reader's staging batch (STAGING_COLUMNS + ord)
--   norm     one row per staged record, normalised
-- Nothing here interpolates user input; values arrive as bound parameters or joined tables.

-- name: macros
-- Fast paths. Most scraped URLs are plain (http(s), a host, a path; no query, port, escape,
-- '%' or AMP marker) and most texts are already clean; for those a couple of string
-- operations give exactly what the full macros give (tests/test_ingest_sql.py checks it),
-- and CASE evaluates the full macro only for the other rows.
CREATE OR REPLACE TEMP MACRO pk_url_is_plain(u) AS (
    regexp_full_match(u, '[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?(?:/[A-Za-z0-9._~!$''()*+,;=:@/-]*)?')
    AND NOT regexp_matches(u, '(?i)://[^/]*/.*amp')
    AND NOT contains(u, '/.')  -- a possible dot segment ('/./', '/../'): full macro
    AND NOT contains(substr(u, strpos(u, '://') + 3), '//')  -- empty segments, a second URL: full macro
);

-- www./m./mobile./amp. prefixes, by string functions (the regular expression of
-- pk_canonical_url only runs on hosts that still start with one after a first strip).
CREATE OR REPLACE TEMP MACRO pk__host_has_prefix(h) AS (
    starts_with(h, 'www.') OR starts_with(h, 'm.') OR starts_with(h, 'amp.')
    OR starts_with(h, 'mobile.')
);

CREATE OR REPLACE TEMP MACRO pk__strip_host(h) AS (
    list_transform(
        [CASE WHEN pk__host_has_prefix(h) AND contains(substr(h, strpos(h, '.') + 1), '.')
              THEN substr(h, strpos(h, '.') + 1) ELSE h END],
        lambda s1: CASE WHEN pk__host_has_prefix(s1)
                        THEN regexp_replace(s1, '^(?:(?:www|m|mobile|amp)\.)*([^.]+\..+)$', '\1')
                        ELSE s1 END)[1]
);

CREATE OR REPLACE TEMP MACRO pk_canonical_url_fast(u) AS (
    CASE WHEN pk_url_is_plain(u) THEN
        'https://'
        || pk__strip_host(rtrim(lower(split_part(split_part(u, '://', 2), '/', 1)), '.'))
        || coalesce(nullif(rtrim(substr(split_part(u, '://', 2),
                                        length(split_part(split_part(u, '://', 2), '/', 1)) + 1), '/'), ''), '/')
    ELSE pk_canonical_url(u) END
);

CREATE OR REPLACE TEMP MACRO pk_clean_ws_fast(t) AS (
    CASE WHEN regexp_matches(t, '[\r\t\x{00A0}\x{1680}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}]|  | \n|\n |\n\n\n|^[ \n]|[ \n]$')
         THEN pk_clean_ws(t)
         ELSE nullif(nfc_normalize(t), '') END
);

-- "N hours ago" against scraped_at (the same rule as parse_published for seconds, minutes,
-- hours, days and weeks; months, years, words and prefixed forms go to Python).
CREATE OR REPLACE TEMP MACRO pk_relative_timestamp(raw, scraped) AS (
    list_transform(
        [regexp_extract(raw, '^(?:about |around |over |nearly )?([0-9]{1,4}) ?(sec|min|hr|hour|day|week|second|minute)s? ago$', ['n', 'u'])],
        lambda m: CASE WHEN m.n = '' OR scraped IS NULL THEN NULL
            ELSE scraped - CASE
                WHEN m.u IN ('sec', 'second') THEN to_seconds(CAST(m.n AS BIGINT))
                WHEN m.u IN ('min', 'minute') THEN to_minutes(CAST(m.n AS BIGINT))
                WHEN m.u IN ('hr', 'hour') THEN to_hours(CAST(m.n AS BIGINT))
                WHEN m.u = 'day' THEN to_days(CAST(m.n AS INTEGER))
                ELSE to_weeks(CAST(m.n AS INTEGER)) END
            END)[1]
);

-- Two human shapes common in Indian outlets' metadata, read like parse_published does:
-- "17/06/2024" (day/month order from the outlet; a first number over 12 is a day either
-- way) and "Sep 07, 2022 05:56 PM IST" (IST = +05:30). Anything else goes to Python.
CREATE OR REPLACE TEMP MACRO pk_human_timestamp(raw, date_order) AS (
    CASE
        WHEN regexp_full_match(raw, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}') THEN
            CAST(CASE WHEN TRY_CAST(split_part(raw, '/', 1) AS INTEGER) > 12
                        OR (TRY_CAST(split_part(raw, '/', 2) AS INTEGER) <= 12 AND date_order <> 'MDY')
                      THEN try_strptime(raw, '%d/%m/%Y')
                      ELSE try_strptime(raw, '%m/%d/%Y') END AS TIMESTAMPTZ)
        WHEN regexp_full_match(raw, '[A-Z][a-z]{2} [0-9]{2}, [0-9]{4} [0-9]{2}:[0-9]{2} [AP]M IST') THEN
            CAST(try_strptime(left(raw, length(raw) - 4), '%b %d, %Y %I:%M %p') - INTERVAL 330 MINUTE
                 AS TIMESTAMPTZ)
    END
);

-- Titles with no separator that could carry a site name clean without knowing the outlet:
-- pk_clean_title then only normalises (NFC) and puts the title on one line.
CREATE OR REPLACE TEMP MACRO pk_title_plain(t) AS (
    CASE WHEN regexp_matches(t, '[\t\n\x0b\x0c\r\x1c-\x1f\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]|  |^ | $')
         THEN pk_clean_title(t, NULL)
         ELSE nullif(nfc_normalize(t), '') END
);

CREATE OR REPLACE TEMP MACRO pk_title_has_separator(t) AS (
    -- any whitespace pk_clean_title turns into a space counts around a separator
    regexp_matches(t, '[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}][|\-–—·•»][\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]|[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]::[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]|:[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]')
);

-- The outlet + title + day dedup key's title part: NULL when the title is too short to
-- identify a story or the record has no date or outlet. One definition for the batch and
-- for the stored articles, so both sides of the match are built the same way.
CREATE OR REPLACE TEMP MACRO pk_title_key(title, published_at, outlet) AS (
    CASE WHEN length(title) >= 12 AND published_at IS NOT NULL AND outlet IS NOT NULL
         THEN lower(regexp_replace(title, '[^[:alnum:]]+', ' ', 'g')) END
);

-- name: normalise
CREATE OR REPLACE TEMP TABLE norm AS
SELECT
    s.ord,
    s.source_path,
    s.run_id,
    s.layout,
    s.source_locator,
    s.reject_reason AS reader_reject,
    s.reject_detail AS reader_detail,
    s.url,
    s.url_plain,
    -- CASE, not AND: DuckDB evaluates both sides of an AND over the whole chunk
    CASE WHEN s.url_plain THEN false ELSE pk_url_needs_python(s.url) END AS url_py,
    -- right for plain URLs only; `canonical_urls` redoes the others with the full macro
    'https://' || pk__strip_host(rtrim(lower(split_part(s.url_rest, '/', 1)), '.'))
        || coalesce(nullif(rtrim(substr(s.url_rest, length(split_part(s.url_rest, '/', 1)) + 1), '/'), ''), '/')
        AS canonical_url,
    s.title AS title_raw,
    pk_text_needs_python(s.title) AS title_py,
    s.summary AS summary_raw,
    pk_text_needs_python(s.summary) AS summary_py,
    s.body AS body_raw,
    pk_text_needs_python(s.body) AS body_py,
    nullif(trim(s.authors), '') AS authors_raw,
    nullif(trim(s.published), '') AS published_raw,
    nullif(trim(s.outlet), '') AS outlet_raw,
    lower(nullif(trim(s.language), '')) AS language,
    nullif(trim(s.scraped_at), '') AS scraped_raw,
    pk_fast_timestamp(nullif(trim(s.scraped_at), '')) AS scraped_at,
    pk_fast_timestamp(nullif(trim(s.published), '')) AS published_at,
    s.date_source AS reader_date_source,
    s.extraction_method,
    s.body_missing_reason,
    CAST(NULL AS VARCHAR) AS host,
    CAST(NULL AS VARCHAR) AS domain,
    CAST(NULL AS VARCHAR) AS outlet,
    CAST(NULL AS VARCHAR) AS date_order,
    CAST(NULL AS BOOLEAN) AS outlet_known,
    CAST(NULL AS VARCHAR) AS date_source,
    CAST(NULL AS SMALLINT) AS published_utc_offset,  -- local_offsets
    CAST(NULL AS BOOLEAN) AS offset_py,
    CAST(NULL AS DATE) AS published_local_date,  -- local_dates
    CASE WHEN NOT pk_text_needs_python(s.title) AND NOT pk_title_has_separator(s.title)
              AND NOT pk_title_needs_python(s.title, NULL)
         THEN pk_title_plain(s.title) END AS title,
    CASE WHEN NOT pk_text_needs_python(s.summary) THEN pk_clean_ws_fast(s.summary) END AS summary,
    CASE WHEN NOT pk_text_needs_python(s.body) THEN pk_clean_ws_fast(s.body) END AS body
FROM (
    -- computed once here: DuckDB re-evaluates repeated sub-expressions inside CASE
    SELECT *, pk_url_is_plain(url) AS url_plain, split_part(url, '://', 2) AS url_rest
    FROM (SELECT * REPLACE (nullif(trim(url), '') AS url) FROM stg)
) s;

-- name: canonical_urls
UPDATE norm SET canonical_url = CASE WHEN url_py OR url IS NULL THEN NULL ELSE pk_canonical_url(url) END
WHERE NOT coalesce(url_plain, false);

-- name: hosts
UPDATE norm SET host = pk_url_host(canonical_url) WHERE canonical_url IS NOT NULL;

-- name: distinct_hosts
SELECT DISTINCT host FROM norm WHERE host IS NOT NULL AND reader_reject IS NULL;

-- name: distinct_outlet_names
SELECT DISTINCT outlet_raw FROM norm
WHERE outlet_raw IS NOT NULL AND reader_reject IS NULL;

-- name: apply_host_outlets
-- A registry match on the host wins; otherwise the name the record gives (resolved through the
-- registry when it can be: apply_name_outlets), otherwise the outlet inferred from the host.
UPDATE norm SET domain = h.domain, outlet = h.outlet, date_order = h.date_order, outlet_known = h.known
FROM host_map h WHERE norm.host = h.host;

-- name: apply_name_outlets
UPDATE norm SET outlet = o.outlet, date_order = coalesce(o.date_order, norm.date_order)
FROM name_map o
WHERE norm.outlet_raw = o.outlet_raw AND NOT coalesce(norm.outlet_known, false);

-- name: clean_fields
-- Titles not settled in `normalise` (those with a separator, or needing Python), once the
-- outlet is known: pk_clean_title strips a site suffix or prefix that
-- names the record's own outlet (" | MediaNama", "The Hindu: "); titles it cannot promise
-- to clean like Python does go to the residue.
UPDATE norm SET
    title_py = title_py OR pk_title_needs_python(title_raw, outlet),
    title = CASE WHEN title_py OR pk_title_needs_python(title_raw, outlet) THEN NULL
                 ELSE pk_clean_title(title_raw, outlet) END
WHERE title_raw IS NOT NULL AND title IS NULL;

-- name: needs_python_titles
SELECT DISTINCT title_raw, outlet FROM norm WHERE title_py AND reader_reject IS NULL;

-- name: needs_python_texts
SELECT DISTINCT t FROM (
    SELECT summary_raw AS t FROM norm WHERE summary_py AND reader_reject IS NULL
    UNION ALL
    SELECT body_raw AS t FROM norm WHERE body_py AND reader_reject IS NULL
);

-- name: distinct_authors
SELECT DISTINCT authors_raw FROM norm
WHERE authors_raw IS NOT NULL AND reader_reject IS NULL;

-- name: distinct_author_outlets
-- Outlets whose name split_authors would drop from a byline ('' drops nothing).
SELECT DISTINCT outlet FROM norm
WHERE authors_raw IS NOT NULL AND reader_reject IS NULL AND outlet IS NOT NULL AND outlet <> '';

-- name: author_rows
-- `drop_outlet`: the byline names the record's own outlet; Python drops it (author_rows_fix).
CREATE OR REPLACE TEMP TABLE author_rows AS
SELECT n.ord, n.authors_raw, n.outlet,
    coalesce(list_contains(s.keys, o.key), false) AS drop_outlet,
    s.authors
FROM norm n
JOIN author_split s USING (authors_raw)
LEFT JOIN outlet_key o USING (outlet)
WHERE n.reader_reject IS NULL;

-- name: author_pairs_with_outlet
SELECT DISTINCT authors_raw, outlet FROM author_rows WHERE drop_outlet;

-- name: author_rows_fix
UPDATE author_rows SET authors = f.authors FROM author_fix f
WHERE author_rows.drop_outlet AND author_rows.authors_raw = f.authors_raw
  AND author_rows.outlet = f.outlet;

-- name: relative_dates
UPDATE norm SET published_at = pk_relative_timestamp(lower(published_raw), scraped_at),
                date_source = 'relative'
WHERE published_at IS NULL AND published_raw LIKE '% ago'
  AND pk_relative_timestamp(lower(published_raw), scraped_at) IS NOT NULL;

-- name: human_dates
UPDATE norm SET published_at = pk_human_timestamp(published_raw, coalesce(date_order, 'DMY'))
WHERE published_at IS NULL AND published_raw IS NOT NULL
  AND pk_human_timestamp(published_raw, coalesce(date_order, 'DMY')) IS NOT NULL;

-- name: distinct_residue_dates
-- Dates the SQL fast path could not settle go to Python once per distinct value.
SELECT DISTINCT published_raw, scraped_at, coalesce(date_order, 'DMY') AS date_order
FROM norm
WHERE published_raw IS NOT NULL AND published_at IS NULL AND reader_reject IS NULL;

-- name: distinct_residue_scraped
SELECT DISTINCT scraped_raw FROM norm
WHERE scraped_raw IS NOT NULL AND scraped_at IS NULL AND reader_reject IS NULL;

-- name: date_sources
UPDATE norm SET date_source = CASE
    WHEN published_at IS NOT NULL AND date_source IS NULL THEN coalesce(reader_date_source, 'metadata')
    WHEN published_at IS NOT NULL THEN date_source
    ELSE NULL END;

-- name: dates_from_url
UPDATE norm SET
    published_at = CAST(pk_date_from_url(canonical_url) AS TIMESTAMP) AT TIME ZONE 'UTC',
    date_source = 'url'
WHERE published_at IS NULL AND canonical_url IS NOT NULL
  AND pk_date_from_url(canonical_url) IS NOT NULL;

-- name: dates_missing
UPDATE norm SET date_source = CASE WHEN published_raw IS NULL THEN 'missing' ELSE 'unparsed' END
WHERE published_at IS NULL;

-- name: local_offsets
-- The UTC offset the value was written with (minutes east of UTC), for the shapes SQL
-- reads; the same answer as policykit.normalise.pubdate.utc_offset_minutes. Values of no
-- shape here (human dates, zone names, GMT+8) go to Python once per distinct value.
UPDATE norm SET
    published_utc_offset = list_transform([CASE
        WHEN regexp_matches(published_raw, '^(?:18|19|20|21)\d\d-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:[.,]\d{1,9})?)? ?(?:Z|UTC|GMT|[+-]\d\d(?::?\d\d)?)$')
            THEN pk__offset_minutes(regexp_extract(published_raw, '(Z|UTC|GMT|[+-]\d\d(?::?\d\d)?)$', 1))
        WHEN regexp_matches(published_raw, '^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ?)?\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?:18|19|20|21)\d\d \d\d:\d\d(?::\d\d)? (?:GMT|UTC|UT|Z|[+-]\d{4})$')
            THEN pk__offset_minutes(regexp_extract(published_raw, '(GMT|UTC|UT|Z|[+-]\d{4})$', 1))
        WHEN regexp_matches(published_raw, '^(?:19|20|21)\d{6}T\d{4}(?:\d\d)?Z$') THEN 0
    END], lambda m: CASE WHEN abs(m) <= 840 THEN m END)[1],  -- no zone is 14 h past UTC
    offset_py = NOT (
        date_source IN ('url', 'relative')
        OR regexp_matches(published_raw, '^(?:18|19|20|21)\d\d-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:[.,]\d{1,9})?)? ?(?:Z|UTC|GMT|[+-]\d\d(?::?\d\d)?)?$')
        OR regexp_matches(published_raw, '^(?:18|19|20|21)\d\d-\d\d-\d\d$')
        OR regexp_matches(published_raw, '^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ?)?\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?:18|19|20|21)\d\d \d\d:\d\d(?::\d\d)? (?:GMT|UTC|UT|Z|[+-]\d{4})$')
        OR regexp_matches(published_raw, '^(?:19|20|21)\d{6}(?:T\d{4}(?:\d\d)?Z?)?$')
        OR regexp_matches(published_raw, '^\d{9,13}(?:\.\d+)?$'))
WHERE published_at IS NOT NULL AND published_raw IS NOT NULL;

-- name: distinct_residue_offsets
SELECT DISTINCT published_raw FROM norm WHERE offset_py AND reader_reject IS NULL;

-- name: local_dates
-- The page's own day (docs/schema.md, published_local_date): the day at the written
-- offset; a UTC or zone-less time within a day of the URL path's date is the URL's day;
-- a UTC time of exactly 20:00..23:00 is a local midnight east of UTC (the next day);
-- else the UTC day. Same rule as policykit.normalise.pubdate.page_day.
UPDATE norm SET published_local_date = CASE
    WHEN coalesce(published_utc_offset, 0) <> 0
        THEN DATE '1970-01-01'
             + ((epoch_us(published_at) + published_utc_offset::BIGINT * 60000000) // 86400000000)::INTEGER
    ELSE list_transform(
        -- the URL's date only where it can matter: a written time, a dated-looking path
        [{'utc': DATE '1970-01-01' + (epoch_us(published_at) // 86400000000)::INTEGER,
          'url': CASE WHEN date_source <> 'url' AND canonical_url IS NOT NULL
                           AND regexp_matches(published_raw, '\d:\d\d')
                           AND regexp_matches(canonical_url, '/(?:19|20|21)\d\d')
                      THEN CAST(pk_date_from_url(canonical_url) AS DATE) END}],
        lambda d: CASE
            WHEN d.url IS NOT NULL AND abs(date_diff('day', d.url, d.utc)) <= 1 THEN d.url
            WHEN published_utc_offset = 0 AND epoch_us(published_at) % 3600000000 = 0
                 AND (epoch_us(published_at) // 3600000000) % 24 BETWEEN 20 AND 23
                THEN d.utc + 1
            ELSE d.utc END)[1]
    END
WHERE published_at IS NOT NULL;

-- name: candidates
-- Rejected records first (reason, detail), then the rest get their article_id. One narrow
-- row per staged record: the dedup steps below read only keys, and the wide fields stay in
-- `norm`, joined back by `ord` where a statement needs them (copying every text at every
-- step was most of the dedup's cost).
CREATE OR REPLACE TEMP TABLE cand AS
SELECT ord, run_id, outlet, date_source,
    CASE
        WHEN reader_reject IS NOT NULL THEN reader_reject
        WHEN canonical_url IS NULL AND url IS NOT NULL AND title IS NULL THEN 'bad_url'
        WHEN canonical_url IS NULL AND title IS NULL AND body IS NULL THEN 'missing_fields'
        WHEN published_at > coalesce(scraped_at, $now) + INTERVAL 2 HOUR THEN 'date_suspect'
        WHEN published_at < TIMESTAMPTZ '1990-01-01 00:00:00+00' THEN 'date_suspect'
    END AS reject_reason,
    CASE
        WHEN reader_reject IS NOT NULL THEN reader_detail
        WHEN canonical_url IS NULL AND url IS NOT NULL AND title IS NULL
            THEN 'url ' || url || ' is not an http(s) URL and the record has no title'
        WHEN canonical_url IS NULL AND title IS NULL AND body IS NULL
            THEN 'record has no url, title or text'
        WHEN published_at > coalesce(scraped_at, $now) + INTERVAL 2 HOUR
            THEN 'published ' || coalesce(published_raw, '?') || ' (' || strftime(published_at, '%Y-%m-%dT%H:%M:%SZ')
                 || CASE WHEN scraped_at IS NULL
                         -- not the clock time itself: the detail is content, and content
                         -- must not depend on when the ingest ran (store.content_hash)
                         THEN ') is after the time of the ingest (the record has no crawl time)'
                         ELSE ') is after scraped_at ' || strftime(scraped_at, '%Y-%m-%dT%H:%M:%SZ')
                    END
        WHEN published_at < TIMESTAMPTZ '1990-01-01 00:00:00+00'
            THEN 'published ' || coalesce(published_raw, '?') || ' is before 1990'
    END AS reject_detail,
    CASE WHEN canonical_url IS NOT NULL
         THEN left(sha256('url:' || canonical_url), 16)
         ELSE left(sha256('text:' || coalesce(outlet, '') || chr(31) || coalesce(lower(title), '')
                          || chr(31) || coalesce(body, '')), 16)
    END AS article_id,
    -- earliest scrape first, then file order
    (epoch(coalesce(scraped_at, TIMESTAMPTZ '9999-12-31 00:00:00+00'))::BIGINT * 1000000 + ord) AS sort_key,
    pk_title_key(title, published_at, outlet) AS title_key,
    CAST(published_at AS DATE) AS published_day
FROM norm;

-- name: reject_ords
SELECT ord FROM cand WHERE reject_reason IS NOT NULL ORDER BY ord;

-- name: insert_rejects
-- reject_payloads(ord, payload): the raw payloads of this batch's rejects only (taken from
-- the staging batch by _Pipeline.insert_rejects), so `norm` does not carry payloads.
INSERT INTO rejects (source_path, source_locator, reason, detail, payload, run_id)
SELECT n.source_path, n.source_locator, c.reject_reason, c.reject_detail, left(s.payload, 65536), c.run_id
FROM cand c JOIN norm n USING (ord) JOIN reject_payloads s USING (ord)
WHERE c.reject_reason IS NOT NULL ORDER BY c.ord;

-- name: match
-- Where each valid record goes: an article already in the database (same id, or same
-- outlet + title + day), or a group inside this batch.
CREATE OR REPLACE TEMP TABLE matched AS
WITH valid AS (
    SELECT ord, article_id, sort_key, title_key, published_day, outlet
    FROM cand WHERE reject_reason IS NULL
),
stored AS (
    -- the batch's ids already stored: a semi join built on the batch, probed by one scan
    -- of articles.article_id (a DISTINCT over all stored ids cost a hash table of the
    -- whole table per batch, growing with the database)
    SELECT DISTINCT a.article_id FROM articles a SEMI JOIN valid v USING (article_id)
),
by_id AS (
    SELECT v.*, (a.article_id IS NOT NULL) AS id_exists
    FROM valid v LEFT JOIN stored a USING (article_id)
),
by_title AS (
    SELECT b.ord, min(k.article_id) AS title_article_id
    FROM by_id b
    JOIN article_keys k
      ON NOT b.id_exists AND b.title_key IS NOT NULL
     AND k.outlet = b.outlet AND k.published_day = b.published_day
     AND k.title_key = b.title_key AND k.article_id <> b.article_id
    GROUP BY b.ord
),
first_in_batch AS (
    -- inside the batch, the earliest record of an outlet+title+day group gives the id
    SELECT outlet, title_key, published_day, arg_min(article_id, sort_key) AS group_article_id
    FROM by_id WHERE NOT id_exists AND title_key IS NOT NULL
    GROUP BY ALL
)
SELECT b.ord, b.article_id, b.sort_key, b.title_key, b.published_day, b.outlet,
    coalesce(CASE WHEN b.id_exists THEN b.article_id END, t.title_article_id,
             f.group_article_id, b.article_id) AS final_id,
    (b.id_exists OR t.title_article_id IS NOT NULL) AS into_existing
FROM by_id b
LEFT JOIN by_title t ON t.ord = b.ord
LEFT JOIN first_in_batch f
  ON NOT b.id_exists AND t.title_article_id IS NULL
 AND f.outlet = b.outlet AND f.title_key = b.title_key AND f.published_day = b.published_day;

-- name: counts
-- Per file (run): records read, rejects, duplicates and new articles of this batch.
SELECT c.run_id, count(*) AS read,
    count(*) FILTER (WHERE c.reject_reason IS NOT NULL) AS rejects,
    count(*) FILTER (WHERE r.into_existing OR r.rn > 1) AS duplicates,
    count(*) FILTER (WHERE r.rn = 1 AND NOT r.into_existing) AS new
FROM cand c LEFT JOIN ranked r USING (ord)
GROUP BY c.run_id;

-- name: rank
-- `merge`: the article has several copies (in this batch, or one already stored); the
-- rest, most records, are single copies and go to `articles` as they are.
CREATE OR REPLACE TEMP TABLE ranked AS
SELECT *,
    row_number() OVER w AS rn,
    (count(*) OVER g > 1 OR bool_or(into_existing) OVER g) AS merge
FROM matched
WINDOW w AS (PARTITION BY final_id ORDER BY sort_key),
       g AS (PARTITION BY final_id);

-- name: insert_duplicates
INSERT INTO duplicates (source_path, source_locator, article_id, reason, url, title, run_id)
SELECT n.source_path, n.source_locator, r.final_id,
    CASE WHEN r.final_id <> r.article_id THEN 'same_outlet_title_day'
         WHEN n.canonical_url IS NOT NULL THEN 'same_url'
         ELSE 'same_text' END,
    n.url, n.title, n.run_id
FROM ranked r JOIN norm n USING (ord)
WHERE r.into_existing OR r.rn > 1 ORDER BY r.ord;

-- name: merged
-- One merged row per article with several copies (`ranked.merge`): the earliest scrape wins
-- field by field, missing fields are filled from the other copies.
CREATE OR REPLACE TEMP TABLE merged AS
SELECT
    final_id AS article_id,
    bool_or(into_existing) AS into_existing,
    arg_min(url, sort_key) FILTER (WHERE url IS NOT NULL) AS url,
    arg_min(canonical_url, sort_key) FILTER (WHERE canonical_url IS NOT NULL) AS canonical_url,
    arg_min(domain, sort_key) FILTER (WHERE domain IS NOT NULL) AS domain,
    arg_min(outlet, sort_key) FILTER (WHERE outlet IS NOT NULL) AS outlet,
    arg_min(title, sort_key) FILTER (WHERE title IS NOT NULL) AS title,
    arg_min(summary, sort_key) FILTER (WHERE summary IS NOT NULL) AS summary,
    arg_min(body, sort_key) FILTER (WHERE body IS NOT NULL) AS body,
    arg_min(authors, sort_key) FILTER (WHERE authors IS NOT NULL AND len(authors) > 0) AS authors,
    arg_min(published_at, sort_key) FILTER (WHERE published_at IS NOT NULL) AS published_at,
    arg_min(published_raw, sort_key) FILTER (WHERE published_raw IS NOT NULL) AS published_raw,
    arg_min(date_source, sort_key) FILTER (WHERE published_at IS NOT NULL) AS date_source_found,
    -- one struct, so the day and the offset come from the record that gave published_at
    arg_min({'day': published_local_date, 'offset': published_utc_offset}, sort_key)
        FILTER (WHERE published_at IS NOT NULL) AS published_local,
    arg_min(date_source, sort_key) AS date_source_first,
    arg_min(language, sort_key) FILTER (WHERE language IS NOT NULL) AS language,
    min(scraped_at) AS scraped_at,
    arg_min(source_locator, sort_key) AS source_locator,
    arg_min(source_path, sort_key) AS source_path,
    arg_min(run_id, sort_key) AS run_id,
    arg_min(layout, sort_key) AS layout,
    arg_min(extraction_method, sort_key) FILTER (WHERE extraction_method IS NOT NULL) AS extraction_method,
    arg_min(body_missing_reason, sort_key) FILTER (WHERE body_missing_reason IS NOT NULL) AS body_missing_reason
FROM (SELECT r.final_id, r.into_existing, r.sort_key, n.* EXCLUDE (ord), a.authors
      FROM ranked r JOIN norm n USING (ord) LEFT JOIN author_rows a USING (ord)
      WHERE r.merge)
GROUP BY final_id;

-- name: article_keys
-- The outlet + title + day keys of stored articles, kept for the whole ingest so that each
-- batch joins on them instead of recomputing them over the whole articles table.
CREATE OR REPLACE TEMP TABLE article_keys AS
SELECT * FROM (
    SELECT article_id, outlet, CAST(published_at AS DATE) AS published_day,
           pk_title_key(title, published_at, outlet) AS title_key
    FROM articles
) WHERE title_key IS NOT NULL;

-- name: add_article_keys
INSERT INTO article_keys
SELECT * FROM (
    SELECT article_id, outlet, CAST(published_at AS DATE),
           pk_title_key(title, published_at, outlet) AS title_key
    FROM merged
    UNION ALL
    -- a single copy's keys are its own (cand computed them from the same row)
    SELECT final_id, outlet, published_day, title_key FROM ranked WHERE NOT merge
) WHERE title_key IS NOT NULL;

-- name: insert_articles
-- Merged articles and single copies in one stream; for a single copy every field of
-- `merged` is the row's own (arg_min over one row), written out below.
INSERT INTO articles (
    article_id, url, canonical_url, domain, outlet, title, summary, body, authors,
    published_at, published_raw, date_source, language, word_count, scraped_at, source_path,
    source_locator, extraction_method, body_missing_reason, layout, ingested_at, content_hash,
    published_local_date, published_utc_offset)
SELECT
    article_id, url, canonical_url, domain, outlet, title, summary, body, authors,
    published_at, published_raw, date_source, language,
    CASE WHEN body IS NULL THEN NULL ELSE len(regexp_split_to_array(trim(body), '\s+')) END,
    scraped_at, source_path, source_locator, extraction_method,
    CASE WHEN body IS NULL THEN coalesce(body_missing_reason, 'no_text_in_source') END,
    layout, $now,
    left(sha256(coalesce(title, '') || chr(31) || coalesce(summary, '') || chr(31) || coalesce(body, '')), 16),
    published_local_date, published_utc_offset
FROM (
    SELECT article_id, url, canonical_url, domain, outlet, title, summary, body, authors,
        published_at, published_raw, coalesce(date_source_found, date_source_first) AS date_source,
        language, scraped_at, source_path, source_locator, extraction_method,
        body_missing_reason, layout, published_local.day AS published_local_date,
        published_local.offset AS published_utc_offset
    FROM merged WHERE NOT into_existing
    UNION ALL BY NAME
    SELECT r.final_id AS article_id, n.url, n.canonical_url, n.domain, n.outlet, n.title,
        n.summary, n.body, CASE WHEN len(a.authors) > 0 THEN a.authors END AS authors,
        n.published_at, n.published_raw, n.date_source, n.language, n.scraped_at,
        n.source_path, n.source_locator, n.extraction_method, n.body_missing_reason, n.layout,
        CASE WHEN n.published_at IS NOT NULL THEN n.published_local_date END AS published_local_date,
        CASE WHEN n.published_at IS NOT NULL THEN n.published_utc_offset END AS published_utc_offset
    FROM ranked r JOIN norm n USING (ord) LEFT JOIN author_rows a USING (ord)
    WHERE NOT r.merge
)
ORDER BY source_path, source_locator;

-- name: update_existing
-- A record that matched an article already stored fills its missing fields; when the record
-- was scraped earlier than the stored copy, its content fields win. The identity (url,
-- canonical_url, domain, source_path, source_locator) stays with the stored row, so those
-- fields always describe one record; the duplicate keeps its own URL in `duplicates`.
UPDATE articles a SET
    title = CASE WHEN m.scraped_at < a.scraped_at THEN coalesce(m.title, a.title) ELSE coalesce(a.title, m.title) END,
    summary = CASE WHEN m.scraped_at < a.scraped_at THEN coalesce(m.summary, a.summary) ELSE coalesce(a.summary, m.summary) END,
    body = CASE WHEN m.scraped_at < a.scraped_at THEN coalesce(m.body, a.body) ELSE coalesce(a.body, m.body) END,
    authors = CASE WHEN m.scraped_at < a.scraped_at THEN coalesce(m.authors, a.authors) ELSE coalesce(a.authors, m.authors) END,
    published_at = CASE WHEN a.published_at IS NULL OR m.scraped_at < a.scraped_at
                        THEN coalesce(m.published_at, a.published_at) ELSE a.published_at END,
    published_raw = CASE WHEN a.published_at IS NULL OR m.scraped_at < a.scraped_at
                         THEN coalesce(m.published_raw, a.published_raw) ELSE a.published_raw END,
    date_source = CASE WHEN a.published_at IS NULL OR m.scraped_at < a.scraped_at
                       THEN coalesce(m.date_source_found, a.date_source) ELSE a.date_source END,
    published_local_date = CASE WHEN m.published_at IS NOT NULL AND (a.published_at IS NULL OR m.scraped_at < a.scraped_at)
                                THEN m.published_local.day ELSE a.published_local_date END,
    published_utc_offset = CASE WHEN m.published_at IS NOT NULL AND (a.published_at IS NULL OR m.scraped_at < a.scraped_at)
                                THEN m.published_local.offset ELSE a.published_utc_offset END,
    language = coalesce(a.language, m.language),
    scraped_at = least(a.scraped_at, m.scraped_at),
    body_missing_reason = CASE WHEN coalesce(a.body, m.body) IS NULL THEN a.body_missing_reason END
FROM merged m
WHERE m.into_existing AND a.article_id = m.article_id;

-- name: refresh_merged_counts
UPDATE articles SET
    word_count = CASE WHEN body IS NULL THEN NULL ELSE len(regexp_split_to_array(trim(body), '\s+')) END,
    content_hash = left(sha256(coalesce(title, '') || chr(31) || coalesce(summary, '') || chr(31) || coalesce(body, '')), 16)
WHERE article_id IN (SELECT article_id FROM merged WHERE into_existing);
