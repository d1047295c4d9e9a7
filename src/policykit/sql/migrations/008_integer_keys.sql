-- 008: integer keys for the trend queries (issue 12, W3).
--
-- article_id stays the public, stable id. Inside the database the trend queries join on
-- article_key, a BIGINT from a sequence (a topic's semi-join over 10M articles: about
-- 0.32 s on the 16-character article_id, 0.05 s on the integer, docs/benchmarks.md), and
-- count days on published_day, the stored UTC calendar day (0.075 s computed from the
-- timestamp per 10M articles, 0.032 s stored).
--
-- articles.article_key: filled by its DEFAULT, so every INSERT that names its columns gets
-- one without naming it (the ingest inserts in a fixed order, so identical ingests give
-- identical keys). Existing rows are numbered in their stored order.
CREATE SEQUENCE IF NOT EXISTS article_key_seq START 1;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS article_key BIGINT DEFAULT nextval('article_key_seq');
ALTER TABLE articles ALTER COLUMN article_key SET NOT NULL;

-- articles.published_day: the UTC calendar day of published_at (NULL when undated). The
-- trend SQL reads coalesce(published_day, <the day of published_at>), so a row written
-- without it still counts on its day; policykit.store.fill_published_day keeps it equal
-- to the day of published_at after each ingest.
ALTER TABLE articles ADD COLUMN IF NOT EXISTS published_day DATE;
UPDATE articles
SET published_day = DATE '1970-01-01' + (epoch_us(published_at) // 86400000000)::INTEGER
WHERE published_at IS NOT NULL;

-- article_topics carries the article's key (NOT NULL: a writer that does not give it
-- fails instead of dropping the row from every trend), stored in (topic, article_key)
-- order so a topic's rows sit together. Rows of articles that no longer exist cannot
-- count in any trend and have no key: they are left out (enrichment prunes them anyway).
CREATE TABLE article_topics_008 (
    article_id  VARCHAR NOT NULL,
    topic       VARCHAR NOT NULL,
    hits        INTEGER NOT NULL,
    article_key BIGINT NOT NULL
);
INSERT INTO article_topics_008 (article_id, topic, hits, article_key)
SELECT t.article_id, t.topic, t.hits, a.article_key
FROM article_topics AS t
JOIN articles AS a ON a.article_id = t.article_id
ORDER BY t.topic, a.article_key;
DROP TABLE article_topics;
ALTER TABLE article_topics_008 RENAME TO article_topics;
