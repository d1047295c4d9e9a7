-- Build entities and article_entities from entity_mentions. A recogniser name without
-- a cue is kept only when it occurs in at least $min_df articles, or with a cue
-- somewhere. The canonical name is the gazetteer's, else the most mentioned form, and the
-- type is the gazetteer's, else the one with the most (cued first) mentions. Ties are
-- broken by the value itself (the larger name or type), so two rebuilds of the same
-- mentions give the same table whatever order the rows were inserted in.
-- _gazetteer(entity_id, name, type, aliases, origin) is registered by the caller.
DELETE FROM article_entities;
DELETE FROM entities;

CREATE OR REPLACE TEMP TABLE _kept_mentions AS
WITH stats AS (
    SELECT
        entity_id,
        count(DISTINCT article_id) AS df,
        bool_or(strong) AS any_strong,
        bool_or(origin <> 'recogniser') AS listed
    FROM entity_mentions
    GROUP BY entity_id
)
SELECT m.*
FROM entity_mentions m
JOIN stats s USING (entity_id)
WHERE s.listed OR s.any_strong OR s.df >= $min_df;

INSERT INTO entities (entity_id, name, type, aliases, origin)
WITH typed AS (
    SELECT entity_id, type, sum(mentions + CASE WHEN strong THEN 1000000 ELSE 0 END) AS weight
    FROM _kept_mentions
    GROUP BY entity_id, type
),
best AS (
    SELECT
        k.entity_id,
        arg_max(k.name, (k.mentions, k.name)) AS name,
        min(k.origin) AS origin
    FROM _kept_mentions k
    GROUP BY k.entity_id
)
SELECT
    b.entity_id,
    coalesce(g.name, b.name),
    coalesce(g.type, (SELECT arg_max(t.type, (t.weight, t.type)) FROM typed t WHERE t.entity_id = b.entity_id)),
    coalesce(g.aliases, []::VARCHAR[]),
    coalesce(g.origin, b.origin)
FROM best b
LEFT JOIN _gazetteer g USING (entity_id);

INSERT INTO article_entities (article_id, entity_id, mentions)
SELECT article_id, entity_id, sum(mentions)::INTEGER
FROM _kept_mentions
GROUP BY article_id, entity_id;

DROP TABLE _kept_mentions;
