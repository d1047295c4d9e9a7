-- Articles whose enrichment for one stage is missing or stale: new articles, changed
-- text (content_hash) or a changed configuration (config_hash). Parameters: $stage,
-- $config. The articles' own content_hash is used when ingest set one.
SELECT
    a.article_id,
    coalesce(
        a.content_hash,
        md5(concat_ws(chr(31), a.title, a.summary, a.body, a.outlet, a.domain))
    ) AS content_hash
FROM articles a
LEFT JOIN enrich_state s
    ON s.article_id = a.article_id AND s.stage = $stage
WHERE s.article_id IS NULL
    OR s.config_hash <> $config
    OR s.content_hash <> coalesce(
        a.content_hash,
        md5(concat_ws(chr(31), a.title, a.summary, a.body, a.outlet, a.domain))
    )
