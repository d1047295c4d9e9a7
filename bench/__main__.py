"""``python -m bench``: run the registered workloads and print medians, ratios and targets.

See :mod:`bench` for how runs are measured and how to add a workload.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import Context, Workload, WorkloadUnavailable, load_registry

ROOT = Path(__file__).resolve().parents[1]
RESULT_PREFIX = "BENCH-RESULT "


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run policykit's benchmark workloads; print medians, ratios and targets.",
    )
    p.add_argument(
        "--only", help="comma-separated workloads, e.g. W1,W5 (default: all default ones)"
    )
    p.add_argument(
        "--repeat",
        type=int,
        help="runs per workload (default: each workload's own, 3 or fewer for heavy ones)",
    )
    p.add_argument("--size", type=int, help="size for every selected workload (records, articles)")
    p.add_argument(
        "--scale", type=float, default=1.0, help="multiply each workload's default size (e.g. 0.01)"
    )
    p.add_argument("--seed", type=int, default=20200227, help="data seed (default 20200227)")
    p.add_argument(
        "--data-dir", type=Path, default=ROOT / "bench-data", help="cache of generated inputs"
    )
    p.add_argument(
        "--json",
        dest="json_path",
        type=Path,
        default=ROOT / "data" / "processed" / "bench.json",
        help="machine-readable results (default data/processed/bench.json)",
    )
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    # internal: one run of one workload, in a fresh process
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--tmp", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--run-index", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    return p


# --------------------------------------------------------------------------- worker


def _peak_rss_mb() -> float | None:
    """This process's own peak RSS (VmHWM). Unlike ru_maxrss seen by the parent, it does
    not inherit the parent's size from before exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _worker(args, registry: dict[str, Workload]) -> int:
    wl = registry[args.worker]
    ctx = Context(wl.name, args.size, args.seed, args.data_dir, args.tmp, args.run_index)
    try:
        if args.prepare:
            started = time.perf_counter()
            wl.prepare(ctx)
            result = {"seconds": time.perf_counter() - started}
        else:
            result = wl.func(ctx)
    except WorkloadUnavailable as exc:
        result = {"error": str(exc), "unavailable": True}
    except Exception as exc:  # a crash is reported as this run's error, with its traceback
        traceback.print_exc()
        result = {"error": f"{type(exc).__name__}: {exc}"}
    peak = _peak_rss_mb()
    if peak is not None:
        result["peak_rss_mb"] = peak
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


