-- 005: news events (policykit.enrich.events): articles about the same happening across
-- outlets and headlines, within a bounded time window. No PRIMARY KEY on the large
-- tables (as for articles): enrichment rewrites them in one statement and guarantees one
-- row per article_id / event_id (tests check it).

-- Every article has exactly one event; an undated article is its own event.
CREATE TABLE IF NOT EXISTS article_events (
    article_id  VARCHAR NOT NULL,
    event_id    VARCHAR NOT NULL        -- the article_id of the event's earliest article
);

-- One row per event.
CREATE TABLE IF NOT EXISTS events (
    event_id    VARCHAR NOT NULL,       -- article_id of its earliest article (published_at, then article_id)
    first_seen  TIMESTAMPTZ,            -- earliest published_at of its articles (NULL: undated)
    last_seen   TIMESTAMPTZ,            -- latest published_at
    articles    INTEGER NOT NULL,       -- its articles
    outlets     INTEGER NOT NULL,       -- distinct outlets among them (outlet, else domain)
    label       VARCHAR,                -- representative headline: the medoid article's title
    label_article_id VARCHAR            -- the article whose title is the label
);

-- Working table: pairs of articles similar enough to be compared when grouping, from
-- the time block of the later article (see docs/enrichment.md, "News events").
CREATE TABLE IF NOT EXISTS event_links (
    article_a   VARCHAR NOT NULL,       -- the later article
    article_b   VARCHAR NOT NULL,       -- the earlier one
    block       BIGINT NOT NULL,        -- floor(epoch(article_a.published_at) / (7 days))
    similarity  FLOAT NOT NULL          -- TF-IDF cosine, >= 0.1
);

-- Working table: the publication time each article's links were computed with, so that
-- a changed date or a deleted article recomputes the blocks it left as well.
CREATE TABLE IF NOT EXISTS event_inputs (
    article_id   VARCHAR NOT NULL,
    published_at TIMESTAMPTZ,
    block        BIGINT                 -- NULL when undated
);
