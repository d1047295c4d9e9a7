"""The topic query language and its compiler to DuckDB SQL.

Syntax (the conventions of Media Cloud and the news databases)
--------------------------------------------------------------
``facial recognition``        two terms; adjacent terms are joined by an implicit **AND**
``"facial recognition"``      a phrase: the words in this order, separated by spaces or dashes
``surveil*``                  a trailing wildcard: surveil, surveillance, surveilling ...
``a OR b``, ``a AND b``       operators are UPPERCASE; ``NOT a`` excludes
``(a OR b) AND NOT c``        parentheses group; NOT binds tightest, then AND, then OR
``title:aadhaar``             field prefixes: ``title:``, ``summary:``, ``body:``, ``outlet:``
``title:(a OR "b c")``        a prefix applies to a whole group

Without a prefix a term searches the title, summary and body together. ``outlet:``
searches the outlet name and its domain. Matching is case-insensitive and respects word
boundaries: ``ai`` matches "AI" and "AI-based" but not "said" (nor "A.I.": write
``ai OR "a i"`` for that); ``ai*`` matches "aims" too. Straight and curly apostrophes
match each other. Boundaries use RE2's ``\b`` (ASCII letters and digits) for terms
that begin and end with an ASCII letter or digit, and explicit Unicode letter classes
for terms in other scripts ("आधार" is bounded by any non-letter); an ASCII term
directly followed by an accented letter ("donn" in "données") therefore matches.

*Implicit AND.* Lucene, and so Media Cloud's search, join adjacent terms with OR by
default. We join them with AND, because a researcher who types ``data breach`` means
both words; write ``data OR breach`` for either. Lower-case ``and``/``or``/``not`` are
an error rather than silently becoming search terms: quote them (``"and"``) to search
for the word.

For other modules (trends, reports, notebooks)
-----------------------------------------------
``compile_query(text, alias="a") -> (where_sql, params)``
    A SQL boolean expression over an ``articles`` row aliased ``alias``, with ``?``
    placeholders; ``params`` are the regular expressions, in order. User text never
    enters the SQL string. Use it as::

        where, params = compile_query('"facial recognition" OR clearview')
        con.execute(f"SELECT count(*) FROM articles a WHERE {where}", params)

``compile_hits(text, alias="a") -> (hits_sql, params)``
    An INTEGER expression: how many times the query's non-negated terms occur.

``articles_matching(con, text) -> duckdb.DuckDBPyRelation``
    A relation ``(article_id, hits)`` of the articles the query matches.

``match_query(text, title=..., summary=..., body=..., outlet=..., domain=...) -> int | None``
    Test a query against one piece of text (with the same DuckDB regular-expression
    engine): the hit count when it matches, else ``None``.

Every syntax error is a :class:`~policykit.errors.QueryError` with the 1-based column,
e.g. ``unexpected ')' at column 17``.

Limits
------
A query nests at most :data:`MAX_DEPTH` (100) levels of parentheses and field groups and
holds at most :data:`MAX_TERMS` (2,000) terms; beyond either it is refused with one line
that states the limit. Within them, compilation is bounded: long AND/OR lists compile to
balanced trees (depth ``log2(n)``, far below DuckDB's expression-depth limit of 1,000),
the terms of one field under an OR share one regular expression, and a run of NOTs
collapses to its parity (``NOT NOT a`` is ``a``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from ..errors import EXCERPT_CHARS, QueryError, excerpt

FIELDS: tuple[str, ...] = ("title", "summary", "body", "outlet")
#: The SQL text each field searches; NULL parts are skipped by concat_ws. The ' | '
#: separator keeps a phrase from running from the title into the body.
_FIELD_SQL = {
    "text": "concat_ws(' | ', {a}.title, {a}.summary, {a}.body)",
    "title": "coalesce({a}.title, '')",
    "summary": "coalesce({a}.summary, '')",
    "body": "coalesce({a}.body, '')",
    "outlet": "concat_ws(' | ', {a}.outlet, {a}.domain)",
    # every field at once, for the pre-filter (see compile_query)
    "any": "concat_ws(' | ', {a}.title, {a}.summary, {a}.body, {a}.outlet, {a}.domain)",
}
_OPERATORS = {"AND", "OR", "NOT"}
# RE2 (DuckDB) classes: a word character is a letter or digit of any script.
_NOT_WORD = r"[^\pL\pN_]"
_GAP = r"[\s\p{Pd}]+"  # between the words of a phrase: whitespace or dashes
_ALIAS_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Deepest nesting of parentheses and field groups. Hand-written topic queries nest 3-4
#: levels; the parser recurses a few frames per level, so this keeps it far from
#: Python's recursion limit.
MAX_DEPTH = 100
#: Most terms in one query. The largest shipped topic has ~40; each term is a regular
#: expression evaluated per article, so a 2,000-term query already costs ~2,000 scans.
MAX_TERMS = 2000
#: Longest query text accepted (characters): tokenising is linear, this only stops a
#: runaway input (a file pasted as a query) before the term count is even taken.
MAX_QUERY_CHARS = 1_000_000


# --- syntax tree ------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word, wildcard or phrase in one field; ``pattern`` is its RE2 expression."""

    field: str
    text: str
    pattern: str


