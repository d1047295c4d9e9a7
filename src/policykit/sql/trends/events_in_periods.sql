-- The news events behind spikes: the $top events of each period in $periods, ranked by
-- their matching articles in that period (then earliest first, then event id). One
-- base for every count of a row: `articles` and `outlets` are the event's matching
-- articles in the period and their distinct outlets; `event_articles` and
-- `event_outlets` are all of the event's articles inside the universe (the outlet and
-- date filter), whatever the topic; `first_outlet` and `first_published_at` are the
-- event's first article inside the universe. `label` is the event's representative
-- headline (events.label); an article without an event row is its own event.
WITH {universe},
rows AS (
    SELECT
        u.article_id,
        u.outlet,
        u.published_at,
        u.hit,
        date_trunc($interval, DATE '1970-01-01' + u.day_key::INTEGER)::DATE AS period,
        coalesce(e.event_id, u.article_id) AS event_id
    FROM universe AS u
    LEFT JOIN article_events AS e ON e.article_id = u.article_id
),
in_period AS (
    SELECT period, event_id, count(*) AS articles, count(DISTINCT outlet) AS outlets
    FROM rows
    WHERE hit AND list_contains($periods, period)
    GROUP BY ALL
),
ranked AS (
    SELECT
        ip.*,
        row_number() OVER (
            PARTITION BY ip.period ORDER BY ip.articles DESC, f.first_published_at, ip.event_id
        ) AS rank
    FROM in_period AS ip
    JOIN (
        SELECT event_id, min(published_at) AS first_published_at
        FROM rows
        WHERE event_id IN (SELECT event_id FROM in_period)
        GROUP BY event_id
    ) AS f USING (event_id)
    QUALIFY rank <= $top
),
whole AS (
    SELECT
        r.event_id,
        count(*) AS event_articles,
        count(DISTINCT r.outlet) AS event_outlets,
        first(r.outlet ORDER BY r.published_at, r.article_id) AS first_outlet,
        min(r.published_at) AS first_published_at,
        first(r.article_id ORDER BY r.published_at, r.article_id) AS first_article_id
    FROM rows AS r
    WHERE r.event_id IN (SELECT event_id FROM ranked)
    GROUP BY r.event_id
)
SELECT
    k.period,
    k.rank,
    k.event_id,
    coalesce(ev.label, a.title) AS label,
    k.articles,
    k.outlets,
    w.event_articles,
    w.event_outlets,
    w.first_outlet,
    w.first_published_at,
    a.url AS first_url
FROM ranked AS k
JOIN whole AS w USING (event_id)
LEFT JOIN events AS ev ON ev.event_id = k.event_id
LEFT JOIN articles AS a ON a.article_id = w.first_article_id
ORDER BY k.period, k.rank
