-- Stories that ran more than once (the same story in several articles) within a topic
-- and period: the syndication and republishing behind the article counts.
WITH topic_articles AS (
    SELECT DISTINCT a.article_id, coalesce(a.outlet, a.domain, 'unknown') AS outlet, a.title,
           a.published_at, c.cluster_id, c.is_first
    FROM articles a
    JOIN article_topics t ON t.article_id = a.article_id AND t.topic = $topic
    JOIN story_clusters c ON c.article_id = a.article_id
    WHERE a.published_at >= $start::TIMESTAMPTZ AND a.published_at < $end::TIMESTAMPTZ
)
SELECT cluster_id,
       coalesce(arg_min(title, CASE WHEN is_first THEN 0 ELSE 1 END), any_value(title)) AS title,
       count(*) AS articles,
       count(DISTINCT outlet) AS outlets,
       min(published_at) AS first_published
FROM topic_articles
GROUP BY cluster_id
HAVING count(*) > 1
ORDER BY articles DESC, first_published, cluster_id
