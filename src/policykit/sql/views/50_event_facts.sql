-- event_facts: one row per news event (policykit.enrich.events) with its label (the
-- medoid headline), its span, its size and its first publisher (earliest published_at,
-- then article_id: the article that names the event). Undated events have NULL times.
CREATE OR REPLACE VIEW event_facts AS
SELECT
    e.event_id,
    e.label,
    e.first_seen,
    e.last_seen,
    e.last_seen - e.first_seen AS span,
    e.articles,
    e.outlets,
    coalesce(f.outlet, f.domain, 'unknown') AS first_outlet,
    f.title AS first_title,
    f.url AS first_url,
    e.label_article_id
FROM events AS e
LEFT JOIN articles AS f ON f.article_id = e.event_id;

-- event_articles: one row per article with its event: whether it is the event's first
-- article (is_first) or the one whose title is the label (is_label), and the event's
-- label and size.
CREATE OR REPLACE VIEW event_articles AS
SELECT
    a.article_id,
    ae.event_id,
    a.published_at,
    coalesce(a.outlet, a.domain, 'unknown') AS outlet,
    a.title,
    a.url,
    a.article_id = ae.event_id AS is_first,
    a.article_id = e.label_article_id AS is_label,
    e.label AS event_label,
    e.articles AS event_articles,
    e.outlets AS event_outlets
FROM article_events AS ae
JOIN articles AS a USING (article_id)
JOIN events AS e USING (event_id);