@dataclass(frozen=True)
class Not:
    child: object


@dataclass(frozen=True)
class And:
    children: tuple


@dataclass(frozen=True)
class Or:
    children: tuple


# --- tokens ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # word | phrase | lparen | rparen | op | end
    text: str
    column: int  # 1-based
    field: str | None = None  # a field prefix attached to this token


_TOKEN_RE = re.compile(r'\s+|\(|\)|"[^"]*"?|[^\s()"]+')
_FIELD_PREFIX_RE = re.compile(r"^([A-Za-z]+):(.*)$", re.S)


def _tokens(text: str) -> list[_Token]:
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"query of {len(text):,} characters is longer than the limit of "
            f"{MAX_QUERY_CHARS:,}; split it into several topics"
        )
    out: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        chunk = match.group(0)
        col = pos + 1
        pos = match.end()
        if chunk.isspace():
            continue
        if chunk == "(":
            out.append(_Token("lparen", chunk, col))
        elif chunk == ")":
            out.append(_Token("rparen", chunk, col))
        elif chunk.startswith('"'):
            if len(chunk) == 1 or not chunk.endswith('"'):
                raise QueryError(f"unterminated phrase starting at column {col}")
            out.append(_Token("phrase", chunk[1:-1], col))
        else:
            out.extend(_word_tokens(text, chunk, col))
    out.append(_Token("end", "", len(text) + 1))
    return out


def _word_tokens(text: str, chunk: str, col: int) -> list[_Token]:
    """A bare chunk: an operator, a word, or ``field:`` followed by a word, phrase or group."""
    if chunk in _OPERATORS:
        return [_Token("op", chunk, col)]
    if chunk.upper() in _OPERATORS and chunk.isalpha():
        raise QueryError(
            f"lower-case operator {chunk!r} at column {col}: operators are upper-case "
            f'(AND, OR, NOT); write "{chunk}" in quotes to search for the word'
        )
    prefix = _FIELD_PREFIX_RE.match(chunk)
    if not prefix:
        return [_Token("word", chunk, col)]
    field, rest = prefix.group(1).lower(), prefix.group(2)
    if field not in FIELDS:
        raise QueryError(
            f"unknown field {excerpt(prefix.group(1))} at column {col}; fields are "
            f"{', '.join(f + ':' for f in FIELDS)} (quote a term that contains ':')"
        )
    rest_col = col + len(prefix.group(1)) + 1
    if rest:
        return [_Token("word", rest, rest_col, field)]
    # 'title:' followed by a phrase or '(' : the prefix attaches to the next token.
    nxt = text[rest_col - 1 : rest_col]
    if nxt not in ('"', "("):
        raise QueryError(f"field prefix '{field}:' at column {col} is not followed by a term")
    return [_Token("field", field, col)]


