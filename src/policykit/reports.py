"""Reports: notebooks executed with papermill, exported to self-contained HTML and PDF.

``render_report("coverage-brief", {"topic": "facial_recognition"})`` runs
``notebooks/coverage-brief.ipynb`` into ``reports/coverage-brief.ipynb`` (the source
notebook is never modified), exports HTML with the input cells hidden and the images
embedded, and prints that HTML to an A4 PDF with WeasyPrint: no LaTeX, no browser, no
network. Every report ends with "About this report" (:mod:`policykit.provenance`): the
parameters the notebook actually used (defaults it resolved itself included, via
:func:`~policykit.provenance.record_parameters`), the resolved period, the topic
definitions, the input files with their sha256, the database's content hash, the
policykit version and the time it was generated. Identical inputs give an identical
block but for that time.

Report parameters go through the validators of :mod:`policykit.trends` (dates, topics,
intervals, outlets) before the notebook runs, so ``--param start=01/02/2024`` is refused
as ``policykit trends coverage --start 01/02/2024`` is.

The small helpers the notebooks call (:func:`show_table`, :func:`headline_numbers`,
:func:`show_headline`, :func:`resolve_topic`, :func:`data_quality`, ...) live in
:mod:`policykit.notebook_helpers` and the provenance block in
:mod:`policykit.provenance`; both are re-exported here, so ``policykit.reports.X`` keeps
working. Neither imports this module.

Everything that comes from data (titles, outlet names, entities, parameters) is escaped
before it reaches the HTML, and the finished HTML is checked for scripts and remote
resources before it is written.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

from .errors import ConfigError, ReportError, one_of
from .notebook_helpers import (  # noqa: F401  (re-exported)
    HTMLBlock,
    brief_interval,
    coarser_interval,
    data_quality,
    headline_numbers,
    list_topics,
    outlets_with_coverage,
    period_label,
    report_period,
    resolve_topic,
    show_headline,
    show_note,
    show_table,
    show_title,
    spike_events_table,
    spike_table,
    topic_label,
    with_labels,
)
from .provenance import (  # noqa: F401  (re-exported)
    INPUTS_SHOWN,
    PARAMETERS_MIME,
    _append_provenance,
    input_files,
    inputs_digest,
    provenance,
    record_parameters,
    used_parameters,
)

REPORT_FORMATS = ("html", "pdf")
TEMPLATE_NAME = "policykit_html"


# --- building reports --------------------------------------------------------------------


@dataclass
class ReportResult:
    """What :func:`render_report` wrote, and how long each step took (seconds)."""

    name: str
    notebook: Path
    html: Path | None = None
    pdf: Path | None = None
    parameters: dict = field(default_factory=dict)
    content_hash: str = ""
    timings: dict = field(default_factory=dict)

    @property
    def paths(self) -> list[Path]:
        return [p for p in (self.notebook, self.html, self.pdf) if p is not None]


def notebook_dirs() -> list[Path]:
    """Where report notebooks are looked up: ``./notebooks``, then the source checkout's."""
    dirs = [Path.cwd() / "notebooks", Path(__file__).resolve().parents[2] / "notebooks"]
    unique = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def available_reports() -> list[str]:
    """Names of the notebooks :func:`render_report` can build."""
    names = set()
    for folder in notebook_dirs():
        names.update(p.stem for p in folder.glob("*.ipynb"))
    return sorted(names)


def find_notebook(name: str | Path) -> Path:
    """Resolve a report name (``coverage-brief``) or a path to an ``.ipynb`` notebook."""
    candidate = Path(name)
    if candidate.suffix == ".ipynb":
        if candidate.is_file():
            return candidate
        raise ReportError(f"notebook {str(name)!r} does not exist")
    for folder in notebook_dirs():
        path = folder / f"{name}.ipynb"
        if path.is_file():
            return path
    raise ReportError(one_of("report", str(name), available_reports() or ["(none found)"]))


def parse_params(items) -> dict:
    """``["topic=ai", "top=10"]`` -> ``{"topic": "ai", "top": 10}``.

    Values that parse as JSON (numbers, true/false/null, lists) keep that type; anything
    else stays a string (dates included).
    """
    params = {}
    for item in items or ():
        key, sep, value = str(item).partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ConfigError(f"parameter {item!r} is not of the form key=value")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


@contextmanager
def _quiet_nbformat():
    """A hand-written notebook without cell ids is fine (papermill adds them); nbformat's
    MissingIDFieldWarning on stderr would break the one-line-error promise."""
    import warnings

    try:
        from nbformat.validator import MissingIDFieldWarning
    except ImportError:  # older nbformat: nothing to silence
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingIDFieldWarning)
        yield


