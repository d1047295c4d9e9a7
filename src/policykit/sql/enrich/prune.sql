-- Remove enrichment of articles that no longer exist.
DELETE FROM article_topics WHERE article_id NOT IN (SELECT article_id FROM articles);
DELETE FROM entity_mentions WHERE article_id NOT IN (SELECT article_id FROM articles);
DELETE FROM entity_spans WHERE article_id NOT IN (SELECT article_id FROM articles);
DELETE FROM article_citations WHERE article_id NOT IN (SELECT article_id FROM articles);
DELETE FROM article_minhash WHERE article_id NOT IN (SELECT article_id FROM articles);
DELETE FROM minhash_bands WHERE article_id NOT IN (SELECT article_id FROM articles);
DELETE FROM story_links
WHERE article_a NOT IN (SELECT article_id FROM articles)
    OR article_b NOT IN (SELECT article_id FROM articles);
DELETE FROM enrich_state WHERE article_id NOT IN (SELECT article_id FROM articles);
