-- top_entities: the entities mentioned in the most matching articles.
-- ratio = articles mentioning the entity / all matching articles.
-- `matches` (universe.sql): the semi-join form, only matching articles leave the scan.
WITH {universe},
{matches},
matched AS (SELECT article_id FROM matches),
total AS (SELECT count(*) AS n FROM matched)
SELECT
    e.entity_id,
    e.name,
    e.type,
    count(DISTINCT ae.article_id) AS articles,
    sum(ae.mentions)::BIGINT AS mentions,
    count(DISTINCT ae.article_id) / any_value(total.n) AS ratio
FROM matched AS m
JOIN article_entities AS ae ON ae.article_id = m.article_id
JOIN entities AS e ON e.entity_id = ae.entity_id
CROSS JOIN total
WHERE $entity_type IS NULL OR e.type = $entity_type
GROUP BY e.entity_id, e.name, e.type
ORDER BY articles DESC, mentions DESC, e.name
LIMIT $n
