-- top_citations: who the matching articles cite ("X reported", "told X", "according to X").
-- ratio = articles citing the source / all matching articles.
-- `matches` (universe.sql): the semi-join form, only matching articles leave the scan.
WITH {universe},
{matches},
matched AS (SELECT article_id FROM matches),
total AS (SELECT count(*) AS n FROM matched)
SELECT
    c.cited,
    c.cited_domain,
    count(DISTINCT c.article_id) AS articles,
    count(*) AS citations,
    count(DISTINCT c.article_id) / any_value(total.n) AS ratio
FROM matched AS m
JOIN article_citations AS c ON c.article_id = m.article_id
CROSS JOIN total
GROUP BY c.cited, c.cited_domain
ORDER BY articles DESC, citations DESC, c.cited
LIMIT $n
