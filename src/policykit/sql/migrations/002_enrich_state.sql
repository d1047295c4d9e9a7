-- 002: working tables of policykit.enrich, so that enrichment is incremental.

-- Every entity candidate found in each article, before the corpus-level filter
-- (minimum document frequency) that builds entities and article_entities.
CREATE TABLE IF NOT EXISTS entity_mentions (
    article_id  VARCHAR NOT NULL,
    entity_id   VARCHAR NOT NULL,         -- 16 hex of sha256 of the case-folded name
    name        VARCHAR NOT NULL,
    type        VARCHAR NOT NULL,         -- person | organisation | place
    origin      VARCHAR NOT NULL,         -- gazetteer | user | recogniser
    mentions    INTEGER NOT NULL,
    strong      BOOLEAN NOT NULL          -- gazetteer entry, or a recogniser cue (title, suffix...)
);

-- MinHash signature of each article body long enough to compare (num_perm uint32 values).
CREATE TABLE IF NOT EXISTS article_minhash (
    article_id  VARCHAR PRIMARY KEY,
    signature   BLOB NOT NULL
);

-- LSH bands of those signatures: articles sharing a (band, bucket) are candidates.
CREATE TABLE IF NOT EXISTS minhash_bands (
    article_id  VARCHAR NOT NULL,
    band        SMALLINT NOT NULL,
    bucket      BIGINT NOT NULL
);

-- Pairs of articles found to carry the same story; story_clusters are their components.
CREATE TABLE IF NOT EXISTS story_links (
    article_a   VARCHAR NOT NULL,
    article_b   VARCHAR NOT NULL,
    method      VARCHAR NOT NULL,         -- minhash | title_window
    similarity  DOUBLE                    -- estimated Jaccard (minhash), NULL for titles
);

-- The topics in force (from topics.yml) when article_topics was last refreshed.
CREATE TABLE IF NOT EXISTS topics (
    topic       VARCHAR PRIMARY KEY,
    label       VARCHAR,
    query       VARCHAR NOT NULL
);
