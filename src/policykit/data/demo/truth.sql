-- How far a database agrees with a demo corpus's ground truth (policykit.demo.truth_agreement).
-- $truth: path of the corpus's .truth.csv.gz (one row per record written);
-- $paths/$files: each loaded source_path and the corpus file it is (pairs of equal length).
-- Records are matched on (file, URL as written; backslash-escaped slashes undone), text dumps
-- (no URL) on their file alone. Rejected records match nothing.
WITH files AS (
    SELECT unnest($paths) AS source_path, unnest($files) AS file
),
truth AS (
    SELECT
        file,
        nullif(replace(url, '\/', '/'), '') AS url,
        article::BIGINT AS article,
        story::BIGINT AS story,
        outlet,
        domain,
        published::TIMESTAMPTZ AS published,
        layout
    FROM read_csv($truth, header = true, all_varchar = true)
),
records AS (
    SELECT f.file, replace(a.url, '\/', '/') AS url, a.article_id
    FROM articles AS a JOIN files AS f USING (source_path)
    UNION ALL
    SELECT f.file, replace(d.url, '\/', '/') AS url, d.article_id
    FROM duplicates AS d JOIN files AS f USING (source_path)
),
matched AS (
    SELECT t.*, r.article_id
    FROM truth AS t
    LEFT JOIN records AS r ON r.file = t.file AND r.url IS NOT DISTINCT FROM t.url
),
per_article AS (
    SELECT
        article,
        any_value(story) AS story,
        any_value(outlet) AS outlet,
        any_value(domain) AS domain,
        any_value(published) AS published,
        count(*) AS records,
        count(article_id) AS loaded_records,
        count(DISTINCT article_id) AS ids,
        min(article_id) AS article_id
    FROM matched
    GROUP BY article
),
judged AS (
    SELECT
        p.*,
        a.outlet AS db_outlet,
        a.published_at,
        a.outlet = p.outlet OR o.domain = p.domain AS outlet_right,
        (a.published_at AT TIME ZONE 'UTC')::DATE = (p.published AT TIME ZONE 'UTC')::DATE
            AS day_right
    FROM per_article AS p
    LEFT JOIN articles AS a USING (article_id)
    LEFT JOIN outlets AS o ON o.name = a.outlet
),
merges AS (
    -- Database articles that hold records of more than one true article.
    SELECT article_id, count(DISTINCT article) AS articles, count(DISTINCT story) AS stories
    FROM matched
    WHERE article_id IS NOT NULL
    GROUP BY article_id
    HAVING count(DISTINCT article) > 1
)
SELECT
    (SELECT count(*) FROM judged) AS articles,
    (SELECT count(*) FILTER (WHERE loaded_records > 0) FROM judged) AS loaded,
    (SELECT count(*) FILTER (WHERE loaded_records > 0 AND outlet_right) FROM judged) AS outlet_right,
    (SELECT count(*) FILTER (WHERE published_at IS NOT NULL) FROM judged) AS dated,
    (SELECT count(*) FILTER (WHERE day_right) FROM judged) AS day_right,
    (SELECT count(*) FILTER (WHERE loaded_records > 1) FROM judged) AS duplicate_groups,
    (SELECT count(*) FILTER (WHERE loaded_records > 1 AND ids = 1) FROM judged)
        AS duplicates_recognised,
    (SELECT count(*) FROM merges WHERE stories = 1) AS merged_copies,
    (SELECT count(*) FROM merges WHERE stories > 1) AS false_merges
