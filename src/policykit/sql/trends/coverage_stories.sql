-- coverage_over_time for unit = 'stories' or 'events', and for by = 'topic' (any unit).
--
-- `item` is what is counted ({item} and {item_join}, filled by trends/coverage.py): the
-- article, its story cluster (an article without a story_clusters row is its own story)
-- or its news event (article_events; an article without a row is its own event). An
-- item counts once per group: in the period of its first matching article there, or,
-- when none of its articles there match, in the period of its first article (for the
-- denominator only). So in every period and group, count <= total_count, and stories
-- (or events) <= articles.
-- by = 'topic': one group per topic of the matching articles; within a group an
-- article matches when it matches the filter and has that topic; the denominator is
-- every article (or item) of the universe.
WITH {universe},
rows AS (
    SELECT
        u.article_id,
        u.day_key,
        u.hit,
        {item} AS item,
        CASE $by
            WHEN 'outlet' THEN u.outlet
            WHEN 'outlet_type' THEN coalesce(o.type, 'unknown')
            WHEN 'country' THEN coalesce(o.country, 'unknown')
            ELSE '(all)'
        END AS grp
    FROM universe AS u
    {item_join}
    LEFT JOIN outlets AS o ON o.domain = u.domain
),
topic_pairs AS (
    SELECT DISTINCT article_id, topic FROM article_topics
),
topic_groups AS (
    SELECT DISTINCT t.topic AS grp
    FROM rows AS r
    JOIN topic_pairs AS t ON t.article_id = r.article_id
    WHERE r.hit AND $by = 'topic'
),
expanded AS (
    SELECT item, day_key, hit, grp
    FROM rows
    WHERE $by IS DISTINCT FROM 'topic'
    UNION ALL
    SELECT r.item, r.day_key, r.hit AND t.article_id IS NOT NULL AS hit, g.grp
    FROM rows AS r
    CROSS JOIN topic_groups AS g
    LEFT JOIN topic_pairs AS t ON t.article_id = r.article_id AND t.topic = g.grp
),
firsts AS (
    SELECT
        grp,
        item,
        bool_or(hit) AS hit,
        date_trunc(
            $interval,
            DATE '1970-01-01'
                + coalesce(min(day_key) FILTER (WHERE hit), min(day_key))::INTEGER
        )::DATE AS period
    FROM expanded
    GROUP BY ALL
),
counts AS (
    SELECT period, grp, count(*) FILTER (WHERE hit) AS count, count(*) AS total_count
    FROM firsts
    GROUP BY ALL
),
groups AS (SELECT DISTINCT grp FROM firsts),
span AS (
    SELECT DISTINCT date_trunc($interval, DATE '1970-01-01' + day_key::INTEGER)::DATE AS period
    FROM universe
),
{fill}
