"""W7: news events over N generated titles (policykit.enrich.events).

Titles: ``n`` synthetic headlines over 365 days, titles only (as most exports are).
70% belong to events (sizes heavy-tailed: Pareto with shape 1.3, 2 to 2,000 articles,
spread over a few days after the event starts); the rest are one-off headlines. An
event's headlines draw two of its three names and two or three of its five topic
words, and every headline adds two to four words of a Zipf-distributed background
vocabulary of 30,000 words (Zipf-Mandelbrot, shift 100), so unrelated headlines share
words the way real ones do ("police", "court"). The generator knows the gold grouping, so the run also
reports pairwise precision and recall (a sanity check, not a quality claim: the real
measurement is ``python -m policykit.evaluate_events``).

Timed: :func:`policykit.enrich.events.cluster` over all titles (vectors, block-wise
neighbour search, average-linkage grouping): the same functions the enrichment stage
runs, without the database reads and writes around them, with its default worker
processes (one per core; they link the time blocks and group the connected sets).
Peak RSS is the harness's (the whole worker process, generation included); the pool's
workers are not in it, so ``tree_peak_pss_mb`` adds them: the largest sum of PSS over
this process and its children while clustering, sampled every 200 ms (PSS splits the
pages the forked workers share with it).

Goal (issue 10): 1M titles in at most 3 minutes and 1.5 GB on 2 cores.

Run: ``.venv/bin/python -m bench.w7_events [n] [workers]`` (default 1,000,000 and 0),
or
``.venv/bin/python -m bench --only W7 --size N``.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

from bench import Context, Target, workload

DAYS = 365
EVENT_SHARE = 0.7
BACKGROUND = 30_000
#: Zipf-Mandelbrot shift of the background words: the commonest is in about 0.7% of
#: titles, as the commonest content words of real headlines are once stop words are
#: dropped (a plain Zipf law would put one word in 40% of them, like "the").
ZIPF_SHIFT = 100


def _word(i: int) -> str:
    """A pronounceable pseudo-word for index ``i`` (distinct for distinct i)."""
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    out = []
    i += 1
    while i:
        i, r = divmod(i, 80)
        out.append(consonants[r % 16] + vowels[r // 16])
    return "".join(out)


def generate(n: int, seed: int = 7) -> tuple[np.ndarray, list[str], np.ndarray]:
    """``(seconds, titles, gold)`` for ``n`` titles, sorted by time; gold is an event
    number per title (one-off headlines have their own)."""
    rng = np.random.default_rng(seed)
    n_event = int(n * EVENT_SHARE)
    sizes = np.minimum(2000, np.maximum(2, rng.pareto(1.3, n_event) * 3 + 2)).astype(int)
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n_event)) + 1]
    sizes[-1] -= int(sizes.sum()) - n_event
    sizes = sizes[sizes > 0]
    n_events = len(sizes)
    vocab = [_word(i) for i in range(BACKGROUND + 3 * n_events + 2100)]
    zipf = 1.0 / (np.arange(1, BACKGROUND + 1) + ZIPF_SHIFT)
    zipf /= zipf.sum()
    event_of = np.repeat(np.arange(n_events), sizes)
    starts = rng.uniform(0, DAYS - 7, n_events) * 86400
    seconds = np.empty(n)
    seconds[:n_event] = starts[event_of] + rng.exponential(86400.0, n_event)
    seconds[n_event:] = rng.uniform(0, DAYS, n - n_event) * 86400
    topics = rng.integers(100, 2100, (n_events, 5))
    background = rng.choice(BACKGROUND, (n, 8), p=zipf)
    n_names = np.full(n_event, 2)
    n_topic = rng.integers(2, 4, n_event)
    n_back = np.r_[rng.integers(2, 5, n_event), rng.integers(5, 9, n - n_event)]
    name_pick = rng.permuted(np.tile(np.arange(3), (n_event, 1)), axis=1)
    topic_pick = rng.permuted(np.tile(np.arange(5), (n_event, 1)), axis=1)
    titles = []
    for row in range(n):
        words = [vocab[w] for w in background[row, : n_back[row]]]
        if row < n_event:
            e = event_of[row]
            words += [vocab[BACKGROUND + 3 * e + k] for k in name_pick[row, : n_names[row]]]
            words += [
                vocab[BACKGROUND + 3 * n_events + topics[e, k] - 100]
                for k in topic_pick[row, : n_topic[row]]
            ]
            words = [words[i] for i in rng.permutation(len(words))]
        titles.append(" ".join(words).capitalize())
    gold = np.r_[event_of, n_events + np.arange(n - n_event)]
    seconds += 1_600_000_000  # September 2020 onwards
    order = np.argsort(seconds, kind="stable")
    return seconds[order], [titles[i] for i in order], gold[order]


def _pairwise(gold: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    def pairs(labels) -> int:
        _, counts = np.unique(labels, return_counts=True, axis=0)
        return int((counts * (counts - 1) // 2).sum())

    both = pairs(np.stack([gold, predicted], axis=1))
    p, g = pairs(predicted), pairs(gold)
    return (both / p if p else 1.0), (both / g if g else 1.0)


def measure(n: int, seed: int = 7, workers: int = 0) -> dict:
    from policykit.enrich import events

    started = time.perf_counter()
    seconds, titles, gold = generate(n, seed)
    generate_s = time.perf_counter() - started
    from bench.w2_pages import PeakRSS

    started = time.perf_counter()
    # The workers' memory counts too: PSS summed over this process and its children.
    with PeakRSS() as tree:
        labels, _medoid, links = events.cluster(seconds, titles, workers=workers)
    elapsed = time.perf_counter() - started
    precision, recall = _pairwise(gold, labels)
    return {
        "seconds": elapsed,
        "titles": n,
        "titles_per_s": n / elapsed,
        "generate_s": generate_s,
        "links": len(links),
        "events": int(labels.max()) + 1 if n else 0,
        "gold_events": int(gold.max()) + 1 if n else 0,
        "synthetic_pairwise_precision": precision,
        "synthetic_pairwise_recall": recall,
        "tree_peak_pss_mb": tree.peak / 2**20,
        "load_average_1min": os.getloadavg()[0],
    }


@workload(
    "W7",
    "news events over N generated titles (vectors, neighbours, average linkage)",
    default_size=1_000_000,
    targets=[
        Target("seconds", "<=", 180, " s"),
        Target("peak_rss_mb", "<=", 1536, " MB"),
        Target("tree_peak_pss_mb", "<=", 1536, " MB"),
    ],
    repeat=1,  # minutes per run at 1M titles
)
def events_titles(ctx: Context) -> dict:
    return measure(ctx.size, ctx.seed)


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    for key, value in measure(size, workers=workers).items():
        print(f"{key:32s} {round(value, 3) if isinstance(value, float) else value}")
