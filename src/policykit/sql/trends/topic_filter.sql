-- Spliced into universe.sql when a topic is given: the article has the topic $topic.
a.article_id IN (SELECT t.article_id FROM article_topics AS t WHERE t.topic = $topic)
