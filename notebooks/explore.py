# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exploring a policykit database
#
# Every number policykit reports can be had two ways: from the Python API, which returns
# tidy pandas frames, or from SQL on the same DuckDB file. This notebook shows both side
# by side. The database is opened read-only, so an ingest can run beside it.

# %% tags=["parameters"]
db = None  # DuckDB file; None: $POLICYKIT_DB or data/processed/policykit.duckdb
topic = None  # None: the topic with the most articles
interval = "month"

# %%
import policykit as pk

con = pk.connect(db, read_only=True)
topic = pk.resolve_topic(con, topic)
pk.record_parameters(topic=topic)  # for "About this report"
topic

# %% [markdown]
# ## What is in the database
#
# API: `pk.list_topics(con)`. SQL: group the `article_topics` table, joined to
# `articles` to tell dated from undated articles (an undated article is in the topic
# but in no period, so the trend functions below, which count by date, leave it out).

# %%
pk.show_table(pk.list_topics(con), caption="pk.list_topics(con)")

# %%
pk.show_table(
    con.execute(
        "SELECT t.topic, count(DISTINCT t.article_id) AS articles, "
        "count(DISTINCT t.article_id) FILTER (WHERE a.published_at IS NOT NULL) AS dated, "
        "count(DISTINCT t.article_id) FILTER (WHERE a.published_at IS NULL) AS undated "
        "FROM article_topics t JOIN articles a USING (article_id) "
        "GROUP BY t.topic ORDER BY articles DESC, t.topic"
    ).df(),
    caption="the same in SQL",
)

# %% [markdown]
# ## Coverage over time
#
# API: `pk.coverage_over_time` fills empty periods with zero and adds the share of all
# coverage (`ratio`). The SQL below counts the topic's dated articles per period, on the
# calendar of the same time zone (`coverage.attrs["tz"]`, the `timezone` setting);
# periods with no articles are simply missing from it, which is why the API fills them.

# %%
coverage = pk.coverage_over_time(con, topic, interval=interval)
pk.show_table(coverage, percent=["ratio"], max_rows=12, caption="pk.coverage_over_time")

# %%
pk.show_table(
    con.execute(
        "SELECT date_trunc($interval, timezone($tz, a.published_at))::DATE AS period, "
        "count(*) AS count FROM articles a JOIN article_topics t USING (article_id) "
        "WHERE t.topic = $topic AND a.published_at IS NOT NULL "
        "GROUP BY period ORDER BY period",
        {"topic": topic, "interval": interval, "tz": coverage.attrs["tz"]},
    ).df(),
    max_rows=12,
    caption="counts per period in SQL (bound parameters $topic, $interval, $tz)",
)

# %%
pk.plot_coverage(coverage)

# %% [markdown]
# ## Outlets
#
# API: `pk.outlet_mix` adds shares and concentration. SQL: a plain group-by over the
# same articles: dated ones only (like every trend function), and an article without an
# outlet name under its domain.

# %%
mix = pk.outlet_mix(con, topic, top=10)
pk.show_table(mix, percent=["ratio"], caption="pk.outlet_mix")

# %%
pk.show_table(
    con.execute(
        "SELECT coalesce(a.outlet, a.domain, 'unknown') AS outlet, count(*) AS count "
        "FROM articles a JOIN article_topics t USING (article_id) "
        "WHERE t.topic = $topic AND a.published_at IS NOT NULL "
        "GROUP BY 1 ORDER BY count DESC, outlet LIMIT 10",
        {"topic": topic},
    ).df(),
    caption="the same counts in SQL",
)

# %%
pk.plot_outlet_mix(mix)

# %% [markdown]
# ## Reading the articles
#
# Titles and outlet names come from scraped pages, so tables show them through
# `pk.show_table`, which escapes every value (a title like `<script>` stays text).

# %%
pk.show_table(
    con.execute(
        "SELECT a.published_at, a.outlet, a.title, a.url FROM articles a "
        "JOIN article_topics t USING (article_id) WHERE t.topic = $topic "
        "ORDER BY a.published_at DESC NULLS LAST, a.article_id LIMIT 10",
        {"topic": topic},
    ).df(),
    links={"title": "url"},
    caption="latest articles",
)

# %%
con.close()
