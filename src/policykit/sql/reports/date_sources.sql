-- Where the dates of a topic's articles came from. Undated articles (published_at NULL)
-- cannot fall in any period, so they are counted over the whole topic.
SELECT coalesce(a.date_source, 'unknown') AS date_source,
       count(*) FILTER (WHERE a.published_at >= $start::TIMESTAMPTZ
                          AND a.published_at < $end::TIMESTAMPTZ) AS articles_in_period,
       count(*) FILTER (WHERE a.published_at IS NULL) AS undated_articles
FROM articles a
JOIN article_topics t ON t.article_id = a.article_id AND t.topic = $topic
GROUP BY 1
HAVING articles_in_period > 0 OR undated_articles > 0
ORDER BY articles_in_period DESC, date_source
