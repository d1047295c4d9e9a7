"""The vectorised field extraction: raw JSON records in, staging rows out.

Field extraction runs in an in-memory DuckDB connection over a whole batch of raw records
(JSON text): one ``json_extract_string`` call with the list of source paths per row,
then ``coalesce`` over the candidates of each staging field. Which paths fill which field
is decided in :mod:`policykit.sources.layouts` (known layouts, mappings, specs).
"""

from __future__ import annotations

import threading
from collections import Counter

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from . import STAGING_SCHEMA
from .layouts import (
    _URLISH,
    BLANK_CHARS,
    EMPTY_VALUES,
    HOST_CHECK,
    PAYLOAD_CAP,
    STAGING_FIELDS,
    URL_CHECK,
    LayoutReport,
    _sampled_records,
)

# A host name (two labels or more, letters in the last), optionally as a URL with a port
# and path: 'cis.org', 'www.thehindu.com', 'https://cis.org/'. Not 'a', not 'N/A'.
_HOSTISH = (
    r"(?i)^\s*(?:(?:https?:)?//)?(?:[\p{L}\p{M}\p{N}_-]+\.)+[\p{L}\p{M}\p{N}-]*\p{L}[\p{L}\p{M}\p{N}-]*\.?"
    r"(?::\d+)?(?:[/?#]\S*)?\s*$"
)
# An object whose values are all empty: {}, {"a": "", "b": null, "c": []}.
_EMPTY_OBJECT = r'^\s*\{\s*("[^"]*"\s*:\s*(""|null|\[\s*\]|\{\s*\})\s*,?\s*)*\}\s*$'

# One pass of JSON work per record: validate, type by the first character (a second parse
# only for rare non-object values), and pull every mapped path out in one call. The rest
# (coalescing candidates, reject reasons) happens on the resulting Arrow columns.
_PROJECT_SQL = """
SELECT jt,
       CASE WHEN jt = 'OBJECT' THEN extracted END AS v,
       CASE WHEN jt = 'VARCHAR' THEN payload ->> '$' END AS s
FROM (
    SELECT payload, extracted,
           CASE
               WHEN reject_reason IS NOT NULL THEN 'PRE'
               WHEN extracted IS NOT NULL AND ascii(payload) = 123 THEN 'OBJECT'
               -- Blank: every whitespace character is <= 32, so most lines skip the trim.
               WHEN strlen(coalesce(payload, '')) = 0
                    OR (ascii(payload) <= 32
                        AND trim(payload, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)) = '')
                    THEN 'BLANK'
               WHEN NOT json_valid(payload) THEN 'INVALID'
               WHEN ascii(payload) = 34 THEN 'VARCHAR'
               ELSE json_type(payload)
           END AS jt
    FROM (
        -- One parse for the common case: try() gives NULL for text that is not JSON,
        -- and only those rows are validated and typed separately.
        SELECT payload, reject_reason,
               CASE WHEN reject_reason IS NULL THEN try(json_extract_string(payload, $paths)) END
                   AS extracted
        FROM raw
    )
)
"""

# For batches with many lines that are not JSON: try() is slow when it fails often, so
# validate first (two parses per good line, but no failing try()).
_VALIDATE_FIRST_SQL = """
SELECT jt,
       CASE WHEN jt = 'OBJECT' THEN json_extract_string(payload, $paths) END AS v,
       CASE WHEN jt = 'VARCHAR' THEN payload ->> '$' END AS s
FROM (
    SELECT payload,
           CASE
               WHEN reject_reason IS NOT NULL THEN 'PRE'
               -- Blank: every whitespace character is <= 32, so most lines skip the trim.
               WHEN strlen(coalesce(payload, '')) = 0
                    OR (ascii(payload) <= 32
                        AND trim(payload, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)) = '')
                    THEN 'BLANK'
               WHEN NOT json_valid(payload) THEN 'INVALID'
               WHEN ascii(payload) = 123 THEN 'OBJECT'
               WHEN ascii(payload) = 34 THEN 'VARCHAR'
               ELSE json_type(payload)
           END AS jt
    FROM raw
)
"""

_NOT_OBJECT_DETAIL = {
    "VARCHAR": "a JSON string that is not a URL, not an object",
    "ARRAY": "a JSON array, not an object",
    "BOOLEAN": "a JSON boolean, not an object",
    "NULL": "a JSON null, not an object",
}


def _looks_like_url(values: pa.Array) -> pa.Array:
    return pc.fill_null(pc.match_substring_regex(values, _URLISH, ignore_case=True), False)


