"""Progress of long steps: a bar on a terminal, one-line counts elsewhere, silence by default.

Ingest and enrichment report what they are doing through a :class:`Progress`: each step
(scanning the input, hashing files, reading and loading them, each enrichment stage) is a
:class:`Stage` that counts what it has done (files, records, articles) and ends once.
What the user sees depends on the reporter:

``False`` / ``None``
    Nothing: the Python API's default, so a notebook cell stays quiet unless asked.
``True`` / ``"auto"``
    A bar on stderr when stderr is a terminal, one-line counts otherwise (the CLI's
    default; ``--quiet`` turns it off).
``"bar"``
    A tqdm bar per step on stderr, and one line when the step ends.
``"lines"``
    One line per step every :data:`INTERVAL` seconds at most, and one when it ends, for
    logs and pipes (``make report``): ``ingest: read 240/670 files; records 12,345, ...``.
a callable
    Called with an :class:`Event` at the start, at every update and at the end of each
    step (a notebook widget, a log handler).

Only steps that last :data:`MIN_SECONDS` or longer print anything in the bar and line
modes: a short ingest stays as quiet as it was. ``POLICYKIT_PROGRESS`` (``auto``, ``bar``,
``lines``, ``off``) overrides what the CLI would choose.
"""

from __future__ import annotations

import io
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import ConfigError

#: Lines mode: at most one line per step in this many seconds (plus the one at its end).
INTERVAL = 5.0
#: Bar and lines modes: steps shorter than this print nothing.
MIN_SECONDS = 2.0
#: The environment variable that overrides the CLI's choice.
ENV = "POLICYKIT_PROGRESS"
MODES = ("auto", "bar", "lines", "off")

__all__ = ["Event", "Progress", "Stage", "resolve", "INTERVAL", "MIN_SECONDS", "ENV", "MODES"]

#: Held around every state change and write of a reporter (the heartbeat thread writes
#: too), and across a fork, so a forked worker never inherits a half-written line or a
#: held stream lock.
_LOCK = threading.RLock()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_LOCK.acquire, after_in_parent=_LOCK.release, after_in_child=_LOCK.release
    )


@dataclass(frozen=True)
class Event:
    """The state of one step: ``done`` of ``total`` (None when unknown) ``unit``, further
    counts (``records``, ``new``, per-stage articles...), seconds since it started."""

    group: str
    stage: str
    done: int
    total: int | None
    unit: str
    counts: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    finished: bool = False

    def line(self) -> str:
        """``ingest: read 240/670 files; records 12,345, new 12,001 (12 s)``; the line at
        the end of a step ends ``in 25.1 s``."""
        amount = f"{self.done:,}" if self.total is None else f"{self.done:,}/{self.total:,}"
        text = f"{self.group}: {self.stage} {amount} {self.unit}"
        if self.counts:
            text += "; " + ", ".join(f"{name} {value:,}" for name, value in self.counts.items())
        when = f"in {self.elapsed:.1f} s" if self.finished else f"({self.elapsed:.0f} s)"
        return f"{text} {when}"


class Stage:
    """One step under way; made by :meth:`Progress.stage`. A context manager: the step
    ends when the block does (on an exception it closes without a final line)."""

    def __init__(self, owner: Progress, group: str, name: str, total: int | None, unit: str):
        self._owner = owner
        self.group, self.name, self.total, self.unit = group, name, total, unit
        self.done = 0
        self.counts: dict[str, int] = {}
        self.started = owner.clock()
        self.finished = False

    @property
    def enabled(self) -> bool:
        """Whether anyone is told (False for the silent reporter)."""
        return self._owner.enabled

    def event(self) -> Event:
        return Event(
            self.group,
            self.name,
            self.done,
            self.total,
            self.unit,
            dict(self.counts),
            self._owner.clock() - self.started,
            self.finished,
        )

    def advance(self, n: int = 1, **counts: int) -> None:
        """``n`` more units done, and ``counts`` added to the running counts."""
        self.done += n
        for key, value in counts.items():
            self.counts[key] = self.counts.get(key, 0) + value
        self._owner._update(self)

    def set(self, done: int | None = None, total: int | None = None, **counts: int) -> None:
        """Set ``done``, ``total`` or counts to these values."""
        if done is not None:
            self.done = done
        if total is not None:
            self.total = total
        self.counts.update(counts)
        self._owner._update(self)

    def finish(self, done: int | None = None, **counts: int) -> Event:
        """End the step (once), with final ``done`` and counts; returns its last event."""
        with _LOCK:  # the heartbeat never sees it finished before its end line
            if not self.finished:
                if done is not None:
                    self.done = done
                self.counts.update(counts)
                self.finished = True
                self._owner._finish(self)
            return self.event()

    def close(self) -> None:
        """End the step without its final line (it failed)."""
        with _LOCK:
            if not self.finished:
                self.finished = True
                self._owner._close(self)

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.finish()
        else:
            self.close()