def _check_parameters(notebook: Path, params: dict) -> dict:
    import papermill

    with _quiet_nbformat():
        declared = papermill.inspect_notebook(str(notebook))
    if not declared:
        raise ReportError(
            f"notebook {notebook} has no cell tagged 'parameters'; tag one so that "
            "reports can be parameterised"
        )
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise ReportError(one_of("parameter", unknown[0], sorted(declared)))
    return declared


class _ResourceAudit(HTMLParser):
    """Collects what in an HTML page would run a script or fetch a resource."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.problems.append(f"<script> element (src={attrs.get('src')!r})")
        if tag in ("link", "iframe", "object", "embed", "base"):
            self.problems.append(f"<{tag}> element")
        for key, value in attrs.items():
            if key.startswith("on"):
                self.problems.append(f"<{tag}> event handler attribute {key}")
            if (
                key in ("src", "srcset", "poster", "data")
                and value
                and not value.startswith("data:")
            ):
                self.problems.append(f"<{tag} {key}={value[:60]!r}> loads a remote resource")
            if key == "href" and value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag}> javascript: link")
            if key == "style" and value and re.search(r"url\(\s*['\"]?(?!data:)", value, re.I):
                self.problems.append(f"<{tag}> style attribute loads a resource")
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style and (
            re.search(r"@import", data, re.I) or re.search(r"url\(\s*['\"]?(?!data:)", data, re.I)
        ):
            self.problems.append("stylesheet imports or loads a resource (@import/url())")


def html_problems(markup: str) -> list[str]:
    """Scripts, event handlers and remote resources in an HTML page (empty list = clean)."""
    audit = _ResourceAudit()
    audit.feed(markup)
    audit.close()
    return audit.problems


def _template_dir() -> Path:
    return Path(str(resources.files("policykit") / "templates"))


def export_html(notebook_node, title: str) -> str:
    """Export an executed notebook to self-contained HTML with the inputs hidden."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.template_name = TEMPLATE_NAME
    config.HTMLExporter.extra_template_basedirs = [str(_template_dir())]
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.embed_images = True
    exporter = HTMLExporter(config=config)
    body, _ = exporter.from_notebook_node(notebook_node, resources={"metadata": {"name": title}})
    return body


def export_pdf(markup: str, target: Path) -> dict[int, float]:
    """Print the report HTML to an A4 PDF with WeasyPrint; only data: URLs are loaded.

    Charts that would leave a page ending early are scaled to fit it (at least
    :data:`policykit.reports_fit.MIN_SCALE` of their size; see that module). Returns
    ``{image number: printed height in mm}`` of the charts scaled."""
    from weasyprint.urls import URLFetcher

    from .reports_fit import fit_pages

    fetcher = URLFetcher(allowed_protocols={"data"})
    document, scaled = fit_pages(markup, url_fetcher=fetcher)
    document.write_pdf(str(target))
    return scaled


def _first_line(source: str) -> str:
    lines = [ln.strip() for ln in str(source).splitlines() if ln.strip()]
    line = lines[0] if lines else ""
    return line if len(line) <= 60 else line[:59] + "…"


def _kernel_manager():
    """The kernel manager of report builds, and its config: a quiet kernel, not a
    silenced one.

    - The connection is encrypted (CurveZMQ keys provisioned by jupyter_client when
      pyzmq has CURVE and the kernelspec declares it), so ipykernel has no reason to
      print "Kernel is running over TCP without encryption".
    - At shutdown jupyter_client first sends SIGINT, then a shutdown request; an idle
      kernel logs the SIGINT as "ERROR | KeyboardInterrupt caught in kernel" after a
      build that succeeded. A build's kernel is idle when it is shut down (a cell that
      runs too long is interrupted by the timeout, not here), so the shutdown request
      alone stops it; SIGTERM and SIGKILL still follow if it does not.

    The kernel's stderr is left alone: anything else it prints still shows.
    """
    import zmq
    from jupyter_client.manager import AsyncKernelManager
    from traitlets.config import Config

    class ReportKernelManager(AsyncKernelManager):
        async def _async_interrupt_kernel(self) -> None:
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

        interrupt_kernel = _async_interrupt_kernel

    config = Config()
    if zmq.has("curve"):
        config.KernelManager.transport_encryption = "auto"
    return ReportKernelManager, config


def _execute(source: Path, target: Path, params: dict, name: str, timeout: int | None) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    manager, config = _kernel_manager()
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=params,
            kernel_name="python3",
            language="python",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            cwd=str(Path.cwd()),
            kernel_manager_class=manager,
            config=config,
        )
    except PapermillExecutionError as exc:
        evalue = " ".join(str(exc.evalue).split())
        raise ReportError(
            f"report {name}: cell {exc.cell_index} ({_first_line(exc.source)!r}) failed: "
            f"{exc.ename}: {evalue}"
        ) from None


