-- article_facts: one wide row per article, for ad-hoc SQL and exports.
-- day is the UTC calendar day (the stored published_day, else computed from the instant,
-- so it does not depend on the session time zone); local_day is the page's own calendar day (published_local_date,
-- docs/schema.md), the UTC day when none is stored; topics is the sorted list of the article's topics ([] if none);
-- an article without a story_clusters row is its own story (cluster_id = article_id,
-- cluster_method = 'singleton').
CREATE OR REPLACE VIEW article_facts AS
WITH topic_lists AS (
    SELECT article_id, list_sort(list(DISTINCT topic)) AS topics
    FROM article_topics
    GROUP BY article_id
),
clusters AS (
    SELECT
        a.article_id,
        coalesce(c.cluster_id, a.article_id) AS cluster_id,
        coalesce(c.is_first, TRUE) AS is_first,
        coalesce(c.method, 'singleton') AS cluster_method
    FROM articles AS a
    LEFT JOIN story_clusters AS c ON c.article_id = a.article_id
)
SELECT
    a.article_id,
    a.published_at,
    coalesce(a.published_day,
             DATE '1970-01-01' + (epoch_us(a.published_at) // 86400000000)::INTEGER) AS day,
    coalesce(a.published_local_date, a.published_day,
             DATE '1970-01-01' + (epoch_us(a.published_at) // 86400000000)::INTEGER) AS local_day,
    coalesce(a.outlet, a.domain, 'unknown') AS outlet,
    a.domain,
    coalesce(o.type, 'unknown') AS outlet_type,
    coalesce(o.country, 'unknown') AS country,
    o.language AS outlet_language,
    a.language,
    a.title,
    a.url,
    a.canonical_url,
    a.word_count,
    a.date_source,
    coalesce(t.topics, []::VARCHAR[]) AS topics,
    c.cluster_id,
    c.is_first,
    c.cluster_method,
    count(*) OVER (PARTITION BY c.cluster_id) AS cluster_size
FROM articles AS a
LEFT JOIN outlets AS o ON o.domain = a.domain
LEFT JOIN topic_lists AS t ON t.article_id = a.article_id
JOIN clusters AS c ON c.article_id = a.article_id;
