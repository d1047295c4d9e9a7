-- Story links between records that have only a title (no MinHash signature) and any
-- record with the same normalised title published within window_hours hours.
-- The normalised title: lower case, the outlet's name removed from its end, punctuation
-- folded to spaces; it must have at least min_words words. _pending_clusters holds the
-- articles to link.
CREATE OR REPLACE TEMP TABLE _titles AS
WITH t AS (
    SELECT
        a.article_id,
        a.published_at,
        lower(a.title) AS title,
        lower(coalesce(a.outlet, '')) AS outlet,
        a.article_id NOT IN (SELECT article_id FROM article_minhash) AS title_only
    FROM articles a
    WHERE a.title IS NOT NULL AND a.published_at IS NOT NULL
),
stripped AS (
    SELECT
        *,
        CASE
            WHEN outlet <> '' AND length(title) > length(outlet) + 3 AND ends_with(title, outlet)
                THEN left(title, length(title) - length(outlet))
            ELSE title
        END AS core
    FROM t
)
SELECT
    article_id,
    published_at,
    title_only,
    trim(regexp_replace(core, '[^\p{L}\p{N}]+', ' ', 'g')) AS norm_title
FROM stripped;

DELETE FROM _titles WHERE len(string_split(norm_title, ' ')) < $min_words;

INSERT INTO story_links (article_a, article_b, method, similarity)
SELECT DISTINCT
    least(x.article_id, y.article_id),
    greatest(x.article_id, y.article_id),
    'title_window',
    NULL
FROM _titles x
JOIN _pending_clusters p ON p.article_id = x.article_id
JOIN _titles y
    ON y.norm_title = x.norm_title
    AND y.article_id <> x.article_id
    AND abs(epoch(y.published_at) - epoch(x.published_at)) <= $window_hours * 3600
WHERE x.title_only OR y.title_only;

DROP TABLE _titles;