class Projector:
    """Turns raw batches into staging batches: one DuckDB query plus Arrow kernels per batch."""

    def __init__(
        self,
        paths: dict[str, list[str]],
        prefix: str,
        tail_number: int = -1,
        report: LayoutReport | None = None,
    ):
        self.prefix = prefix
        self.tail_number = tail_number
        self.blank_lines = 0
        #: values dropped by a check, by kind (shared with the layout report)
        self.ignored: Counter = report.ignored if report is not None else Counter()
        self.con = reader_connection()
        # staging field -> [(index into the extracted list, check: '', URL_CHECK, HOST_CHECK)]
        self.candidates: dict[str, list[tuple[int, str]]] = {}
        self.paths: list[str] = []
        for staging in STAGING_FIELDS:
            for path in paths.get(staging, []):
                check = path[0] if path[:1] in (URL_CHECK, HOST_CHECK) else ""
                self.candidates.setdefault(staging, []).append((len(self.paths), check))
                self.paths.append(path[len(check) :])
        # One column per extracted path (only integer indices are formatted into the SQL);
        # list elements taken in DuckDB are cheaper than Arrow's list_element.
        columns = "".join(f", v[{i + 1}] AS c{i}" for i in range(len(self.paths)))
        self.sql_try = f"SELECT jt, s{columns} FROM ({_PROJECT_SQL})"
        self.sql_validate = f"SELECT jt, s{columns} FROM ({_VALIDATE_FIRST_SQL})"
        #: set when the last batch had more than 1% invalid lines
        self.junky = False

    def _query(self, raw: pa.Table) -> pa.Table:
        self.con.register("raw", raw)
        try:
            # A dummy path keeps the list parameter typed when nothing is mapped.
            params = {"paths": self.paths or ["$.__policykit_none__"]}
            sql = self.sql_validate if self.junky else self.sql_try
            return self.con.sql(sql, params=params).to_arrow_table()
        finally:
            self.con.unregister("raw")

    def _field(self, result: pa.Table, staging: str) -> pa.Array:
        picked = []
        for index, check in self.candidates.get(staging, []):
            column = result.column(f"c{index}")
            # '' / '[]' / 'set()' and friends are missing values: the next candidate fills in.
            empty = pc.is_in(pc.utf8_trim(column, BLANK_CHARS), value_set=_EMPTY_SET)
            column = pc.if_else(pc.fill_null(empty, False), None, column)
            if check == URL_CHECK:
                column = pc.if_else(_looks_like_url(column), column, None)
            elif check == HOST_CHECK:
                host = pc.fill_null(pc.match_substring_regex(column, _HOSTISH), False)
                bad = pc.and_(pc.is_valid(column), pc.invert(host))
                # Counted once per record (not per candidate), on rows the reader keeps.
                dropped = pc.sum(pc.and_(bad, pc.equal(result.column("jt"), "OBJECT"))).as_py()
                if dropped:
                    self.ignored["outlet_not_a_host"] += dropped
                column = pc.if_else(host, column, None)
            picked.append(column)
        if not picked:
            return pa.nulls(result.num_rows, pa.string())
        return picked[0] if len(picked) == 1 else pc.coalesce(*picked)

    def __call__(self, raw: pa.Table) -> pa.Table:
        # The query returns only what it computes; the raw columns come from the input
        # (DuckDB keeps row order for a plain projection), so payloads are not copied back.
        computed = self._query(raw)
        if computed.num_rows != raw.num_rows:
            raise RuntimeError("field extraction lost rows")  # an internal invariant
        result = raw.rename_columns(["n", "payload", "pre_reason", "pre_detail"])
        for name in computed.column_names:
            result = result.append_column(name, computed.column(name))
        jt = result.column("jt")
        invalid = pc.sum(pc.equal(jt, "INVALID")).as_py() or 0
        self.junky = invalid > raw.num_rows // 100
        blank = pc.equal(jt, "BLANK")
        blanks = pc.sum(blank).as_py() or 0
        if blanks:
            self.blank_lines += blanks
            result = result.filter(pc.invert(blank))
            jt = result.column("jt")
        count = result.num_rows
        n = result.column("n")
        strings = result.column("s")
        fields = {name: self._field(result, name) for name in STAGING_FIELDS}
        string_url = _looks_like_url(strings)
        fields["url"] = pc.coalesce(
            fields["url"], pc.if_else(string_url, pc.utf8_trim_whitespace(strings), None)
        )
        reason, detail = self._reasons(result, jt, n, fields, string_url)
        ok = pc.is_null(reason)
        columns = {
            "source_locator": self._locators(n),
            "payload": self._capped(result.column("payload")),
            "reject_reason": reason,
            "reject_detail": detail,
        }
        for name in STAGING_FIELDS:
            columns[name] = pc.if_else(ok, fields[name], None)
        columns["extraction_method"] = pc.if_else(ok, "metadata", None)
        columns["date_source"] = pc.if_else(
            pc.and_(ok, pc.is_valid(fields["published"])), "metadata", None
        )
        columns["body_missing_reason"] = pa.nulls(count, pa.string())
        return pa.table(columns).cast(STAGING_SCHEMA)

    def _reasons(self, result, jt, n, fields, string_url) -> tuple[pa.Array, pa.Array]:
        pre_reason = result.column("pre_reason")
        pre_detail = result.column("pre_detail")
        is_invalid = pc.equal(jt, "INVALID")
        is_tail = pc.fill_null(pc.equal(n, self.tail_number), False)
        any_field = pc.is_valid(fields["url"])
        for name in STAGING_FIELDS:
            any_field = pc.or_(any_field, pc.is_valid(fields[name]))
        no_fields = pc.and_(pc.equal(jt, "OBJECT"), pc.invert(any_field))
        if pc.any(no_fields).as_py():
            # The regex only runs when some object gave no field at all (rare).
            all_empty = pc.and_(
                no_fields,
                pc.fill_null(
                    pc.match_substring_regex(result.column("payload"), _EMPTY_OBJECT), False
                ),
            )
        else:
            all_empty = no_fields
        not_object = pc.or_(
            pc.and_(pc.equal(jt, "VARCHAR"), pc.invert(string_url)),
            pc.invert(
                pc.is_in(jt, value_set=pa.array(["PRE", "BLANK", "INVALID", "OBJECT", "VARCHAR"]))
            ),
        )
        reason = pc.case_when(
            pc.make_struct(
                pc.equal(jt, "PRE"),
                pc.and_(is_invalid, is_tail),
                is_invalid,
                not_object,
                all_empty,
            ),
            pre_reason,
            "truncated",
            "malformed_json",
            "not_an_object",
            "empty_record",
        )
        kind = pc.fill_null(
            pc.if_else(
                pc.is_in(jt, value_set=pa.array(list(_NOT_OBJECT_DETAIL))),
                jt,
                None,
            ),
            "",
        )
        not_object_detail = pc.fill_null(
            _lookup(kind, _NOT_OBJECT_DETAIL), "a JSON number, not an object"
        )
        detail = pc.case_when(
            pc.make_struct(
                pc.or_(pc.equal(jt, "PRE"), pc.is_null(reason)),
                pc.equal(reason, "truncated"),
                pc.equal(reason, "malformed_json"),
                pc.equal(reason, "not_an_object"),
                pc.equal(reason, "empty_record"),
            ),
            pre_detail,
            "the last line ends without a newline and is not valid JSON",
            "not valid JSON",
            not_object_detail,
            "the record has no values",
        )
        return reason, detail

    def _locators(self, n: pa.ChunkedArray) -> pa.Array:
        text = pc.binary_join_element_wise(self.prefix, pc.cast(n, pa.string()), "")
        return pc.fill_null(text, "file")

    @staticmethod
    def _capped(payload: pa.ChunkedArray) -> pa.Array:
        longest = pc.max(pc.binary_length(payload)).as_py() or 0
        if longest <= PAYLOAD_CAP:
            return payload
        return pc.utf8_slice_codeunits(payload, 0, PAYLOAD_CAP)

    def close(self) -> None:
        """Nothing to release: the connection is shared by the readers of this thread."""


