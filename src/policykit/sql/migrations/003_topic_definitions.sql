-- 003: the topic definitions in force are data, stored beside the tags they produce, so
-- that a plain ingest or enrich tags new articles with the user's topics and never with
-- the shipped example. One row per change; the highest version is in force.
CREATE TABLE IF NOT EXISTS topic_definitions (
    version       INTEGER PRIMARY KEY,    -- 1, 2, ...
    source        VARCHAR NOT NULL,       -- the file as named (relative to the working folder), or 'shipped'
    content_hash  VARCHAR NOT NULL,       -- sha256 of the definitions' bytes (hex)
    definitions   VARCHAR NOT NULL,       -- the topics.yml text itself
    topics        INTEGER NOT NULL,       -- how many topics it defines
    loaded_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
