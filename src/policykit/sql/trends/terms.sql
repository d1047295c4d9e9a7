-- distinctive_terms: unigram and bigram counts in the topic's articles (hit) and in the
-- background (the other articles of the universe, or only those of the $against topic).
-- Text = title, summary and body, lower-cased; a token is a run of letters, combining
-- marks and digits of any script ({token_pattern}, terms.TOKEN_PATTERN): marks (Indic
-- vowel signs, viramas, accents) and zero-width (non-)joiners stay inside the word.
-- Stop words (the pk_stopwords relation: lang = the stored tag, word; registered by the
-- caller, which maps each tag to its primary subtag's list) are dropped, and so is any
-- bigram with a stop word in it. Tokens of one character and numbers are dropped too.
WITH {universe},
docs AS (
    SELECT
        u.hit,
        coalesce(a.language, o.language, 'en') AS lang,
        regexp_extract_all(lower(concat_ws(' ', a.title, a.summary, a.body)), '{token_pattern}') AS toks
    FROM universe AS u
    JOIN articles AS a ON a.article_id = u.article_id
    LEFT JOIN outlets AS o ON o.domain = u.domain
    WHERE u.hit
       OR $against IS NULL
       OR u.article_id IN (SELECT t.article_id FROM article_topics AS t WHERE t.topic = $against)
),
unigrams AS (
    SELECT hit, lang, unnest(toks) AS term, unnest(toks) AS w1, NULL::VARCHAR AS w2, 1 AS n
    FROM docs
),
bigrams AS (
    SELECT hit, lang, term, split_part(term, ' ', 1) AS w1, split_part(term, ' ', 2) AS w2, 2 AS n
    FROM (
        SELECT hit, lang,
               unnest(list_transform(range(1, len(toks)), lambda i: toks[i] || ' ' || toks[i + 1])) AS term
        FROM docs
    )
),
grams AS (
    SELECT * FROM unigrams
    UNION ALL
    SELECT * FROM bigrams
),
kept AS (
    SELECT g.hit, g.term, g.n
    FROM grams AS g
    WHERE length(g.w1) > 1 AND NOT regexp_full_match(g.w1, '[\pN]+')
      AND (g.w2 IS NULL OR (length(g.w2) > 1 AND NOT regexp_full_match(g.w2, '[\pN]+')))
      AND NOT EXISTS (SELECT 1 FROM pk_stopwords AS s WHERE s.lang = g.lang AND s.word = g.w1)
      AND (g.w2 IS NULL
           OR NOT EXISTS (SELECT 1 FROM pk_stopwords AS s WHERE s.lang = g.lang AND s.word = g.w2))
)
SELECT
    term,
    n,
    count(*) FILTER (WHERE hit) AS count_topic,
    count(*) FILTER (WHERE NOT hit) AS count_background
FROM kept
GROUP BY term, n
