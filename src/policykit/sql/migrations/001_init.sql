-- 001: the initial schema. Never edit a migration that has shipped; add a new file.

-- Join articles to outlets ON articles.outlet = outlets.name (names are unique). outlets.domain
-- is the registry key, a host suffix such as 'timesofindia.indiatimes.com', which can be more
-- specific than articles.domain (the registered domain, 'indiatimes.com').
CREATE TABLE IF NOT EXISTS outlets (
    domain      VARCHAR PRIMARY KEY,   -- registry key: a host suffix, e.g. 'medianama.com'
    name        VARCHAR NOT NULL,      -- display name, e.g. 'MediaNama'
    country     VARCHAR,               -- ISO 3166-1 alpha-2, e.g. 'IN'
    language    VARCHAR,               -- ISO 639-1, e.g. 'en'
    type        VARCHAR,               -- national daily, regional, tech-policy site, wire, broadcaster, blog, international, magazine, unknown
    date_order  VARCHAR,               -- 'DMY' or 'MDY': how the outlet writes numeric dates
    origin      VARCHAR NOT NULL       -- 'registry' (shipped), 'user' (user registry), 'inferred' (unknown domain)
);

-- No PRIMARY KEY: DuckDB's ART index slows million-row loads and forbids some in-transaction
-- rewrites; the ingest pipeline guarantees one row per article_id (tests check it).
CREATE TABLE IF NOT EXISTS articles (
    article_id      VARCHAR NOT NULL,  -- 16 hex chars of sha256('url:'||canonical_url) or sha256('text:'||outlet||title||body)
    url             VARCHAR,              -- as scraped
    canonical_url   VARCHAR,
    domain          VARCHAR,              -- registered domain of canonical_url
    outlet          VARCHAR,              -- display name (outlets.name)
    title           VARCHAR,
    summary         VARCHAR,
    body            VARCHAR,              -- clean text, NULL when no text was available
    authors         VARCHAR[],
    published_at    TIMESTAMPTZ,          -- UTC
    published_raw   VARCHAR,              -- the date string exactly as found
    date_source     VARCHAR,              -- metadata | url | html | text | sidecar | relative | missing | ...
    language        VARCHAR,
    word_count      INTEGER,
    scraped_at      TIMESTAMPTZ,
    source_path     VARCHAR NOT NULL,
    source_locator  VARCHAR NOT NULL,     -- 'line:12', 'row:4', 'offset:1234', 'item:3', 'file'
    extraction_method VARCHAR,            -- metadata | trafilatura | textdump | feed | warc+trafilatura ...
    body_missing_reason VARCHAR,          -- why body is NULL (too_short, all_script, ...)
    layout          VARCHAR,              -- the reader layout that produced the record
    ingested_at     TIMESTAMPTZ NOT NULL,
    content_hash    VARCHAR               -- hash of the article's text fields, to detect changed articles
);

CREATE TABLE IF NOT EXISTS duplicates (
    source_path     VARCHAR NOT NULL,
    source_locator  VARCHAR NOT NULL,
    article_id      VARCHAR NOT NULL,     -- the article the record was merged into
    reason          VARCHAR NOT NULL,     -- same_url | same_outlet_title_day | same_text
    url             VARCHAR,
    title           VARCHAR,
    run_id          INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS rejects (
    source_path     VARCHAR NOT NULL,
    source_locator  VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,     -- malformed_json | malformed_csv | truncated | missing_fields | date_suspect | ...
    detail          VARCHAR,
    payload         VARCHAR,              -- the raw record, capped at 64 KiB
    run_id          INTEGER NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS ingest_run_seq START 1;

CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id          INTEGER PRIMARY KEY,
    source_path     VARCHAR NOT NULL,
    content_hash    VARCHAR NOT NULL,     -- sha256 of the file's bytes
    size_bytes      BIGINT,
    format          VARCHAR,
    layout          VARCHAR,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    records_read    BIGINT,
    new_articles    BIGINT,
    duplicates      BIGINT,
    rejects         BIGINT,
    policykit_version VARCHAR
);

-- Enrichment (filled by policykit.enrich).
CREATE TABLE IF NOT EXISTS article_topics (
    article_id  VARCHAR NOT NULL,
    topic       VARCHAR NOT NULL,
    hits        INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS entities (
    entity_id   VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,         -- canonical name
    type        VARCHAR NOT NULL,         -- person | organisation | place
    aliases     VARCHAR[],
    origin      VARCHAR                   -- gazetteer | user | recogniser
);

CREATE TABLE IF NOT EXISTS article_entities (
    article_id  VARCHAR NOT NULL,
    entity_id   VARCHAR NOT NULL,
    mentions    INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS article_citations (
    article_id  VARCHAR NOT NULL,
    cited       VARCHAR NOT NULL,         -- outlet name when it resolves to the registry, else the name as written
    pattern     VARCHAR NOT NULL,         -- reported | told | according_to | statement_to | interview_with
    cited_domain VARCHAR                  -- outlets.domain when resolved
);

CREATE TABLE IF NOT EXISTS story_clusters (
    cluster_id  VARCHAR NOT NULL,
    article_id  VARCHAR PRIMARY KEY,
    is_first    BOOLEAN NOT NULL,
    method      VARCHAR                   -- minhash | title_window | singleton
);

-- Which articles enrichment has seen, and with which inputs, so refreshes are incremental.
CREATE TABLE IF NOT EXISTS enrich_state (
    article_id    VARCHAR NOT NULL,
    stage         VARCHAR NOT NULL,       -- topics | entities | citations | language | clusters
    content_hash  VARCHAR NOT NULL,
    config_hash   VARCHAR NOT NULL,
    PRIMARY KEY (article_id, stage)
);

-- Outlet-specific boilerplate lines learnt from plain-text dumps (policykit.sources.textdump).
CREATE TABLE IF NOT EXISTS boilerplate_lines (
    outlet      VARCHAR NOT NULL,
    line_hash   VARCHAR NOT NULL,
    line        VARCHAR NOT NULL,
    documents   INTEGER NOT NULL,
    PRIMARY KEY (outlet, line_hash)
);

CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);
