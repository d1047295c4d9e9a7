"""``policykit trends``: the :mod:`policykit.trends` functions as tables, CSV, JSON or
Parquet, with one shared set of filter and output options.

Part of the CLI; :mod:`policykit.cli` adds the group to ``policykit``. Imports ``cli_common``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli_common import db_option, emit, handle_errors, raw_csv_option_help

TREND_FORMATS = ("table", "csv", "json", "parquet")


def _split(values: tuple[str, ...]) -> list[str] | None:
    """Repeatable and/or comma-separated option values as one list (None when empty)."""
    items = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return items or None


_RAW_CSV_KEY = "policykit.raw_csv"


def _remember_raw_csv(ctx, _param, value):
    ctx.meta[_RAW_CSV_KEY] = value


def _trend_options(func):
    """The shared filter, output and database options of every `trends` command."""
    options = [
        click.argument("topic_arg", metavar="[TOPIC]", required=False),
        click.option("--topic", help="Topic name (same as the TOPIC argument)."),
        click.option("--query", help="Boolean query, e.g. '\"facial recognition\" OR clearview'."),
        click.option("--start", help="First day, YYYY-MM-DD (inclusive, in --tz)."),
        click.option("--end", help="Last day, YYYY-MM-DD (inclusive, in --tz)."),
        click.option(
            "--outlets",
            multiple=True,
            help="Outlet names or domains (repeatable or comma-separated).",
        ),
        click.option(
            "--tz",
            help="Calendar days: an IANA time zone such as Asia/Kolkata, UTC, or 'page' "
            "(each article's own day, as its page shows it; the UTC day where none is "
            "stored). Default: the timezone setting, else UTC.",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(TREND_FORMATS),
            default="table",
            show_default=True,
        ),
        click.option(
            "--out",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write to this file instead of stdout (parquet: required unless piped).",
        ),
        click.option(
            "--raw-csv",
            is_flag=True,
            expose_value=False,  # read by _emit_trend, so no command repeats it
            callback=_remember_raw_csv,
            help=raw_csv_option_help,
        ),
        db_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db) -> dict:
    from .errors import ConfigError
    from .store import resolve_db_path

    if topic_arg and topic and topic_arg != topic:
        raise ConfigError(f"TOPIC {topic_arg!r} and --topic {topic!r} disagree; give one")
    return {
        "con": resolve_db_path(db),
        "topic": topic or topic_arg,
        "query": query,
        "start": start,
        "end": end,
        "outlets": _split(outlets),
        "tz": tz,
    }


def _for_output(frame, fmt: str):
    """Dates as YYYY-MM-DD; nested story lists stay nested in JSON (a list of objects),
    become JSON text in a CSV cell, and are dropped in a table."""
    import json

    import pandas as pd

    frame = frame.copy()
    for column in frame.columns:
        series = frame[column]
        dated = pd.api.types.is_datetime64_any_dtype(series) and fmt in ("table", "csv")
        if (
            dated
            and series.dt.tz is None
            and series.dropna().dt.normalize().eq(series.dropna()).all()
        ):
            frame[column] = series.dt.strftime("%Y-%m-%d")
    if fmt == "table" and "rule" in frame.columns:
        frame = frame.drop(columns="rule")  # the table title states it
    nested = "stories" in frame.columns and frame["stories"].map(type).eq(list).any()
    if nested:
        if fmt == "table":
            frame = frame.drop(columns="stories")
        elif fmt == "csv":
            frame["stories"] = [json.dumps(s, default=str) for s in frame["stories"]]
    return frame


def _emit_trend(frame, fmt: str, out: Path | None, title: str) -> None:
    from .errors import ConfigError

    frame = _for_output(frame, fmt)
    raw_csv = click.get_current_context().meta.get(_RAW_CSV_KEY, False)
    if out is None:
        if fmt == "parquet" and sys.stdout.isatty():
            raise ConfigError("--format parquet writes binary: give --out FILE or pipe the output")
        emit(frame, fmt, title=title, raw_csv=raw_csv)
        return
    prepare_out_file(out)
    try:
        if fmt == "parquet":
            frame.to_parquet(out, index=False)
        else:
            with open(out, "w", encoding="utf-8", newline="") as handle:
                emit(frame, fmt, out=handle, title=title, raw_csv=raw_csv)
    except OSError as exc:
        if out.is_file():
            out.unlink(missing_ok=True)  # half a file reads as a whole one: leave none
        raise ConfigError(f"--out {out}: cannot write ({exc.strerror or exc})") from None


def prepare_out_file(out: Path) -> None:
    """Create the folders of an output file, or say in one line why it cannot be written."""
    from .errors import ConfigError

    if out.is_dir():
        raise ConfigError(f"--out {out} is a folder; give a file name")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"--out {out}: cannot create the folder {out.parent} ({exc.strerror or exc})"
        ) from None


@click.group("trends")
def trends_group() -> None:
    """Coverage trends as tables (or CSV, JSON, Parquet): the policykit.trends functions.

    Every command takes the shared filter: a TOPIC (or --topic) and/or --query, --start,
    --end, --outlets and --tz, plus --format and --out. See docs/trends.md.
    """


@trends_group.command("coverage")
@_trend_options
@click.option(
    "--interval",
    default="day",
    show_default=True,
    help="day, week (from Monday), month, quarter or year.",
)
@click.option("--by", help="One series per outlet, outlet_type, country or topic.")
@click.option(
    "--normalise/--no-normalise", default=True, show_default=True, help="Headline measure: ratio."
)
@click.option("--smooth", type=int, help="Centred rolling mean over this odd number of periods.")
@click.option("--unit", default="articles", show_default=True, help="articles, stories or events.")
@handle_errors
def trends_coverage(
    topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, interval, by, normalise,
    smooth, unit,
):  # fmt: skip
    """Coverage per period, every period present: count, total_count, ratio."""
    from .trends import coverage_over_time

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    frame = coverage_over_time(
        **kwargs, interval=interval, by=by, normalise=normalise, smooth=smooth, unit=unit
    )
    _emit_trend(frame, fmt, out, f"Coverage per {interval}")


@trends_group.command("outlets")
@_trend_options
@click.option("--top", type=int, default=10, show_default=True, help="Groups listed by name.")
@click.option("--other/--no-other", default=True, show_default=True, help="Sum the rest as Other.")
@click.option("--by", default="outlet", show_default=True, help="outlet, outlet_type or country.")
@click.option(
    "--compare-to",
    nargs=2,
    metavar="START END",
    help="A second period: adds the change in share in percentage points.",
)
@handle_errors
def trends_outlets(
    topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, top, other, by, compare_to
):
    """Outlet mix: count and share per outlet, with the HHI and effective number of outlets."""
    from .trends import outlet_mix

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    frame = outlet_mix(
        **kwargs, top=top, other=other, by=by, compare_to=tuple(compare_to) if compare_to else None
    )
    hhi = frame.attrs.get("hhi")
    title = f"Outlet mix (HHI {hhi:.3f}, {1 / hhi:.1f} effective outlets)" if hhi else "Outlet mix"
    _emit_trend(frame, fmt, out, title)


@trends_group.command("voice")
@_trend_options
@click.option(
    "--topics", "items_topics", multiple=True, help="Topics to compare (comma-separated)."
)
@click.option("--entities", "items_entities", multiple=True, help="Entities to compare.")
@click.option("--interval", default="month", show_default=True, help="day ... year.")
@handle_errors
def trends_voice(
    topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, items_topics, items_entities,
    interval,
):  # fmt: skip
    """Share of voice: each topic's (or entity's) share of their combined coverage."""
    from .trends import share_of_voice

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    frame = share_of_voice(
        **kwargs, topics=_split(items_topics), entities=_split(items_entities), interval=interval
    )
    _emit_trend(frame, fmt, out, f"Share of voice per {interval}")


@trends_group.command("spikes")
@_trend_options
@click.option("--interval", default="day", show_default=True, help="day ... year.")
@click.option("--method", default="mad", show_default=True, help="mad or zscore.")
@click.option("--k", type=float, default=3.5, show_default=True, help="Spreads above the centre.")
@click.option("--baseline", type=int, help="Preceding periods compared (default per interval).")
@click.option(
    "--min-baseline", type=int, help="Fewest preceding periods judged on, near the start (7)."
)
@click.option("--min-count", type=int, default=1, show_default=True, help="Smallest spike.")
@click.option("--top-stories", type=int, default=3, show_default=True, help="Stories per spike.")
@handle_errors
def trends_spikes(
    topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, interval, method, k,
    baseline, min_baseline, min_count, top_stories,
):  # fmt: skip
    """Spikes: periods far above their trailing baseline, with the stories behind them.

    The line under the table (on stderr) says how many periods were judged, or why none
    could be: an empty table is never left unexplained.
    """
    from .trends import spikes

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    frame = spikes(
        **kwargs,
        interval=interval,
        method=method,
        k=k,
        baseline=baseline,
        min_baseline=min_baseline,
        min_count=min_count,
        top_stories=top_stories,
    )
    note = frame.attrs["note"]
    _emit_trend(frame, fmt, out, f"Spikes ({frame.attrs['rule']}): {note}")
    # On stderr, so CSV, JSON and Parquet output stay machine-readable.
    click.echo(f"spikes: {note}", err=True)


@trends_group.command("spike-events")
@_trend_options
@click.option("--interval", default="day", show_default=True, help="day ... year.")
@click.option("--method", default="mad", show_default=True, help="mad or zscore.")
@click.option("--k", type=float, default=3.5, show_default=True, help="Spreads above the centre.")
@click.option("--baseline", type=int, help="Preceding periods compared (default per interval).")
@click.option(
    "--min-baseline", type=int, help="Fewest preceding periods judged on, near the start (7)."
)
@click.option("--min-count", type=int, default=1, show_default=True, help="Smallest spike.")
@click.option("--top-events", type=int, default=3, show_default=True, help="Events per spike.")
@handle_errors
def trends_spike_events(
    topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, interval, method, k,
    baseline, min_baseline, min_count, top_events,
):  # fmt: skip
    """The news events behind each spike: label, articles, outlets, first publisher.

    Same spike rule and options as `trends spikes`; one row per event and spike.
    """
    from .trends import spike_events

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    frame = spike_events(
        **kwargs,
        interval=interval,
        method=method,
        k=k,
        baseline=baseline,
        min_baseline=min_baseline,
        min_count=min_count,
        top_events=top_events,
    )
    note = frame.attrs["note"]
    _emit_trend(frame, fmt, out, f"Events behind spikes ({frame.attrs['rule']}): {note}")
    click.echo(f"spikes: {note}", err=True)


@trends_group.command("terms")
@_trend_options
@click.option("--against", default="background", show_default=True, help="background or a topic.")
@click.option("--n", type=int, default=30, show_default=True, help="Terms listed.")
@click.option("--min-count", type=int, default=2, show_default=True, help="Least uses in topic.")
@click.option(
    "--alpha0", type=float, help="Prior strength in pseudo-tokens (default: 10x the background)."
)
@handle_errors
def trends_terms(
    topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, against, n, min_count,
    alpha0,
):  # fmt: skip
    """Distinctive terms: weighted log-odds with an informative Dirichlet prior."""
    from .trends import distinctive_terms

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    frame = distinctive_terms(**kwargs, against=against, n=n, min_count=min_count, alpha0=alpha0)
    _emit_trend(frame, fmt, out, "Distinctive terms")


@trends_group.command("entities")
@_trend_options
@click.option("--n", type=int, default=20, show_default=True, help="Entities listed.")
@click.option("--type", "entity_type", help="person, organisation, place or event.")
@handle_errors
def trends_entities(topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, n, entity_type):
    """Top entities: mentioned in the most matching articles."""
    from .trends import top_entities

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    _emit_trend(top_entities(**kwargs, n=n, type=entity_type), fmt, out, "Top entities")


@trends_group.command("citations")
@_trend_options
@click.option("--n", type=int, default=20, show_default=True, help="Sources listed.")
@handle_errors
def trends_citations(topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, n):
    """Top citations: the sources matching articles cite."""
    from .trends import top_citations

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    _emit_trend(top_citations(**kwargs, n=n), fmt, out, "Top citations")


@trends_group.command("stories")
@_trend_options
@click.option("--n", type=int, default=10, show_default=True, help="Stories sampled.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same sample.")
@handle_errors
def trends_stories(topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, n, seed):
    """A reproducible random sample of stories to read."""
    from .trends import sample_stories

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    _emit_trend(sample_stories(**kwargs, n=n, seed=seed), fmt, out, "Sample of stories")


@trends_group.command("first-movers")
@_trend_options
@click.option("--min-outlets", type=int, default=2, show_default=True, help="Outlets per story.")
@handle_errors
def trends_first_movers(
    topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, min_outlets
):
    """First movers: which outlets break multi-outlet stories first, and by how much."""
    from .trends import first_movers

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    _emit_trend(first_movers(**kwargs, min_outlets=min_outlets), fmt, out, "First movers")