class Progress:
    """A silent reporter: the base of the others, and what ``progress=False`` gives."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock

    @property
    def enabled(self) -> bool:
        return False

    def stage(
        self, name: str, total: int | None = None, unit: str = "files", group: str = "ingest"
    ) -> Stage:
        stage = Stage(self, group, name, total, unit)
        self._start(stage)
        return stage

    def _start(self, stage: Stage) -> None:
        pass

    def _update(self, stage: Stage) -> None:
        pass

    def _finish(self, stage: Stage) -> None:
        pass

    def _close(self, stage: Stage) -> None:
        pass

    def close(self) -> None:
        """End every step still open, without final lines (and stop the heartbeat)."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()


class Callback(Progress):
    """Calls ``func(event)`` at the start, every update and the end of each step."""

    def __init__(self, func: Callable[[Event], object], clock=time.monotonic):
        super().__init__(clock)
        self.func = func

    @property
    def enabled(self) -> bool:
        return True

    def _start(self, stage):
        self.func(stage.event())

    _update = _finish = _start


class Lines(Progress):
    """One line per step on ``stream`` at most every ``interval`` seconds, and one at its
    end; nothing for a step shorter than ``min_seconds``.

    With ``heartbeat``, a thread also prints the current line of a step that has said
    nothing for ``interval`` seconds (a long SQL statement, a slow file), so a log never
    goes quiet for long; the CLI uses it and closes the reporter when the command ends.
    Without it (the Python API), lines come only with the pipeline's own updates.
    """

    def __init__(
        self, stream=None, interval=None, min_seconds=None, clock=time.monotonic, heartbeat=False
    ):
        super().__init__(clock)
        self.stream = stream
        self.interval = INTERVAL if interval is None else interval
        self.min_seconds = MIN_SECONDS if min_seconds is None else min_seconds
        self.heartbeat = heartbeat
        self._last: dict[int, float] = {}
        self._active: dict[int, Stage] = {}
        self._ticker: _Ticker | None = None

    @property
    def enabled(self) -> bool:
        return True

    def _write(self, text: str) -> None:
        stream = self.stream or sys.stderr
        print(text, file=stream, flush=True)

    def _start(self, stage):
        with _LOCK:
            self._last[id(stage)] = stage.started
            self._active[id(stage)] = stage
            if self.heartbeat and self._ticker is None:
                self._ticker = _Ticker(self, min(1.0, self.interval or 1.0))
                self._ticker.start()

    def _update(self, stage):
        with _LOCK:
            now = self.clock()
            if now - stage.started < self.min_seconds:
                return
            if now - self._last.get(id(stage), stage.started) >= self.interval:
                self._last[id(stage)] = now
                self._write(stage.event().line())

    def _tick(self) -> None:
        """The heartbeat: every open step whose last line is ``interval`` old."""
        with _LOCK:
            for stage in list(self._active.values()):
                self._update(stage)

    def _finish(self, stage):
        with _LOCK:
            self._forget(stage)
            if self.clock() - stage.started >= self.min_seconds:
                self._write(stage.event().line())

    def _close(self, stage):
        with _LOCK:
            self._forget(stage)

    def _forget(self, stage) -> None:
        self._last.pop(id(stage), None)
        self._active.pop(id(stage), None)
        if not self._active and self._ticker is not None:
            self._ticker.stopped.set()
            self._ticker = None

    def close(self) -> None:
        with _LOCK:
            for stage in list(self._active.values()):
                stage.close()


class _Ticker(threading.Thread):
    """Calls ``owner._tick()`` every ``every`` seconds until ``stopped`` is set."""

    def __init__(self, owner: Lines, every: float):
        super().__init__(name="policykit-progress", daemon=True)
        self.owner, self.every = owner, every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            self.owner._tick()


