"""The outlet registry: which outlet a host belongs to, and what a name refers to.

Registry keys are host suffixes: ``timesofindia.indiatimes.com`` and
``economictimes.indiatimes.com`` are different outlets although both sit under the
registered domain ``indiatimes.com``. The shipped registry is
``policykit/data/outlets.csv``; a user CSV with the same columns (settings
``outlets`` / ``POLICYKIT_OUTLETS``) extends it and overrides it by domain.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import ConfigError, one_of
from .urls import ascii_host, canonical_url, registered_domain

COLUMNS = ("domain", "name", "aliases", "country", "language", "type", "date_order")
REQUIRED = ("domain", "name")
TYPES = (
    "national daily", "regional", "tech-policy site", "wire", "broadcaster",
    "international", "magazine", "blog", "advocacy", "unknown",
)  # fmt: skip
DATE_ORDERS = ("DMY", "MDY")
#: Top-level domains whose unknown outlets are taken to write month/day/year.
MDY_SUFFIXES = ("us", "gov", "mil", "edu")

_DOMAIN_OK = re.compile(r"^[a-z0-9_-]+(?:\.[a-z0-9_-]+)+\Z")


@dataclass(frozen=True)
class Outlet:
    """One outlet: ``origin`` is 'registry' (shipped), 'user' or 'inferred'."""

    domain: str
    name: str
    country: str | None
    language: str | None
    type: str
    date_order: str
    origin: str
    aliases: tuple[str, ...] = ()


def _name_key(name: str) -> str:
    """'The New York Times' -> 'newyorktimes'; 'NYTimes' -> 'nytimes'."""
    key = " ".join(name.casefold().split())
    key = key[4:] if key.startswith("the ") else key
    return re.sub(r"[\W_]+", "", key)


def _host_of(host_or_url: str) -> str:
    text = host_or_url.strip()
    if "/" in text or ":" in text:
        canonical = canonical_url(text if "//" in text else "https://" + text)
        if canonical is None:
            return ""
        text = canonical[len("https://") :].split("/", 1)[0]
    # punycode, the host form of canonical_url, so 'bücher.de' and its xn-- name agree
    text = ascii_host(text.split(":", 1)[0].rstrip("."))
    return re.sub(r"^(?:(?:www|m|mobile|amp)\.)*([^.]+\..+)\Z", r"\1", text)


def _parse_csv(text: str, path: str, origin: str) -> list[Outlet]:
    expected = ", ".join(COLUMNS)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        problem = f"missing column(s) {', '.join(missing)}" if missing else ""
        problem += ("; " if problem else "") + (
            f"unknown column(s) {', '.join(unknown)}" if unknown else ""
        )
        raise ConfigError(f"{path} line 1: {problem}; expected columns: {expected}")
    reader.fieldnames = header
    outlets = []
    for row in reader:
        line = reader.line_num
        if None in row:
            raise ConfigError(
                f"{path} line {line}: {len(header) + len(row[None])} fields for "
                f"{len(header)} columns; expected columns: {expected}"
            )
        values = {k: (v or "").strip() for k, v in row.items()}
        if not any(values.values()):
            continue
        domain = ascii_host(values["domain"])  # 'bücher.de' is stored as its xn-- name
        domain = re.sub(r"^www\.", "", domain)
        if not _DOMAIN_OK.match(domain):
            raise ConfigError(
                f"{path} line {line}: domain {values['domain']!r} is not a host name "
                f"such as 'medianama.com'; expected columns: {expected}"
            )
        if not values["name"]:
            raise ConfigError(f"{path} line {line}: name is empty; expected columns: {expected}")
        kind = values.get("type") or "unknown"
        if kind not in TYPES:
            raise ConfigError(f"{path} line {line}: {one_of('type', kind, TYPES)}")
        order = (values.get("date_order") or "DMY").upper()
        if order not in DATE_ORDERS:
            raise ConfigError(f"{path} line {line}: {one_of('date_order', order, DATE_ORDERS)}")
        aliases = tuple(a.strip() for a in (values.get("aliases") or "").split("|") if a.strip())
        outlets.append(
            Outlet(
                domain=domain,
                name=values["name"],
                country=values.get("country") or None,
                language=values.get("language") or None,
                type=kind,
                date_order=order,
                origin=origin,
                aliases=aliases,
            )
        )
    return outlets


class OutletRegistry:
    """Outlets by host suffix, with name and alias look-up.

    Build it with :meth:`load`.
    """

    def __init__(self, outlets: list[Outlet]):
        self._by_domain: dict[str, Outlet] = {}
        for outlet in outlets:  # later rows (the user's) override earlier ones
            self._by_domain[outlet.domain] = outlet
        self._by_name: dict[str, Outlet] = {}
        # User outlets first so their names win; then display names before aliases.
        ordered = sorted(self._by_domain.values(), key=lambda o: o.origin != "user")
        for outlet in ordered:
            self._by_name.setdefault(_name_key(outlet.name), outlet)
        for outlet in ordered:
            for alias in (*outlet.aliases, outlet.domain):
                self._by_name.setdefault(_name_key(alias), outlet)

    @classmethod
    def load(cls, user_path: str | Path | None = None) -> OutletRegistry:
        """The shipped registry, extended and overridden (by domain) by ``user_path``.

        Raises
        ------
        ConfigError
            When the user file is missing, unreadable, or has a bad row; the
            message names the file, the line and the expected columns.
        """
        shipped = resources.files("policykit") / "data" / "outlets.csv"
        outlets = _parse_csv(shipped.read_text(encoding="utf-8"), str(shipped), "registry")
        if user_path is not None:
            path = Path(user_path)
            if path.exists() and not path.is_file():  # /dev/zero would be read forever
                raise ConfigError(f"outlet registry {path} is not a regular file")
            try:
                text = path.read_text(encoding="utf-8-sig")
            except FileNotFoundError:
                raise ConfigError(f"outlet registry {path} does not exist") from None
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(
                    f"outlet registry {path} cannot be read as UTF-8 CSV: {exc}"
                ) from None
            outlets += _parse_csv(text, str(path), "user")
        return cls(outlets)

    def lookup(self, host_or_url: str) -> Outlet:
        """The outlet of a host or URL: the longest registered host suffix wins.

        ``timesofindia.indiatimes.com`` -> The Times of India; ``edition.cnn.com`` -> CNN.
        An unknown host gives an inferred outlet named after its registered domain
        (type 'unknown', date order MDY for .us/.gov/.mil/.edu, else DMY); a host
        without a public suffix (``localhost``, ``www.npr.org2022``) is its own name.
        """
        host = _host_of(host_or_url) if isinstance(host_or_url, str) else ""
        labels = host.split(".")
        for i in range(len(labels) - 1):
            found = self._by_domain.get(".".join(labels[i:]))
            if found is not None:
                return found
        domain = registered_domain(host) or host or "unknown"
        suffix = domain.rsplit(".", 1)[-1]
        return Outlet(
            domain=domain,
            name=domain,
            country=None,
            language=None,
            type="unknown",
            date_order="MDY" if suffix in MDY_SUFFIXES else "DMY",
            origin="inferred",
        )

    def resolve_name(self, name: str) -> Outlet | None:
        """The outlet a written name refers to ('the hindu', 'NYT', 'NYTimes'), or None."""
        if not isinstance(name, str):
            return None
        key = _name_key(name)
        return self._by_name.get(key) if key else None

    def names(self) -> list[str]:
        """Every display name and alias, sorted (for ``clean_title``/``split_authors``)."""
        found = {n for o in self._by_domain.values() for n in (o.name, *o.aliases)}
        return sorted(found, key=str.casefold)

    def outlets(self) -> list[Outlet]:
        return sorted(self._by_domain.values(), key=lambda o: o.domain)

    def __len__(self) -> int:
        return len(self._by_domain)

    def to_frame(self):
        """A pandas DataFrame with the columns of the ``outlets`` table."""
        import pandas as pd

        cols = ["domain", "name", "country", "language", "type", "date_order", "origin"]
        rows = [[getattr(o, c) for c in cols] for o in self.outlets()]
        return pd.DataFrame(rows, columns=cols)
