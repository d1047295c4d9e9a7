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

# %% tags=["parameters"]
db = None  # DuckDB file; None: $POLICYKIT_DB or data/processed/policykit.duckdb
topics = None  # a list of topics; None: every topic in the database
start = None  # first day (YYYY-MM-DD, inclusive); None: the first dated article
end = None  # last day (inclusive); None: the last dated article
interval = None  # day | week | month | quarter | year; None: chosen from the period

# %%
import policykit as pk

con = pk.connect(db, read_only=True)
topic_counts = pk.list_topics(con)
topics = topics or topic_counts["topic"].tolist()
labels = {topic: pk.topic_label(con, topic) for topic in topics}  # as topics.yml names them
# By default the whole dated range, by weeks for a month of data, months for a few years.
start, end = pk.report_period(con, None, start, end)
interval = interval or pk.coarser_interval(start, end, "day")
pk.record_parameters(topics=topics, start=start, end=end, interval=interval)
pk.show_title(
    "The tech-policy landscape",
    f"{len(topics)} topics, {pk.period_label(start, end)}, by {interval}",
)

# %% [markdown]
# ## How much each topic is covered
#
# Articles per topic over the whole database. An article can belong to several topics,
# so the counts add up to more than the number of articles. `dated` are the articles
# with a publication date; `undated` ones (no date found at ingest) fall in no period,
# so the charts below, and the coverage brief, count only the dated ones.

# %%
pk.show_table(
    pk.with_labels(con, topic_counts[topic_counts["topic"].isin(topics)]),
    caption="Articles per topic (all, dated, undated)",
)

# %% [markdown]
# ## Share of voice
#
# Each topic's share of the coverage the topics received together, per period.

# %%
voice = pk.share_of_voice(con, topics=topics, interval=interval, start=start, end=end)
pk.plot_share_of_voice(pk.with_labels(con, voice, "item"), title=f"Share of voice per {interval}")

# %% [markdown]
# ## Coverage over time, topic by topic
#
# One panel per topic, on the same scale: the topic's share of all articles in each period.

# %%
by_topic = pk.coverage_over_time(con, interval=interval, start=start, end=end, by="topic")
pk.plot_coverage_small_multiples(
    by_topic[by_topic["topic"].isin(topics)], by="topic", labels=labels
)

# %%
con.close()
