-- Normalisation macros: the SQL twins of the Python reference functions in
-- policykit.normalise. Installed by policykit.normalise.install_macros(con); every
-- statement is CREATE OR REPLACE, so installing twice changes nothing.
-- Each regular expression here is the same text as its Python twin (RE2 and Python
-- `re` agree on them); tests/test_normalise_sql.py checks that the results agree.
-- `list_transform([x], lambda v: ...)[1]` binds an intermediate value once.

-- ---------------------------------------------------------------- URLs --------------

-- Trim ASCII whitespace, repair '\/' and '\u002F'-style escapes, encode spaces, and
-- add https: to '//host/...' and 'www.host/...'. The macros are flat expressions:
-- DuckDB evaluates a repeated sub-expression once (common sub-expression elimination).
CREATE OR REPLACE MACRO pk__url_trim(u) AS (
    -- C0 controls and spaces at the ends, tabs and newlines anywhere (as the WHATWG
    -- parser); the regular expressions only when a character could be one: most URLs skip it
    CASE WHEN ascii(u) <= 32 OR right(u, 1) <= ' '
              OR contains(u, chr(9)) OR contains(u, chr(10)) OR contains(u, chr(13))
        THEN regexp_replace(regexp_replace(u, '^[\x00-\x20]+|[\x00-\x20]+$', '', 'g'),
                            '[\t\n\r]', '', 'g')
        ELSE u END
);

-- A CDATA wrapper left by a feed reader (same pattern as _CDATA in urls.py).
CREATE OR REPLACE MACRO pk__url_cdata(u) AS (
    CASE WHEN starts_with(u, '<!')
        THEN regexp_replace(u, '(?s)^<!\[CDATA\[[\x00-\x20]*(.*?)[\x00-\x20]*\]\]>$', '\1')
        ELSE u END
);

