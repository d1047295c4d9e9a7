-- coverage_over_time for unit = 'stories', and for by = 'topic' (either unit).
--
-- `item` is what is counted: the article, or its story cluster (an article without a
-- story_clusters row is its own story). A story counts once per group, in the period of
-- its earliest article in that group, and in the numerator when any of those articles
-- matches. So per period and group, count <= total_count, and stories <= articles.
-- by = 'topic' splits the numerator by the topics of the matching articles; the
-- denominator is then the whole universe, the same for every topic.
WITH {universe},
rows AS (
    SELECT
        u.article_id,
        u.day_key,
        u.hit,
        CASE WHEN $unit = 'stories' THEN coalesce(c.cluster_id, u.article_id)
             ELSE u.article_id END AS item,
        CASE $by
            WHEN 'outlet' THEN u.outlet
            WHEN 'outlet_type' THEN coalesce(o.type, 'unknown')
            WHEN 'country' THEN coalesce(o.country, 'unknown')
            ELSE '(all)'
        END AS grp
    FROM universe AS u
    LEFT JOIN story_clusters AS c ON c.article_id = u.article_id
    LEFT JOIN outlets AS o ON o.domain = u.domain
),
firsts AS (
    SELECT grp, item,
           date_trunc($interval, DATE '1970-01-01' + min(day_key)::INTEGER)::DATE AS period,
           bool_or(hit) AS hit
    FROM rows
    GROUP BY ALL
),
topic_items AS (
    SELECT DISTINCT t.topic AS grp, r.item
    FROM rows AS r
    JOIN article_topics AS t ON t.article_id = r.article_id
    WHERE r.hit AND $by = 'topic'
),
num AS (
    SELECT period, grp, count(*) AS count
    FROM firsts
    WHERE hit AND $by IS DISTINCT FROM 'topic'
    GROUP BY ALL
    UNION ALL
    SELECT f.period, ti.grp, count(*) AS count
    FROM topic_items AS ti
    JOIN firsts AS f ON f.item = ti.item
    GROUP BY ALL
),
den AS (
    SELECT period, grp, count(*) AS total_count FROM firsts GROUP BY ALL
),
groups AS (
    SELECT DISTINCT grp FROM topic_items
    UNION
    SELECT DISTINCT grp FROM firsts WHERE $by IS DISTINCT FROM 'topic'
),
counts AS (
    SELECT d.period, g.grp, coalesce(n.count, 0) AS count, d.total_count
    FROM den AS d
    JOIN groups AS g ON g.grp = d.grp OR $by = 'topic'
    LEFT JOIN num AS n ON n.period = d.period AND n.grp = g.grp
),
{fill}
