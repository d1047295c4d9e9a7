-- coverage_daily: articles per UTC day and topic, every day from the first to the last
-- dated article, zero-filled. total_count = all dated articles that day (every outlet);
-- ratio = count / total_count (0 on a day without articles). The same numbers as
-- policykit.trends.coverage_over_time(con, topic, interval='day') with no other filter.
CREATE OR REPLACE VIEW coverage_daily AS
-- Joined on the integer article_key and counted on the stored UTC day (migration 008).
WITH dated AS (
    SELECT
        article_key,
        coalesce(published_day - DATE '1970-01-01', epoch_us(published_at) // 86400000000) AS day_key
    FROM articles
    WHERE published_at IS NOT NULL
),
totals AS (
    SELECT day_key, count(*) AS total_count FROM dated GROUP BY day_key
),
-- article_topics de-duplicated once (a filter on topic reaches it through the DISTINCT),
-- so the join counts rows instead of distinct article ids.
tagged AS (SELECT DISTINCT article_key, topic FROM article_topics),
hits AS (
    SELECT d.day_key, t.topic, count(*) AS count
    FROM tagged AS t
    JOIN dated AS d ON d.article_key = t.article_key
    GROUP BY ALL
),
days AS (
    SELECT unnest(range(min(day_key), max(day_key) + 1)) AS day_key
    FROM dated
    HAVING count(*) > 0
),
topics AS (SELECT DISTINCT topic FROM article_topics)
SELECT
    DATE '1970-01-01' + d.day_key::INTEGER AS day,
    tp.topic,
    coalesce(h.count, 0)::BIGINT AS count,
    coalesce(tt.total_count, 0)::BIGINT AS total_count,
    CASE WHEN coalesce(tt.total_count, 0) = 0 THEN 0.0
         ELSE coalesce(h.count, 0) / tt.total_count END::DOUBLE AS ratio
FROM days AS d
CROSS JOIN topics AS tp
LEFT JOIN hits AS h ON h.day_key = d.day_key AND h.topic = tp.topic
LEFT JOIN totals AS tt ON tt.day_key = d.day_key;