def run_once(
    wl: Workload, size: int, seed: int, data_dir: Path, index: int, prepare: bool = False
) -> dict:
    """One run in a fresh subprocess, with its ``peak_rss_mb`` and ``cpu_s``.

    ``prepare``: run the workload's input preparation instead (also in a child, so the
    harness itself stays small)."""
    scratch = data_dir / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{wl.name}-", dir=scratch))
    command = [
        sys.executable, "-m", "bench", "--worker", wl.name, "--size", str(size),
        "--seed", str(seed), "--data-dir", str(data_dir), "--tmp", str(tmp),
        "--run-index", str(index), *(["--prepare"] if prepare else []),
    ]  # fmt: skip
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    try:
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err)
            out = proc.stdout.read().decode("utf-8", "replace")
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
            proc.returncode = os.waitstatus_to_exitcode(status)
            err.seek(0)
            stderr = err.read().decode("utf-8", "replace")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines = [line for line in out.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines:
        tail = stderr.strip().splitlines()[-3:]
        return {"error": f"worker exited {proc.returncode} without a result: {' | '.join(tail)}"}
    result = json.loads(lines[-1][len(RESULT_PREFIX) :])
    if "error" in result and stderr.strip():  # keep the end of the traceback for the JSON
        result["stderr_tail"] = stderr.strip().splitlines()[-12:]
    # Fallback where /proc is missing: ru_maxrss (KiB on Linux) also counts the parent's
    # size at fork time, an overestimate.
    result.setdefault("peak_rss_mb", usage.ru_maxrss / 1024)
    # CPU time tells a slow run from a starved one on a shared machine
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    return result


# --------------------------------------------------------------------------- summary


def _medians(runs: list[dict]) -> dict[str, float]:
    good = [r for r in runs if "error" not in r]
    keys = sorted({k for r in good for k, v in r.items() if isinstance(v, int | float)})
    return {k: statistics.median(r[k] for r in good if k in r) for k in keys}


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _machine() -> dict:
    info = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        import duckdb

        info["duckdb"] = duckdb.__version__
    except ImportError:
        pass
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        info["memory_gb"] = round(int(mem) / 1024**2, 1)
    except OSError:
        pass
    return info


def _summarise(selected: list[Workload], results: dict, registry) -> tuple[list[list[str]], bool]:
    rows, missed = [], False
    for wl in selected:
        res = results[wl.name]
        med = res["median"]
        errors = [r["error"] for r in res["runs"] if "error" in r]
        if errors and not med:
            rows.append([wl.name, "error", "-", "-", "-", errors[0][:90]])
            continue
        checks = []
        for target in wl.targets:
            checks.append((target, med.get(target.metric)))
        if wl.baseline and wl.baseline in results:
            base = results[wl.baseline]["median"]
            if base.get("seconds") and "seconds" in med:
                med["x_baseline"] = med["seconds"] / base["seconds"]
            if base.get("cpu_s") and "cpu_s" in med:  # steadier on a shared machine
                med["x_baseline_cpu"] = med["cpu_s"] / base["cpu_s"]
            for target in wl.baseline_targets:
                checks.append((target, med.get(target.metric)))
        shown = {"seconds"} | {t.metric for t, _ in checks}
        res["targets"] = []
        for metric in ["seconds"] + [m for m in med if m not in shown and m != "peak_rss_mb"]:
            target = next((t for t, _ in checks if t.metric == metric), None)
            rows.append(_row(wl.name, metric, med.get(metric), target, res))
        for target, value in checks:
            if target.metric != "seconds":
                rows.append(_row(wl.name, target.metric, value, target, res))
        if "peak_rss_mb" not in shown:
            rows.append(_row(wl.name, "peak_rss_mb", med.get("peak_rss_mb"), None, res))
        missed |= any(t["pass"] is False for t in res["targets"])
        if errors:
            rows.append([wl.name, "errors", str(len(errors)), "-", "-", errors[0][:90]])
    return rows, missed


def _row(name: str, metric: str, value, target, res: dict) -> list[str]:
    status = "" if target is None else {True: "PASS", False: "MISS", None: "-"}[target.check(value)]
    if target is not None:
        res["targets"].append(
            {"metric": metric, "target": str(target), "value": value, "pass": target.check(value)}
        )
    runs = [r[metric] for r in res["runs"] if metric in r and "error" not in r]
    spread = f"{_fmt(min(runs))}..{_fmt(max(runs))}" if len(runs) > 1 else ""
    return [name, metric, _fmt(value), spread, str(target or ""), status]


def _print_table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("-" * len(line))
    previous = None
    for r in rows:
        cells = ["" if r[0] == previous else r[0], *r[1:]]
        previous = r[0]
        print("  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)))


# --------------------------------------------------------------------------- main


def run(args) -> tuple[dict, bool]:
    registry = load_registry()
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in registry]
        if unknown:
            raise SystemExit(
                f"error: workload {unknown[0]!r} is not one of {', '.join(sorted(registry))}"
            )
    else:
        names = [n for n, wl in sorted(registry.items()) if wl.default]
    if args.repeat is not None and args.repeat < 1:
        raise SystemExit(f"error: --repeat {args.repeat} must be at least 1")
    order: list[str] = []
    for name in names:  # a workload's baseline runs first, in the same invocation
        base = registry[name].baseline
        for n in ([base] if base else []) + [name]:
            if n not in order:
                order.append(n)
    results: dict[str, dict] = {}
    for name in order:
        wl = registry[name]
        size = args.size or max(1, round(wl.default_size * args.scale))
        repeat = args.repeat or wl.repeat
        print(f"[bench] {name}: {wl.title} (size {size:,}, {repeat} runs)", flush=True)
        prepared = None
        if wl.prepare is not None:
            outcome = run_once(wl, size, args.seed, args.data_dir, 0, prepare=True)
            if "error" in outcome:
                results[name] = {"title": wl.title, "size": size, "runs": [outcome]}
                results[name]["median"] = {}
                print(f"[bench]   prepare: {outcome['error']}", flush=True)
                continue
            prepared = outcome["seconds"]
        runs = []
        for index in range(repeat):
            result = run_once(wl, size, args.seed, args.data_dir, index)
            runs.append(result)
            shown = result.get("error") or f"{result.get('seconds', float('nan')):.3f} s"
            print(f"[bench]   run {index + 1}: {shown}", flush=True)
            if result.get("unavailable"):
                break  # the same for every run
        results[name] = {
            "title": wl.title,
            "size": size,
            "repeat": repeat,
            "prepare_s": prepared,
            "runs": runs,
            "median": _medians(runs),
        }
    selected = [registry[n] for n in order]
    rows, missed = _summarise(selected, results, registry)
    print()
    _print_table(rows, ["workload", "metric", "median", "min..max", "target", ""])
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "args": {"only": args.only, "repeat": args.repeat, "size": args.size,
                 "scale": args.scale, "seed": args.seed},
        "workloads": results,
    }  # fmt: skip
    if args.json_path:
        args.json_path.parent.mkdir(parents=True, exist_ok=True)
        args.json_path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json_path}")
    return report, missed


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.worker:
        return _worker(args, load_registry())
    if args.list:
        for name, wl in sorted(load_registry().items()):
            flag = "" if wl.default else "  (only with --only)"
            size = f"default size {wl.default_size:,}, {wl.repeat} runs"
            print(f"{name:<4} {wl.title} [{size}]{flag}")
        return 0
    report, missed = run(args)
    crashed = any(
        "error" in r and not r.get("unavailable")
        for w in report["workloads"].values()
        for r in w["runs"]
    )
    return 1 if crashed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
