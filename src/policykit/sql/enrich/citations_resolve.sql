-- Resolve cited names to outlets of the database's outlets table (by name, with or
-- without a leading "The"), for citations the registry did not resolve.
UPDATE article_citations c
SET cited = o.name, cited_domain = o.domain
FROM (
    SELECT
        lower(regexp_replace(name, '^(?i:the)\s+', '')) AS k,
        min(name) AS name,
        min(domain) AS domain
    FROM outlets
    GROUP BY 1
    HAVING count(DISTINCT domain) = 1
) o
WHERE c.cited_domain IS NULL
    AND lower(regexp_replace(c.cited, '^(?i:the)\s+', '')) = o.k;