# --- parser ---------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0
        self.depth = 0
        terms = sum(t.kind in ("word", "phrase") for t in self.tokens)
        if terms > MAX_TERMS:
            raise QueryError(
                f"query has {terms:,} terms, more than the limit of {MAX_TERMS:,}; "
                "split it into several topics"
            )

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self):
        if self.peek().kind == "end":
            raise QueryError("empty query")
        node = self.or_expr("text")
        token = self.peek()
        if token.kind != "end":
            raise QueryError(f"unexpected {_show(token)} at column {token.column}")
        return node

    def or_expr(self, field: str):
        children = [self.and_expr(field)]
        while self.peek().kind == "op" and self.peek().text == "OR":
            self.take()
            children.append(self.and_expr(field))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self, field: str):
        children = [self.not_expr(field)]
        while True:
            token = self.peek()
            if token.kind == "op" and token.text == "AND":
                self.take()
                children.append(self.not_expr(field))
            elif token.kind in ("word", "phrase", "lparen", "field") or (
                token.kind == "op" and token.text == "NOT"
            ):
                children.append(self.not_expr(field))  # implicit AND
            else:
                break
        return children[0] if len(children) == 1 else And(tuple(children))

    def not_expr(self, field: str):
        # A loop, not recursion: 1,000 NOTs in a row must not exhaust the stack. Only
        # their parity matters (NOT NOT a is a).
        negations = 0
        while self.peek().kind == "op" and self.peek().text == "NOT":
            self.take()
            negations += 1
        node = self.primary(field)
        return Not(node) if negations % 2 else node

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(
                f"query nests deeper than the limit of {MAX_DEPTH} levels of parentheses "
                f"at column {token.column}"
            )

    def primary(self, field: str):
        token = self.take()
        if token.kind == "field":
            if field != "text":
                raise QueryError(f"nested field prefix '{token.text}:' at column {token.column}")
            return self.primary(token.text)
        if token.kind == "lparen":
            self.enter(token)
            node = self.or_expr(field)
            self.depth -= 1
            close = self.take()
            if close.kind != "rparen":
                raise QueryError(
                    f"missing ')' for the '(' at column {token.column} "
                    f"(found {_show(close)} at column {close.column})"
                )
            return node
        if token.kind == "word":
            use = token.field or field
            if token.field and field != "text":
                raise QueryError(f"nested field prefix '{token.field}:' at column {token.column}")
            return Term(use, token.text, _word_pattern(token.text, token.column))
        if token.kind == "phrase":
            return Term(field, f'"{token.text}"', _phrase_pattern(token.text, token.column))
        if token.kind == "end":
            prev = self.tokens[self.i - 2] if self.i >= 2 else None
            after = f" after {_show(prev)}" if prev else ""
            raise QueryError(f"expected a term{after} at column {token.column}")
        raise QueryError(f"unexpected {_show(token)} at column {token.column}")


def _show(token: _Token) -> str:
    if token.kind == "end":
        return "end of query"
    if token.kind == "field":
        return f"'{token.text}:'"
    if token.kind == "phrase":  # a phrase can be as long as the query: bounded
        text = token.text
        return f'"{text}"' if len(text) <= EXCERPT_CHARS else f'"{text[:EXCERPT_CHARS]}…"'
    return excerpt(token.text)


# --- patterns -------------------------------------------------------------------


