"""The time zone of an outlet's country, from the country-code top-level domain.

A page that writes its publication time in UTC (``...Z``, ``+00:00``, ``GMT``) and no
offset anywhere else still prints its day in the outlet's own calendar: 02:41 UTC on
4 May is 3 May in La Paz, 00:30 UTC on 1 March is 1 March in Berlin. For a ccTLD whose
country keeps one civil time for (nearly) all its people and its press, that zone
gives the page's day; :func:`country_offset` returns its offset at an instant (with
daylight saving time, from the IANA database).

Left out on purpose: countries with several zones where no one zone dominates the
press (.ru, .us, .ca, .au, .mx, .id, .kz) and TLDs sold worldwide as generic names
(.io, .tv, .me, .fm, .ai). Kept, with a stated choice: .co (Colombia; also sold as a
generic name, but news sites under it are mostly Colombian), .br (Brasília time covers
over 90 % of the population and the national press), .es and .pt with their mainland
zones (the Canaries and the Azores are an hour behind; their outlets are a small share).

Only a time written in UTC is moved; a time written with no zone at all is a wall-clock
time already and keeps its day (see :func:`policykit.normalise.pubdate.choose`).
"""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: ccTLD -> IANA zone, for countries where one civil time dominates.
COUNTRY_ZONES = {
    # Europe
    "de": "Europe/Berlin",
    "at": "Europe/Vienna",
    "ch": "Europe/Zurich",
    "li": "Europe/Vaduz",
    "lu": "Europe/Luxembourg",
    "fr": "Europe/Paris",
    "be": "Europe/Brussels",
    "nl": "Europe/Amsterdam",
    "it": "Europe/Rome",
    "es": "Europe/Madrid",
    "pt": "Europe/Lisbon",
    "uk": "Europe/London",
    "ie": "Europe/Dublin",
    "pl": "Europe/Warsaw",
    "cz": "Europe/Prague",
    "sk": "Europe/Bratislava",
    "hu": "Europe/Budapest",
    "si": "Europe/Ljubljana",
    "hr": "Europe/Zagreb",
    "rs": "Europe/Belgrade",
    "ro": "Europe/Bucharest",
    "bg": "Europe/Sofia",
    "gr": "Europe/Athens",
    "dk": "Europe/Copenhagen",
    "se": "Europe/Stockholm",
    "no": "Europe/Oslo",
    "fi": "Europe/Helsinki",
    "ee": "Europe/Tallinn",
    "lv": "Europe/Riga",
    "lt": "Europe/Vilnius",
    "ua": "Europe/Kyiv",
    "by": "Europe/Minsk",
    "tr": "Europe/Istanbul",
    # Asia
    "jp": "Asia/Tokyo",
    "kr": "Asia/Seoul",
    "cn": "Asia/Shanghai",
    "hk": "Asia/Hong_Kong",
    "tw": "Asia/Taipei",
    "sg": "Asia/Singapore",
    "my": "Asia/Kuala_Lumpur",
    "ph": "Asia/Manila",
    "th": "Asia/Bangkok",
    "vn": "Asia/Ho_Chi_Minh",
    "in": "Asia/Kolkata",
    "pk": "Asia/Karachi",
    "bd": "Asia/Dhaka",
    "lk": "Asia/Colombo",
    "np": "Asia/Kathmandu",
    "il": "Asia/Jerusalem",
    "ae": "Asia/Dubai",
    "sa": "Asia/Riyadh",
    "ir": "Asia/Tehran",
    # Africa
    "eg": "Africa/Cairo",
    "ma": "Africa/Casablanca",
    "ng": "Africa/Lagos",
    "ke": "Africa/Nairobi",
    "za": "Africa/Johannesburg",
    # Americas
    "br": "America/Sao_Paulo",
    "ar": "America/Argentina/Buenos_Aires",
    "cl": "America/Santiago",
    "co": "America/Bogota",
    "pe": "America/Lima",
    "bo": "America/La_Paz",
    "ve": "America/Caracas",
    "uy": "America/Montevideo",
    "py": "America/Asuncion",
    # Oceania
    "nz": "Pacific/Auckland",
}


@lru_cache(maxsize=128)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None  # no time zone database on this machine: no country zone


def country_tld(url: str | None) -> str | None:
    """The ccTLD of the URL's host ('de' for www.zeit.de, 'uk' for bbc.co.uk)."""
    if not url:
        return None
    try:
        host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").rstrip(".")
    except ValueError:
        return None
    label = host.rsplit(".", 1)[-1].lower()
    return label if len(label) == 2 and label.isalpha() else None


def country_offset(url: str | None, instant: _dt.datetime) -> int | None:
    """Minutes east of UTC at ``instant`` (aware, UTC) in the zone of the URL's
    country (:data:`COUNTRY_ZONES`); None for other TLDs.

    >>> import datetime as dt
    >>> country_offset("https://eldeber.com.bo/x", dt.datetime(2022, 5, 4, 2, 41, tzinfo=dt.UTC))
    -240
    >>> country_offset("https://www.zeit.de/x", dt.datetime(2022, 7, 1, tzinfo=dt.UTC))
    120
    >>> country_offset("https://example.com/x", dt.datetime(2022, 7, 1, tzinfo=dt.UTC)) is None
    True
    """
    name = COUNTRY_ZONES.get(country_tld(url) or "")
    zone = _zone(name) if name else None
    if zone is None:
        return None
    delta = instant.astimezone(zone).utcoffset()
    return int(delta.total_seconds() // 60) if delta is not None else None