class Bar(Lines):
    """A tqdm bar per step on ``stream`` (shown once the step has taken ``min_seconds``),
    removed at the end of the step and replaced by its final line."""

    def __init__(self, stream=None, min_seconds=None, clock=time.monotonic, heartbeat=False):
        super().__init__(
            stream, interval=0.0, min_seconds=min_seconds, clock=clock, heartbeat=heartbeat
        )
        self._bars: dict[int, object] = {}

    def _bar(self, stage):
        bar = self._bars.get(id(stage))
        if bar is None:
            from tqdm import tqdm

            stream = self.stream or sys.stderr
            bar = tqdm(
                total=stage.total,
                desc=f"{stage.group} {stage.name}",
                unit=f" {stage.unit}",
                file=stream,
                leave=False,
                mininterval=0.5,
                delay=self.min_seconds,
                **_width(stream),
            )
            self._bars[id(stage)] = bar
        return bar

    def _start(self, stage):
        with _LOCK:
            super()._start(stage)
            self._bar(stage)

    def _update(self, stage):
        with _LOCK:
            bar = self._bar(stage)
            if stage.total is not None and bar.total != stage.total:
                bar.total = stage.total
            if stage.counts:
                bar.set_postfix_str(
                    ", ".join(f"{k} {v:,}" for k, v in stage.counts.items()), refresh=False
                )
            bar.update(stage.done - bar.n)

    def _tick(self) -> None:
        """The heartbeat: redraw the bars shown, so their clocks keep running."""
        with _LOCK:
            now = self.clock()
            for key, stage in list(self._active.items()):
                bar = self._bars.get(key)
                if bar is not None and now - stage.started >= self.min_seconds:
                    bar.refresh()
                    # tqdm clears a bar on close only if it printed it itself after its
                    # delay; a bar only this refresh drew would stay in front of the
                    # step's final line.
                    bar.last_print_t = max(bar.last_print_t, bar.start_t + bar.delay)

    def _finish(self, stage):
        with _LOCK:
            self._close(stage)
            if self.clock() - stage.started >= self.min_seconds:
                self._write(stage.event().line())

    def _close(self, stage):
        with _LOCK:
            self._forget(stage)
            bar = self._bars.pop(id(stage), None)
            if bar is not None:
                bar.close()


def _width(stream) -> dict:
    """tqdm's size: the terminal's as it changes, or 80 x 24 on a terminal that does not
    say its size (a pseudo-terminal without one, where tqdm would draw nothing)."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        size = os.terminal_size((0, 0))
    if size.columns > 0 and size.lines > 0:
        return {"dynamic_ncols": True}
    return {"ncols": size.columns or 80, "nrows": size.lines or 24}


def resolve(progress, stream=None, heartbeat: bool = False) -> Progress:
    """The reporter for a ``progress=`` argument (see the module's docstring);
    ``heartbeat`` as for :class:`Lines` (the CLI's choice)."""
    if isinstance(progress, Progress):
        return progress
    if progress is None or progress is False or progress == "off":
        return Progress()
    if progress is True or progress == "auto":
        target = stream or sys.stderr
        try:
            terminal = target.isatty()
        except (AttributeError, ValueError):
            terminal = False
        kind = Bar if terminal else Lines
        return kind(stream, heartbeat=heartbeat)
    if progress == "bar":
        return Bar(stream, heartbeat=heartbeat)
    if progress == "lines":
        return Lines(stream, heartbeat=heartbeat)
    if callable(progress):
        return Callback(progress)
    raise ConfigError(
        f"progress {progress!r} is not one of True, False, 'auto', 'bar', 'lines', 'off' "
        "or a callable taking a progress event"
    )


def cli_choice(quiet: bool, env: dict | None = None) -> str:
    """What the CLI shows: ``off`` with ``--quiet``, else ``$POLICYKIT_PROGRESS``, else
    ``auto`` (a bar on a terminal, lines otherwise)."""
    if quiet:
        return "off"
    value = (env if env is not None else os.environ).get(ENV, "").strip().lower()
    if not value:
        return "auto"
    if value not in MODES:
        raise ConfigError(f"{ENV}={value!r} is not one of {', '.join(MODES)}")
    return value