def _word_core(word: str, column: int) -> str:
    """The RE2 core of one word: literal, apostrophes either way, optional trailing *."""
    wildcard = word.endswith("*")
    stem = word[:-1] if wildcard else word
    if "*" in stem:
        raise QueryError(f"wildcard '*' at column {column}: only a trailing * is allowed")
    if wildcard and len(stem) < 2:
        raise QueryError(
            f"wildcard {excerpt(word)} at column {column} is too short: give at least two letters"
        )
    if not stem:
        raise QueryError(f"empty term at column {column}")
    core = "".join("['’]" if ch in "'’" else re.escape(ch) for ch in stem.lower())
    return core  # a wildcard is a prefix: no boundary after it (see _bounded)


def _ascii_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def _bounded(core: str, first: str, last: str) -> str:
    """Wrap a core in word boundaries. RE2's ``\\b`` is zero-width and cheap but knows
    only ASCII letters; a term that begins or ends with another letter (Devanagari,
    accented) gets an explicit Unicode boundary on that side instead."""
    head = r"\b" if _ascii_word_char(first) else f"(?:^|{_NOT_WORD})"
    tail = r"\b" if _ascii_word_char(last) else f"(?:{_NOT_WORD}|$)"
    if not (first.isalnum() or first == "_"):
        head = ""  # '#metoo': a sign needs no boundary before it
    if last == "*" or not (last.isalnum() or last == "_"):
        tail = ""  # 'surveil*' may continue with any letters; 'c++' ends with a sign
    return f"(?i){head}(?:{core}){tail}"


def _word_pattern(word: str, column: int) -> str:
    return _bounded(_word_core(word, column), word[0], word[-1])


def _phrase_pattern(phrase: str, column: int) -> str:
    words = phrase.split()
    if not words:
        raise QueryError(f'empty phrase "" at column {column}')
    core = _GAP.join(_word_core(w, column) for w in words)
    return _bounded(core, words[0][0], words[-1][-1])


# --- compilation ----------------------------------------------------------------


def parse_query(text: str):
    """Parse ``text`` into a syntax tree of :class:`Term`, :class:`And`, :class:`Or`,
    :class:`Not`. Raises :class:`QueryError` naming the column of the problem."""
    if not isinstance(text, str):
        raise QueryError(f"query {excerpt(text)} is not a string")
    return _Parser(text).parse()


def _check_alias(alias: str) -> None:
    if not _ALIAS_RE.match(alias):
        raise QueryError(f"table alias {excerpt(alias)} is not a plain SQL identifier")


def _balanced(parts: list[str], joiner: str) -> str:
    """``parts`` joined by ``joiner`` as a balanced tree: ``((a OR b) OR (c OR d))``.

    DuckDB's parser nests a flat chain one level per operator (1,000 ORs exceed its
    expression-depth limit); a balanced tree nests ``log2(n)`` levels.
    """
    if len(parts) == 1:
        return parts[0]
    level = list(parts)
    while len(level) > 1:
        level = [
            f"({level[i]}{joiner}{level[i + 1]})" if i + 1 < len(level) else level[i]
            for i in range(0, len(level), 2)
        ]
    return level[0]


def _where(node, alias: str, params: list) -> str:
    if isinstance(node, Term):
        params.append(node.pattern)
        return f"regexp_matches({_FIELD_SQL[node.field].format(a=alias)}, ?)"
    if isinstance(node, Not):
        return f"(NOT {_where(node.child, alias, params)})"
    if isinstance(node, And):
        return _balanced([_where(c, alias, params) for c in node.children], " AND ")
    # An OR: the terms of one field become one regular expression (one scan of the
    # text instead of one per term; RE2 matches an alternation in linear time).
    parts: list[str] = []
    by_field: dict[str, list[str]] = {}
    for child in node.children:
        if isinstance(child, Term):
            by_field.setdefault(child.field, []).append(child.pattern)
        else:
            parts.append(_where(child, alias, params))
    merged = []
    for field, patterns in by_field.items():
        params.append("|".join(dict.fromkeys(patterns)))
        merged.append(f"regexp_matches({_FIELD_SQL[field].format(a=alias)}, ?)")
    # Merged terms first: their params were appended after the other children's, so
    # put the placeholders in the same order.
    return _balanced([*parts, *merged], " OR ")


