-- outlet_mix: per topic, each outlet's dated articles on it, its share of them, the
-- Herfindahl-Hirschman index (sum of squared shares over all the topic's outlets) and
-- the effective number of outlets (1 / hhi). The same numbers as
-- policykit.trends.outlet_mix(con, topic, top=None).
CREATE OR REPLACE VIEW outlet_mix AS
-- article_topics de-duplicated once (a filter on topic reaches it through the DISTINCT),
-- so the join counts rows instead of distinct article ids.
-- Joined on the integer article_key (migration 008).
WITH tagged AS (SELECT DISTINCT article_key, topic FROM article_topics),
per_outlet AS (
    SELECT t.topic, coalesce(a.outlet, a.domain, 'unknown') AS outlet, count(*) AS count
    FROM tagged AS t
    JOIN articles AS a ON a.article_key = t.article_key
    WHERE a.published_at IS NOT NULL
    GROUP BY ALL
),
shares AS (
    SELECT topic, outlet, count, count / sum(count) OVER (PARTITION BY topic) AS ratio
    FROM per_outlet
)
SELECT
    topic,
    outlet,
    count::BIGINT AS count,
    ratio,
    sum(ratio * ratio) OVER (PARTITION BY topic) AS hhi,
    1 / sum(ratio * ratio) OVER (PARTITION BY topic) AS effective_outlets
FROM shares;
