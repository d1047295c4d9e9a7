-- Synthetic rows shaped like the `articles` table, rows $lo to $hi of range(N), for benchmarks
-- (policykit.demo.write_articles_parquet / load_articles). Deterministic for a given $seed.
-- Expects three registered relations (built by policykit.demo_bench._bench_params):
--   bench_outlet_slots(slot, domain, name, host, topic_share)  1000 slots, shared by volume
--   bench_titles(t, title, slug)        $per_titles headlines per kind, kind-major
--   bench_bodies(b, body)               $per_bodies bodies per kind, kind-major (two make a body)
-- Kinds 0-6 are the tech-policy topics ($topics), 7-13 background coverage.
WITH base AS (
    SELECT
        i,
        hash(i, $seed) AS h1,
        hash(i, $seed + 1) AS h2,
        hash(i, $seed + 2) AS h3
    FROM range($lo, $hi) AS r(i)
),
dated AS (
    SELECT *, (h2 % $days)::BIGINT AS d0,
        dayofweek(DATE '1970-01-01' + to_days(($start_day + (h2 % $days))::INTEGER)) AS w
    FROM base
),
picked AS (
    SELECT
        s.*,
        o.domain, o.name, o.host,
        -- fewer weekend stories: 40% of weekend draws move to a weekday of the same week
        CASE
            WHEN s.w IN (0, 6) AND (s.h3 % 10) < 4
            THEN least(greatest(s.d0 - s.w + 1 + (s.h3 >> 4) % 5, 0), $days - 1)
            ELSE s.d0
        END AS d,
        CASE
            WHEN (s.h3 >> 8) % 1000 < o.topic_share * 1000 THEN ((s.h3 >> 20) % 7)::BIGINT
            ELSE (7 + (s.h3 >> 40) % 7)::BIGINT
        END AS kind
    FROM dated AS s
    JOIN bench_outlet_slots AS o ON o.slot = s.h1 % 1000
)
SELECT
    printf('%016x', hash('article', p.i, $seed)) AS article_id,
    'https://' || p.host || '/news/' || t.slug || '-' || p.i::VARCHAR AS url,
    'https://' || p.host || '/news/' || t.slug || '-' || p.i::VARCHAR AS canonical_url,
    p.domain AS domain,
    p.name AS outlet,
    t.title AS title,
    CASE WHEN $with_bodies THEN left(b1.body, 200) END AS summary,
    CASE WHEN $with_bodies
        THEN b1.body || chr(10) || chr(10) || b2.body
    END AS body,
    CASE WHEN (p.h3 % 7) = 0 THEN []::VARCHAR[] ELSE [p.name || ' Staff'] END AS authors,
    make_timestamptz(0::BIGINT) + to_days(($start_day + p.d)::INTEGER)
        + to_minutes((60 + (p.h1 >> 20) % 1020)::INTEGER) AS published_at,
    NULL::VARCHAR AS published_raw,
    'metadata' AS date_source,
    'en' AS language,
    CASE WHEN $with_bodies THEN 180 + (p.h2 % 400)::INTEGER END AS word_count,
    make_timestamptz(0::BIGINT) + to_days(($start_day + p.d + 1)::INTEGER) AS scraped_at,
    'bench/articles' AS source_path,
    'row:' || p.i::VARCHAR AS source_locator,
    'metadata' AS extraction_method,
    CASE WHEN $with_bodies THEN NULL ELSE 'no_text_in_source' END AS body_missing_reason,
    'scrapy' AS layout,
    make_timestamptz(0::BIGINT) + to_days(($start_day + $days + 3)::INTEGER) AS ingested_at,
    printf('%016x', hash('content', p.i, $seed)) AS content_hash,
    -- migration 006: no zone is written (published_raw is NULL), so the UTC day, no offset
    DATE '1970-01-01' + ($start_day + p.d)::INTEGER AS published_local_date,
    NULL::SMALLINT AS published_utc_offset,
    -- migration 008: the UTC day of published_at (its time is within the day)
    DATE '1970-01-01' + ($start_day + p.d)::INTEGER AS published_day,
    -- not an articles column: the intended topic (NULL for background coverage)
    CASE WHEN p.kind < 7 THEN $topics[1 + p.kind] END AS topic
FROM picked AS p
JOIN bench_titles AS t ON t.t = p.kind * $per_titles + (p.i * 7919) % $per_titles
LEFT JOIN bench_bodies AS b1
    ON $with_bodies AND b1.b = p.kind * $per_bodies + (p.h2 >> 8) % $per_bodies
LEFT JOIN bench_bodies AS b2
    ON $with_bodies AND b2.b = p.kind * $per_bodies + (p.h2 >> 24) % $per_bodies
