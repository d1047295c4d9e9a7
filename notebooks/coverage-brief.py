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
topic = None  # a topic from topics.yml; None: the topic with the most articles
start = None  # first day (YYYY-MM-DD, inclusive); None: the first dated article in the database
end = None  # last day (inclusive); None: the last dated article in the database
interval = None  # day | week | month | quarter | year; None: week, or day for under 20 weeks
share_interval = None  # the period of the outlet-share chart; None: chosen from the period
smooth = 3  # odd rolling-mean window for the share line; None for no smoothing
top_outlets = 12  # outlets named in the outlet charts
sample_size = 8  # stories in the reading list
seed = 0  # the reading list is a reproducible random sample

# %%
import policykit as pk

con = pk.connect(db, read_only=True)
topic = pk.resolve_topic(con, topic)
start, end = pk.report_period(con, topic, start, end)
interval = interval or pk.brief_interval(start, end)
share_interval = share_interval or pk.coarser_interval(start, end, interval)
pk.record_parameters(
    topic=topic, start=start, end=end, interval=interval, share_interval=share_interval
)
label = pk.topic_label(con, topic)
pk.show_title(f"Coverage brief: {label}", f"{pk.period_label(start, end)}, by {interval}")

# %% [markdown]
# ## Headline numbers
#
# A *story* is one story cluster (the same story syndicated or republished counts once).
# The share is the topic's part of every dated article over the same days. The
# comparison is with the period of equal length just before, where the data reach back
# that far. By default the brief covers the database's whole dated range.

# %%
pk.show_headline(pk.headline_numbers(con, topic, start, end))

# %% [markdown]
# ## Coverage over time
#
# Bars count the topic's articles in each period; the line below is their share of all
# coverage, which corrects for days when outlets simply published more. Marked periods
# are spikes: coverage well above the periods before them (the rule is stated under the
# table of stories).

# %%
coverage = pk.coverage_over_time(con, topic, interval=interval, start=start, end=end, smooth=smooth)
spikes = pk.spikes(con, topic, interval=interval, start=start, end=end)
pk.plot_coverage(coverage, spikes, title=f"{label}: articles per {interval}")

# %% [markdown]
# ### The stories behind the spikes

# %%
spike_stories = pk.spike_table(
    con,
    topic,
    pk.spike_stories(con, topic, interval=interval, start=start, end=end),
    interval=interval,
    start=start,
    end=end,
)
pk.show_table(
    spike_stories[["period", "rank", "title", "first_outlet", "articles", "outlets", "url"]],
    links={"title": "url"},
    columns={
        "first_outlet": "broke it",
        "articles": f"articles in the {interval}",
        "outlets": f"outlets in the {interval}",
    },
    caption=spike_stories.attrs["caption"],
)

# %% [markdown]
# ### The news events behind the spikes
#
# A *news event* groups the articles about one happening across outlets and headlines,
# not only copies of one text, so it tells how many different things drove a spike.

# %%
spike_events = pk.spike_events_table(con, topic, spikes, interval=interval, start=start, end=end)
pk.show_table(
    spike_events[["period", "rank", "label", "first_outlet", "articles", "outlets", "first_url"]],
    links={"label": "first_url"},
    columns={
        "label": "event (representative headline)",
        "first_outlet": "first to report",
        "articles": f"articles in the {interval}",
        "outlets": f"outlets in the {interval}",
    },
    caption=spike_events.attrs["caption"],
)

# %%
pk.show_note(f"Spike rule: {spikes.attrs.get('rule', 'n/a')}. Found: {spikes.attrs['note']}.")

# %% [markdown]
# ## Outlet mix
#
# Which outlets carry the topic. Concentration is summarised by the
# Herfindahl–Hirschman index (the sum of squared shares; 1 means a single outlet) and
# its inverse, the effective number of outlets: how many equally active outlets would
# give the same concentration.

# %%
mix = pk.outlet_mix(con, topic, start=start, end=end, top=None)
pk.plot_outlet_mix(mix, top=top_outlets, title=f"{label}: articles by outlet")

# %%
by_outlet = pk.outlets_with_coverage(
    pk.coverage_over_time(con, topic, interval=interval, start=start, end=end, by="outlet")
)
pk.plot_outlet_heatmap(
    by_outlet, top=top_outlets, title=f"{label}: articles by outlet and {interval}"
)

# %%
by_outlet_share = pk.outlets_with_coverage(
    pk.coverage_over_time(con, topic, interval=share_interval, start=start, end=end, by="outlet")
)
pk.plot_outlet_share_over_time(
    by_outlet_share, title=f"{label}: each outlet's share per {share_interval}"
)

# %% [markdown]
# ## Who is mentioned, and who is cited
#
# Entities come from the gazetteer; citations are phrases such as "X reported" or
# "according to X". `ratio` is the share of the topic's articles that mention or cite them.

# %%
entities = pk.top_entities(con, topic, start=start, end=end, n=15)
pk.show_table(
    entities[["name", "type", "articles", "mentions", "ratio"]],
    percent=["ratio"],
    caption="Most mentioned people, organisations and places",
)

# %%
citations = pk.top_citations(con, topic, start=start, end=end, n=15)
pk.show_table(
    citations[["cited", "articles", "citations", "ratio"]],
    percent=["ratio"],
    caption="Most cited sources",
)

# %% [markdown]
# ## Distinctive terms
#
# The words that set this topic's coverage apart from all other coverage in the same
# period: a weighted log-odds ratio with an informative prior, so rare words do not
# dominate.

# %%
terms = pk.distinctive_terms(con, topic, start=start, end=end)
pk.plot_terms(terms, title=f"{label}: distinctive terms")

# %% [markdown]
# ## Stories to read
#
# A reproducible random sample of the topic's stories (change `seed` for another).

# %%
sample = pk.sample_stories(con, topic, n=sample_size, seed=seed, start=start, end=end)
pk.show_table(
    sample[["first_published_at", "title", "first_outlet", "articles", "outlets", "url"]],
    links={"title": "url"},
    columns={"first_published_at": "first published", "first_outlet": "outlet"},
)

# %% [markdown]
# ## Appendix: data quality
#
# What the numbers above rest on. Rejected and duplicate records are counted over the
# whole database (they carry no topic); syndication and date sources are for this
# topic and period.

# %%
quality = pk.data_quality(con, topic, start, end)
pk.show_table(quality["rejects"], caption="Records set aside at ingest, by reason")

# %%
pk.show_table(quality["duplicates"], caption="Records merged into an existing article, by rule")

# %%
pk.show_table(
    quality["syndication"][["title", "articles", "outlets", "first_published"]],
    caption="Stories carried more than once (syndication and republishing)",
    max_rows=15,
)

# %%
pk.show_table(quality["date_sources"], caption="Where publication dates came from")

# %%
con.close()
