-- The time blocks whose event links must be recomputed: the blocks (by the publication
-- time now, and by the one the links were computed with) of articles that are new or
-- changed (_pending_events), deleted, or whose publication time changed. The caller adds
-- each block's successor (its first LINK_DAYS compare with the end of this block).
-- Parameter: $block_seconds.
WITH moved AS (
    SELECT e.article_id, e.block
    FROM event_inputs AS e
    LEFT JOIN articles AS a USING (article_id)
    WHERE a.article_id IS NULL OR a.published_at IS DISTINCT FROM e.published_at
),
stale AS (
    SELECT article_id FROM _pending_events
    UNION
    SELECT article_id FROM moved
)
SELECT DISTINCT block FROM (
    SELECT floor(epoch(a.published_at) / $block_seconds)::BIGINT AS block
    FROM articles AS a
    JOIN stale USING (article_id)
    WHERE a.published_at IS NOT NULL
    UNION ALL
    SELECT e.block
    FROM event_inputs AS e
    JOIN stale USING (article_id)
    WHERE e.block IS NOT NULL
)
ORDER BY block