def _for_readers(notebook):
    """A copy without stderr streams: warnings are for the analyst (they stay in the
    executed .ipynb), not for the brief's readers."""
    import copy

    clean = copy.deepcopy(notebook)
    for cell in clean.cells:
        if cell.get("outputs"):
            cell.outputs = [
                o
                for o in cell.outputs
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                # the record_parameters line: its values are in "About this report"
                and PARAMETERS_MIME not in o.get("data", {})
            ]
    return clean


# --- the build folder: nothing left behind, even by a killed build ---------------------

_BUILD_PREFIX = ".pk-build-"
_OWNER = ".owner"
# Folders of builds from before the owner marker (tempfile.mkdtemp(prefix=".NAME-")).
_LEGACY_RE = re.compile(r"^\.(?P<name>[A-Za-z0-9_.\-]+)-[a-z0-9_]{8}$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _sweep_leftovers(out_dir: Path, report_name: str) -> list[Path]:
    """Remove build folders of earlier builds that were killed (SIGKILL cannot be
    caught, so such a build cannot clean up after itself): folders whose owner marker
    names a process of this host that is gone, and marker-less folders of the old
    naming that hold nothing but this report's own files."""
    removed = []
    host = socket.gethostname()
    try:
        entries = list(out_dir.iterdir())
    except OSError:
        return removed
    for entry in entries:
        try:
            if entry.is_symlink() or not entry.is_dir():
                continue
            if entry.name.startswith(_BUILD_PREFIX):
                owner = (entry / _OWNER).read_text(encoding="utf-8").split()
                if len(owner) != 2 or owner[0] != host or _alive(int(owner[1])):
                    continue
            else:
                legacy = _LEGACY_RE.match(entry.name)
                if not legacy or legacy.group("name") != report_name:
                    continue
                if any(p.stem != report_name or p.is_dir() for p in entry.iterdir()):
                    continue
            shutil.rmtree(entry)
            removed.append(entry)
        except (OSError, ValueError):
            continue  # not ours to judge, or already gone
    return removed


def _make_build_dir(out_dir: Path, report_name: str) -> Path:
    work = out_dir / f"{_BUILD_PREFIX}{report_name}-{os.getpid()}-{secrets.token_hex(4)}"
    work.mkdir()
    (work / _OWNER).write_text(f"{socket.gethostname()} {os.getpid()}\n", encoding="utf-8")
    return work


@contextmanager
def _exit_on_signals():
    """Turn SIGTERM and SIGHUP into SystemExit while a build runs, so that its
    ``finally`` removes the build folder (SIGINT already raises KeyboardInterrupt).
    Handlers the caller installed are left alone; ours are removed afterwards."""
    installed = {}
    if threading.current_thread() is threading.main_thread():

        def _raise(signum, _frame):
            raise SystemExit(128 + signum)

        for name in ("SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is not None and signal.getsignal(sig) is signal.SIG_DFL:
                installed[sig] = signal.signal(sig, _raise)
    try:
        yield
    finally:
        for sig, previous in installed.items():
            signal.signal(sig, previous)


def _out_dir(out) -> Path:
    from . import settings as _settings

    out_dir = Path(out) if out is not None else _settings.load().reports_dir
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ReportError(f"output folder {out_dir} is a file, not a folder") from None
    except OSError as exc:
        raise ReportError(f"cannot create output folder {out_dir}: {exc.strerror or exc}") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise ReportError(f"output folder {out_dir} is not writable")
    return out_dir


def render_report(
    name: str | Path,
    params: dict | None = None,
    *,
    to: tuple[str, ...] | list[str] | str = REPORT_FORMATS,
    out: str | Path | None = None,
    db: str | Path | None = None,
    timeout: int | None = 600,
    progress=None,
) -> ReportResult:
    """Build a report: execute a notebook, then export HTML and/or PDF.

    Parameters
    ----------
    name
        A notebook in ``notebooks/`` (``"coverage-brief"``, ``"landscape"``,
        ``"explore"``) or a path to an ``.ipynb`` file.
    params
        Values for the notebook's ``parameters`` cell; unknown names are an error. The
        database path is passed as ``db`` when the notebook declares it.
    to
        ``"html"``, ``"pdf"`` or both (the default). The executed notebook is always kept.
    out
        Output folder (default: the configured ``reports_dir``, ``reports/``).
    db
        The database (default: ``POLICYKIT_DB`` or the configured path).
    timeout
        Seconds allowed per cell.
    progress
        As for :func:`policykit.ingest`: ``None``/``False`` (the default) is silent,
        ``True`` a bar on a terminal and lines elsewhere, or a callable taking
        :class:`policykit.progress.Event`. The steps are executing the notebook and
        exporting its files; the CLI shows them.

    Returns
    -------
    ReportResult
        Paths of ``NAME.ipynb``, ``NAME.html`` and ``NAME.pdf`` and per-step timings.

    Raises
    ------
    ReportError
        On an unknown report or parameter, or when a cell fails (naming the cell and
        its exception). Nothing is written under the final names unless every step
        succeeded: files are built in a temporary folder and renamed at the end.
    """
    from . import store
    from .enrich.topics import stored_topics
    from .progress import resolve
    from .trends._core import check_parameters

    formats = (to,) if isinstance(to, str) else tuple(to)
    for fmt in formats:
        if fmt not in REPORT_FORMATS:
            raise ConfigError(one_of("report format", fmt, REPORT_FORMATS))
    source = find_notebook(name)
    report_name = source.stem
    if params is not None and not isinstance(params, dict):
        raise ConfigError(f"params {params!r} is not a mapping of parameter name to value")
    params = dict(params or {})
    declared = _check_parameters(source, params)
    db_path = store.resolve_db_path(db).resolve()
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    con = store.connect(db_path, read_only=True)
    try:
        # The validators of the trend functions and the CLI, before anything runs.
        params = check_parameters(con, params)
        db_hash = store.content_hash(con)
        inputs = input_files(con)
        definitions = stored_topics(con)
    finally:
        con.close()
    if "db" in declared:
        params["db"] = str(db_path)
    out_dir = _out_dir(out)
    _sweep_leftovers(out_dir, report_name)
    with _exit_on_signals(), _quiet_nbformat():
        return _build(
            source, report_name, params, declared, formats, out_dir, timeout, timings, clock,
            db_path, db_hash, inputs, definitions, resolve(progress),
        )  # fmt: skip


def _build(
    source, report_name, params, declared, formats, out_dir, timeout, timings, clock,
    db_path, db_hash, inputs, definitions, meter,
) -> ReportResult:  # fmt: skip
    """Execute and export in a build folder inside ``out_dir``, then rename into place."""
    import nbformat

    try:
        work = _make_build_dir(out_dir, report_name)
    except OSError as exc:
        raise ReportError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
    try:
        executed = work / f"{report_name}.ipynb"
        # One line while the notebook runs (the heartbeat repeats it in a log), one when
        # it ends: papermill reports nothing between cells that we could count.
        group = f"report {report_name}"
        with meter.stage("execute", total=1, unit="notebook", group=group) as step:
            _execute(source, executed, params, report_name, timeout)
            step.advance()
        timings["execute"] = time.perf_counter() - clock
        notebook = nbformat.read(str(executed), as_version=4)
        effective = {k: v["default"] for k, v in declared.items()}
        effective.update({k: repr(v) for k, v in params.items()})
        used = used_parameters(notebook)
        effective.update({k: repr(v) for k, v in used.items()})
        effective = {k: v for k, v in effective.items() if k != "db"}
        period = None
        if {"start", "end"} & (set(declared) | set(used)):
            period = (
                used.get("start", params.get("start")),
                used.get("end", params.get("end")),
            )
        block = provenance(
            effective,
            db_hash,
            db_path,
            period=period,
            inputs=inputs,
            topic_definitions=definitions,
        )
        notebook = _append_provenance(executed, notebook, block)
        built = {"notebook": executed}
        if formats:
            with meter.stage("export", total=len(formats), unit="files", group=group) as export:
                clock = time.perf_counter()
                markup = export_html(_for_readers(notebook), report_name)
                problems = html_problems(markup)
                if problems:
                    raise ReportError(
                        f"report {report_name}: the HTML is not self-contained and safe: "
                        f"{problems[0]} (and {len(problems) - 1} more); display data through "
                        "pk.show_table and the plot_* functions"
                    )
                timings["html"] = time.perf_counter() - clock
                if "html" in formats:
                    built["html"] = work / f"{report_name}.html"
                    built["html"].write_text(markup, encoding="utf-8")
                    export.advance()
                if "pdf" in formats:
                    clock = time.perf_counter()
                    built["pdf"] = work / f"{report_name}.pdf"
                    export_pdf(markup, built["pdf"])
                    timings["pdf"] = time.perf_counter() - clock
                    export.advance()
        final = {}
        for kind, path in built.items():
            target = out_dir / path.name
            os.replace(path, target)
            final[kind] = target
    except OSError as exc:  # a full disk, a folder removed under us
        where = exc.filename or out_dir
        raise ReportError(
            f"report {report_name}: cannot write {where}: {exc.strerror or exc}; "
            "the report was not completed"
        ) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ReportResult(
        name=report_name,
        notebook=final["notebook"],
        html=final.get("html"),
        pdf=final.get("pdf"),
        parameters=effective,
        content_hash=db_hash,
        timings=timings,
    )
