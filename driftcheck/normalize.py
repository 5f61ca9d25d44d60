"""Normalised matching keys: emails, phones, person and company names, addresses, titles.

Every source writes the same customer differently: HubSpot has ``John Smith`` with
``JSmith@Example.com``, QuickBooks has ``Smith, John``, Jobber has ``Mr. John Smith`` and
``(555) 123-4567`` where HubSpot wrote ``+1 555.123.4567``. This module turns each
of those into a key that compares equal when the values mean the same customer, and
to null when a value cannot identify anyone (``noemail@...``, ``000-000-0000``).

All functions take a pandas Series and return Series aligned with it. They normalise
each *distinct* value once (a customer appears on many records), with pyarrow compute
kernels (RE2 regexes) rather than per-row Python, so a million records cost about a
second. ``phonenumbers`` is used for its region metadata and for the numbers the
vectorised fast path cannot place (foreign country codes, odd lengths).

Keys, as :func:`parse_names` and friends return them:

* email: trimmed, lower-cased, first address of a list, ``mailto:`` dropped.
* phone: E.164 (``+15551234567``); extensions dropped; national and international
  writings of one number give one key; the default region is configurable.
* person name: ``p:<first> <last>`` with honorifics, generational suffixes, middle
  names, punctuation and accents dropped, ``Smith, John`` turned round and the first
  name mapped through a nickname table (``Bob`` -> ``robert``).
* company name: ``o:<name>`` with legal forms (LLC, Inc, Ltd...), ``the``,
  ``&``/``and`` and punctuation made uniform.
* address: lower case, street suffixes, directions and unit designators abbreviated
  the USPS way (``Street`` -> ``st``, ``Apartment 4`` / ``#4`` -> ``unit 4``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "address_key",
    "address_key_codes",
    "email_key",
    "email_key_codes",
    "nicknames",
    "parse_names",
    "parse_names_distinct",
    "phone_key",
    "phone_key_codes",
    "split_deal_title",
    "street_key",
    "title_key",
    "title_key_codes",
]

#: Honorifics dropped from the front of a person's name.
_HONORIFICS = r"mr|mrs|ms|miss|mx|dr|prof|rev|sir|madam|mme|mlle|fr|hon|capt"
#: Generational and professional suffixes dropped anywhere in a person's name.
_SUFFIXES = r"jr|sr|ii|iii|iv|phd|md|dds|dmd|dvm|esq|cpa|rn|pe|ret"
#: Legal forms: they mark a company and are dropped from its key.
_LEGAL = r"llc|lc|inc|incorporated|ltd|limited|co|corp|corporation|company|plc|llp|pllc|lp|gmbh|pty|pc"
#: Words that make a customer name a business even without a legal form. Kept in the key.
_ORG_WORDS = (
    r"construction|constructions|contracting|contractors?|builders?|building|homes|plumbing|electric|electrical"
    r"|roofing|hvac|heating|cooling|landscaping|landscape|services|service|solutions|group|holdings"
    r"|properties|property|realty|real estate|management|mgmt|partners|partnership|associates|enterprises"
    r"|industries|studios?|cafe|restaurant|bakery|church|school|academy|clinic|dental|medical|hotel|inn"
    r"|hoa|association|assn|condominiums?|condos?|apartments|trust|foundation|center|centre|shop|store"
    r"|market|salon|spa|sons|brothers|bros|investments|capital|ventures|development|developers|design"
    r"|interiors|remodeling|renovations|painting|flooring|cleaning|motors|auto|farms?|ranch|llc|inc"
    r"|university|college|county|city of|town of|district|ministries|fellowship|club|lodge|office|offices"
)
#: Placeholder mailboxes that office staff type when a form insists on an email.
_PLACEHOLDER_EMAIL = (
    r"^(?:no\.?e?mail|none|na|n/?a|unknown|noreply|no-reply|donotreply|do-not-reply|test|null|nobody|no|x+)@"
)

# Address vocabulary: (pattern, replacement), applied in order to lower-case text.
# USPS Publication 28 abbreviations for the suffixes and directions contractors' tools write most.
_ADDRESS_RULES: tuple[tuple[str, str], ...] = (
    (r"#\s*", " unit "),
    (r"\b(?:apartment|apt|suite|ste|unit|bldg|building|fl|floor|rm|room|lot|space|spc)\b", " unit "),
    (r"\b(?:street|str)\b", "st"),
    (r"\b(?:avenue|av|aven|avenu)\b", "ave"),
    (r"\broad\b", "rd"),
    (r"\b(?:drive|drv)\b", "dr"),
    (r"\blane\b", "ln"),
    (r"\b(?:court|crt)\b", "ct"),
    (r"\b(?:boulevard|boul|blv)\b", "blvd"),
    (r"\bplace\b", "pl"),
    (r"\b(?:terrace|terr)\b", "ter"),
    (r"\b(?:circle|circ)\b", "cir"),
    (r"\b(?:highway|hiway)\b", "hwy"),
    (r"\b(?:parkway|pkway|parkwy)\b", "pkwy"),
    (r"\bsquare\b", "sq"),
    (r"\b(?:trail|trl)\b", "trl"),
    (r"\bcrescent\b", "cres"),
    (r"\bnortheast\b", "ne"),
    (r"\bnorthwest\b", "nw"),
    (r"\bsoutheast\b", "se"),
    (r"\bsouthwest\b", "sw"),
    (r"\bnorth\b", "n"),
    (r"\bsouth\b", "s"),
    (r"\beast\b", "e"),
    (r"\bwest\b", "w"),
    (r"\bunit(?:\s+unit)+\b", "unit"),
)
#: Matches where any of ``_ADDRESS_RULES`` does.
_ADDRESS_ANY = "|".join(f"(?:{pattern})" for pattern, _ in _ADDRESS_RULES)


# --------------------------------------------------------------------------- helpers


def _map_unique(values: pd.Series, fn: Callable[[pa.Array], dict[str, pa.Array]]) -> dict[str, pa.ChunkedArray]:
    """Apply ``fn`` to the distinct non-null values of ``values``; return columns aligned with it.

    ``fn`` receives a pyarrow string array of the distinct values and returns named
    arrays of the same length; each is spread back to every row (null where the input was null).
    """
    import pandas as pd
    import pyarrow as pa

    codes, uniques = pd.factorize(values.astype(pd.StringDtype("pyarrow")), use_na_sentinel=True)
    arr = pa.array(uniques, type=pa.string()) if len(uniques) else pa.array([], type=pa.string())
    out = fn(arr)
    idx = pa.array(codes, mask=codes < 0, type=pa.int64()) if len(codes) else pa.array([], type=pa.int64())
    res = {}
    for name, col in out.items():
        res[name] = col.take(idx) if len(col) else pa.nulls(len(codes), type=col.type)
    return res


def _to_series(arr: pa.Array | pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """A pyarrow-backed pandas Series (``string[pyarrow]`` for text, numpy otherwise)."""
    import pandas as pd
    import pyarrow as pa

    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return pd.Series(pd.arrays.ArrowStringArray(arr.cast(pa.string())), index=index)
    if pa.types.is_boolean(arr.type):
        return pd.Series(arr.to_numpy(zero_copy_only=False), index=index).fillna(False).astype(bool)
    return pd.Series(arr.to_numpy(zero_copy_only=False), index=index)


def _ascii_lower(arr: pa.Array) -> pa.Array:
    """Lower case with accents removed (NFKD, then combining marks dropped), curly quotes made plain."""
    import pyarrow.compute as pc

    # accents, ß and curly quotes are not ASCII: plain ASCII values skip those steps
    other = pc.invert(pc.string_is_ascii(arr))
    out = _only_where(arr, other, lambda a: pc.replace_substring_regex(pc.utf8_normalize(a, "NFKD"), r"\p{Mn}", ""))
    out = pc.utf8_lower(out)
    # ß has no NFKD decomposition; "strasse" is how everyone else writes it
    out = _only_where(out, other, lambda a: pc.replace_substring(a, "ß", "ss"))
    return _only_where(
        out,
        pc.or_(other, pc.match_substring(out, "`")),
        lambda a: pc.replace_substring_regex(a, r"[\x{2018}\x{2019}\x{201B}`´]", "'"),
    )


def _squash(arr: pa.Array) -> pa.Array:
    """Collapse runs of whitespace to one space and trim; empty strings become null."""
    import pyarrow.compute as pc

    # only a run of two, or a tab / newline, changes: the rest skip the regex
    runs = pc.match_substring_regex(arr, r"\s\s|[^\S ]")
    out = pc.utf8_trim_whitespace(_only_where(arr, runs, lambda a: pc.replace_substring_regex(a, r"\s+", " ")))
    return pc.if_else(pc.equal(out, ""), None, out)


def _only_where(arr: pa.Array, cand: pa.Array, fn: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """``fn(arr)`` where ``cand`` holds, ``arr`` elsewhere: ``fn`` runs on those values only.

    For regexes that can change only values holding some text (``cand`` is a necessary
    condition, found by a cheap substring test): most names skip the expensive pattern.
    """
    import pyarrow.compute as pc

    from . import _fastpaths

    if not _fastpaths.enabled():  # the plain twin: the pattern on every value
        return fn(arr)
    idx = pc.indices_nonzero(pc.fill_null(cand, False))
    if 2 * len(idx) > len(arr):
        return fn(arr)  # most values qualify: cheaper to run it on all (it leaves the rest as they are)
    if not len(idx):
        return arr
    return _scatter(arr, idx, fn(arr.take(idx)))


def _scatter(base: pa.Array, idx: pa.Array, values: pa.Array) -> pa.Array:
    """``base`` with the values at positions ``idx`` replaced by ``values`` (one take)."""
    import numpy as np
    import pyarrow as pa

    pos = np.arange(len(base))
    pos[idx.to_numpy()] = len(base) + np.arange(len(idx))
    return pa.concat_arrays([base, values.cast(base.type)]).take(pa.array(pos))


def _has_any(arr: pa.Array, *texts: str) -> pa.Array:
    """Whether each value contains one of ``texts`` (plain substrings)."""
    import pyarrow.compute as pc

    out = pc.match_substring(arr, texts[0])
    for t in texts[1:]:
        out = pc.or_(out, pc.match_substring(arr, t))
    return out


# --------------------------------------------------------------------------- email


def email_key(values: pd.Series) -> pd.Series:
    """Normalised email key: trimmed, lower case, first address of a list; null when unusable.

    Placeholder mailboxes that office staff type to get past a required field
    (``noemail@gmail.com``, ``none@none.com``) are null: they identify nobody.

    Example:
        >>> email_key(pd.Series([" JSmith@Example.COM ", "mailto:a@b.co; c@d.co", "noemail@gmail.com"])).tolist()
        ['jsmith@example.com', 'a@b.co', <NA>]
    """
    return _to_series(_map_unique(values, _email_fn)["email"], values.index)


def email_key_codes(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """:func:`email_key` as integer codes (see :func:`title_key_codes`)."""
    return _key_codes(values, _email_fn, "email")


def _email_fn(arr: pa.Array) -> dict[str, pa.Array]:
    import pyarrow.compute as pc

    out = pc.utf8_lower(pc.utf8_trim_whitespace(arr))
    out = pc.replace_substring_regex(out, r"^mailto:", "")
    # "a@b.com; c@d.com" and "a@b.com, c@d.com": the first address is the customer's
    first = pc.extract_regex(out, r"^[\s<\"']*(?P<e>[^\s;,<>\"']+)")
    out = pc.struct_field(first, [0])
    ok = pc.and_kleene(
        pc.match_substring_regex(out, r"^[^@\s]+@[^@\s]+\.[a-z0-9-]{2,}$"),
        pc.invert(pc.match_substring_regex(out, _PLACEHOLDER_EMAIL)),
    )
    return {"email": pc.if_else(ok, out, None)}


# --------------------------------------------------------------------------- phone


@functools.lru_cache(maxsize=32)
def _region_meta(region: str) -> tuple[str, str, int]:
    """(country code, national prefix, national significant number length) for a region."""
    import phonenumbers

    meta = phonenumbers.PhoneMetadata.metadata_for_region(region.upper())
    if meta is None:
        raise ValueError(f"unknown phone region {region!r}")
    lengths = tuple(meta.general_desc.possible_length or ())
    return str(meta.country_code), meta.national_prefix or "", max(lengths) if lengths else 0


def phone_key(values: pd.Series, region: str = "US") -> pd.Series:
    """Normalised phone key in E.164 (``+15551234567``); null when not a possible number.

    National (``(555) 123-4567``), international (``+1 555 123 4567``, ``001 555...``)
    and trunk-prefixed (``1-555-123-4567``, UK ``020 7946 0958``) writings of one
    number give one key. Extensions (``x12``, ``ext. 12``, ``#12``) are dropped.
    Numbers written without a country code are read in ``region``.

    The common shapes (national number of the region's full length, or ``+`` and the
    region's country code) are handled with vectorised string operations; the rest go
    through ``phonenumbers.parse`` one distinct value at a time.

    Example:
        >>> phone_key(pd.Series(["(555) 123-4567", "+1 555.123.4567 x12", "000-000-0000"])).tolist()
        ['+15551234567', '+15551234567', <NA>]
    """
    return _to_series(_map_unique(values, _phone_fn(region))["phone"], values.index)


def phone_key_codes(values: pd.Series, region: str = "US") -> tuple[np.ndarray, pa.Array]:
    """:func:`phone_key` as integer codes (see :func:`title_key_codes`)."""
    return _key_codes(values, _phone_fn(region), "phone")


def _phone_fn(region: str) -> Callable[[pa.Array], dict[str, pa.Array]]:
    """The phone normaliser of :func:`phone_key` for one default region, on distinct values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cc, national_prefix, full_len = _region_meta(region)

    def fn(arr: pa.Array) -> dict[str, pa.Array]:
        low = pc.utf8_lower(pc.utf8_trim_whitespace(arr))
        # extensions: "x12", "ext. 12", "extension 12", "#12", ",12" after the number
        low = pc.replace_substring_regex(low, r"\s*(?:ext\.?|extension|x|#|,)\s*\d{1,6}\s*$", "")
        intl = pc.match_substring_regex(low, r"^\s*(?:\+|00|011)")
        digits = pc.replace_substring_regex(low, r"\D", "")
        digits = pc.replace_substring_regex(digits, r"^(?:00|011)", "")
        n = pc.utf8_length(digits)
        out = pa.nulls(len(arr), type=pa.string())
        done = pa.array([False] * len(arr))
        if full_len:
            # national number of full length: "5551234567"
            plain = pc.and_(pc.invert(intl), pc.equal(n, full_len))
            if national_prefix:
                plain = pc.and_(plain, pc.invert(pc.starts_with(digits, national_prefix)))
            # trunk prefix + national number: "15551234567", "02079460958"
            trunk_len = full_len + len(national_prefix)
            trunk = (
                pc.and_(pc.and_(pc.invert(intl), pc.equal(n, trunk_len)), pc.starts_with(digits, national_prefix))
                if national_prefix
                else pa.array([False] * len(arr))
            )
            # international with the region's own code: "+15551234567"
            own = pc.and_(pc.and_(intl, pc.starts_with(digits, cc)), pc.equal(n, full_len + len(cc)))
            national = pc.if_else(
                plain,
                digits,
                pc.if_else(
                    trunk,
                    pc.utf8_slice_codeunits(digits, len(national_prefix)),
                    pc.if_else(own, pc.utf8_slice_codeunits(digits, len(cc)), None),
                ),
            )
            out = pc.binary_join_element_wise("+" + cc, national, "")
            done = pc.is_valid(national)
        # everything else: ask phonenumbers, one distinct value at a time
        rest = pc.indices_nonzero(pc.and_(pc.invert(done), pc.greater_equal(n, 7)))
        if len(rest):
            import phonenumbers

            fmt = phonenumbers.PhoneNumberFormat.E164
            texts = pc.take(low, rest).to_pylist()
            parsed: list[str | None] = []
            for text in texts:
                try:
                    num = phonenumbers.parse(text, region.upper())
                except phonenumbers.NumberParseException:
                    parsed.append(None)
                    continue
                num.extension = None
                # a local-only number ("555-1234", no area code) cannot tell two customers apart
                possible = phonenumbers.is_possible_number_with_reason(num) == phonenumbers.ValidationResult.IS_POSSIBLE
                parsed.append(phonenumbers.format_number(num, fmt) if possible else None)
            filled: list[str | None] = [None] * len(arr)
            for i, v in zip(rest.to_pylist(), parsed, strict=True):
                filled[i] = v
            out = pc.coalesce(out, pa.array(filled, type=pa.string()))
        # dummy numbers typed to get past a required field: one digit repeated, 1234567890
        national_digits = pc.utf8_slice_codeunits(out, 1 + len(cc))
        dummy = pc.or_kleene(
            pc.match_substring_regex(national_digits, r"^(?:0+|1+|2+|3+|4+|5+|6+|7+|8+|9+)$"),
            pc.match_substring_regex(national_digits, r"^(?:0?123456789|1234567890?|9876543210?)$"),
        )
        return {"phone": pc.if_else(pc.fill_null(dummy, False), None, out)}

    return fn


# --------------------------------------------------------------------------- names


@functools.lru_cache(maxsize=1)
def nicknames() -> dict[str, str]:
    """The nickname table: lower-case nickname -> canonical first name (``bob`` -> ``robert``).

    Only nicknames that stand for one name are listed: ``chris`` (Christopher or
    Christine) and ``alex`` are left as they are, so a husband and wife are never made
    one person by the table.
    """
    import csv
    from importlib import resources

    text = resources.files("driftcheck").joinpath("data/nicknames.csv").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for row in csv.DictReader(line for line in text.splitlines() if line and not line.startswith("#")):
        table[row["nickname"].strip().lower()] = row["name"].strip().lower()
    return table


def _name_parts(arr: pa.Array) -> dict[str, pa.Array]:
    """Parse distinct customer strings into kind, first, last, key, qualifier (see parse_names)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    low = _squash(_ascii_lower(arr))
    written = low
    # Qualifiers that tell same-named customers apart in one system: QuickBooks sub-customers
    # ("Smith, John:12 Oak St"), disambiguators ("Chris Lee (Maple Ave)", "Chris Lee - 2", "Chris Lee 2").
    # (only names holding a bracket, a colon, a dash or a digit can carry one)
    maybe = pc.or_(_has_any(low, "(", ":", "-", "\u2013", "\u2014"), pc.match_substring_regex(low, r"\d"))
    has_q = pa.array(np.zeros(len(low), dtype=bool))
    qual = pa.nulls(len(low), type=pa.string())

    def qualified(sub: pa.Array) -> pa.Array:
        """Per value: (has a qualifier, the qualifier, the name without it), as a struct."""
        q = pc.extract_regex(
            sub,
            r"^(?P<name>.*?)\s*(?:\((?P<a>[^)]*)\)|:\s*(?P<b>.+)|\s[-\x{2013}\x{2014}]\s+(?P<c>.+)|\s(?P<d>\d{1,3}))\s*$",
        )
        found = pc.is_valid(q)
        text = pc.coalesce(
            *(pc.if_else(pc.equal(pc.struct_field(q, [i]), ""), None, pc.struct_field(q, [i])) for i in (1, 2, 3, 4))
        )
        return pa.StructArray.from_arrays(
            [found, text, pc.if_else(found, pc.struct_field(q, [0]), sub)], names=["has", "qual", "name"]
        )

    idx = pc.indices_nonzero(pc.fill_null(maybe, False))
    if len(idx):
        got = qualified(low.take(idx))
        has_q = _scatter(has_q, idx, got.field("has"))
        qual = _scatter(qual, idx, got.field("qual"))
        low = _scatter(low, idx, got.field("name"))
    low = _only_where(low, pc.match_substring(low, "("), lambda a: pc.replace_substring_regex(a, r"\s*\([^)]*\)?", " "))
    # legal forms written with dots or spaces: "L.L.C.", "L L C", "Inc."
    low = pc.replace_substring_regex(low, r"\bl\.?\s?l\.?\s?c\b\.?", "llc")
    low = pc.replace_substring_regex(low, r"\bl\.?\s?l\.?\s?p\b\.?", "llp")
    low = pc.replace_substring_regex(low, r"\s*(?:&|\+)\s*", " and ")
    # "Smith Residence", "The Smith Family": the household, i.e. the surname
    low = _only_where(
        low,
        _has_any(low, "residence", "family", "home", "house"),
        lambda a: pc.replace_substring_regex(a, r"^(?:the\s+)?(.+?)\s+(?:residence|family|household|home|house)$", r"\1"),
    )
    is_org = pc.match_substring_regex(low, rf"\b(?:{_LEGAL}|{_ORG_WORDS})\b")

    # company key: punctuation out, legal forms and "the" dropped
    org = pc.replace_substring_regex(low, r"['.]", "")
    org = pc.replace_substring_regex(org, r"[^a-z0-9 ]+", " ")
    org = pc.replace_substring_regex(org, rf"\b(?:{_LEGAL}|the)\b", " ")
    org = _squash(org)

    # person: "Smith, John" -> "John Smith" unless what follows the comma is a suffix
    per = pc.replace_substring_regex(low, rf",\s*(?:{_SUFFIXES})\.?\s*$", "")
    per = _only_where(
        per, pc.match_substring(per, ","), lambda a: pc.replace_substring_regex(a, r"^\s*([^,]+?)\s*,\s*([^,]+?)\s*$", r"\2 \1")
    )
    per = pc.replace_substring_regex(per, r"[.]", " ")
    per = pc.replace_substring_regex(per, r"['\-]", "")
    per = pc.replace_substring_regex(per, r"[^a-z ]+", " ")
    per = pc.replace_substring_regex(per, rf"^\s*(?:(?:{_HONORIFICS})\s+)+", "")
    per = pc.replace_substring_regex(per, rf"\b(?:{_SUFFIXES})\b", " ")
    per = _squash(per)
    parts = pc.extract_regex(per, r"^(?P<first>[a-z]+)(?:\s.*)?\s(?P<last>[a-z]+)$")
    first = pc.struct_field(parts, [0])
    last = pc.coalesce(pc.struct_field(parts, [1]), pc.if_else(pc.match_substring_regex(per, r"^[a-z]+$"), per, None))
    # a couple, "John and Mary Smith": the first person named, the shared surname
    first = pc.if_else(pc.equal(first, "and"), None, first)
    table = nicknames()
    keys = pa.array(list(table), type=pa.string())
    vals = pa.array(list(table.values()), type=pa.string())
    hit = pc.index_in(first, value_set=keys)
    canon = pc.coalesce(pc.take(vals, hit), first)
    initial = pc.utf8_slice_codeunits(first, 0, 1)
    person_key = pc.if_else(
        pc.is_valid(canon),
        pc.binary_join_element_wise("p:", canon, " ", last, ""),
        pc.binary_join_element_wise("p:", last, ""),
    )
    is_org = pc.fill_null(is_org, False)
    kind = pc.if_else(is_org, "org", pc.if_else(pc.is_valid(last), "person", pc.if_else(pc.is_valid(org), "org", None)))
    key = pc.if_else(
        pc.equal(kind, "org"),
        pc.binary_join_element_wise("o:", org, ""),
        pc.if_else(pc.equal(kind, "person"), person_key, None),
    )
    person = pc.equal(kind, "person")
    return {
        "org": org,
        "kind": kind,
        "first": pc.if_else(person, canon, None),
        "initial": pc.if_else(person, initial, None),
        "last": pc.if_else(person, last, None),
        "name_key": key,
        "qualifier": pc.if_else(has_q, qual, None),
        "written": written,
    }


def parse_names(customer: pd.Series, company: pd.Series | None = None) -> pd.DataFrame:
    """Parse customer names into matching keys.

    The party a record belongs to is the company when ``company`` is given, else the
    customer name; a customer name that reads as a business (a legal form such as
    ``LLC``, or a trade word such as ``Plumbing``, ``Properties``) is a company too.

    Args:
        customer: customer display names as the sources write them.
        company: organisation names, where the source has a separate column.

    Returns:
        A frame aligned with ``customer`` with columns ``kind`` (``person`` | ``org``),
        ``first`` (canonical first name, nickname resolved; null for a surname alone),
        ``initial``, ``last``, ``name_key`` (``p:john smith`` / ``o:smith plumbing``),
        ``qualifier`` (what told two same-named customers apart: ``maple ave`` from
        ``Chris Lee (Maple Ave)``) and ``written`` (the name as written, lower-cased,
        spaces squashed: how a source spelled its customer).

    Example:
        >>> parse_names(pd.Series(["Smith, John", "Mr. Bob O'Brien Jr.", "Smith Plumbing, L.L.C."]))["name_key"].tolist()
        ['p:john smith', 'p:robert obrien', 'o:smith plumbing']
    """
    import pandas as pd
    import pyarrow as pa

    codes, cols = parse_names_distinct(customer, company)
    idx = pa.array(codes, mask=codes < 0, type=pa.int64())
    return pd.DataFrame(
        {
            name: _to_series(col.take(idx) if len(col) else pa.nulls(len(codes), type=col.type), customer.index)
            for name, col in cols.items()
        }
    )


def parse_names_distinct(customer: pd.Series, company: pd.Series | None = None) -> tuple[np.ndarray, dict[str, pa.Array]]:
    """:func:`parse_names` on the distinct parties only: (a code per row, the parsed parties).

    Returns:
        The code of each row's party (-1 when it has none; numbered in order of first
        appearance) and the :func:`parse_names` columns, as pyarrow arrays, one entry per
        distinct party: ``parse_names(...).iloc[i]`` is entry ``codes[i]``. Callers that
        group or compare names work on the codes and never spread the text to every row.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    party = customer.astype(pd.StringDtype("pyarrow"))
    from_company = None
    if company is not None and bool(company.notna().any()):
        comp = company.astype(pd.StringDtype("pyarrow"))
        from_company = (comp.str.strip().fillna("") != "").to_numpy(bool)
        party = comp.where(from_company, party)
    codes, uniques = pd.factorize(party, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    arr = pa.array(uniques, type=pa.string()) if len(uniques) else pa.array([], type=pa.string())
    flag = None
    if from_company is not None and from_company.any():
        # one text written in the company column and in the customer column parses apart
        ok = codes >= 0
        pair, u2 = pd.factorize(codes[ok] * 2 + from_company[ok])
        codes = np.full(len(codes), -1, dtype=np.int64)
        codes[ok] = pair
        arr = arr.take(pa.array(u2 // 2))
        flag = pa.array(u2 % 2 == 1)
    cols = _name_parts(arr)
    if flag is not None:
        # a company column names a business even when it reads like a person ("Harbor View")
        fix = pc.fill_null(pc.and_(flag, pc.and_(pc.equal(cols["kind"], "person"), pc.is_valid(cols["org"]))), False)
        none = pa.scalar(None, type=pa.string())
        cols["name_key"] = pc.if_else(fix, pc.binary_join_element_wise("o:", cols["org"], ""), cols["name_key"])
        for name in ("first", "initial", "last"):
            cols[name] = pc.if_else(fix, none, cols[name])
        cols["kind"] = pc.if_else(fix, "org", cols["kind"])
    del cols["org"]
    # (int32 when the parties fit: the linker holds a code per record through its customer step)
    from ._memory import int_type

    return codes.astype(int_type(len(arr)), copy=False), cols


def split_deal_title(titles: pd.Series) -> pd.DataFrame:
    """Split CRM deal names such as ``Smith – Kitchen remodel`` into a customer part and the work.

    Contractors name deals "<customer> - <work>" (or with ``:``, ``|``, an en dash);
    when a deal carries no contact this is the only customer evidence it has.

    Returns:
        A frame with ``name`` (the part before the separator, when it reads like a
        name: one to four words, no digits) and ``work`` (the rest, or the whole title).
    """
    import pandas as pd
    import pyarrow.compute as pc

    def fn(arr: pa.Array) -> dict[str, pa.Array]:
        parts = pc.extract_regex(
            arr, r"^\s*(?P<name>[^\d\-\x{2013}\x{2014}:|]+?)\s*(?:\s[-\x{2013}\x{2014}|]|:)\s*(?P<work>.+?)\s*$"
        )
        name = pc.struct_field(parts, [0])
        namey = pc.match_substring_regex(name, r"^[^\s]+(?:\s+[^\s]+){0,3}$")
        name = pc.if_else(pc.fill_null(namey, False), name, None)
        work = pc.coalesce(pc.if_else(pc.is_valid(name), pc.struct_field(parts, [1]), None), arr)
        return {"name": name, "work": work}

    cols = _map_unique(titles, fn)
    return pd.DataFrame({k: _to_series(v, titles.index) for k, v in cols.items()})


# --------------------------------------------------------------------------- addresses, titles


def _address_words(arr: pa.Array) -> pa.Array:
    """Lower case, no accents or punctuation, USPS abbreviations (see ``_ADDRESS_RULES``); not squashed."""
    import pyarrow.compute as pc

    out = _ascii_lower(arr)
    out = pc.replace_substring_regex(out, r"[.,;']", " ")

    def rules(a: pa.Array) -> pa.Array:
        for pattern, repl in _ADDRESS_RULES:
            a = pc.replace_substring_regex(a, pattern, repl)
        return a

    # a rule changes only text another rule's pattern matches (or an earlier rule rewrote, which
    # needed a match): one pass finds the values any rule can touch, the 26 passes run on those
    out = _only_where(out, pc.match_substring_regex(out, _ADDRESS_ANY), rules)
    return pc.replace_substring_regex(out, r"[^a-z0-9 ]+", " ")


def address_key(values: pd.Series) -> pd.Series:
    """Normalised street address: ``123 Main Street, Apt. 4`` and ``123 main st #4`` -> ``123 main st unit 4``.

    Case, accents and punctuation are dropped; street suffixes and directions take
    their USPS abbreviations; unit designators (Apartment, Apt, Suite, Unit, #) become
    ``unit``. An address without a digit (``-``, ``TBD``) is null.
    """
    return _to_series(_map_unique(values, _address_fn)["address"], values.index)


def address_key_codes(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """:func:`address_key` as integer codes (see :func:`title_key_codes`)."""
    return _key_codes(values, _address_fn, "address")


def _address_fn(arr: pa.Array) -> dict[str, pa.Array]:
    import pyarrow.compute as pc

    out = _squash(_address_words(arr))
    return {"address": pc.if_else(pc.match_substring_regex(out, r"\d"), out, None)}


def street_key(values: pd.Series, *, normalised: bool = False) -> pd.Series:
    """The street alone, without house number or unit: ``123 Main Street, Apt 4`` -> ``main st``.

    Offices tell two same-named customers apart by their street ("Chris Lee (Maple Ave)");
    this key lets such a qualifier meet the other systems' service addresses.

    Args:
        values: addresses or street names as written.
        normalised: the values are already :func:`address_key` output (skips re-normalising).
    """
    import pyarrow.compute as pc

    def fn(arr: pa.Array) -> dict[str, pa.Array]:
        out = arr if normalised else _address_words(arr)
        out = pc.replace_substring_regex(out, r"\s+unit\s*\S*.*$", "")
        out = pc.replace_substring_regex(out, r"^\s*\d+[a-z]?\s+", "")
        out = _squash(out)
        ok = pc.and_(pc.greater_equal(pc.utf8_length(out), 3), pc.match_substring_regex(out, r"[a-z]{2}"))
        return {"street": pc.if_else(pc.fill_null(ok, False), out, None)}

    return _to_series(_map_unique(values, fn)["street"], values.index)


def _title_fn(arr: pa.Array) -> dict[str, pa.Array]:
    import pyarrow.compute as pc

    out = pc.replace_substring_regex(_ascii_lower(arr), r"[^a-z0-9 ]+", " ")
    return {"title": _squash(out)}


def title_key(values: pd.Series) -> pd.Series:
    """Deal name, job title or memo made comparable: lower case, no accents or punctuation."""
    return _to_series(_map_unique(values, _title_fn)["title"], values.index)


def title_key_codes(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """:func:`title_key` as integer codes: (code per row, -1 for null; the distinct keys, as arrow text).

    The same as ``pd.factorize(title_key(values))`` (codes in order of first appearance),
    without spreading the keys to every row and hashing them again: the distinct titles
    are keyed and the keys factorised, then the codes are spread.
    """
    return _key_codes(values, _title_fn, "title")


def _key_codes(values: pd.Series, fn: Callable[[pa.Array], dict[str, pa.Array]], name: str) -> tuple[np.ndarray, pa.Array]:
    """Key ``name`` of ``fn`` as codes per row (-1 for null, first appearance) and the distinct keys (arrow text).

    The codes are int32 (a key per row of millions fits): the inputs are dictionary-encoded
    by pyarrow (as ``pd.factorize`` of the column does), and each row's key code is one
    lookup of its input's code. At a million jobs this held 26 MB per column where the
    factorize codes, their clipped copy and the ``np.where`` held 53 MB each (three run
    at once on two threads in the linker's customer step).
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    col = pa.array(values.astype(pd.StringDtype("pyarrow")).array)
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    enc = pc.dictionary_encode(col)  # (distinct inputs numbered by first appearance)
    del col
    arr = enc.dictionary.cast(pa.string())
    idx = pc.fill_null(enc.indices, -1)
    del enc
    keys = fn(arr)[name]
    # distinct inputs are numbered by first appearance, so the first input giving a key is
    # also the first row giving it: factorising per input keeps the per-row numbering
    kc, ku = pd.factorize(pd.arrays.ArrowStringArray(keys.cast(pa.string())), use_na_sentinel=True)
    # each input's key code, and -1 last: a null input (index -1) reads it
    lut = np.append(np.asarray(kc, dtype=np.int32), np.int32(-1))
    codes = lut[idx.to_numpy(zero_copy_only=False)]
    del idx
    # the distinct keys stay in arrow: a Python string per distinct email/phone/address held
    # through linking is ~190 MB at a million jobs (the linker reads the text of a few only)
    return codes, pa.array(ku, type=pa.string()) if len(ku) else pa.array([], type=pa.string())
