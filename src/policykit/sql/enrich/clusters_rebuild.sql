-- story_clusters from the connected components of story_links. _components holds
-- (article_id, root, method) for linked articles; every other article is a singleton.
-- The first publisher (earliest published_at, then article_id) names the cluster.
DELETE FROM story_clusters;

INSERT INTO story_clusters (cluster_id, article_id, is_first, method)
WITH c AS (
    SELECT
        a.article_id,
        a.published_at,
        coalesce(k.root, a.article_id) AS root,
        coalesce(k.method, 'singleton') AS method
    FROM articles a
    LEFT JOIN _components k USING (article_id)
),
firsts AS (
    SELECT root, first(article_id ORDER BY published_at NULLS LAST, article_id) AS first_id
    FROM c
    GROUP BY root
)
SELECT f.first_id, c.article_id, c.article_id = f.first_id, c.method
FROM c
JOIN firsts f USING (root);