def positive_terms(node, negated: bool = False) -> list[Term]:
    """The terms that count as hits: those not under an odd number of NOTs."""
    if isinstance(node, Term):
        return [] if negated else [node]
    if isinstance(node, Not):
        return positive_terms(node.child, not negated)
    return [t for c in node.children for t in positive_terms(c, negated)]


def needs_positive(node) -> bool:
    """True when the query can only match if one of its non-negated terms occurs."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(needs_positive(c) for c in node.children)
    return all(needs_positive(c) for c in node.children)


def compile_query(text: str, alias: str = "a") -> tuple[str, list[str]]:
    """Compile a query to a SQL boolean expression over ``articles`` aliased ``alias``.

    Returns ``(where_sql, params)``; bind ``params`` in order to the ``?`` placeholders.
    When the query needs a term to occur, the expression starts with one pre-filter
    over all fields (the terms' patterns joined by ``|``): a single scan that rejects
    most articles before the exact boolean is evaluated (3x less CPU on the shipped
    topics).

    >>> where, params = compile_query('title:aadhaar')
    >>> where
    "(regexp_matches(concat_ws(' | ', a.title, a.summary, a.body, a.outlet, a.domain), ?) AND regexp_matches(coalesce(a.title, ''), ?))"
    """
    _check_alias(alias)
    node = parse_query(text)
    params: list[str] = []
    sql = _where(node, alias, params)
    if needs_positive(node):
        prefilter = "|".join(dict.fromkeys(t.pattern for t in positive_terms(node)))
        sql = f"(regexp_matches({_FIELD_SQL['any'].format(a=alias)}, ?) AND {sql})"
        params = [prefilter, *params]
    return sql, params


def compile_hits(text: str, alias: str = "a") -> tuple[str, list[str]]:
    """Compile the hit count of a query: occurrences of its non-negated terms.

    Two matches separated by a single character ("ai ai") count once, because each
    match consumes the boundary character around it (RE2 has no look-around).
    """
    _check_alias(alias)
    terms = positive_terms(parse_query(text))
    if not terms:
        return "0", []
    parts = [f"len(regexp_extract_all({_FIELD_SQL[t.field].format(a=alias)}, ?))" for t in terms]
    return "CAST(" + _balanced(parts, " + ") + " AS INTEGER)", [t.pattern for t in terms]


def articles_matching(con: duckdb.DuckDBPyConnection, text: str) -> duckdb.DuckDBPyRelation:
    """The articles a query matches, as a relation ``(article_id, hits)``."""
    where, where_params = compile_query(text)
    hits, hits_params = compile_hits(text)
    sql = f"SELECT a.article_id, {hits} AS hits FROM articles a WHERE {where}"
    return con.query(sql, params=[*hits_params, *where_params])


def match_query(
    text: str,
    *,
    title: str | None = None,
    summary: str | None = None,
    body: str | None = None,
    outlet: str | None = None,
    domain: str | None = None,
) -> int | None:
    """Test a query against one record; the hit count when it matches, else ``None``.

    >>> match_query('ai', body='He said so.') is None
    True
    >>> match_query('ai OR "facial recognition"', title='AI and facial recognition')
    2
    """
    where, where_params = compile_query(text)
    hits, hits_params = compile_hits(text)
    con = duckdb.connect()
    try:
        row = con.execute(
            f"SELECT {hits}, {where} FROM (SELECT ?::VARCHAR AS title, ?::VARCHAR AS summary, "
            "?::VARCHAR AS body, ?::VARCHAR AS outlet, ?::VARCHAR AS domain) a",
            [*hits_params, *where_params, title, summary, body, outlet, domain],
        ).fetchone()
    finally:
        con.close()
    return int(row[0]) if row[1] else None