CREATE OR REPLACE MACRO pk__url_unescape(t0) AS (
    list_transform([
        -- '&' written as an HTML entity ('&amp;', '&#038;')
        CASE WHEN contains(t0, ';')
            THEN regexp_replace(t0, '(?i)&(?:amp|#0*38|#x0*26);', '&', 'g') ELSE t0 END],
    lambda t: replace(
        CASE WHEN contains(t, '\') THEN
            regexp_replace(
            regexp_replace(
            regexp_replace(
            regexp_replace(
            regexp_replace(t, '(?i)\\+u002f', '/', 'g'),
                '(?i)\\+u0026', '&', 'g'),
                '(?i)\\+u003d', '=', 'g'),
                '(?i)\\+u003f', '?', 'g'),
                '\\+/', '/', 'g')
        ELSE t END, ' ', '%20'))[1]
);

CREATE OR REPLACE MACRO pk__url_repair(u) AS (
    list_transform(
        [pk__url_unescape(pk__url_cdata(pk__url_trim(u)))],
        lambda e: CASE
            WHEN starts_with(e, '//') THEN 'https:' || e
            WHEN lower(left(e, 4)) = 'www.' THEN 'https://' || e
            ELSE e END)[1]
);

-- TRUE when a key=value query parameter is tracking or an AMP switch (see
-- TRACKING_PARAMS and TRACKING_PREFIXES in normalise/urls.py).
CREATE OR REPLACE MACRO pk__url_param_is_tracking(p) AS (
    lower(split_part(p, '=', 1)) IN (
        'gclid', 'gclsrc', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'fbclid',
        'ttclid', 'twclid', 'li_fat_id', 'trk', 'igshid', 'igsh',
        '_ga', '_gl',
        'mc_cid', 'mc_eid', '_hsenc', '_hsmi', '__hssc', '__hstc', '__hsfp',
        'hsctatracking', 'mkt_tok', 'elqtrackid', 'elqtrack', 'vero_id', 'vero_conv',
        'ref', 'ref_src', 'ref_url', 'referrer', 'sr_share', '__twitter_impression',
        'fb_action_ids', 'fb_action_types', 'fb_ref', 'fb_source',
        'action_object_map', 'action_type_map', 'action_ref_map',
        'cmpid', 'cmp', 'ocid', 'smid', 'smtyp', 'emc', 'ftag', 'xtor', 'ncid',
        'ns_mchannel', 'ns_source', 'ns_campaign', 'ns_linkname', 'ns_fee',
        'guccounter', 'guce_referrer', 'guce_referrer_sig',
        'at_medium', 'at_campaign', 's_cid', 'wickedid', 'rb_clickid', 'clickid',
        'amp')
    OR regexp_matches(lower(split_part(p, '=', 1)), '^(?:utm|mtm|pk|hsa)_')
    OR (lower(p) LIKE 'outputtype=%' AND lower(substr(p, 12)) = 'amp')
);

-- Empty segments folded first ('//404.html' -> '/404.html', as _SLASHES in urls.py).
CREATE OR REPLACE MACRO pk__url_path(p0) AS (
    list_transform([CASE WHEN contains(p0, '//') THEN regexp_replace(p0, '//+', '/', 'g')
                         ELSE p0 END],
    lambda p: coalesce(nullif(
        CASE WHEN contains(p, 'amp') THEN
            regexp_replace(
            regexp_replace(
            rtrim(regexp_replace(p, '(?:/+amp)+/*$', ''), '/'),
                '(?:\.amp)+\.html$', '.html'),
                '(?s)^(?:/+amp)+(/.*)?$', '\1')
        ELSE rtrim(p, '/') END,
        ''), '/'))[1]
);

CREATE OR REPLACE MACRO pk__url_query(q) AS (
    CASE WHEN q = '' THEN '' ELSE
    array_to_string(list_sort(list_filter(string_split(q, '&'),
        lambda p: p <> '' AND NOT pk__url_param_is_tracking(p))), '&')
    END
);

-- The canonical URL (same rules as policykit.normalise.canonical_url), or NULL.
-- Rows where pk_url_needs_python(u) is TRUE must go to the Python function instead.
-- The split into scheme, authority, path and query follows RFC 3986 appendix B with
-- string functions (cheaper than a capturing regular expression). Each
-- list_transform stage computes a struct once; stages are chained, not nested, so
-- every lambda runs vectorised over the whole chunk.
CREATE OR REPLACE MACRO pk_canonical_url(u) AS (
    list_transform(list_transform(list_transform(list_transform(list_transform(
        [pk__url_repair(u)],
        -- scheme: the text before the first ':', then '//'
        lambda r: {'ok': lower(split_part(r, ':', 1)) IN ('http', 'https')
                         AND substr(r, length(split_part(r, ':', 1)) + 2, 2) = '//'
                         AND NOT regexp_matches(r, '[\x00-\x1f\x7f]'),
                   'rest': split_part(substr(r, length(split_part(r, ':', 1)) + 4), '#', 1)}),
        -- query after the first '?'; authority up to the first '/'
        lambda a: {'ok': a.ok,
                   'auth': split_part(split_part(a.rest, '?', 1), '/', 1),
                   'path': substr(split_part(a.rest, '?', 1),
                                  length(split_part(split_part(a.rest, '?', 1), '/', 1)) + 1),
                   'query': CASE WHEN contains(a.rest, '?')
                            THEN substr(a.rest, strpos(a.rest, '?') + 1) ELSE '' END}),
        -- drop user info; at most one ':' (the port) may remain
        lambda b: {'ok': b.ok,
                   'hp': CASE WHEN contains(b.auth, '@')
                         THEN substr(b.auth, strpos(b.auth, '@') + 1) ELSE b.auth END,
                   'path': b.path, 'query': b.query}),
        lambda c: {'ok': c.ok AND length(c.hp) - length(replace(c.hp, ':', '')) <= 1,
                   'host': rtrim(lower(split_part(c.hp, ':', 1)), '.'),
                   'port': CASE WHEN contains(c.hp, ':') THEN split_part(c.hp, ':', 2) ELSE '' END,
                   'path': c.path, 'query': c.query}),
        lambda d: CASE WHEN d.ok
            AND regexp_matches(d.host, '^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$')
            AND (d.port IN ('', '80', '443') OR regexp_matches(d.port, '^[0-9]+$'))
            THEN 'https://'
                || regexp_replace(d.host, '^(?:(?:www|m|mobile|amp)\.)*([^.]+\..+)$', '\1')
                || CASE WHEN d.port IN ('', '80', '443') THEN '' ELSE ':' || d.port END
                || pk__url_path(d.path)
                || list_transform([pk__url_query(d.query)],
                       lambda q: CASE WHEN q = '' THEN '' ELSE '?' || q END)[1]
            END)[1]
);

-- TRUE when pk_canonical_url cannot promise the Python result (RFC 3986 section 6 steps
-- that need code points or a loop): non-ASCII text anywhere (IDNA hosts, UTF-8
-- escapes in path and query) and '"<>`{}' (escaped by Python), percent-escapes Python rewrites (lower-case hex, or an
-- unreserved character: %41-%5A %61-%7A %30-%39 %2D %2E %5F %7E; a '%' that starts
-- no escape, written '%25'), dot segments
-- ('/./', '/../', a final '/.' or '/..'), a zero-padded port (':081'), and a
-- hash-bang fragment ('#!', kept by Python). A single regular expression: the common
-- ASCII URL pays one scan.
CREATE OR REPLACE MACRO pk_url_needs_python(u) AS (
    coalesce(regexp_matches(pk__url_repair(u),
        '[^\x00-\x7f]|["<>`{}]|%(?:[a-f][0-9a-fA-F]|[0-9A-F][a-f]|3[0-9]|[46][1-9A-F]|[57][0-9A]|2[DE]|5F|7E|[0-9a-fA-F]?(?:[^0-9a-fA-F]|$))|/\.\.?(?:[/?#]|$)|#!|^[^/?#]*//[^/?#]*:0[0-9]'),
        FALSE)
);

-- The host (with a non-default port) of a canonical URL.
CREATE OR REPLACE MACRO pk_url_host(u) AS (
    nullif(regexp_extract(u, '^https?://([^/?#]*)', 1), '')
);

-- A publication date from the URL path (same rules as date_from_url), or NULL.
CREATE OR REPLACE MACRO pk_date_from_url(u) AS (
    list_transform([regexp_extract(
        regexp_replace(
            pk__url_trim(u),
            '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*', ''),
        '^[^?#]*')], lambda p:
        list_transform([regexp_extract(p,
            '/((?:19|20|21)\d\d)(?:/(\d{1,2})/(\d{1,2})|-(\d{1,2})-(\d{1,2})|(\d\d)(\d\d))(?:[/._-]|$)',
            ['y', 'm1', 'd1', 'm2', 'd2', 'm3', 'd3'])], lambda g:
            CASE WHEN g.y = '' OR g.y::INTEGER NOT BETWEEN 1990 AND 2100 THEN NULL
                -- a compact /YYYYMMDD after 2035 is an article id (COMPACT_DATE_MAX_YEAR)
                WHEN g.m3 <> '' AND g.y::INTEGER > 2035 THEN NULL
            ELSE try(make_date(g.y::INTEGER,
                coalesce(nullif(g.m1, ''), nullif(g.m2, ''), g.m3)::INTEGER,
                coalesce(nullif(g.d1, ''), nullif(g.d2, ''), g.d3)::INTEGER))
            END)[1]
    )[1]
);

-- --------------------------------------------------------------- dates --------------

-- Only the unambiguous shapes of parse_published's fast path; NULL for everything else
-- (the pipeline sends those to parse_published). Same patterns as normalise/dates.py.
-- A value without a zone is read in `tz` (default 'UTC').
CREATE OR REPLACE MACRO pk__iso_parts(raw) AS (
    regexp_extract(raw,
        '^((?:18|19|20|21)\d\d)-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)? ?(Z|UTC|GMT|[+-]\d\d(?::?\d\d)?)?)?$',
        ['y', 'mo', 'd', 'h', 'mi', 's', 'frac', 'zone'])
);

CREATE OR REPLACE MACRO pk__rfc_parts(raw) AS (
    regexp_extract(raw,
        '^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ?)?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ((?:18|19|20|21)\d\d) (\d\d):(\d\d)(?::(\d\d))? (GMT|UTC|UT|Z|[+-]\d{4})$',
        ['d', 'mon', 'y', 'h', 'mi', 's', 'zone'])
);

-- Minutes east of UTC for '+05:30', '+0530', '+05', 'Z', 'GMT'; NULL for no zone or
-- an out-of-range offset.
CREATE OR REPLACE MACRO pk__offset_minutes(z) AS (
    CASE
        WHEN z = '' THEN NULL
        WHEN z IN ('Z', 'UTC', 'GMT', 'UT', '-0000') THEN 0
        WHEN substr(z, 2, 2)::INTEGER > 23
            OR coalesce(nullif(substr(replace(z, ':', ''), 4, 2), ''), '0')::INTEGER > 59
            THEN NULL
        ELSE (CASE WHEN z[1] = '-' THEN -1 ELSE 1 END)
            * (substr(z, 2, 2)::INTEGER * 60
               + coalesce(nullif(substr(replace(z, ':', ''), 4, 2), ''), '0')::INTEGER)
    END
);

-- A wall-clock TIMESTAMP from parts, NULL when the day or time does not exist.
CREATE OR REPLACE MACRO pk__wall(y, mo, d, h, mi, s, frac) AS (
    CASE WHEN h::INTEGER > 23 OR mi::INTEGER > 59 OR s::INTEGER > 59 THEN NULL ELSE
    try(make_timestamp(y::BIGINT, mo::BIGINT, d::BIGINT, h::BIGINT, mi::BIGINT, 0::DOUBLE))
        + to_microseconds(s::BIGINT * 1000000 + rpad(left(frac, 6), 6, '0')::BIGINT)
    END
);

CREATE OR REPLACE MACRO pk__zoned(wall, zone, tz) AS (
    CASE
        WHEN zone = '' THEN timezone(tz, wall)
        WHEN pk__offset_minutes(zone) IS NULL THEN NULL
        ELSE timezone('UTC', wall - to_minutes(pk__offset_minutes(zone)::BIGINT))
    END
);

CREATE OR REPLACE MACRO pk_fast_timestamp(raw, tz := 'UTC') AS (
    list_transform([trim(raw)], lambda t: CASE
        WHEN regexp_matches(t, '^[0-9]{9,10}(?:\.[0-9]{1,9})?$') THEN
            CASE WHEN split_part(t, '.', 1)::BIGINT BETWEEN 631152000 AND 4102444800 THEN
                make_timestamptz(split_part(t, '.', 1)::BIGINT * 1000000
                    + rpad(left(split_part(t, '.', 2), 6), 6, '0')::BIGINT)
            END
        WHEN regexp_matches(t, '^[0-9]{12,13}$') THEN
            CASE WHEN t::BIGINT BETWEEN 631152000000 AND 4102444800000 THEN
                make_timestamptz(t::BIGINT * 1000)
            END
        -- The commonest export shape, a full ISO time with a zone, by DuckDB's own cast
        -- (several times cheaper than the parts below); the shape admits only fields in
        -- range, so the cast gives what the parts give, and NULL for a day that does not
        -- exist. A value without a zone never takes this path (the cast would read it in
        -- the session's time zone, not in `tz`).
        WHEN regexp_full_match(t, '(?:18|19|20|21)\d\d-\d\d-\d\dT(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)') THEN
            TRY_CAST(t AS TIMESTAMPTZ)
        WHEN regexp_matches(t, '^[0-9]{4}-') THEN
            list_transform([pk__iso_parts(t)], lambda p: CASE WHEN p.y = '' THEN NULL ELSE
                pk__zoned(pk__wall(p.y, p.mo, p.d, coalesce(nullif(p.h, ''), '0'),
                    coalesce(nullif(p.mi, ''), '0'), coalesce(nullif(p.s, ''), '0'), p.frac),
                    p.zone, tz)
                END)[1]
        WHEN regexp_matches(t, '^[A-Z0-9]') THEN
            list_transform([pk__rfc_parts(t)], lambda p: CASE WHEN p.y = '' THEN NULL ELSE
                pk__zoned(pk__wall(p.y,
                    (strpos('JanFebMarAprMayJunJulAugSepOctNovDec', p.mon) + 2) // 3,
                    p.d, p.h, p.mi, coalesce(nullif(p.s, ''), '0'), ''), p.zone, tz)
                END)[1]
    END)[1]
);

-- Which fast rule pk_fast_timestamp used: 'iso' | 'rfc2822' | 'epoch_s' | 'epoch_ms',
-- NULL when it returned NULL.
CREATE OR REPLACE MACRO pk_fast_date_source(raw, tz := 'UTC') AS (
    CASE WHEN pk_fast_timestamp(raw, tz := tz) IS NULL THEN NULL
        WHEN regexp_matches(trim(raw), '^[0-9]{9,10}(?:\.[0-9]{1,9})?$') THEN 'epoch_s'
        WHEN regexp_matches(trim(raw), '^[0-9]{12,13}$') THEN 'epoch_ms'
        WHEN regexp_matches(trim(raw), '^[0-9]{4}-') THEN 'iso'
        ELSE 'rfc2822' END
);

-- ---------------------------------------------------------------- text --------------

-- TRUE when clean_text/clean_title may change more than NFC and whitespace: markup
-- ('<', '&name;'), control characters, and every character that mojibake is made of
-- (Latin-1 Supplement to Cyrillic, general punctuation beyond quotes and dashes,
-- symbols, private use, ligatures, BOM, replacement character). Indic, CJK, Arabic
-- and plain ASCII text with typographic quotes and dashes stay in SQL.
CREATE OR REPLACE MACRO pk_text_needs_python(t) AS (
    coalesce(regexp_matches(t,
        '[<\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x{80}-\x{52F}\x{200B}\x{2020}-\x{2022}\x{2028}-\x{202E}\x{2030}-\x{206F}\x{20AC}\x{2100}-\x{2BFF}\x{E000}-\x{F8FF}\x{FB00}-\x{FB4F}\x{FE00}-\x{FE0F}\x{FEFF}\x{FFF9}-\x{FFFD}]|&[#A-Za-z]'),
        FALSE)
);

-- NFC, CR/LF to LF, runs of horizontal whitespace to one space, lines trimmed, at most
-- one blank line between paragraphs, trimmed; empty -> NULL. Same as clean_text for
-- text where pk_text_needs_python is FALSE.
CREATE OR REPLACE MACRO pk_clean_ws(t) AS (
    nullif(
        regexp_replace(
        regexp_replace(
        regexp_replace(
        regexp_replace(
        regexp_replace(nfc_normalize(t), '\r\n?', chr(10), 'g'),
            '[ \t\x{00A0}\x{1680}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}]+', ' ', 'g'),
            ' ?\n ?', chr(10), 'g'),
            '\n{3,}', chr(10) || chr(10), 'g'),
            '^[ \n]+|[ \n]+$', '', 'g'),
        '')
);

-- --------------------------------------------------------------- titles -------------

-- Python's whitespace (str.split) collapsed to one space.
CREATE OR REPLACE MACRO pk__one_line(s) AS (
    trim(regexp_replace(s,
        '[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]+',
        ' ', 'g'))
);

-- The comparison key of a name: lower case, one-spaced, without a leading "the ".
CREATE OR REPLACE MACRO pk__title_key(s) AS (
    regexp_replace(lower(pk__one_line(s)), '^the ', '')
);

-- TRUE when a title segment names the outlet (key k) or is a bare site address.
CREATE OR REPLACE MACRO pk__title_is_site(seg, k) AS (
    pk__title_key(seg) <> ''
    AND (coalesce(pk__title_key(seg) = k, FALSE)
         OR regexp_matches(trim(seg),
            '(?i)^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|in|org|net|news|co\.uk|co\.in|io|press|tv)$'))
);

CREATE OR REPLACE MACRO pk__title_suffix(x, k, pattern) AS (
    CASE WHEN trim(regexp_extract(x, pattern, 1)) <> ''
          AND pk__title_is_site(regexp_extract(x, pattern, 2), k)
        THEN trim(regexp_extract(x, pattern, 1)) END
);

CREATE OR REPLACE MACRO pk__title_prefix(x, k, sep) AS (
    CASE WHEN strpos(x, sep) > 0
          AND trim(substr(x, strpos(x, sep) + length(sep))) <> ''
          AND coalesce(pk__title_key(left(x, strpos(x, sep) - 1)) = k, FALSE)
        THEN trim(substr(x, strpos(x, sep) + length(sep))) END
);

-- clean_title(t, [o]) for titles where pk_title_needs_python(t, o) is FALSE: NFC,
-- whitespace collapsed, then one site suffix and one site prefix removed (the first
-- separator, in the order of clean_title, whose segment names the outlet).
CREATE OR REPLACE MACRO pk_clean_title(t, o) AS (
    list_transform(list_transform(
        [{'x': nullif(pk__one_line(nfc_normalize(t)), ''), 'k': pk__title_key(o)}],
        lambda a: {'x': coalesce(
                pk__title_suffix(a.x, a.k, '^(.*) \| (.*)$'),
                pk__title_suffix(a.x, a.k, '^(.*) - (.*)$'),
                pk__title_suffix(a.x, a.k, '^(.*) – (.*)$'),
                pk__title_suffix(a.x, a.k, '^(.*) — (.*)$'),
                pk__title_suffix(a.x, a.k, '^(.*) :: (.*)$'),
                pk__title_suffix(a.x, a.k, '^(.*) · (.*)$'),
                pk__title_suffix(a.x, a.k, '^(.*) • (.*)$'),
                pk__title_suffix(a.x, a.k, '^(.*) » (.*)$'),
                a.x),
            'k': a.k}),
        lambda b: coalesce(
            pk__title_prefix(b.x, b.k, ' | '),
            pk__title_prefix(b.x, b.k, ' - '),
            pk__title_prefix(b.x, b.k, ' – '),
            pk__title_prefix(b.x, b.k, ' — '),
            pk__title_prefix(b.x, b.k, ' :: '),
            pk__title_prefix(b.x, b.k, ' · '),
            pk__title_prefix(b.x, b.k, ' • '),
            pk__title_prefix(b.x, b.k, ' » '),
            pk__title_prefix(b.x, b.k, ': '),
            b.x))[1]
);

-- TRUE when pk_clean_title(t, o) cannot promise clean_title(t, [o]): what
-- pk_text_needs_python flags in either value, plus cased scripts whose lower-casing
-- differs from Python's casefold (Armenian, Georgian, Cherokee, Latin/Greek Extended
-- Additional, Glagolitic, Cyrillic/Latin Extended-B..D, full-width Latin, and the
-- supplementary-plane cased scripts), and titles that one pass of pk_clean_title does
-- not settle ("X - NDTV.com - Scroll.in": clean_title strips site names until none is
-- left; a title needs two separator characters for that, which keeps the check cheap).
CREATE OR REPLACE MACRO pk_title_needs_python(t, o) AS (
    pk_text_needs_python(t) OR pk_text_needs_python(o)
    OR coalesce(regexp_matches(coalesce(t, '') || coalesce(o, ''),
        '[\x{0530}-\x{058F}\x{10A0}-\x{10FF}\x{13A0}-\x{13FF}\x{1C80}-\x{1CBF}\x{1E00}-\x{1FFF}\x{2C00}-\x{2C7F}\x{A640}-\x{A69F}\x{A720}-\x{A7FF}\x{AB70}-\x{ABBF}\x{FF21}-\x{FF5A}\x{10400}-\x{104FF}\x{10C80}-\x{10CFF}\x{118A0}-\x{118FF}\x{16E40}-\x{16E9F}\x{1E900}-\x{1E95F}]'),
        FALSE)
    -- CASE, not AND: only the rows that pass the cheap test pay for the extra passes, and
    -- a second pass can only change a title the first one shortened.
    OR CASE WHEN NOT coalesce(regexp_matches(t, '[|\-–—·•»:].*[|\-–—·•»:]'), FALSE) THEN FALSE
        -- two strips need two segments naming the outlet or ending like a site address
        WHEN list_transform([lower(pk__one_line(nfc_normalize(t)))], lambda x:
                coalesce((length(x) - length(replace(x, nullif(pk__title_key(o), ''), '')))
                         // length(pk__title_key(o)), 0)
                + len(regexp_extract_all(x,
                    '\.(?:com|in|org|net|news|co\.uk|co\.in|io|press|tv)(?: |$)')))[1] < 2
            THEN FALSE
        ELSE list_transform([pk_clean_title(t, o)], lambda once:
            CASE WHEN once IS NULL OR length(once) >= length(pk__one_line(nfc_normalize(t)))
                 THEN FALSE
                 -- a second strip needs the outlet's name in what is left, or a site
                 -- address at its end: cheap tests before the full pass
                 WHEN NOT (coalesce(contains(lower(once), nullif(pk__title_key(o), '')), FALSE)
                           OR regexp_matches(once,
                              '(?i)\.(?:com|in|org|net|news|co\.uk|co\.in|io|press|tv)$'))
                 THEN FALSE
                 ELSE pk_clean_title(once, o) IS DISTINCT FROM once END)[1]
    END
);