_EMPTY_SET = pa.array(list(EMPTY_VALUES))


def _lookup(keys: pa.Array, table: dict[str, str]) -> pa.Array:
    """Map each key through ``table`` (vectorised); unknown keys give NULL."""
    names = list(table)
    index = pc.index_in(keys, value_set=pa.array(names))
    return pc.take(pa.array([table[k] for k in names]), index)


def sample_keys(raw: pa.Table, limit: int = 1000) -> tuple[list[str], bool]:
    """Field names seen in the first records of a raw batch, and whether bare strings occur.

    Only a sample of at most ``limit`` records is parsed here (in Python: cheaper than a
    query for a handful of rows); the bulk of the file never passes through this.
    """
    keys: dict[str, None] = {}
    has_strings = False
    for value in _sampled_records(raw, limit):
        if isinstance(value, dict):
            keys.update(dict.fromkeys(value))
        elif isinstance(value, str):
            has_strings = True
    return list(keys), has_strings


_LOCAL = threading.local()


def reader_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection for the readers, one per thread.

    Opening a connection (and loading the JSON functions into it) costs tens of
    milliseconds, which would dominate reading a folder of small files.
    """
    con = getattr(_LOCAL, "con", None)
    if con is None:
        con = duckdb.connect(":memory:")
        _LOCAL.con = con
    return con


def rows_to_json(con: duckdb.DuckDBPyConnection, table: pa.Table) -> pa.Array:
    """Each row of an Arrow table as a JSON object text (vectorised in DuckDB)."""
    con.register("rows_in", table)
    try:
        result = con.sql("SELECT to_json(t) AS j FROM rows_in AS t").to_arrow_table()
    finally:
        con.unregister("rows_in")
    return result.column("j").combine_chunks()
