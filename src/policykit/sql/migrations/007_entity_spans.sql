-- 007: where each entity is mentioned, so a reader can see the sentence behind a count.

-- One row per mention of each candidate in entity_mentions: character offsets [start, end)
-- into the article's body (or, for an article without a body, its summary: field), as
-- stored in articles. Join article_entities (same article_id, entity_id) for the mentions
-- of the entities kept.
CREATE TABLE IF NOT EXISTS entity_spans (
    article_id  VARCHAR NOT NULL,
    entity_id   VARCHAR NOT NULL,
    field       VARCHAR NOT NULL,         -- body | summary
    span_start  INTEGER NOT NULL,         -- offset of the first character (Python str index)
    span_end    INTEGER NOT NULL          -- offset after the last character
);
