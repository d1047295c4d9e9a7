-- Tail of trends/stories.sql for the brief's spike table: per spike period and story,
-- the matching articles of the story in that period and the distinct outlets that ran
-- them, so "articles" and "outlets" in the table count the same articles.
SELECT period, cluster_id, count(*) AS period_articles, count(DISTINCT outlet) AS period_outlets
FROM rows
WHERE hit AND list_contains($periods, period)
GROUP BY ALL
