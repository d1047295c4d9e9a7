"""Layered configuration: built-in defaults, then ``[tool.policykit]`` in ``pyproject.toml``
or a ``policykit.toml`` in the working directory, then ``POLICYKIT_*`` environment
variables, then explicit arguments (which callers pass on top of :func:`load`).

The library configures no logging at import.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .errors import ConfigError

PACKAGE_DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Settings:
    db: Path = Path("data/processed/policykit.duckdb")
    raw_dir: Path = Path("data/raw")
    reports_dir: Path = Path("reports")
    # A user outlet registry (CSV with the columns of the shipped one); extends and overrides it.
    outlets: Path | None = None
    # topics.yml for a database's first definitions; when unset, ./topics.yml if there is
    # one, else the shipped example. Later runs use the definitions stored in the database.
    topics: Path | None = None
    # A user gazetteer (CSV: name,type,aliases); extends the shipped one.
    gazetteer: Path | None = None
    # IANA timezone used to bucket periods in trends.
    timezone: str = "UTC"
    # Worker processes for page extraction (0 = one per core).
    workers: int = 0
    extra: dict = field(default_factory=dict)


# POLICYKIT_* variables that steer a tool, not a setting (the CLI's traceback switch, its
# progress display).
NOT_SETTINGS = frozenset({"POLICYKIT_TRACEBACK", "POLICYKIT_PROGRESS"})

_PATH_FIELDS = {"db", "raw_dir", "reports_dir", "outlets", "topics", "gazetteer"}


def _coerce(name: str, value):
    if name in _PATH_FIELDS:
        return Path(value) if value not in (None, "") else None
    if name == "workers":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"workers {value!r} is not an integer") from None
    return value


def _from_mapping(base: Settings, mapping: dict, origin: str) -> Settings:
    known = {f.name for f in fields(Settings)} - {"extra"}
    changes = {}
    for key, value in mapping.items():
        key = key.replace("-", "_")
        if key not in known:
            raise ConfigError(
                f"unknown setting {key!r} in {origin}; known settings: {', '.join(sorted(known))}"
            )
        changes[key] = _coerce(key, value)
    return replace(base, **changes)


def load(cwd: Path | None = None, env: dict | None = None, **overrides) -> Settings:
    """Return the effective settings. ``overrides`` with value ``None`` are ignored."""
    cwd = Path(cwd or Path.cwd())
    env = os.environ if env is None else env
    settings = Settings()
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{pyproject}: cannot parse TOML ({exc})") from None
        section = data.get("tool", {}).get("policykit", {})
        settings = _from_mapping(settings, section, f"{pyproject} [tool.policykit]")
    user_toml = cwd / "policykit.toml"
    if user_toml.is_file():
        try:
            data = tomllib.loads(user_toml.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{user_toml}: cannot parse TOML ({exc})") from None
        settings = _from_mapping(settings, data.get("policykit", data), str(user_toml))
    from_env = {
        key[len("POLICYKIT_") :].lower(): value
        for key, value in env.items()
        if key.startswith("POLICYKIT_") and value != "" and key not in NOT_SETTINGS
    }
    if from_env:
        settings = _from_mapping(settings, from_env, "POLICYKIT_* environment variables")
    given = {k: v for k, v in overrides.items() if v is not None}
    if given:
        settings = _from_mapping(settings, given, "arguments")
    return settings


#: A topics file in the working (project) folder is picked up without configuration.
PROJECT_TOPICS = "topics.yml"


def project_topics_file(cwd: Path | None = None, env: dict | None = None) -> Path | None:
    """The project's topics file: the ``topics`` setting (``POLICYKIT_TOPICS``,
    ``policykit.toml``, ``[tool.policykit]``), else ``topics.yml`` in the working folder,
    else ``None`` (the shipped example)."""
    cwd = Path(cwd or Path.cwd())
    configured = load(cwd=cwd, env=env).topics
    if configured is not None:
        return configured
    candidate = cwd / PROJECT_TOPICS
    return candidate if candidate.is_file() else None
