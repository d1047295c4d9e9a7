-- article_events, events and event_inputs from the groups of the dated articles.
-- _event_rows (i, article_id, published_at) numbers the dated articles in time order;
-- _event_groups (i, label, medoid) is the grouping of policykit.enrich.events. An event
-- is named by its earliest article (i is ordered by published_at, then article_id); an
-- undated article is its own event.
CREATE OR REPLACE TEMP TABLE _event_members AS
SELECT r.article_id, r.i, g.label, g.medoid
FROM _event_rows AS r
JOIN _event_groups AS g USING (i);

DELETE FROM article_events;

INSERT INTO article_events (article_id, event_id)
SELECT m.article_id, f.event_id
FROM _event_members AS m
JOIN (SELECT label, arg_min(article_id, i) AS event_id FROM _event_members GROUP BY label) AS f
    USING (label)
UNION ALL
SELECT article_id, article_id FROM articles WHERE published_at IS NULL;

DELETE FROM events;

INSERT INTO events (event_id, first_seen, last_seen, articles, outlets, label, label_article_id)
WITH medoids AS (
    SELECT e.event_id, m.article_id
    FROM _event_members AS m
    JOIN article_events AS e USING (article_id)
    WHERE m.medoid
    UNION ALL
    SELECT article_id, article_id FROM articles WHERE published_at IS NULL
)
SELECT
    e.event_id,
    min(a.published_at),
    max(a.published_at),
    count(*),
    count(DISTINCT coalesce(a.outlet, a.domain, 'unknown')),
    any_value(l.title),
    any_value(md.article_id)
FROM article_events AS e
JOIN articles AS a USING (article_id)
JOIN medoids AS md ON md.event_id = e.event_id
JOIN articles AS l ON l.article_id = md.article_id
GROUP BY e.event_id;

DELETE FROM event_inputs;

INSERT INTO event_inputs (article_id, published_at, block)
SELECT article_id, published_at, floor(epoch(published_at) / $block_seconds)::BIGINT
FROM articles;

DROP TABLE _event_members;
