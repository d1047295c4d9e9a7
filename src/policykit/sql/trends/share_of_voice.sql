-- share_of_voice: per period, the matching articles that mention each item (a topic or
-- an entity), and each item's share of the items' combined count. An article about two
-- items counts once for each, so shares sum to 1 over the items in every period that
-- has any coverage of them.
-- Parameters beyond the universe: $kind ('topics' | 'entities'), $items (topic names or
-- entity ids) and $labels (the item labels, in the same order).
WITH {universe},
item_rows AS (
    SELECT u.day_key, u.article_id, t.topic AS grp
    FROM universe AS u
    JOIN article_topics AS t ON t.article_id = u.article_id
    WHERE u.hit AND $kind = 'topics' AND list_contains($items, t.topic)
    UNION ALL
    SELECT u.day_key, u.article_id, $labels[list_position($items, ae.entity_id)] AS grp
    FROM universe AS u
    JOIN article_entities AS ae ON ae.article_id = u.article_id
    WHERE u.hit AND $kind = 'entities' AND list_contains($items, ae.entity_id)
),
per_item AS (
    SELECT date_trunc($interval, DATE '1970-01-01' + day_key::INTEGER)::DATE AS period,
           grp, count(DISTINCT article_id) AS count
    FROM item_rows
    GROUP BY ALL
),
combined AS (
    SELECT period, sum(count) AS total_count FROM per_item GROUP BY ALL
),
seen AS (
    SELECT DISTINCT date_trunc($interval, DATE '1970-01-01' + day_key::INTEGER)::DATE AS period
    FROM universe
),
groups AS (SELECT DISTINCT unnest($labels) AS grp),
span AS (SELECT period FROM seen),
counts AS (
    SELECT s.period, g.grp, coalesce(p.count, 0) AS count, coalesce(c.total_count, 0) AS total_count
    FROM seen AS s
    CROSS JOIN groups AS g
    LEFT JOIN per_item AS p ON p.period = s.period AND p.grp = g.grp
    LEFT JOIN combined AS c ON c.period = s.period
),
{fill}
