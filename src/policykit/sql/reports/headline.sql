-- Headline numbers for one topic: the report period [$start, $end) and the period of
-- equal length just before it [$prev_start, $start). One row per period. An article
-- without an outlet name counts under its domain, as in every trend query.
WITH periods AS (
    SELECT 'current' AS period, $start::TIMESTAMPTZ AS lo, $end::TIMESTAMPTZ AS hi
    UNION ALL
    SELECT 'previous', $prev_start::TIMESTAMPTZ, $start::TIMESTAMPTZ
),
topic_articles AS (
    SELECT DISTINCT a.article_id, coalesce(a.outlet, a.domain, 'unknown') AS outlet,
           a.published_at,
           coalesce(c.cluster_id, a.article_id) AS story
    FROM articles a
    JOIN article_topics t ON t.article_id = a.article_id AND t.topic = $topic
    LEFT JOIN story_clusters c ON c.article_id = a.article_id
),
all_counts AS (
    SELECT p.period, count(a.article_id) AS all_articles
    FROM periods p
    LEFT JOIN articles a ON a.published_at >= p.lo AND a.published_at < p.hi
    GROUP BY p.period
)
SELECT p.period,
       p.lo AS start,
       p.hi AS "end",
       count(x.article_id) AS articles,
       count(DISTINCT x.story) AS stories,
       count(DISTINCT x.outlet) AS outlets,
       any_value(c.all_articles) AS all_articles
FROM periods p
LEFT JOIN topic_articles x ON x.published_at >= p.lo AND x.published_at < p.hi
JOIN all_counts c ON c.period = p.period
GROUP BY p.period, p.lo, p.hi
ORDER BY p.period
