"""Record linkage: which records, across every source, are the same job (and the same customer).

Small businesses' tools rarely share an id: HubSpot has the deal "Smith – Kitchen
remodel", QuickBooks the customer "Smith, John", Jobber the client "John Smith" with
another email case and phone format. :func:`link_records` takes ONE normalised record
frame holding every source and puts each record into a job, in tiers, strongest first,
and records for every link how it was made and how sure it is:

1. **Overrides**: pins from ``[[links]]`` / ``links.csv`` come first; forbids are
   honoured by every later step.
2. **References**: Jobber ``Job #s`` / ``Invoice #s`` / quote numbers, an accounting
   invoice with the operations invoice's number (the Jobber -> QuickBooks sync keeps
   them), a job number in a memo, a deal id or job number in a custom property, a
   payment's invoice number.
3. **Customers**: each system's own customers first (same email or phone under two
   names is one customer, and a ``duplicate-customer``; same name with no conflicting
   email/phone is one customer), then across systems: exact email, exact phone, exact
   name with address, exact name, first initial, surname alone (deal names such as
   "Smith – Kitchen"), fuzzy name inside blocks (rapidfuzz). A customer whose name fits
   two customers of another system (two "Chris Lee") is *ambiguous*, never guessed.
4. **Jobs within a customer**: deals to jobs one to one; payments without a reference
   to the invoice they pay (amount, date); invoices without a reference to the job or
   won deal they bill (amount = total / a deposit share / a mirrored invoice, date inside
   the job's window, title); leftover payments to the customer's only open job.
   Two candidates that score alike make the record ``ambiguous``, with the candidates.

Never merged: two operations jobs, or two CRM deals, in one job.

Job keys: ``J-<job #>`` for a group holding an operations job, else ``D-<deal id>``,
else ``I-<invoice #>`` (accounting invoice first), else ``P-<payment #>``.

Everything is vectorised (pandas / numpy / pyarrow); normalisation runs on distinct
values only; fuzzy matching runs inside blocks with ``rapidfuzz.process.cdist``.

How it holds a million jobs (6.9M records) in about 1.8 GB beside its input: the
:class:`_Linker` keeps one numpy array per fact about each record ("node"), never a
Python object per record. Texts that repeat are small integer codes over a vocabulary
(:class:`_Vocab`, :class:`_Words`); dates are int16 days (:class:`_Days`); node ids,
tokens and pairs are int32, each widened where the data would not fit. Link details
are ids into one text pool (:class:`_Texts`). Before each phase, ``_keep_only`` drops
every attribute the remaining steps do not read (the ``*_READS`` sets say what each
phase reads) and ``release_freed`` returns the memory to the system. A scan links
with ``keep_links=False``: it never reads the link edges.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._memory import int_type
from .errors import BadValueError, ConfigError, MissingColumnError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "CONFIDENCE_BANDS",
    "METHOD_CONFIDENCE",
    "TIERS",
    "LinkOverride",
    "LinkResult",
    "MatchSettings",
    "RecordRef",
    "band",
    "coverage",
    "find_links_csv",
    "link_records",
    "load_overrides",
    "overrides_from_config",
    "unlinked",
]

#: Matching tiers that ``[matching] tiers`` can switch on or off, strongest first.
#: ``name`` covers exact name, name + address, first initial and surname alone;
#: ``fuzzy`` covers similar names (and similar names at one address).
TIERS: tuple[str, ...] = ("reference", "email", "phone", "name", "fuzzy")

#: How sure a link made by each method is (before the job choice within a customer).
METHOD_CONFIDENCE: dict[str, float] = {
    "pin": 1.0,
    "ref:job#": 1.0,
    "ref:invoice#": 1.0,
    "ref:quote#": 1.0,
    "ref:deal": 0.98,
    "reference": 0.95,
    "email": 0.95,
    "phone": 0.9,
    "name+address": 0.9,
    "name": 0.8,
    "fuzzy-name+address": 0.78,
    "name-initial": 0.72,
    "fuzzy-name": 0.7,
    "surname": 0.6,
    "amount+date": 0.85,
}

#: Confidence bands used by reports: (name, lowest confidence in the band).
CONFIDENCE_BANDS: tuple[tuple[str, float], ...] = (("high", 0.9), ("medium", 0.7), ("low", 0.0))

#: Tier names an identity can carry (index 0: not joined to another).
_TIER_NAMES: tuple[str, ...] = (
    "",
    "reference",
    "email",
    "phone",
    "name+address",
    "name",
    "name-initial",
    "surname",
    "fuzzy-name+address",
    "fuzzy-name",
)
#: Most customers one surname alone may point at before it is no lead (deals named "Smith – Deck").
_SURNAME_CAP = 150
#: Score taken off a job choice when the customer matched only on a weak key.
_WEAK_PENALTY = {"surname": 0.15, "fuzzy-name": 0.05, "name-initial": 0.05}


def _tier_arrays() -> tuple[Any, Any]:
    import numpy as np

    names = np.array(_TIER_NAMES, dtype=object)
    conf = np.array([2.0] + [METHOD_CONFIDENCE[t] for t in _TIER_NAMES[1:]])
    return names, conf


#: Record columns the linker reads per node (the rest stay on the input frame only).
_NODE_COLUMNS = frozenset(
    (
        "source", "role", "row", "customer", "company", "email", "phone", "address", "title",
        "job_refs", "invoice_refs", "deal_refs", "quote_refs", "state", "amount", "balance",
        "created", "completed", "closed", "scheduled", "paid",
    )
)

# group key precedence; accounting invoice 3, other invoice 2, payments 1
_SYSTEM_ALIASES = {
    "qbo": "quickbooks",
    "qb": "quickbooks",
    "quickbooks online": "quickbooks",
    "hs": "hubspot",
    "pd": "pipedrive",
}
_KEY_TYPES = {"J": "job", "D": "deal", "I": "invoice", "P": "payment"}


def band(confidence: float) -> str:
    """The confidence band (``high`` / ``medium`` / ``low``) of a link confidence."""
    for name, lo in CONFIDENCE_BANDS:
        if confidence >= lo:
            return name
    return "low"


# =========================================================================== settings


@dataclass
class MatchSettings:
    """Matching settings, from the ``[matching]`` table of ``driftcheck.toml``.

    Every field has a safe default; :meth:`from_dict` validates a table and names the
    offending key. Example::

        [matching]
        phone_region = "CA"            # numbers written without +country are read here
        tiers = ["reference", "email", "phone", "name"]   # no fuzzy names
        fuzzy_threshold = 92           # 0-100 similarity a fuzzy name needs
        match_invoice_numbers = false  # accounting and operations number invoices apart
    """

    #: Region (ISO 3166 code) for phone numbers written without a country code.
    phone_region: str = "US"
    #: Tiers switched on (see :data:`TIERS`).
    tiers: tuple[str, ...] = TIERS
    #: rapidfuzz ratio (0-100) two names need to be a fuzzy match.
    fuzzy_threshold: float = 90.0
    #: A fuzzy best candidate must beat a conflicting runner-up by this many points.
    fuzzy_margin: float = 4.0
    #: Similarity (0-100) two names at one address need to be reported as one customer.
    duplicate_threshold: float = 88.0
    #: Lowest score (0-1) of amount, date and title for placing a record on a job.
    min_job_score: float = 0.55
    #: A chosen job must beat the runner-up by this score (0-1), or the record is ambiguous.
    job_margin: float = 0.12
    #: Relative difference under which two amounts are equal (0.01 = 1%; at least 1.00).
    amount_tolerance: float = 0.01
    #: An accounting invoice with an operations invoice's number is that invoice (Jobber -> QBO sync).
    match_invoice_numbers: bool = True
    #: An email or phone on more than this many different customers of one system is a
    #: placeholder (the office's own number) and is not used for matching.
    shared_key_limit: int = 4
    #: A name shared by more customers than this is too common to link on by itself.
    max_name_candidates: int = 40

    _KEYS = (
        "phone_region",
        "tiers",
        "fuzzy_threshold",
        "fuzzy_margin",
        "duplicate_threshold",
        "min_job_score",
        "job_margin",
        "amount_tolerance",
        "match_invoice_numbers",
        "shared_key_limit",
        "max_name_candidates",
    )

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None, *, file: str | Path | None = None) -> MatchSettings:
        """Build settings from a ``[matching]`` table.

        Raises:
            ConfigError: on an unknown key or a bad value, naming ``matching.<key>``.
        """
        d = dict(d or {})
        out = cls()
        for key, value in d.items():
            where = f"matching.{key}"
            if key not in cls._KEYS:
                known = ", ".join(cls._KEYS)
                raise ConfigError(f"unknown setting; known settings are {known}", file=file, key=where)
            if key == "phone_region":
                if not isinstance(value, str):
                    raise ConfigError(f'expected a region code such as "US", found {value!r}', file=file, key=where)
                import phonenumbers

                if value.upper() not in phonenumbers.SUPPORTED_REGIONS:
                    raise ConfigError(
                        f'unknown phone region {value!r}; use an ISO 3166 code such as "US", "CA", "GB"',
                        file=file,
                        key=where,
                    )
                out.phone_region = value.upper()
            elif key == "tiers":
                if not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value):
                    raise ConfigError(f"expected a list of tier names, found {value!r}", file=file, key=where)
                bad = [t for t in value if t not in TIERS]
                if bad:
                    raise ConfigError(f"unknown tier {bad[0]!r}; tiers are {', '.join(TIERS)}", file=file, key=where)
                out.tiers = tuple(t for t in TIERS if t in value)
            elif key in ("match_invoice_numbers",):
                if not isinstance(value, bool):
                    raise ConfigError(f"expected true or false, found {value!r}", file=file, key=where)
                setattr(out, key, value)
            elif key in ("shared_key_limit", "max_name_candidates"):
                if isinstance(value, bool) or not isinstance(value, int) or value < 2:
                    raise ConfigError(f"expected a whole number of at least 2, found {value!r}", file=file, key=where)
                setattr(out, key, value)
            else:
                lo, hi = {
                    "fuzzy_threshold": (50, 100),
                    "fuzzy_margin": (0, 50),
                    "duplicate_threshold": (50, 100),
                    "min_job_score": (0, 1),
                    "job_margin": (0, 1),
                    "amount_tolerance": (0, 0.5),
                }[key]
                if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
                    raise ConfigError(f"expected a number from {lo} to {hi}, found {value!r}", file=file, key=where)
                setattr(out, key, float(value))
        return out

    def as_dict(self) -> dict[str, Any]:
        """The settings as a ``[matching]`` table (tiers as a list)."""
        return {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v) for f in fields(self)}


# =========================================================================== overrides


@dataclass(frozen=True)
class RecordRef:
    """How an override names a record: ``"quickbooks invoice 1043"``, ``"hubspot 987"``, ``"J-1042"``.

    ``who`` is a source name or a system name (``qbo``, ``quickbooks``, ``jobber``...),
    ``record_type`` is optional; a job key (``J-1042``, ``D-987``, ``I-1043``, ``P-55``)
    names the job / deal / invoice / payment with that id in any source.
    """

    text: str
    record_id: str
    who: str | None = None
    record_type: str | None = None

    @classmethod
    def parse(cls, text: str) -> RecordRef:
        """Parse a reference; raise ``ValueError`` with a plain reason when it cannot be read."""
        raw = str(text).strip()
        m = re.fullmatch(r"([JDIP])-(\S+)", raw)
        if m:
            return cls(text=raw, record_id=m.group(2), record_type=_KEY_TYPES[m.group(1)])
        tokens = [t for t in re.split(r"[\s:]+", raw) if t]
        if len(tokens) < 2:
            raise ValueError("expected '<source or system> [<record type>] <id>' or a job key such as J-1042")
        rid = tokens[-1].lstrip("#")
        rtype = None
        rest = tokens[:-1]
        t = rest[-1].lower().rstrip("s") if rest else ""
        if t in ("deal", "job", "invoice", "payment", "deposit") and len(rest) > 1:
            rtype, rest = t, rest[:-1]
        if not rid:
            raise ValueError("the record id is empty")
        return cls(text=raw, record_id=rid, who=" ".join(rest), record_type=rtype)

    def __str__(self) -> str:
        return self.text


@dataclass
class LinkOverride:
    """A consultant's decision the data cannot make: pin two records into one job, or forbid it.

    From ``driftcheck.toml``::

        [[links]]
        pin = ["quickbooks invoice 1043", "J-1042"]
        reason = "paid in cash, invoice memo lost"

        [[links]]
        forbid = ["hubspot deal 9871", "J-1050"]

    or a ``links.csv`` beside the exports (or the config)::

        action,a,b,reason
        pin,quickbooks invoice 1043,J-1042,paid in cash
        forbid,hubspot deal 9871,J-1050,different Chris Lee
    """

    action: str  #: ``pin`` | ``forbid``
    a: RecordRef
    b: RecordRef
    reason: str = ""
    origin: str = ""  #: where it was written: ``driftcheck.toml [[links]] #1``, ``links.csv row 3``


def load_overrides(
    config_links: Sequence[dict[str, Any]] | None,
    links_csv: Path | None,
    *,
    config_file: str | Path | None = None,
) -> list[LinkOverride]:
    """Read link overrides from ``[[links]]`` tables and/or a ``links.csv``.

    Args:
        config_links: the parsed ``[[links]]`` array of ``driftcheck.toml`` (may be empty).
        links_csv: a ``links.csv`` with columns ``action,a,b,reason`` (``action`` and
            ``reason`` optional; ``action`` defaults to ``pin``), or None.
        config_file: the config file's path, for error messages.

    Raises:
        ConfigError: a ``[[links]]`` entry is malformed (names ``links[N].<key>``).
        MissingColumnError / BadValueError: ``links.csv`` lacks a column or has a bad value.
    """
    out: list[LinkOverride] = []
    cfg_name = Path(config_file).name if config_file else "driftcheck.toml"
    for i, entry in enumerate(config_links or ()):
        where = f"links[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError("each [[links]] entry must be a table", file=config_file, key=where)
        unknown = set(entry) - {"pin", "forbid", "a", "b", "action", "reason"}
        if unknown:
            raise ConfigError(
                f"unknown key {sorted(unknown)[0]!r}; use pin = [A, B] or forbid = [A, B], and reason",
                file=config_file,
                key=f"{where}.{sorted(unknown)[0]}",
            )
        if ("pin" in entry) + ("forbid" in entry) + ("a" in entry) != 1:
            raise ConfigError(
                "give exactly one of pin = [A, B] or forbid = [A, B] (or a, b and action)", file=config_file, key=where
            )
        if "a" in entry:
            action = str(entry.get("action", "pin")).lower()
            pair = [entry.get("a"), entry.get("b")]
            key = where
        else:
            action = "pin" if "pin" in entry else "forbid"
            pair = entry[action]
            key = f"{where}.{action}"
        if action not in ("pin", "forbid"):
            raise ConfigError(
                f"action must be pin or forbid, found {action!r}", file=config_file, key=f"{where}.action"
            )
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(x, str) and x.strip() for x in pair)
        ):
            raise ConfigError(
                f'expected two record references such as ["quickbooks invoice 1043", "J-1042"], found {pair!r}',
                file=config_file,
                key=key,
            )
        try:
            a, b = RecordRef.parse(pair[0]), RecordRef.parse(pair[1])
        except ValueError as exc:
            raise ConfigError(f"{exc}; found {pair!r}", file=config_file, key=key) from None
        out.append(LinkOverride(action, a, b, str(entry.get("reason", "")), f"{cfg_name} [[links]] #{i + 1}"))
    if links_csv is not None:
        out.extend(_read_links_csv(Path(links_csv)))
    return out


def _read_links_csv(path: Path) -> list[LinkOverride]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="cp1252")
    except OSError as exc:
        raise BadValueError(f"cannot read the links file: {exc.strerror}", file=path) from None
    rows = list(csv.reader(text.splitlines()))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    for col in ("a", "b"):
        if col not in header:
            raise MissingColumnError(
                f"the links file needs a column '{col}'",
                file=path,
                row=1,
                column=col,
                found=",".join(rows[0]),
                expected="a header action,a,b,reason",
            )
    ix = {h: i for i, h in enumerate(header)}
    out = []
    for n, row in enumerate(rows[1:], start=2):
        cell = {h: (row[i].strip() if i < len(row) else "") for h, i in ix.items()}
        action = (cell.get("action") or "pin").lower()
        if action not in ("pin", "forbid"):
            raise BadValueError(
                "unknown action", file=path, row=n, column="action", found=cell.get("action"), expected="pin or forbid"
            )
        refs = []
        for col in ("a", "b"):
            try:
                refs.append(RecordRef.parse(cell[col]))
            except ValueError as exc:
                raise BadValueError(
                    str(exc),
                    file=path,
                    row=n,
                    column=col,
                    found=cell[col],
                    expected="e.g. 'quickbooks invoice 1043' or 'J-1042'",
                ) from None
        out.append(LinkOverride(action, refs[0], refs[1], cell.get("reason", ""), f"{path.name} row {n}"))
    return out


def find_links_csv(paths: Iterable[Path], base_dir: Path | None = None) -> Path | None:
    """The ``links.csv`` to use: beside the config (``base_dir``) first, else in a scanned folder."""
    candidates = []
    if base_dir is not None:
        candidates.append(Path(base_dir) / "links.csv")
    for p in paths:
        p = Path(p)
        candidates.append(p / "links.csv" if p.is_dir() else p.parent / "links.csv")
    for c in candidates:
        if c.is_file():
            return c
    return None


def overrides_from_config(
    raw: dict[str, Any] | None,
    *,
    config_file: str | Path | None = None,
    base_dir: Path | None = None,
    paths: Iterable[Path] = (),
) -> tuple[MatchSettings, list[LinkOverride]]:
    """Settings and overrides from a parsed ``driftcheck.toml`` (``[matching]``, ``[[links]]``) and ``links.csv``."""
    raw = raw or {}
    matching = raw.get("matching", {})
    if not isinstance(matching, dict):
        raise ConfigError("[matching] must be a table", file=config_file, key="matching")
    links = raw.get("links", [])
    if not isinstance(links, list):
        raise ConfigError("links must be an array of tables: [[links]]", file=config_file, key="links")
    settings = MatchSettings.from_dict(matching, file=config_file)
    return settings, load_overrides(links, find_links_csv(paths, base_dir), config_file=config_file)


# =========================================================================== result


@dataclass
class LinkResult:
    """What :func:`link_records` found.

    Attributes:
        records: the input frame plus ``job`` (key), ``link_method``, ``link_confidence``
            (0-1), ``customer_key``, ``link_choice`` (how the job was chosen within the
            customer), ``link_detail`` (the evidence, in words; missing throughout when
            linked with ``keep_links=False``) and ``dangling_ref`` (references that point at
            no record). ``link_method``, ``link_choice`` and
            ``dangling_ref`` are categoricals (a handful of values over millions of records).
        links: one row per link edge: ``source_a, record_a, source_b, record_b, method,
            confidence, detail``.
        ambiguous: one row per record that fits several jobs: ``source, record_id,
            record_type, customer, candidates ("J-1,J-2"), reason``.
        duplicates: one row per duplicate-customer group: ``system, source, group,
            names, record_ids, records ({source: [ids]}), evidence``.
        overrides_applied: sentences saying which overrides were honoured and how.
        warnings: overrides that could not be applied, placeholder emails/phones ignored.
    """

    records: pd.DataFrame
    _links: pd.DataFrame | Callable[[], pd.DataFrame] | None = field(repr=False)
    ambiguous: pd.DataFrame
    duplicates: pd.DataFrame
    overrides_applied: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    settings: MatchSettings = field(default_factory=MatchSettings)
    #: each record's job as an integer, equal exactly where ``records["job"]`` is equal (None:
    #: not known); the job table numbers jobs from it instead of hashing every key's text
    job_codes: np.ndarray | None = field(default=None, repr=False)

    @property
    def links(self) -> pd.DataFrame:
        """The link edges, built on first use: a scan never reads them, and at a million jobs
        their 5.7M rows of text took seconds and a gigabyte (``driftcheck links`` reads them).

        Raises:
            ValueError: the records were linked with ``keep_links=False`` (as a scan does).
        """
        if self._links is None:
            raise ValueError("link edges were not kept: link with link_records(..., keep_links=True)")
        if callable(self._links):
            self._links = self._links()
        return self._links


def link_records(
    records: pd.DataFrame,
    settings: MatchSettings | None = None,
    overrides: Sequence[LinkOverride] = (),
    *,
    keep_links: bool = True,
) -> LinkResult:
    """Decide which records belong to the same job, and say how each link was made.

    Args:
        records: one record frame (``RECORD_SCHEMA`` columns) holding every source.
        settings: matching settings (defaults: :class:`MatchSettings`).
        overrides: pins and forbids (:func:`load_overrides`).
        keep_links: keep the evidence: every link edge for :attr:`LinkResult.links`, and each
            record's ``link_detail`` sentence. A scan reads neither, only the records' jobs:
            at a million jobs the edges (with what building them needs) held 740 MB through
            every later stage, and the sentences 183 MB.

    Returns:
        A :class:`LinkResult`.
    """
    # (no trim here: the scan's next steps reuse the memory the linker freed, faulting no new pages)
    return _Linker(records, settings or MatchSettings(), list(overrides), keep_links=keep_links).run()


# =========================================================================== small vector helpers


def _union(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of ``n`` items joined by edges ``a[i]-b[i]``: a label (the smallest member) per item."""
    import numpy as np

    # (labels in int32 when they fit: the customer tiers hold several per-identity arrays of
    # them, 2.2M identities at a million jobs; callers widen before combining two into one int)
    dt = int_type(n)
    lab = np.arange(n, dtype=dt)
    a = np.asarray(a, dtype=dt)
    b = np.asarray(b, dtype=dt)
    while len(a):
        la, lb = lab[a], lab[b]
        m = np.minimum(la, lb)
        np.minimum.at(lab, la, m)
        np.minimum.at(lab, lb, m)
        while True:
            nxt = lab[lab]
            if np.array_equal(nxt, lab):
                break
            lab = nxt
        keep = lab[a] != lab[b]
        a, b = a[keep], b[keep]
    return lab


def _arrow_text(values: pd.Series) -> pa.Array:
    """A text column as one pyarrow array (its chunks combined once)."""
    import pyarrow as pa

    arr = pa.array(values.astype("string[pyarrow]").array)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _explode_arrow(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """Split comma/semicolon/"and" lists of references: (row positions, tokens as a pyarrow ``large_string`` array)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = _arrow_text(values)
    ok = pc.is_valid(arr)
    if not pc.any(ok).as_py():
        return np.array([], dtype=np.int64), pa.array([], type=pa.large_string())
    rows = None
    if arr.null_count:
        # most records name no reference: the kernels below run on the values present only
        rows = np.flatnonzero(ok.to_numpy(zero_copy_only=False))
        arr = arr.filter(ok)
    # only a value holding a separator's character can be a list: the regex splits those alone
    maybe = pc.or_(
        pc.or_(pc.match_substring(arr, ","), pc.match_substring(arr, ";")),
        pc.or_(pc.match_substring(arr, "&"), pc.match_substring(arr, "and")),
    )
    many = pc.indices_nonzero(maybe)
    one = pc.indices_nonzero(pc.invert(maybe))
    lists = pc.split_pattern_regex(arr.take(many), r"\s*[,;]\s*|\s+and\s+|\s+&\s+")
    many = many.to_numpy()
    parent = np.concatenate([one.to_numpy(), many[pc.list_parent_indices(lists).to_numpy()]])
    # tokens back in row order (a list's tokens stay in their order)
    order = np.argsort(parent, kind="stable")
    flat = pa.concat_arrays([arr.take(one), pc.list_flatten(lists)]).take(order)
    parent = parent[order]
    tok = pc.utf8_trim(pc.utf8_trim_whitespace(flat), "#")
    tok = pc.utf8_trim_whitespace(tok)
    good = pc.not_equal(tok, "")
    # (row positions in int32 when they fit: millions of tokens at a million jobs)
    parent = parent[good.to_numpy(zero_copy_only=False)].astype(int_type(len(values)))
    if rows is not None:
        parent = rows.astype(parent.dtype)[parent]
    return parent, tok.filter(good).cast(pa.large_string())


def _codes(*columns: Any, numbered: bool = True) -> np.ndarray:
    """One int code per row for the combination of ``columns`` (nulls count as a value).

    Cheaper than concatenating strings: each column is factorised once (integer columns
    below 2**31 are taken as they are) and the codes are paired up, re-factorised only when
    the next pairing could overflow. With ``numbered``
    false, the codes are only equal where the combinations are (not numbered 0, 1, ...
    by first appearance), which is all that de-duplication needs.
    """
    import numpy as np
    import pandas as pd

    from . import _fastpaths

    fast = _fastpaths.enabled()  # the plain twin factorises every column
    out: np.ndarray | None = None
    card = 0  # exclusive upper bound of ``out`` (a Python int: no overflow)
    for col in columns:
        col = np.asarray(col) if not hasattr(col, "array") else col
        ints = fast and isinstance(col, np.ndarray) and col.dtype.kind in "iu" and len(col) and col.min() >= -1
        if len(columns) > 1 and ints and col.max() < 2**31 - 1:
            # integer codes already (-1: none; ids, cluster labels): used as they are (two fit in
            # one int64 without hashing either), the last step numbers the combination
            c = np.add(col, 1, dtype=np.int64)  # one pass: no int64 copy before the add
            radix = int(c.max()) + 1
        else:
            c, uniq = pd.factorize(col, use_na_sentinel=True)
            c = np.add(c, 1, dtype=np.int64)
            radix = len(uniq) + 1
        if out is None:
            out, card = c, radix
            continue
        if card * radix >= 2**62:
            # re-number densely only when the mixed-radix code could overflow
            out, u = pd.factorize(out)
            out, card = out.astype(np.int64), len(u)
        # in place: ``out`` is always an array made here (never a caller's column)
        out *= radix
        out += c
        card *= radix
    assert out is not None
    if len(columns) > 1 and numbered:
        # first-appearance numbering of the combination, as if re-factorised after every column
        out, _ = pd.factorize(out)
        out = out.astype(np.int64)
    return out


def _first_rows(*columns: np.ndarray) -> np.ndarray:
    """Mask of the first row of each distinct combination of integer ``columns`` (``drop_duplicates``)."""
    import pandas as pd

    from . import _fastpaths

    if not _fastpaths.enabled():  # the plain twin: drop_duplicates on a frame of the columns
        return ~pd.DataFrame({str(i): c for i, c in enumerate(columns)}).duplicated().to_numpy()
    return ~pd.Series(_codes(*columns, numbered=False)).duplicated().to_numpy()


def _join_by(groups: np.ndarray, values: np.ndarray, sep: str, *, sort: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Join the distinct ``values`` of each group (first-seen order, or sorted): (group ids, joined strings).

    One pass over sorted arrays instead of a Python function per pandas group.
    """
    import numpy as np
    import pandas as pd

    f = pd.DataFrame({"g": groups, "v": values}).drop_duplicates()
    f = f.sort_values(["g", "v"] if sort else ["g"], kind="stable")
    g = f["g"].to_numpy()
    v = f["v"].to_numpy(object)
    if not len(g):
        return g, np.array([], dtype=object)
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    ends = np.r_[starts[1:], len(g)]
    joined = np.array(
        [sep.join(map(str, v[a:b])) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)], dtype=object
    )
    return g[starts], joined


def _dict_codes(values: pd.Series) -> np.ndarray:
    """Codes of a text column (-1 for null; equal text, equal code, below the row count) by
    one pyarrow dense ``rank``: the codes number the distinct texts in sorted order, not by
    first appearance (callers need equality only).

    Not ``dictionary_encode`` (nor ``pd.factorize``, which calls it): for millions of distinct
    record ids its hash table and dictionary took 840 MB of pyarrow's pool at a million jobs,
    the sort 105 MB, and the rank is faster (1.9 s against 2.6 s).
    """
    import numpy as np
    import pyarrow.compute as pc

    from . import _fastpaths

    if not _fastpaths.enabled():  # the plain twin: pandas' factorize
        import pandas as pd

        return np.asarray(pd.factorize(values, use_na_sentinel=True)[0], dtype=np.int64)
    arr = _arrow_text(values)
    # (nulls rank after every text, all alike: set to -1 below)
    rank = pc.rank(arr, sort_keys="ascending", tiebreaker="dense")
    codes = rank.to_numpy().astype(np.int64)
    del rank
    codes -= 1
    if arr.null_count:
        codes[pc.is_null(arr).to_numpy(zero_copy_only=False)] = -1
    return codes


def _coded(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 for null) and the distinct values, with ``""`` at the end so ``u[c]`` reads text."""
    import numpy as np
    import pandas as pd

    c, u = pd.factorize(values)
    uniq = np.append(np.asarray(u, dtype=object), "")
    return c.astype(int_type(len(uniq))), uniq


def _take_str(uniques: Any, codes: np.ndarray, *, nan: bool = False) -> pd.api.extensions.ExtensionArray:
    """A ``string[pyarrow]`` array of ``uniques[codes]`` (null where the code is -1), built by pyarrow ``take``.

    ``uniques`` may be a pyarrow array already. With ``nan``, the array has the ``str``
    dtype pandas gives a column built from Python strings (missing is NaN, not NA).
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if isinstance(uniques, pa.Array):
        d = uniques.cast(pa.large_string())
    else:
        d = pa.array(np.asarray(uniques, dtype=object), type=pa.large_string(), from_pandas=True)
    codes = np.asarray(codes, dtype=np.int64)
    idx = pa.array(codes, mask=codes < 0, type=pa.int64())
    if nan:
        return pd.array(d.take(idx), dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    return pd.arrays.ArrowStringArray(d.take(idx))


def _take_text(texts: pa.Array, idx: np.ndarray) -> np.ndarray:
    """``texts[idx]`` of an arrow text array, as an object array (for the few items read as text)."""
    import numpy as np
    import pyarrow as pa

    return np.asarray(texts.take(pa.array(np.asarray(idx, dtype=np.int64))).to_numpy(zero_copy_only=False), dtype=object)


def _take_cat(uniques: Any, codes: np.ndarray) -> pd.Categorical:
    """``uniques[codes]`` as a categorical (missing where the code is -1), for a column with a
    handful of values: a code per record instead of a string (7M records: 7 MB, not 110 MB)."""
    import numpy as np
    import pandas as pd

    values = np.asarray(uniques, dtype=object)
    # the values may repeat, categories may not: each value's category (-1: a missing value)
    value_cat, categories = pd.factorize(values, sort=True)
    codes = np.asarray(codes, dtype=np.int64)
    cat = np.append(value_cat, -1)[np.where(codes >= 0, codes, len(values))]
    return pd.Categorical.from_codes(cat, dtype=pd.CategoricalDtype(pd.Index(categories, dtype="string[pyarrow]")))


def _top2(keys: np.ndarray, vals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the best and second-best value among rows of its key, and the row holding the second.

    The second is -1 (and its row -1) when the key has one row.
    """
    import numpy as np

    n = len(keys)
    if not n:
        e = np.zeros(0)
        return e, e, np.zeros(0, dtype=np.int64)
    order = np.lexsort((-vals, keys))
    k, v = keys[order], vals[order]
    start = np.r_[True, k[1:] != k[:-1]]
    grp = np.cumsum(start) - 1
    head = np.flatnonzero(start)
    nxt = np.minimum(head + 1, n - 1)
    has2 = (head + 1 < n) & (k[nxt] == k[head])
    best_g = v[head]
    second_g = np.where(has2, v[nxt], -1.0)
    second_row_g = np.where(has2, order[nxt], -1)
    best = np.empty(n)
    second = np.empty(n)
    second_row = np.empty(n, dtype=np.int64)
    best[order] = best_g[grp]
    second[order] = second_g[grp]
    second_row[order] = second_row_g[grp]
    return best, second, second_row


def _str_cats(values: Any) -> np.ndarray | None:
    """The categories of a categorical Series of text, as an object array (None when not one)."""
    import numpy as np
    import pandas as pd

    if not isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        return None
    cats = np.asarray(values.cat.categories, dtype=object)
    if not all(type(c) is str for c in cats.tolist()):
        return None
    return cats


def _text_codes(values: pd.Series, fallback: pd.Series | None = None) -> np.ndarray:
    """Per row, an integer standing for the text of ``values`` (else of ``fallback``; "" when both are missing).

    Equal text, equal integer. Categorical columns are read by their codes; others give
    their text (an object array, for :func:`_codes` to factorise).
    """
    import numpy as np
    import pandas as pd

    cols = [values] if fallback is None else [values, fallback]
    cats = [_str_cats(c) for c in cols]
    if any(c is None for c in cats):
        text = _text(values)
        if fallback is not None:
            text = np.where(values.isna().to_numpy(), _text(fallback), text)
        return text
    # one numbering of every category's text (and ""), then each column's codes through it
    num, _ = pd.factorize(np.concatenate([*cats, np.array([""], dtype=object)]))
    num = num.astype(np.int64)
    out = np.full(len(values), num[-1], dtype=np.int64)
    at = sum(len(c) for c in cats)
    for col, c in reversed(list(zip(cols, cats, strict=True))):
        at -= len(c)
        code = col.cat.codes.to_numpy()
        out = np.where(code >= 0, num[at + np.maximum(code, 0)], out)
    return out


def _vocab_of(values: pd.Series, fallback: pd.Series | None = None, rows: np.ndarray | None = None) -> _Vocab:
    """``_Vocab`` of the text of ``values`` (else of ``fallback``) at ``rows`` (all when None).

    Categorical columns are numbered by their codes and only the first row of each distinct
    value is read as text: no object array of every row's text (55 MB a column at a million
    jobs) and no hashing of one. The numbering is the same (first appearance, equal text equal code).
    """
    import numpy as np
    import pandas as pd

    keys = _text_codes(values, fallback)
    if rows is not None:
        keys = keys[rows]
    if keys.dtype == object:  # (not categorical: the text itself)
        return _Vocab(keys)
    c, u = pd.factorize(keys)
    at = _firsts(c)
    if rows is not None:
        at = rows[at]
    words = _text(values.iloc[at])
    if fallback is not None:
        words = np.where(values.iloc[at].isna().to_numpy(), _text(fallback.iloc[at]), words)
    return _Vocab.of(c.astype(_code_type(len(u) + 1)), np.append(np.asarray(words, dtype=object), ""))


def _text(values: pd.Series) -> np.ndarray:
    """Values as text (``string[pyarrow]`` semantics), an object array with ``""`` for missing."""
    if _str_cats(values) is not None:
        return _str_or_empty(values)
    return _str_or_empty(values.astype("string[pyarrow]"))


def _str_or_empty(values: pd.Series) -> np.ndarray:
    import numpy as np

    cats = _str_cats(values)
    if cats is not None:
        # a categorical column (source, system, role, state...): look the few categories up by code
        return np.append(cats, "").astype(object)[values.cat.codes.to_numpy()]
    return np.asarray(values.astype(object).where(values.notna(), ""), dtype=object)


def _ratio(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """rapidfuzz ratio (0-100) of aligned pairs of strings."""
    import numpy as np
    from rapidfuzz import fuzz, process

    if len(a) == 0:
        return np.zeros(0)
    return np.asarray(process.cpdist(list(a), list(b), scorer=fuzz.ratio, workers=-1), dtype=float)


def _same_or_close_at(text: np.ndarray, x: np.ndarray, y: np.ndarray, ok: np.ndarray, cutoff: float) -> np.ndarray:
    """``ok | (_ratio(text[x], text[y]) >= cutoff)``, reading and scoring text only for the pairs not ``ok``."""
    import numpy as np

    out = np.array(ok, dtype=bool, copy=True)
    rest = np.flatnonzero(~out)
    if len(rest):
        out[rest] = _ratio(text[x[rest]], text[y[rest]]) >= cutoff
    return out


def _token_set(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    import numpy as np
    from rapidfuzz import fuzz, process

    if len(a) == 0:
        return np.zeros(0)
    return np.asarray(process.cpdist(list(a), list(b), scorer=fuzz.token_set_ratio, workers=-1), dtype=float)


def _is_codes(values: Any) -> bool:
    """Whether ``values`` is an integer array (vocabulary codes or text ids), not text."""
    import numpy as np

    return isinstance(values, np.ndarray) and values.dtype.kind in "iu"


def _first_per(keys: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Positions (in ``order`` order) of the first row of each distinct key."""
    import numpy as np

    # (without an order, the keys are read in place: no copy of millions of merge edges' keys)
    k = keys if order is None else keys[order]
    if not len(k):
        return np.zeros(0, dtype=np.int64) if order is None else order[:0]
    hi = int(k.max())
    if k.min() < 0 or hi >= 4 * len(k) + 65536:
        _, first = np.unique(k, return_index=True)
        first = np.sort(first)
        return first if order is None else order[first]
    # small non-negative keys (group ids): the first position per key without sorting
    pos = int_type(len(k))
    at = np.full(hi + 1, len(k), dtype=pos)
    np.minimum.at(at, k, np.arange(len(k), dtype=pos))
    mark = np.zeros(len(k), dtype=bool)
    mark[at[at < len(k)]] = True
    return np.flatnonzero(mark) if order is None else order[mark]


def _narrow_bits(masks: np.ndarray) -> np.ndarray:
    """Non-negative bit masks in the narrowest unsigned type that holds them (the same bits)."""
    import numpy as np

    hi = int(masks.max()) if len(masks) else 0
    for t in (np.uint8, np.uint16, np.uint32):
        if hi <= np.iinfo(t).max and (not len(masks) or masks.min() >= 0):
            return masks.astype(t)
    return masks


def _code_type(n: int) -> type:
    """The integer type for codes of ``n`` distinct values (and -1): a byte for a handful."""
    import numpy as np

    return np.int8 if n < 2**7 else np.int16 if n < 2**15 else np.int32


def _firsts(codes: np.ndarray) -> np.ndarray:
    """Position of the first row of each code 0, 1, 2..., for codes numbered by first appearance (no -1).

    The row where a code first appears is the row where it exceeds every code before it: a
    running maximum, instead of ``np.minimum.at`` over every row (5x slower at millions).
    """
    import numpy as np

    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    new = np.empty(len(codes), dtype=bool)
    new[0] = True
    np.greater(codes[1:], np.maximum.accumulate(codes)[:-1], out=new[1:])
    return np.flatnonzero(new)


def _node_codes(kind: np.ndarray, rid: np.ndarray, no_id: np.ndarray, pay: np.ndarray, extra: list) -> np.ndarray:
    """Per row, its node, numbered by first appearance: rows of one kind (system, record type)
    with one record id (codes ``rid``) are one node; payments (rows ``pay``) also need equal
    ``extra`` parts (codes per payment row); a row without an id is a node of its own.
    """
    import numpy as np
    import pandas as pd

    from . import _fastpaths

    n = len(rid)
    n_kind = int(kind.max()) + 1 if n else 1
    if not _fastpaths.enabled():  # the plain twin: one combined code per row, factorised
        codes = kind.astype(np.int64) * (int(rid.max()) + 2 if n else 1) + (rid + 1)
        if len(pay):
            codes[pay] = int(codes.max()) + 1 + _codes(codes[pay], *extra)
        codes = np.where(no_id, -1 - np.arange(n), codes)
        return np.asarray(pd.factorize(codes)[0], dtype=np.int64)
    # each row's first row of its node; numbering the nodes by those first rows needs no hash
    # table of millions of codes (a record id usually has one kind: the first row of the id is
    # the node's, and only the rows of another kind under an id already seen are factorised)
    first = np.arange(n)
    is_pay = np.zeros(n, dtype=bool)
    is_pay[pay] = True
    rows = np.flatnonzero(~no_id & ~is_pay)
    if len(rows):
        rr = rid[rows]
        at = np.full(int(rr.max()) + 1, n, dtype=np.int64)
        np.minimum.at(at, rr, rows)  # the id's first row
        own = kind[rows] == kind[at[rr]]
        first[rows[own]] = at[rr[own]]
        other = rows[~own]
        if len(other):
            c = np.asarray(pd.factorize(rid[other].astype(np.int64) * n_kind + kind[other])[0])
            first[other] = other[_firsts(c)][c]
    if len(pay):
        c = _codes(rid[pay].astype(np.int64) * n_kind + kind[pay], *extra)
        first[pay] = pay[_firsts(c)][c]
    node = np.zeros(n, dtype=bool)
    node[first] = True
    return (np.cumsum(node) - 1)[first]


def _inner_join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs (left position, right position) with equal integer keys.

    In the order of a pandas inner merge: left rows in their order, and for each the
    matching right rows in theirs; found by a stable argsort and binary search.
    """
    import numpy as np
    import pandas as pd

    from . import _fastpaths

    if not _fastpaths.enabled():  # the plain twin: a pandas merge of positions
        m = pd.DataFrame({"k": left, "li": np.arange(len(left))}).merge(
            pd.DataFrame({"k": right, "ri": np.arange(len(right))}), on="k"
        )
        return m["li"].to_numpy(np.int64), m["ri"].to_numpy(np.int64)
    order = np.argsort(right, kind="stable")
    if not len(left) or not len(right):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lo_key = min(int(left.min()), int(right.min()))
    hi_key = max(int(left.max()), int(right.max()))
    if lo_key >= 0 and hi_key < 4 * (len(left) + len(right)) + 65536:
        # small non-negative keys (codes): where each key's rows start, by counting
        counts = np.bincount(right, minlength=hi_key + 1)
        n = counts[left]
        lo = (np.cumsum(counts) - counts)[left]
    else:
        rs = right[order]
        lo = np.searchsorted(rs, left, "left")
        n = np.searchsorted(rs, left, "right") - lo
    li = np.repeat(np.arange(len(left)), n)
    within = np.arange(len(li)) - np.repeat(np.cumsum(n) - n, n)
    return li, order[np.repeat(lo, n) + within]


def _pairs_within(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every unordered pair of distinct rows with equal integer keys, once: (row x, row y), x before y by key order.

    Half the pairs of ``_inner_join(keys, keys)`` (which also holds each row with itself and
    every pair both ways), for callers that only need the set of pairs.
    """
    import numpy as np

    from . import _fastpaths

    n = len(keys)
    if not _fastpaths.enabled():  # the plain twin: the full self-join, one orientation kept
        x, y = _inner_join(keys, keys)
        keep = x < y
        return x[keep], y[keep]
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    start = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    del k
    end = np.r_[start[1:], n]
    # each sorted position pairs with the later positions of its block
    cnt = np.repeat(end, end - start) - np.arange(n) - 1
    # positions in the narrowest integer that holds them: the name tier makes 8M pairs at a
    # million jobs, and each array of them is built in place (no int64 temporaries of that length)
    total = int(cnt.sum())
    pt = int_type(max(n, total))
    xi = np.repeat(np.arange(n, dtype=pt), cnt)
    yi = np.arange(total, dtype=pt)
    yi -= np.repeat((np.cumsum(cnt) - cnt).astype(pt), cnt)
    yi += xi
    yi += 1
    order = order.astype(pt)
    return order[xi], order[yi]


class _Joined:
    """Texts ``prefix + words[code]`` (a reference's detail: "names job 1042"), built when read.

    The reference rules describe 7.5M edges at a million jobs; as arrow strings that was 220 MB
    held from the reference step to the result, where only the details the records kept are
    read. The codes (int32) and the shared token dictionary are a fraction of it.
    """

    __slots__ = ("prefix", "codes", "words")

    def __init__(self, prefix: str, codes: np.ndarray, words: Any) -> None:
        self.prefix, self.codes, self.words = prefix, codes, words

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, idx: Any) -> Any:
        """The texts at positions ``idx`` (a pyarrow ``large_string`` array)."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        codes = self.codes[np.asarray(idx, dtype=np.int64)]
        tok = self.words.take(pa.array(codes)).cast(pa.large_string())
        ls = pa.large_string()
        return pc.binary_join_element_wise(pa.scalar(self.prefix, ls), tok, pa.scalar("", ls))

    def __getitem__(self, i: int) -> Any:
        return self.take([i])[0]


class _Texts:
    """An append-only pool of texts held in pyarrow, named by integer ids (-1: none).

    Link details are built by pyarrow kernels and kept as arrow strings (or as
    :class:`_Joined` codes, built when read): a record holds the id of its detail, and the
    output column is one ``take`` of the pool, so no Python string is made per record.
    """

    def __init__(self) -> None:
        self.chunks: list[Any] = []
        self.starts: list[int] = []  # id of each chunk's first text
        self.size = 0
        self._flat: Any = None

    def add(self, texts: Any) -> np.ndarray:
        """Append texts (a pyarrow array, an object array or a str); return their ids."""
        import numpy as np
        import pyarrow as pa

        if isinstance(texts, str):
            texts = [texts]
        if isinstance(texts, pa.ChunkedArray):
            texts = texts.combine_chunks()
        if not isinstance(texts, pa.Array):
            texts = pa.array(np.asarray(texts, dtype=object), type=pa.large_string(), from_pandas=True)
        elif texts.type != pa.large_string():
            texts = texts.cast(pa.large_string())
        ids = np.arange(self.size, self.size + len(texts), dtype=np.int64)
        if len(texts):
            self.chunks.append(texts)
            self.starts.append(self.size)
            self.size += len(texts)
            self._flat = None
        return ids

    def add_joined(self, prefix: str, codes: np.ndarray, words: Any) -> np.ndarray:
        """Append the texts ``prefix + words[codes]`` (built when read, see :class:`_Joined`); return their ids."""
        import numpy as np

        ids = np.arange(self.size, self.size + len(codes), dtype=np.int64)
        if len(codes):
            self.chunks.append(_Joined(prefix, codes, words))
            self.starts.append(self.size)
            self.size += len(codes)
            self._flat = None
        return ids

    def ids(self, texts: Any, m: int) -> np.ndarray:
        """Ids of ``texts`` (None, one str for all, or ``m`` texts) for ``m`` items."""
        import numpy as np

        if texts is None:
            return np.full(m, -1, dtype=np.int64)
        if isinstance(texts, str):
            return np.full(m, self.add(texts)[0], dtype=np.int64)
        return self.add(texts)

    def flat(self) -> Any:
        import numpy as np
        import pyarrow as pa

        if self._flat is None:
            parts = [c if isinstance(c, pa.Array) else c.take(np.arange(len(c))) for c in self.chunks]
            self._flat = pa.concat_arrays(parts) if parts else pa.array([], type=pa.large_string())
            del parts
            self.chunks, self.starts = ([self._flat], [0]) if len(self._flat) else ([], [])
        return self._flat

    def get(self, i: int) -> str | None:
        """One text (None for -1), read from its chunk: notes added one by one never re-join the pool."""
        import bisect

        if i < 0:
            return None
        k = bisect.bisect_right(self.starts, i) - 1
        return self.chunks[k][i - self.starts[k]].as_py()

    def take(self, ids: np.ndarray) -> Any:
        """A ``large_string`` pyarrow array of the texts (null where the id is -1)."""
        import numpy as np
        import pyarrow as pa

        ids = np.asarray(ids, dtype=np.int64)
        if self._flat is not None or not self.chunks:
            return self.flat().take(pa.array(ids, mask=ids < 0, type=pa.int64()))
        # only the texts some id names are built (or copied) into one array, then taken: the
        # pool is never built whole (most reference details describe edges no record kept)
        named = np.zeros(self.size, dtype=bool)
        named[ids[ids >= 0]] = True
        used = np.flatnonzero(named)
        bounds = np.searchsorted(used, np.append(self.starts, self.size))
        parts = [
            chunk.take(pa.array(used[lo:hi] - start)) if isinstance(chunk, pa.Array) else chunk.take(used[lo:hi] - start)
            for chunk, start, lo, hi in zip(self.chunks, self.starts, bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
            if hi > lo
        ]
        pool = pa.concat_arrays(parts) if parts else pa.array([], type=pa.large_string())
        del parts, used
        # each id's place in the pool: how many named ids come before it
        at = (np.cumsum(named, dtype=int_type(self.size)) - 1)[np.maximum(ids, 0)]
        return pool.take(pa.array(at, mask=ids < 0, type=pa.from_numpy_dtype(at.dtype)))


class _Days:
    """Whole days since 1970 per node (NaN: no date); ``days[nodes]`` reads them as float64.

    Held as int16 (-32768 for no date) when every date falls in 1880-2059 (a contractor's
    always do), else as float32 when every value fits its 24-bit significand (any real date
    does, to year 47000): the same numbers at a quarter or half the memory, 200 MB less
    for five date columns at a million jobs.
    """

    __slots__ = ("v",)

    #: the int16 that stands for "no date"
    _NONE = -(2**15)

    def __init__(self, v: np.ndarray) -> None:
        import numpy as np

        none = np.isnan(v)
        if none.all():
            lo = hi = 0.0
        else:
            lo, hi = float(np.nanmin(v)), float(np.nanmax(v))
        if -(2**15) < lo and hi < 2**15:
            # (cast in place of a filled copy; the missing days, cast to whatever, are then set)
            self.v = np.empty(len(v), dtype=np.int16)
            with np.errstate(invalid="ignore"):
                np.copyto(self.v, v, casting="unsafe")
            self.v[none] = self._NONE
        else:
            self.v = v if max(-lo, hi) >= 2**24 else v.astype(np.float32)

    def __getitem__(self, idx: Any) -> np.ndarray:
        import numpy as np

        raw = self.v[idx]
        if raw.dtype == np.int16:
            return np.where(raw == self._NONE, np.nan, raw.astype(np.float64))
        return raw.astype(np.float64)


class _Vocab:
    """A text column (per node, or per identity) held as integer codes with the distinct texts
    beside them: system, record type and state of each node, name parts of each identity.

    An object array holds 8 bytes per item (the strings themselves are shared): 55 MB per
    column at a million jobs, against 7 MB of ``int8`` codes (or none, where the codes are
    kept anyway). ``v[items]`` reads the text of the items asked about; ``v == "x"``,
    ``v != "x"`` and :meth:`isin` give a mask over all items by testing the few distinct texts.
    """

    __slots__ = ("codes", "words")
    __hash__ = None  # type: ignore[assignment]  # (== gives a mask, as on an array)

    def __init__(self, text: np.ndarray) -> None:
        import numpy as np
        import pandas as pd

        # numbered by first appearance (as ``pd.factorize`` of the text: callers rely on it)
        c, u = pd.factorize(np.asarray(text, dtype=object), use_na_sentinel=True)
        # a missing value (the columns are read as "" when missing, so never in practice) reads as ""
        self.words = np.append(np.asarray(u, dtype=object), "")
        self.codes = np.where(c >= 0, c, len(u)).astype(_code_type(len(self.words)))

    @classmethod
    def of(cls, codes: np.ndarray, words: np.ndarray) -> _Vocab:
        """The column ``words[codes]`` (as :func:`_coded` gives them: -1 reads the last word, "")."""
        out = cls.__new__(cls)
        out.codes, out.words = codes, words
        return out

    def __getitem__(self, idx: Any) -> Any:
        return self.words[self.codes[idx]]

    def __len__(self) -> int:
        return len(self.codes)

    def __eq__(self, word: object) -> Any:  # type: ignore[override]
        return (self.words == word)[self.codes]

    def __ne__(self, word: object) -> Any:  # type: ignore[override]
        return (self.words != word)[self.codes]

    def isin(self, words: Iterable[str]) -> np.ndarray:
        """Per item: whether its text is one of ``words``."""
        import numpy as np

        return np.isin(self.words, list(words))[self.codes]

    def text(self) -> np.ndarray:
        """Every item's text (an object array)."""
        return self.words[self.codes]


class _Words:
    """A small vocabulary (link methods, choices) coded as integers (-1: none)."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.index: dict[str, int] = {}

    def code(self, word: str) -> int:
        i = self.index.get(word)
        if i is None:
            i = self.index[word] = len(self.words)
            self.words.append(word)
        return i

    def codes(self, values: Any, m: int) -> np.ndarray:
        """Codes of ``values`` (None, one str for all, or ``m`` values, None allowed) for ``m`` items."""
        import numpy as np
        import pandas as pd

        if values is None:
            return np.full(m, -1, dtype=np.int64)
        if isinstance(values, str):
            return np.full(m, self.code(values), dtype=np.int64)
        c, u = pd.factorize(np.asarray(values, dtype=object))
        table = np.array([self.code(str(w)) for w in u] + [-1], dtype=np.int64)
        return table[c]

    def text(self) -> np.ndarray:
        import numpy as np

        return np.array(self.words, dtype=object)


# =========================================================================== the linker


class _Linker:
    """One linking run. Holds the node frame (distinct records) and the group labels."""

    def __init__(
        self, records: pd.DataFrame, settings: MatchSettings, overrides: list[LinkOverride], *, keep_links: bool = True
    ):
        import numpy as np

        self.s = settings
        self.keep_links = keep_links
        self.overrides = overrides
        self.input = records
        self.warnings: list[str] = []
        self._build_nodes()
        n = self.N
        # (group ids as int32 when they fit, as every per-node code: the merge of millions of edges
        # reads and writes them over and over; where two are combined into one integer, they
        # are widened first)
        self.grp = np.arange(n, dtype=int_type(n))
        # how each node joined its group: method and choice as vocabulary codes, the detail
        # as an id into an arrow text pool (-1: none), so no Python object is held per node
        self.words = _Words()
        self.texts = _Texts()
        # (codes and ids per node are int32: half the memory of int64 at millions of nodes; the
        # method and choice codes name a few dozen words, int16, widened in _merge should more come)
        self.method = np.full(n, -1, dtype=np.int16)
        # confidences as int16 codes into the few values they take (method constants, scores
        # rounded to 3 places): ``conf_vals[conf]`` is the float; 40 MB less than a float64 per node
        self.conf_vals = np.ones(1)
        self.conf = np.zeros(n, dtype=np.int16)
        self.choice = np.full(n, -1, dtype=np.int16)
        self.detail = np.full(n, -1, dtype=np.int32)
        self.edge_log: list[tuple[np.ndarray, ...]] = []
        self.forbid_a = np.array([], dtype=np.int64)
        self.forbid_b = np.array([], dtype=np.int64)
        self.forbid_of = np.array([], dtype=np.int64)
        self.forbid_hit: dict[int, str] = {}
        self.amb_log: list[pd.DataFrame] = []
        self.amb_node = np.zeros(self.N, dtype=bool)

    # ------------------------------------------------------------------ nodes

    def _build_nodes(self) -> None:
        """Distinct records: one node per (system, type, id); rows repeated in overlapping exports share it."""
        import numpy as np
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        from .records import conform

        rec = self.input
        if not all(c in rec.columns for c in ("source", "record_type", "record_id")):
            rec = conform(rec)
        rec = rec.reset_index(drop=True)
        n_rows = len(rec)
        # system (else source) and record type as plain text arrays ("" when missing); these
        # columns are categorical, so this is a lookup of a few categories, not a cast per row
        rtype = _vocab_of(rec["record_type"])
        rid = rec["record_id"].astype("string[pyarrow]").str.strip()
        money = rtype.isin(["payment", "deposit"])
        # categorical columns enter as integer codes of their text (no hashing of a string per row)
        kind = _codes(_text_codes(rec["system"], rec["source"]), _text_codes(rec["record_type"]), numbered=False)
        no_id = rid.isna().to_numpy()
        # payment numbers are customers' cheque numbers: not unique across customers (payments
        # without an id are nodes of their own, like every record without one)
        pay = np.flatnonzero(money & ~no_id)
        extra = [pd.factorize(rec[col].iloc[pay], use_na_sentinel=True)[0] for col in ("customer", "amount", "created")]
        codes = _node_codes(kind, _dict_codes(rid), no_id, pay, extra)
        del kind, extra
        first_row = _firsts(codes)  # (pd.factorize numbers by first appearance)
        self.N = len(first_row)
        # the node frame holds the columns linking reads (not raw statuses, extra x: columns...)
        # (not the record ids: ``rid_arr`` below holds them, stripped, and nothing reads them twice)
        cols = [c for c in rec.columns if c in _NODE_COLUMNS]
        one_per_row = self.N == n_rows and np.array_equal(first_row, np.arange(n_rows))
        # each row's node (int32: per-node codes are half the memory; node counts fit); None when
        # row i is node i (no record repeats, the usual case): nothing to hold or take through
        self.node_of_row = None if one_per_row else codes.astype(np.int32)
        if one_per_row:
            # no repeated record (the usual case): the input itself, read by column name. (Not
            # ``rec[cols]``: a list selection takes the rows of each 2-D block, and at a million
            # jobs that copied the date columns, 210 MB held to the end of the run.)
            nd = rec
        else:
            nd = rec[cols].iloc[first_row].reset_index(drop=True)
        self.nd = nd
        cats = _str_cats(nd["source"])
        if cats is not None:
            # the source is categorical: its codes name the text ("" for none, at the end)
            c = nd["source"].cat.codes.to_numpy().astype(np.int64)
            self.src_uniq = np.append(cats, "").astype(object)
            self.src_code = np.where(c >= 0, c, len(cats)).astype(_code_type(len(self.src_uniq)))
        else:
            c, u = pd.factorize(_text(nd["source"]))
            self.src_code, self.src_uniq = c.astype(_code_type(len(u))), np.asarray(u, dtype=object)
        # (as small integer codes with their texts: see _Vocab)
        self.rtype = rtype if one_per_row else _vocab_of(rec["record_type"], rows=first_row)
        role = _vocab_of(nd["role"])
        self.system = _vocab_of(rec["system"], rec["source"], rows=None if one_per_row else first_row)
        del rtype
        # each node's system as a number (equal system, equal number; numbered by first appearance)
        self.sys_code = self.system.codes
        # record ids stay in arrow (a Python string per node would cost ~70 bytes each at scale):
        # ``rid_blank`` says which nodes have none, :meth:`_rids` reads the text of a few
        rid_arr = _arrow_text(rid)
        del rid
        if not one_per_row:
            rid_arr = rid_arr.take(pa.array(first_row))
        else:
            raw = _arrow_text(rec["record_id"])
            if raw.type == rid_arr.type and raw.equals(rid_arr):
                # stripping changed no id (the usual case): the input's own ids (an arrow column
                # already), not a second copy of them (140 MB at a million jobs)
                rid_arr = raw
            del raw
        self.rid_arr = pc.fill_null(rid_arr, "")  # (the same array when no id is missing)
        del rid_arr
        self.rid_blank = pc.equal(self.rid_arr, "").to_numpy(zero_copy_only=False)
        self.is_job = self.rtype.isin(["job"]) & ~role.isin(["crm"])
        self.is_deal = self.rtype.isin(["deal"])
        self.is_inv = self.rtype.isin(["invoice"])
        self.is_pay = self.rtype.isin(["payment", "deposit"])
        self.is_acct = role.isin(["accounting"])
        # (the roles are read by the reference rules only: two masks, not a column)
        self.is_ops = role.isin(["operations"])
        self.is_crm = role.isin(["crm"])
        del role
        rank = np.ones(self.N, dtype=np.int8)
        rank[self.is_inv] = 2
        rank[self.is_inv & self.is_acct] = 3
        rank[self.is_deal] = 4
        rank[self.is_job] = 5
        self.rank = rank
        self.amount = nd["amount"].to_numpy(dtype=float, na_value=np.nan)
        self.balance = nd["balance"].to_numpy(dtype=float, na_value=np.nan)
        self.dangling: dict[int, str] = {}

    def _dates(self) -> None:
        """Each node's dates (whole days) and state: read by the job steps only, so made just before
        them (the customer and reference steps, the run's peaks, do not hold 72 MB of them)."""
        import numpy as np

        nd = self.nd

        def days(col: str) -> np.ndarray:
            v = nd[col].to_numpy()
            if v.dtype.kind == "M" and np.datetime_data(v.dtype)[0] in ("ns", "us", "ms", "s"):
                # whole days by floor division of the integer stamps (what a cast to
                # datetime64[D] does), without the cast's intermediate array
                per_day = np.timedelta64(1, "D") // np.timedelta64(1, np.datetime_data(v.dtype)[0])
                i = v.view(np.int64)
                out = np.floor_divide(i, per_day).astype(float)
                out[i == np.iinfo(np.int64).min] = np.nan  # NaT
                return out
            v = nd[col].to_numpy(dtype="datetime64[D]")
            out = v.astype("int64").astype(float)
            out[np.isnat(v)] = np.nan
            return out

        self.d_created = _Days(days("created"))
        self.d_completed = _Days(days("completed"))
        self.d_closed = _Days(days("closed"))
        self.d_scheduled = _Days(days("scheduled"))
        self.d_paid = _Days(days("paid"))
        self.state = _vocab_of(nd["state"])

    # ------------------------------------------------------------------ group bookkeeping

    def _group_rank(self) -> np.ndarray:

        if getattr(self, "g_rank", None) is None:
            # per group id: the strongest record kind in it, and whether it holds a job / a deal;
            # kept up to date by _merge (the only place groups change), read without a pass over nodes
            self.g_rank = self.rank.copy()
            self.g_job = self.is_job.copy()
            self.g_deal = self.is_deal.copy()
        return self.g_rank

    def _anchor_of(self, kind: np.ndarray) -> np.ndarray:
        """Per group id: the node of the given kind in it (-1 if none)."""
        import numpy as np

        out = np.full(self.N, -1, dtype=np.int64)
        nodes = np.flatnonzero(kind)
        # several (only possible for invoices/payments): keep the first node
        out[self.grp[nodes[::-1]]] = nodes[::-1]
        return out

    def _forbidden(self, ga: np.ndarray, gb: np.ndarray, method: np.ndarray | str | None = None) -> np.ndarray:
        """Which group pairs a forbid override keeps apart (and remember that it did, and against what)."""
        import numpy as np

        if not len(self.forbid_a) or not len(ga):
            return np.zeros(len(ga), dtype=bool)
        ga = np.asarray(ga, dtype=np.int64)
        gb = np.asarray(gb, dtype=np.int64)
        fa, fb = self.grp[self.forbid_a].astype(np.int64), self.grp[self.forbid_b].astype(np.int64)
        codes = np.concatenate([fa * self.N + fb, fb * self.N + fa])
        which = np.concatenate([self.forbid_of, self.forbid_of])
        order = np.argsort(codes)
        codes, which = codes[order], which[order]
        q = ga * self.N + gb
        pos = np.clip(np.searchsorted(codes, q), 0, len(codes) - 1)
        hit = codes[pos] == q
        if hit.any() and method is not None:
            if not isinstance(method, str) and np.asarray(method).dtype.kind in "iu":
                method = self.words.text()[np.asarray(method)]  # vocabulary codes
            meth = np.broadcast_to(np.asarray(method, dtype=object), (len(ga),))
            for w, mth in zip(which[pos[hit]].tolist(), meth[hit].tolist(), strict=True):
                self.forbid_hit.setdefault(int(w), str(mth))
        return hit

    def _merge(
        self,
        a: np.ndarray,
        b: np.ndarray,
        method: np.ndarray | str,
        conf: np.ndarray | float | _Vocab,
        detail: np.ndarray | str | None = None,
        choice: np.ndarray | str | None = None,
    ) -> np.ndarray:
        """Join the groups of nodes ``a[i]`` and ``b[i]``, strongest edges first, keeping the rules.

        Edges are tried in the order given (callers sort by strength). A group with an
        operations job never joins another with a job; likewise deals. Each group joins
        at most one other group per call; edges naming further groups are dropped (and
        noted on the record). Returns the positions of the edges applied.
        """
        import numpy as np
        import pandas as pd

        m = len(a)
        if m == 0:
            return np.array([], dtype=np.int64)
        # node ids stay in the (narrow) integer type they come in; one choice for every edge is a
        # broadcast view, not an array: at a million jobs the reference merge holds 7.5M edges
        a = a if _is_codes(a) else np.asarray(a, dtype=np.int64)
        b = b if _is_codes(b) else np.asarray(b, dtype=np.int64)
        meth = method if _is_codes(method) else self.words.codes(method, m)
        # each edge's confidence as a code of conf_vals (``c_lut[c_of[i]]``), and each code's rank
        # by value: the merge compares and keeps the lower by int16 codes (the reference merge
        # moves millions of nodes a round: no float64 array of them, no hashing of floats)
        if isinstance(conf, _Vocab):
            c_lut, c_of = self._conf_codes(conf.words), conf.codes
        elif np.ndim(conf) == 0:
            c_lut, c_of = self._conf_codes(np.array([float(conf)])), np.broadcast_to(np.int8(0), (m,))
        else:
            c_of, u = pd.factorize(np.asarray(conf, dtype=float), use_na_sentinel=False)
            c_lut = self._conf_codes(np.asarray(u, dtype=float))
        c_rank = np.argsort(np.argsort(self.conf_vals, kind="stable"), kind="stable").astype(np.int16)
        det = detail if _is_codes(detail) else self.texts.ids(detail, m)
        cho = np.broadcast_to(np.int64(self.words.code(choice)), (m,)) if isinstance(choice, str) else self.words.codes(choice, m)
        if len(self.words.words) > np.iinfo(self.method.dtype).max:
            self.method, self.choice = self.method.astype(np.int32), self.choice.astype(np.int32)
        pending = np.arange(m, dtype=int_type(m))
        applied = []
        while len(pending):
            ga, gb = self.grp[a[pending]], self.grp[b[pending]]
            live = ga != gb
            pending, ga, gb = pending[live], ga[live], gb[live]
            # (each round's temporaries go as soon as read: the reference merge's first round
            # holds 7.5M edges, and every array of them is 30 MB at a million jobs)
            del live
            if not len(pending):
                break
            forb = self._forbidden(ga, gb, meth[pending])
            if forb.any():
                pending, ga, gb = pending[~forb], ga[~forb], gb[~forb]
            del forb
            rank = self._group_rank()
            hasjob, hasdeal = self.g_job, self.g_deal
            # orient: the group with the stronger key is the target; ties by id (acyclic)
            ra, rb = rank[ga], rank[gb]
            swap = (ra > rb) | ((ra == rb) & (ga < gb))
            del ra, rb
            src = np.where(swap, gb, ga)
            dst = np.where(swap, ga, gb)
            del swap, ga, gb
            ok = ~(hasjob[src] & hasjob[dst]) & ~(hasdeal[src] & hasdeal[dst])
            two_jobs = hasjob[src] & hasjob[dst]
            for k in np.flatnonzero(~ok).tolist():
                # e.g. an invoice naming two jobs: it stays with the first, the second is noted
                i = pending[k]
                why = "which is another job" if two_jobs[k] else "whose job already has a deal"
                mname = self.words.words[meth[i]]
                self._note(int(a[i]), f"also names {self._describe(int(b[i]))} ({mname}), {why}")
            pending, src, dst = pending[ok], src[ok], dst[ok]
            del ok, two_jobs
            if not len(pending):
                break
            # one target per source group per round (the strongest edge); the rest wait
            now = np.zeros(len(pending), dtype=bool)
            now[_first_per(src)] = True
            # chains: a target that is itself moving waits for the next round
            moving = np.zeros(self.N, dtype=bool)
            moving[src[now]] = True
            now &= ~moving[dst]
            # one deal per target: among sources bringing a deal, the first wins; the rest wait
            bring = np.flatnonzero(hasdeal[src] & now)
            if len(bring):
                later = np.ones(len(bring), dtype=bool)
                later[_first_per(dst[bring])] = False
                now[bring[later]] = False
            if not now.any():
                break
            s, d, idx = src[now], dst[now], pending[now]
            del src, dst, moving
            remap = np.arange(self.N, dtype=self.grp.dtype)
            remap[s] = d
            old = self.grp
            new = remap[old]
            del remap
            mv = np.flatnonzero(new != old)
            # the edge that moved each node's group (every moved node's old group is a source)
            eidx = np.full(self.N, -1, dtype=pending.dtype)
            eidx[s] = idx
            e_mv = eidx[old[mv]]
            del eidx
            cur, new_c = self.conf[mv], c_lut[c_of[e_mv]]
            lower = c_rank[new_c] < c_rank[cur]
            better = lower | (self.method[mv] < 0)
            upd = mv[better]
            ei = e_mv[better]
            self.method[upd] = meth[ei]
            # the lower of the two confidences (equal ranks: equal values)
            self.conf[upd] = np.where(lower[better], new_c[better], cur[better])
            del cur, new_c, lower
            self.detail[upd] = det[ei]
            self.choice[upd] = cho[ei]
            del mv, e_mv, better, upd, ei
            self.grp = new
            del old, new  # (the previous labels: not held through the next round)
            # the targets take on what their sources held (several sources may join one target)
            np.maximum.at(self.g_rank, d, self.g_rank[s])
            np.logical_or.at(self.g_job, d, self.g_job[s])
            np.logical_or.at(self.g_deal, d, self.g_deal[s])
            applied.append(idx)
            # (node ids as int32: millions of edges are held to the end)
            if self.keep_links:
                econf = self.conf_vals[c_lut[c_of[idx]]]
                self.edge_log.append((a[idx].astype(np.int32), b[idx].astype(np.int32), meth[idx], econf, det[idx]))
            pending = pending[~now]
        return np.concatenate(applied) if applied else np.array([], dtype=np.int64)

    def _conf_codes(self, values: np.ndarray) -> np.ndarray:
        """Codes of confidences in :attr:`conf_vals` (values not there yet are added)."""
        import numpy as np
        import pandas as pd

        c, u = pd.factorize(np.asarray(values, dtype=float), use_na_sentinel=False)
        at = {v: i for i, v in enumerate(self.conf_vals.tolist())}
        new = [v for v in u.tolist() if v not in at]
        if new:
            at.update({v: len(self.conf_vals) + k for k, v in enumerate(new)})
            self.conf_vals = np.append(self.conf_vals, new)
        if len(self.conf_vals) > 2**15:
            raise ValueError("more than 32768 distinct link confidences")
        return np.array([at[v] for v in u.tolist()], dtype=np.int16)[c]

    def _note(self, node: int, text: str) -> None:
        cur = self.texts.get(int(self.detail[node]))
        self.detail[node] = self.texts.add(f"{cur}; {text}" if cur else text)[0]

    def _describe(self, node: int) -> str:
        t = self.rtype[node] or "record"
        return f"{self.system[node]} {t} {self.rid_arr[int(node)].as_py()}".strip()

    def _rids(self, nodes: np.ndarray) -> np.ndarray:
        """Record ids of ``nodes`` as an object array of text ("" for none)."""
        import numpy as np
        import pyarrow as pa

        nodes = np.asarray(nodes, dtype=np.int64)
        return np.asarray(self.rid_arr.take(pa.array(nodes)).to_numpy(zero_copy_only=False), dtype=object)

    # ------------------------------------------------------------------ run

    def run(self) -> LinkResult:
        from ._memory import release_freed

        self._customer_columns()
        release_freed(self.N)  # (the parsing's temporaries: a gigabyte at a million jobs)
        self._apply_overrides()
        if "reference" in self.s.tiers:
            self._link_references()
        self._keep_only(self._CUSTOMER_READS)
        self._resolve_customers()
        # the identities' name parts and the keys only customers needed: hundreds of MB at a
        # million jobs, let go before the job steps (the run's second peak)
        self._keep_only(self._JOB_READS)
        self._dates()
        self._link_deals_to_jobs()
        # each job step frees its candidates and scores (most below the allocator's mmap size,
        # so kept mapped): given back before the next builds its own (~0.9 GB at a million jobs)
        release_freed(self.N)
        self._link_payments_to_invoices()
        self._link_invoices_to_jobs()
        release_freed(self.N)
        self._link_payments_to_open_jobs()
        return self._result()

    def _keep_only(self, reads: frozenset[str]) -> None:
        """Let go of every attribute the remaining steps do not read (see the ``*_READS`` sets)."""
        from ._memory import release_freed

        n = self.N
        for name in [k for k in vars(self) if k not in reads]:
            delattr(self, name)
        release_freed(n)  # what was let go goes back to the system, not only to the allocator

    # ------------------------------------------------------------------ customer keys

    def _customer_columns(self) -> None:
        """Normalised keys per node, and identities: distinct (system, name, email, phone)."""
        import numpy as np
        import pandas as pd
        import pyarrow as pa

        from .normalize import (
            address_key_codes,
            email_key_codes,
            parse_names_distinct,
            phone_key_codes,
            split_deal_title,
            street_key,
        )

        nd = self.nd
        deal_at = np.flatnonzero(self.is_deal)
        has_deals = bool(len(deal_at))

        def contact_and_titles() -> tuple[Any, ...]:
            """Phone and address keys, and deal titles split into customer and work (no names needed)."""
            # keys as codes per node with their distinct texts: no text is spread to every node
            phone = phone_key_codes(nd["phone"], self.s.phone_region)
            addr = address_key_codes(nd["address"])
            # deal titles only (indexed by node): no column of every node's title is built
            split = split_deal_title(nd["title"].iloc[deal_at]) if has_deals else None
            return phone, addr, split

        # pyarrow's kernels release the GIL: names and emails on one core, the rest on the other
        # (about the same work on each)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as pool:
            contact = pool.submit(contact_and_titles)
            # names are parsed and held per distinct party: ``pcode`` per node, ``ptab`` per party
            pcode, ptab = parse_names_distinct(nd["customer"], nd["company"])
            email = email_key_codes(nd["email"])
            phone, addr, split = contact.result()
        from ._memory import release_freed

        # (the parsers' temporaries on both threads, freed: given back before the identities are built)
        release_freed(self.N)
        derived = np.zeros(self.N, dtype=bool)
        if has_deals:
            # a deal without a contact: "Smith – Kitchen remodel" names its customer
            no_key = np.append(~ptab["name_key"].is_valid().to_numpy(zero_copy_only=False), True)[pcode]
            named = np.zeros(self.N, dtype=bool)
            named[deal_at] = split["name"].notna().to_numpy()
            need = self.is_deal & no_key & named
            if need.any():
                acode, atab = parse_names_distinct(split["name"].loc[np.flatnonzero(need)])
                # one code space: the parties, then the names read off deal titles; renumbered
                # by first appearance, as if every node's name had been parsed in one pass
                both = pcode.copy()
                both[need] = len(ptab["name_key"]) + acode
                ok = both >= 0
                pcode = np.full(self.N, -1, dtype=np.int32)
                pcode[ok], first = pd.factorize(both[ok])
                at = pa.array(np.asarray(first, dtype=np.int64))
                ptab = {k: pa.concat_arrays([v, atab[k]]).take(at) for k, v in ptab.items()}
                key_ok = np.append(ptab["name_key"].is_valid().to_numpy(zero_copy_only=False), False)[pcode]
                derived = need & key_ok
        self.derived = derived

        def party_codes(name: str) -> tuple[np.ndarray, np.ndarray]:
            """A name part per party as (code, -1 for none, and -1 at the end for "no party"; distinct texts)."""
            c, u = _coded(pd.arrays.ArrowStringArray(ptab[name]))
            return np.append(c, -1).astype(np.int32), u
        # keys are held as integer codes (-1: none) with their distinct values beside them:
        # comparisons, joins and grouping run on ints, text is looked up only where shown
        # titles (a deal's work part) are keyed only when records are compared (see _titles)
        self.deal_work = split["work"] if has_deals else None
        # codes in order of first appearance over the nodes (the parties are numbered so)
        key_p, u_key = party_codes("name_key")
        self.c_key = key_p[pcode]
        # an email/phone on many customers' records is the office's own: no evidence of identity
        sys_code = self.sys_code
        key_code = self.c_key
        for label, (v_code, v_text) in (("email", email), ("phone", phone)):
            # (system, value) numbered over the records holding a value only (under half of them)
            rows = np.flatnonzero(v_code >= 0)
            v = _codes(sys_code[rows], v_code[rows])
            k = key_code[rows]
            # names per (system, value), counted on integers; the frame below only when one is shared
            once = _first_rows(v, k)
            if not len(once) or np.bincount(v[once]).max() <= self.s.shared_key_limit:
                continue
            frame = pd.DataFrame({"v": v, "k": k, "row": rows})
            counts = frame.drop_duplicates(["v", "k"]).groupby("v").size()
            bad = counts[counts > self.s.shared_key_limit]
            if len(bad):
                first = frame[frame["v"].isin(bad.index)].drop_duplicates("v")
                for v, r in zip(first["v"].tolist(), first["row"].tolist(), strict=True):
                    self.warnings.append(
                        f"{label} {v_text[int(v_code[r])].as_py()} is on {int(bad[v])} different {self.system[r]} customers' records; "
                        "not used for matching"
                    )
                v_code[frame.loc[frame["v"].isin(bad.index), "row"].to_numpy()] = -1

        def recoded(codes: np.ndarray, text: pa.Array) -> tuple[np.ndarray, pa.Array]:
            """Codes numbered by first appearance (after placeholders were dropped), texts with "" at the end.

            The texts stay in arrow (a million distinct emails as Python strings: ~90 MB, held
            through the customer tiers, which read the text of a few).
            """
            ok = codes >= 0
            out = np.full(len(codes), -1, dtype=np.int32)
            out[ok], first = pd.factorize(codes[ok])
            return out, pa.concat_arrays([text.take(pa.array(first)), pa.array([""], type=text.type)])

        self.c_email, self.u_email = recoded(*email)
        self.c_phone, self.u_phone = recoded(*phone)
        self.c_addr, self.u_addr = recoded(*addr)
        # (the codes before re-numbering: not held under the identities built next)
        del email, phone, addr
        # the name key, qualifier and spelling are all read off the party: one code per party for
        # the three (numbered over the parties, so small), spread to the nodes once; the identity
        # then combines 5 columns, not 7 (one fewer re-numbering of millions of mixed-radix codes)
        c_name = _codes(key_p, party_codes("qualifier")[0], party_codes("written")[0])[pcode]
        # identity: one (system, party, qualifier, email, phone, spelling); spellings are kept
        # apart so that "Smith, John" and "John Smith" in one system can be told as a duplicate
        has = (self.c_key >= 0) | (self.c_email >= 0) | (self.c_phone >= 0)
        # not numbered here: the identities are numbered once, over the nodes that have one
        combo = _codes(sys_code, c_name, self.c_email, self.c_phone, numbered=False)
        del c_name
        # a name read off a deal title ("Smith – Kitchen") says nothing about other deals with that
        # surname: each such deal is its own identity until a cross-system tier places it (a code
        # above every combination's; not a sixth column of node numbers, 53 MB at a million jobs)
        d_at = np.flatnonzero(derived)
        if len(d_at):
            combo[d_at] = int(combo.max()) + 1 + np.arange(len(d_at))
        del d_at
        codes = np.full(self.N, -1, dtype=np.int32)
        codes[has], _ = pd.factorize(combo[has])
        del combo
        self.ident = codes
        n_id = int(codes.max()) + 1 if len(codes) and codes.max() >= 0 else 0
        self.I = n_id
        # each identity's first node (the identities are numbered by first appearance over the nodes)
        ok = np.flatnonzero(self.ident >= 0)
        rep = ok[_firsts(self.ident[ok])]
        del ok
        self.i_node = rep
        # (the name parts of each identity below are _Vocab columns over codes kept anyway: no
        # object array of 2M texts per part)
        self.i_sys = _Vocab.of(self.system.codes[rep], self.system.words)

        rep_party = pa.array(pcode[rep], mask=pcode[rep] < 0, type=pa.int64())

        def at_rep(name: str) -> tuple[np.ndarray, np.ndarray]:
            """Text and integer code of a name part, per identity."""
            c, u = _coded(pd.arrays.ArrowStringArray(ptab[name].take(rep_party)))
            return _Vocab.of(c, u), c

        self.i_kind, self.i_kind_c = at_rep("kind")
        self.i_is_org = self.i_kind == "org"
        self.i_is_person = self.i_kind == "person"
        self.i_first, self.i_first_c = at_rep("first")
        self.i_last, self.i_last_c = at_rep("last")
        self.i_key_c = self.c_key[rep]
        self.i_key = _Vocab.of(self.i_key_c, u_key)
        self.i_qual, self.i_qual_c = at_rep("qualifier")
        # streets of service addresses and of name qualifiers ("Chris Lee (Maple Ave)") share one code space
        # (the streets of the distinct addresses, then of each identity's qualifier)
        n_addr = len(self.u_addr) - 1
        streets = pd.concat(
            [
                street_key(pd.Series(pd.arrays.ArrowStringArray(self.u_addr.slice(0, n_addr))), normalised=True),
                street_key(pd.Series(self.i_qual.text(), dtype="string[pyarrow]")),
            ],
            ignore_index=True,
        )
        c_street, _ = _coded(streets)
        self.c_street = np.append(c_street[:n_addr], -1).astype(np.int32)[self.c_addr]
        self.i_qual_street = c_street[n_addr:]
        self.i_email_c = self.c_email[rep]
        self.i_phone_c = self.c_phone[rep]
        self.i_written = at_rep("written")[0]
        self.i_derived = derived[rep]
        first = pd.Series(self.i_first.text(), dtype="string[pyarrow]")
        initial = first.str.slice(0, 1)
        self.i_initial_c, u = _coded(initial.where(initial != ""))
        self.i_initial = _Vocab.of(self.i_initial_c, u)
        self.i_init_only = (first.str.len() == 1).fillna(False).to_numpy()
        n_sys = int(sys_code.max()) + 1 if len(sys_code) else 0
        if n_sys > 62:
            raise ValueError("more than 62 systems in one run")
        self.i_bit = (np.int64(1) << sys_code[rep].astype(np.int64)) if n_id else np.zeros(0, dtype=np.int64)
        # a name read off a deal title is not a customer record of its system: it blocks no one
        self.i_bit[self.i_derived] = 0
        # the tier that first joined each identity to another, as an index into _TIER_NAMES (0: none)
        self.i_wtier = np.zeros(n_id, dtype=np.int8)
        self.i_xtier = np.zeros(n_id, dtype=np.int8)

    def _customer_name(self, nodes: np.ndarray) -> np.ndarray:
        """Customer names as the sources wrote them, for the given nodes ("" when none).

        Read for the few nodes asked about (no column of every node's name is kept: 140 MB at a million jobs).
        """
        import numpy as np

        nodes = np.asarray(nodes, dtype=np.int64)
        cust = self.nd["customer"].iloc[nodes].astype("string[pyarrow]")
        name = cust.fillna(self.nd["company"].iloc[nodes].astype("string[pyarrow]"))
        return np.asarray(name.fillna("").to_numpy(object), dtype=object)

    def _compat(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Do identities ``x[i]`` and ``y[i]`` name the same party? 1 yes, 0 cannot tell, -1 no.

        No: a company and a person (a business and its owner), two companies with
        unlike names, or two people with one surname and different first names (relatives).
        A first initial, a nickname (resolved upstream) or a one-letter slip is the same first name.
        """
        import numpy as np

        out = np.zeros(len(x), dtype=np.int8)
        if not len(x):
            return out
        # name parts compared by code (equal text, equal code; -1 is no text): the
        # text is read only for the pairs that rapidfuzz must score
        k1, k2 = self.i_kind_c[x], self.i_kind_c[y]
        known = (k1 >= 0) & (k2 >= 0)
        out[known & (k1 != k2)] = -1
        org = np.flatnonzero(known & self.i_is_org[x] & self.i_is_org[y])
        if len(org):
            ox, oy = x[org], y[org]
            same = self.i_key_c[ox] == self.i_key_c[oy]
            out[org] = np.where(_same_or_close_at(self.i_key, ox, oy, same, 85), 1, -1)
        per = np.flatnonzero(known & self.i_is_person[x] & self.i_is_person[y])
        if len(per):
            px, py = x[per], y[per]
            l1, l2 = self.i_last_c[px], self.i_last_c[py]
            f1, f2 = self.i_first_c[px], self.i_first_c[py]
            last_ok = _same_or_close_at(self.i_last, px, py, l1 == l2, 85)
            f_missing = (f1 < 0) | (f2 < 0)
            init = (self.i_init_only[px] | self.i_init_only[py]) & (self.i_initial_c[px] == self.i_initial_c[py])
            first_ok = _same_or_close_at(self.i_first, px, py, f_missing | (f1 == f2) | init, 80)
            renamed = ~last_ok & ~f_missing & (f1 == f2)
            out[per] = np.where(last_ok & first_ok, 1, np.where(renamed, 0, -1))
        return out

    def _node_compat(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        import numpy as np

        ia, ib = self.ident[a], self.ident[b]
        out = np.zeros(len(a), dtype=np.int8)
        both = (ia >= 0) & (ib >= 0)
        out[both] = self._compat(ia[both], ib[both])
        return out

    # ------------------------------------------------------------------ overrides

    def _find(self, ref: RecordRef) -> np.ndarray:
        import numpy as np
        import pyarrow.compute as pc

        hit = pc.equal(self.rid_arr, ref.record_id).to_numpy(zero_copy_only=False)
        if ref.record_type == "job":
            hit &= self.is_job
        elif ref.record_type in ("payment", "deposit"):
            hit &= self.is_pay
        elif ref.record_type:
            hit &= self.rtype.isin([ref.record_type])
        if ref.who:
            who = ref.who.lower()
            who = _SYSTEM_ALIASES.get(who, who)
            src = np.char.lower(_str_or_empty(self.nd["source"]).astype(str))
            stem = np.array([Path(s).stem for s in src]) if len(src) else src
            hit &= (src == who) | (stem == who) | (np.char.lower(self.system.words.astype(str)) == who)[self.system.codes]
        nodes = np.flatnonzero(hit)
        # a job key names the job; an invoice key the accounting invoice first
        return nodes[np.argsort(-self.rank[nodes] - 0.5 * self.is_acct[nodes], kind="stable")]

    def _apply_overrides(self) -> None:
        import numpy as np

        self.pins: list[tuple[LinkOverride, int]] = []
        self.forbids: list[tuple[LinkOverride, int]] = []
        fa, fb, fidx = [], [], []
        for ov in self.overrides:
            na, nb = self._find(ov.a), self._find(ov.b)
            missing = [r.text for r, n in ((ov.a, na), (ov.b, nb)) if not len(n)]
            if missing:
                self.warnings.append(
                    f"{ov.action} {ov.a} / {ov.b} ({ov.origin}) ignored: no record {missing[0]!r} in the scanned data"
                )
                continue
            if ov.action == "pin":
                done = self._merge(np.array([na[0]]), np.array([nb[0]]), "pin", 1.0, f"pinned ({ov.origin})", "pin")
                if len(done) or self.grp[na[0]] == self.grp[nb[0]]:
                    self.pins.append((ov, int(na[0])))
                else:
                    both = "jobs" if self.is_job[na[0]] and self.is_job[nb[0]] else "deals, or two jobs"
                    self.warnings.append(
                        f"pin {ov.a} / {ov.b} ({ov.origin}) not applied: it would put two {both} in one job"
                    )
            else:
                for x in na:
                    for y in nb:
                        fa.append(x)
                        fb.append(y)
                        fidx.append(len(self.forbids))
                self.forbids.append((ov, int(na[0])))
        self.forbid_a = np.array(fa, dtype=np.int64)
        self.forbid_b = np.array(fb, dtype=np.int64)
        self.forbid_of = np.array(fidx, dtype=np.int64)

    # ------------------------------------------------------------------ references

    _REF_COLUMNS = ("job_refs", "invoice_refs", "deal_refs", "quote_refs")

    def _ref_tokens(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Every reference column split once over all nodes: (node, token code).

        Token codes share one code space with :attr:`rid_code` (record ids), so lookups join
        on integers instead of strings; :attr:`tok_text` (pyarrow) holds the text of each code.
        """
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        if getattr(self, "_tokens", None) is not None:
            return self._tokens
        split = {col: _explode_arrow(self.nd[col]) for col in self._REF_COLUMNS}
        # one dictionary for every token: equal text, equal code (encoded as chunks, which share
        # one dictionary, numbered as over their concatenation: no second copy of every token)
        enc = pc.dictionary_encode(pa.chunked_array([tok for _, tok in split.values()], type=pa.large_string()))
        words = enc.chunk(enc.num_chunks - 1).dictionary if enc.num_chunks else pa.array([], type=pa.large_string())
        # the tokens' text is read through the dictionary from here on: each column's tokens go
        # before the codes are made (only their counts are kept)
        split = {col: (pos, len(tok)) for col, (pos, tok) in split.items()}
        from ._memory import release_freed

        # (the split tokens and the splitting's temporaries, freed into pyarrow's pool: given back
        # before the ids are looked up, not kept mapped under the lookup's own table)
        release_freed(self.N, arrow_only=True)
        # only jobs, invoices and deals are looked up by id (a payment is never a reference's
        # target). A record id takes the code of the token with its text: looked up in the
        # tokens' dictionary, not encoded with them (5M ids, mostly named by no token, made the
        # dictionary's hash table and text three times the tokens' own: 700 MB at a million jobs)
        named = (self.is_job | self.is_inv | self.is_deal) & ~self.rid_blank
        hit = pc.index_in(self.rid_arr, value_set=words)
        found = pc.fill_null(hit, -1).to_numpy(zero_copy_only=False)
        del hit
        # an invoice number two systems hold may be named by no reference at all (the Jobber ->
        # QuickBooks sync): those ids are coded among themselves, after the tokens' codes
        inv = np.flatnonzero(named & self.is_inv & (self.is_acct | self.is_ops) & (found < 0))
        extra = pc.dictionary_encode(self.rid_arr.take(pa.array(inv)).cast(pa.large_string())) if len(inv) else None
        n_words = len(words) + (len(extra.dictionary) if extra is not None else 0)
        # (token codes and node positions in int32 when they fit: millions of references at a
        # million jobs, held through the reference rules)
        ct = int_type(n_words + 1)
        rid_code = np.where(named, found, -1).astype(ct)  # -1: named by no reference (no id, or not a target)
        del found, named
        if extra is not None:
            rid_code[inv] = len(words) + extra.indices.to_numpy(zero_copy_only=False).astype(ct)
            words = pa.concat_arrays([words, extra.dictionary])
        del extra, inv
        # each chunk's codes written straight into one array (no list of copies beside it)
        codes = np.empty(sum(len(c) for c in enc.chunks), dtype=ct)
        at = 0
        for c in enc.chunks:
            codes[at : at + len(c)] = pc.fill_null(c.indices, -1).to_numpy(zero_copy_only=False)
            at += len(c)
        self.tok_text = words
        del enc, words
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        at = 0
        for col in list(split):
            pos, n_tok = split.pop(col)  # (each column's int64 positions go once copied)
            out[col] = (pos.astype(int_type(self.N), copy=False), codes[at : at + n_tok])
            at += n_tok
            del pos
        self.rid_code = rid_code
        self._tokens = out
        # splitting and encoding freed several times the tokens' size, in pyarrow's pool (kept
        # mapped for pyarrow alone): given back before the rules' numpy arrays are made
        release_freed(self.N)
        return out

    def _refs(self, col: str, src: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """References in ``col`` of the nodes in ``src``: (node, token code)."""
        import numpy as np

        if not src.any():
            return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
        pos, code = self._ref_tokens()[col]
        keep = src[pos]
        return pos[keep], code[keep]

    def _lookup(
        self, s: np.ndarray, tok: np.ndarray, target: np.ndarray, *, same_system: bool, by: str = "id"
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Resolve reference tokens (by code, see :meth:`_ref_tokens`) to target nodes:
        (source node, target node, token position)."""
        import numpy as np

        if not len(s) or not target.any():
            return (np.array([], dtype=np.int64),) * 3  # type: ignore[return-value]
        t = np.flatnonzero(target)
        if by == "id":
            self._ref_tokens()
            tv = self.rid_code[t]
            tt = t[tv >= 0]
            tv = tv[tv >= 0]
        else:  # quote numbers a job names
            tt, tv = self._refs("quote_refs", target)
        lk, rk = np.asarray(tok, dtype=np.int64), np.asarray(tv, dtype=np.int64)
        if same_system:
            n_sys = int(self.sys_code.max()) + 1
            lk, rk = lk * n_sys + self.sys_code[s], rk * n_sys + self.sys_code[tt]
        pos, ri = _inner_join(lk, rk)
        del lk, rk
        a, b = s[pos], tt[ri]
        keep = a != b
        nt = int_type(self.N)
        return a[keep].astype(nt), b[keep].astype(nt), pos[keep].astype(nt)

    def _link_references(self) -> None:
        """Explicit references, strongest first (see the module docstring)."""
        import numpy as np

        ops = self.is_ops
        crm = self.is_crm
        job = self.is_job
        edges: list[tuple[np.ndarray, np.ndarray, str, float, int, np.ndarray]] = []
        resolved: list[tuple[np.ndarray, np.ndarray]] = []
        asked: list[tuple[np.ndarray, np.ndarray, str]] = []

        def add(
            col: str,
            src: np.ndarray,
            target: np.ndarray,
            method: str,
            conf: float,
            prio: int,
            same_system: bool,
            what: str,
            by: str = "id",
            flip: bool = False,
        ) -> None:
            s, code = self._refs(col, src)
            if not len(s):
                return
            a, b, pos = self._lookup(s, code, target, same_system=same_system, by=by)
            # only what this rule left unresolved can dangle (most references resolve in their own rule)
            left = np.ones(len(s), dtype=bool)
            left[pos] = False
            asked.append((s[left], method.split(":")[1].rstrip("#"), code[left]))
            resolved.append((s[pos] if len(pos) else s[:0], code[pos] if len(pos) else code[:0]))
            if flip:
                a, b = b, a
            # the details are put together by pyarrow and kept in the text pool (ids)
            edges.append((a, b, method, conf, prio, self._texts_with(f"{what} ", code[pos]).astype(np.int32)))

        # inside operations (Jobber): invoice Job #s, job Invoice #s, transactions' Invoice # / Job # / quote
        add("job_refs", ops & self.is_inv, job & ops, "ref:job#", 1.0, 1, True, "names job")
        add("invoice_refs", job, ops & self.is_inv, "ref:invoice#", 1.0, 1, True, "named by job's invoices", flip=True)
        add("invoice_refs", ops & self.is_pay, ops & self.is_inv, "ref:invoice#", 1.0, 2, True, "pays invoice")
        add("job_refs", ops & self.is_pay, job, "ref:job#", 1.0, 2, True, "names job")
        add("quote_refs", self.is_pay, job, "ref:quote#", 1.0, 2, False, "deposit on quote", by="quote")
        # accounting: payments name their invoice (same system first), invoices name jobs in memos
        acct = self.is_acct
        add("invoice_refs", acct & self.is_pay, acct & self.is_inv, "ref:invoice#", 1.0, 2, True, "pays invoice")
        add("invoice_refs", acct & self.is_pay, ops & self.is_inv, "ref:invoice#", 0.95, 5, False, "pays invoice")
        add("job_refs", acct & (self.is_inv | self.is_pay), job, "ref:job#", 0.95, 3, False, "memo names job")
        add("invoice_refs", acct & self.is_inv, ops & self.is_inv, "ref:invoice#", 0.95, 3, False, "names invoice")
        add("quote_refs", acct & self.is_inv, job, "ref:quote#", 0.95, 3, False, "names quote", by="quote")
        # CRM: a job number in a deal property; deal ids named by anything
        add("job_refs", crm & self.is_deal, job, "ref:job#", 0.98, 3, False, "deal property names job")
        add("invoice_refs", crm & self.is_deal, self.is_inv, "ref:invoice#", 0.95, 4, False, "deal names invoice")
        add("quote_refs", crm & self.is_deal, job, "ref:quote#", 0.95, 4, False, "deal names quote", by="quote")
        add("deal_refs", ~self.is_deal, self.is_deal, "ref:deal", 0.98, 3, False, "names deal")
        if self.s.match_invoice_numbers:
            # the Jobber -> QuickBooks sync keeps invoice numbers: same number, same invoice,
            # unless the customers plainly differ (numbers typed straight into QBO collide)
            a = np.flatnonzero(acct & self.is_inv & ~self.rid_blank)
            self._ref_tokens()
            a = a[self.rid_code[a] >= 0]
            a2, b2, _ = self._lookup(a, self.rid_code[a], ops & self.is_inv, same_system=False)
            if len(a2):
                ok = self._node_compat(a2, b2) >= 0
                same_amt = np.isclose(self.amount[a2], self.amount[b2], rtol=self.s.amount_tolerance, atol=1.0)
                amount_known = ~np.isnan(self.amount[a2]) & ~np.isnan(self.amount[b2])
                # two unnamed records with different amounts: a collision, not a sync
                unnamed = (self.ident[a2] < 0) | (self.ident[b2] < 0)
                ok &= ~(unnamed & amount_known & ~same_amt)
                a2, b2 = a2[ok], b2[ok]
                det = self._texts_with("same invoice number ", self.rid_code[a2]).astype(np.int32)
                edges.append((a2, b2, "ref:invoice#", 0.95, 3, det))
        # the tokens are read by nothing after this (the dangling ones' text is read off tok_text):
        # let them go before the merge (the run's peak)
        self._tokens = self.rid_code = None
        # references that point at nothing
        self._dangling(asked, resolved)
        del asked, resolved
        self.tok_text = None
        if not edges:
            return
        from ._memory import release_freed

        release_freed(self.N)  # (the rules' and the tokens' arrays, before the merge's)
        # strongest first: by priority, then confidence (highest first), then in the order found.
        # Both are one value per rule, so one small sort key per rule, spread over its edges and
        # sorted stably, gives that order (no lexsort over a float per edge and an index array)
        rules = sorted({(e[4], -e[3]) for e in edges})
        lens = [len(e[0]) for e in edges]
        key = np.repeat(np.array([rules.index((e[4], -e[3])) for e in edges], dtype=np.int16), lens)
        order = np.argsort(key, kind="stable")
        del key

        def ordered(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
            # one rule's arrays at a time into one, then in merge order (never two per-edge copies of more)
            return np.concatenate([np.asarray(x, dtype=dtype) for x in parts])[order]

        # node ids, methods and text ids in narrow integers: these arrays are the run's peak
        nt = int_type(self.N)
        a = ordered([e[0] for e in edges], nt)
        b = ordered([e[1] for e in edges], nt)
        det = ordered([e[5] for e in edges], np.int32)
        meth = np.repeat(np.array([self.words.code(e[2]) for e in edges], dtype=np.int16), lens)[order]
        # the confidences (three values over 7.5M edges) as codes into them: 8 bytes an edge less
        cvals, ccode = np.unique(np.array([e[3] for e in edges], dtype=float), return_inverse=True)
        cf = _Vocab.of(np.repeat(ccode.astype(np.int8), lens)[order], cvals)
        del edges, order
        self._merge(a, b, meth, cf, det, "reference")

    def _texts_with(self, prefix: str, codes: np.ndarray) -> np.ndarray:
        """Pool ids of ``prefix`` + the token text of each code (see :meth:`_ref_tokens`)."""
        import numpy as np

        if not len(codes):
            return np.array([], dtype=np.int64)
        # (kept as codes into the token dictionary, built only for the details records keep)
        return self.texts.add_joined(prefix, np.asarray(codes), self.tok_text)

    def _dangling(self, asked: list, resolved: list) -> None:
        """References that resolved to no record under any rule: kept per record as ``dangling_ref``."""
        import numpy as np
        import pandas as pd
        import pyarrow as pa

        if not asked:
            return
        s = np.concatenate([x[0] for x in asked])
        tcode = np.concatenate([x[2] for x in asked])
        words = np.array([x[1] for x in asked], dtype=object)
        what = np.repeat(np.arange(len(asked)), [len(x[0]) for x in asked])
        # one integer per (record, token): asked pairs that no rule resolved
        radix = max((int(t.max()) + 1 for t in [tcode] + [x[1] for x in resolved] if len(t)), default=1)
        asked_code = s.astype(np.int64) * radix + tcode
        # the resolved pairs (millions) are coded straight into one array, each rule's let go as
        # it is copied (no concatenation of their nodes and tokens beside it)
        done = np.empty(sum(len(x[0]) for x in resolved), dtype=np.int64)
        at = 0
        while resolved:
            rs, rt = resolved.pop()
            part = done[at : at + len(rs)]
            np.multiply(rs, radix, out=part, dtype=np.int64)
            part += rt
            at += len(rs)
            del rs, rt, part
        # a hash-set test (pandas) rather than np.isin, which sorts both sides; the few asked pairs
        # are hashed and the many resolved ones looked up in them (not the other way round)
        found = done[pd.Series(done).isin(asked_code).to_numpy()]
        del done
        miss = np.flatnonzero(~pd.Series(asked_code).isin(found).to_numpy())
        if not len(miss):
            return
        tok = np.asarray(self.tok_text.take(pa.array(tcode[miss])).to_numpy(zero_copy_only=False), dtype=object)
        f = pd.DataFrame({"s": s[miss], "text": words[what[miss]] + " " + tok.astype(str)}).drop_duplicates()
        g, joined = _join_by(f["s"].to_numpy(), f["text"].to_numpy(object), ", ", sort=True)
        for node, text in zip(g.tolist(), joined.tolist(), strict=True):
            self.dangling[int(node)] = text

    # ------------------------------------------------------------------ customers

    def _join(self, lab: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        new = _union(self.I, lab[x], lab[y])
        return new[lab]

    def _mask(self, lab: np.ndarray) -> np.ndarray:
        """Per cluster id: the OR of the system bits of its identities."""
        import numpy as np

        m = np.zeros(self.I, dtype=np.int64)
        np.bitwise_or.at(m, lab, self.i_bit)
        return m

    def _resolve_customers(self) -> None:
        """Customers inside each system (and their duplicates), then across systems, tier by tier."""
        import numpy as np

        from ._memory import release_freed

        n_id = self.I
        self.frozen = np.zeros(n_id, dtype=bool)
        # (identity pairs: x is ambiguous between y and others / a surname alone that fits y)
        self.amb_pairs: list[tuple[np.ndarray, np.ndarray]] = []
        self.surname_pairs: list[tuple[np.ndarray, np.ndarray]] = []
        # (a method of its own: its keys, pairs and frames are let go before the tiers across
        # systems start, 300 MB at a million jobs)
        lab = self._within_systems(np.arange(n_id, dtype=int_type(n_id)))
        self.sc = lab.copy()
        # the distinct emails, phones and addresses are read (as evidence text) by the tiers
        # within systems only: 67 MB of arrow text at a million jobs, not held under the tiers across
        self.u_email = self.u_phone = self.u_addr = None

        # (each tier frees its keys and pairs, mostly below the allocator's mmap size: given
        # back to the system between the heavy tiers, not left mapped under the next one's)
        release_freed(self.N)
        lab = self._across_systems(lab)
        self.lab = lab
        # the job steps read only which customers each ambiguous one fits: the distinct pairs of
        # final clusters, made once here (3M identity pairs at a million jobs, far fewer clusters')
        self.amb_cl = self._cluster_pairs(self.amb_pairs)
        self.surname_cl = self._cluster_pairs(self.surname_pairs)
        self.amb_pairs, self.surname_pairs = [], []

    def _within_systems(self, lab: np.ndarray) -> np.ndarray:
        """Customers inside each system: same email / phone under compatible names, same name,
        near-identical names at one address; the duplicates' evidence goes to ``dup_ev``."""
        import numpy as np
        import pandas as pd

        dup_ev: list[pd.DataFrame] = []

        def evidence(x: np.ndarray, y: np.ndarray, text: np.ndarray | str) -> None:
            # two written names for one customer inside a system: a duplicate
            differ = (self.i_written[x] != self.i_written[y]) & ~self.i_derived[x] & ~self.i_derived[y]
            differ &= (self.i_written[x] != "") & (self.i_written[y] != "")
            if differ.any():
                t = np.broadcast_to(np.asarray(text, dtype=object), x.shape)
                dup_ev.append(pd.DataFrame({"x": x[differ], "y": y[differ], "text": t[differ]}))

        def mark(tier_arr: np.ndarray, x: np.ndarray, y: np.ndarray, label: str) -> None:
            for v in (x, y):
                unset = tier_arr[v] == 0
                tier_arr[v[unset]] = _TIER_NAMES.index(label)

        # --- inside one system: same email / same phone under compatible names
        for label, col, text in (("email", self.i_email_c, self.u_email), ("phone", self.i_phone_c, self.u_phone)):
            has = np.flatnonzero(col >= 0)
            if not len(has):
                continue
            x, y = self._within(has, _codes(self.sys_code[self.i_node[has]], col[has]))
            if len(x):
                lab = self._join(lab, x, y)
                mark(self.i_wtier, x, y, label)
                evidence(x, y, np.char.add(f"same {label} ", _take_text(text, col[x]).astype(str)).astype(object))
        # --- same name (and qualifier), unless two of them hold different emails/phones
        has = np.flatnonzero((self.i_key != "") & ~self.i_derived)
        if len(has):
            sys_h = self.sys_code[self.i_node[has]]
            codes = _codes(sys_h, self.i_key_c[has], self.i_qual_c[has])
            strong = (self.i_email_c[has] >= 0) | (self.i_phone_c[has] >= 0)
            cl = lab[has]  # the customers before this tier joins any
            n, rep = self._same_name(codes, has, cl, strong, self.i_key_c[has], sys_h)
            one = (n <= 1) & (has != rep)
            x, y = has[one], rep[one]
            if len(x):
                lab = self._join(lab, x, y)
                mark(self.i_wtier, x, y, "name")
                evidence(x, y, "same name written two ways")
            at = np.flatnonzero(n >= 2)
            if len(at) and not strong[at].all():
                # by name, strong identities first, then by identity
                at = at[np.lexsort((has[at], ~strong[at], codes[at]))]
                many = pd.DataFrame({"code": codes[at], "i": has[at], "cl": cl[at], "strong": strong[at]})
                weak = many[~many["strong"]]
                # a record with only a name that two customers of its own system share
                st = many[many["strong"]].drop_duplicates(["code", "cl"])[["code", "i"]].rename(columns={"i": "y"})
                pairs = weak[["code", "i"]].rename(columns={"i": "x"}).merge(st, on="code")
                self._pair(self.amb_pairs, pairs["x"].to_numpy(), pairs["y"].to_numpy())
                self.frozen[pairs["x"].to_numpy()] = True
        # --- near-identical names at one address
        ia = self._ident_addr()
        if len(ia):
            g = ia.groupby(["sys", "a"])["i"].transform("size")
            ia2 = ia[(g >= 2) & (g <= 12)]
            pr = ia2.merge(ia2, on=["sys", "a"], suffixes=("x", "y"))
            pr = pr[pr["ix"] < pr["iy"]]
            x, y = pr["ix"].to_numpy(np.int64), pr["iy"].to_numpy(np.int64)
            keep = (lab[x] != lab[y]) & (self.i_kind[x] == self.i_kind[y]) & (self.i_key[x] != "")
            x, y, addr = x[keep], y[keep], pr["a"].to_numpy(object)[keep]
            if len(x):
                score = _ratio(self.i_key[x], self.i_key[y])
                ok = (self._compat(x, y) == 1) & (
                    (score >= self.s.duplicate_threshold) | (self.i_key[x] == self.i_key[y])
                )
                x, y, addr = x[ok], y[ok], addr[ok]
                if len(x):
                    lab = self._join(lab, x, y)
                    mark(self.i_wtier, x, y, "fuzzy-name+address")
                    evidence(
                        x,
                        y,
                        np.char.add("near-identical names at ", _take_text(self.u_addr, addr).astype(str)).astype(
                            object
                        ),
                    )
        self.dup_ev = pd.concat(dup_ev, ignore_index=True) if dup_ev else pd.DataFrame(columns=["x", "y", "text"])
        return lab

    def _across_systems(self, lab: np.ndarray) -> np.ndarray:
        """Tiers across systems, strongest first: customers of different systems sharing a key."""
        import numpy as np

        from ._memory import release_freed

        tiers = self.s.tiers
        if "reference" in tiers:
            nodes = np.flatnonzero(self.ident >= 0)
            g = self.grp[nodes]
            # groups holding records of more than one system: one member's system per group (any
            # member's: whichever write lands), then the groups where some member's differs; three
            # array passes instead of a minimum.at and a maximum.at over millions of nodes
            sc = self.sys_code[nodes]
            one = np.zeros(self.N, dtype=sc.dtype)
            one[g] = sc
            mixed = np.zeros(self.N, dtype=bool)
            mixed[g[sc != one[g]]] = True
            multi = mixed[g]
            del one, mixed, sc
            ki, kv = self.ident[nodes[multi]], g[multi]
            del nodes, g, multi  # (not held under the tier's own arrays)
            lab = self._x_tier(lab, ki, kv, "reference", compat=True)
            del ki, kv
        release_freed(self.N)
        if "email" in tiers:
            e = np.flatnonzero(self.i_email_c >= 0)
            lab = self._x_tier(lab, e, self.i_email_c[e], "email", compat=True)
        if "phone" in tiers:
            p = np.flatnonzero(self.i_phone_c >= 0)
            lab = self._x_tier(lab, p, self.i_phone_c[p], "phone", compat=True)
        if "name" in tiers:
            ia = self._ident_addr()
            if len(ia):
                ia_named = ia[self.i_key[ia["i"].to_numpy()] != ""]
                i = ia_named["i"].to_numpy(np.int64)
                lab = self._x_tier(lab, i, _codes(self.i_key_c[i], ia_named["a"].to_numpy()), "name+address")
            # a street: from service addresses, or the qualifier that tells same-named customers apart
            st = self._ident_street()
            if len(st):
                i = st["i"].to_numpy(np.int64)
                lab = self._x_tier(lab, i, _codes(self.i_key_c[i], st["st"].to_numpy()), "name+address")
            # a surname alone read off a deal title waits for the surname tier
            n = np.flatnonzero((self.i_key != "") & ~(self.i_derived & (self.i_first == "")))
            lab = self._x_tier(lab, n, self.i_key_c[n], "name")
            p = np.flatnonzero((self.i_kind == "person") & (self.i_last != "") & (self.i_initial != ""))
            lab = self._x_tier(
                lab,
                p,
                _codes(self.i_initial_c[p], self.i_last_c[p]),
                "name-initial",
                compat=True,
                query=self.i_init_only,
            )
            p = np.flatnonzero((self.i_kind == "person") & (self.i_last != ""))
            lab = self._x_tier(lab, p, self.i_last_c[p], "surname", query=self.i_first == "", freeze=False)
            del ia, st, n, p
        if "fuzzy" in tiers:
            release_freed(self.N)
            lab = self._x_fuzzy(lab)
        return lab

    def _pair(self, into: list[tuple[np.ndarray, np.ndarray]], x: Any, y: Any) -> None:
        """Remember identity pairs (``x`` fits ``y``), as int32 when identities fit."""
        import numpy as np

        it = int_type(self.I)
        into.append((np.asarray(x).astype(it), np.asarray(y).astype(it)))

    def _cluster_pairs(self, pairs: list[tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
        """Distinct (cluster, candidate cluster) of identity pairs, in order of first appearance."""
        import numpy as np
        import pandas as pd

        if not pairs:
            return pd.DataFrame({"cl": np.zeros(0, dtype=np.int64), "cand": np.zeros(0, dtype=np.int64)})
        x = np.concatenate([p[0] for p in pairs])
        y = np.concatenate([p[1] for p in pairs])
        # (cluster ids in int32 and a range index: the pairs are held through the job steps, and
        # as int64 columns with the int64 index drop_duplicates leaves they were 57 MB at a million jobs)
        it = int_type(self.I)
        pairs = pd.DataFrame({"cl": self.lab[x].astype(it), "cand": self.lab[y].astype(it)})
        return pairs.drop_duplicates().reset_index(drop=True)

    def _same_name(
        self, codes: np.ndarray, ids: np.ndarray, cl: np.ndarray, strong: np.ndarray, key: np.ndarray, sys_: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per identity with a name: how many customers hold its name, and the identity it joins.

        ``codes`` numbers (system, name key, qualifier) by first appearance over ``ids``
        (ascending identities); ``cl`` is each one's customer so far, ``strong`` whether it
        has an email or phone. The count is the larger of: the customers with a strong
        identity under this name in this system, and the most any one system knows under
        the name key (a name some system knows as two people is no evidence anywhere).
        The identity joined is the name's first strong identity, else its first identity.
        """
        import numpy as np
        import pandas as pd

        from . import _fastpaths

        if not _fastpaths.enabled():  # the plain twin: pandas groupby, sort and transform
            f = pd.DataFrame({"code": codes, "i": ids, "cl": cl, "strong": strong, "key": key, "sys": sys_})
            n_strong = f[f["strong"]].groupby("code")["cl"].nunique().reindex(range(codes.max() + 1), fill_value=0)
            known = (
                f[f["strong"]]
                .drop_duplicates(["key", "sys", "cl"])
                .groupby(["key", "sys"])
                .size()
                .groupby(level=0)
                .max()
            )
            f["n"] = np.maximum(n_strong.to_numpy()[codes], known.reindex(key).fillna(0).to_numpy().astype(int))
            f = f.sort_values(["code", "strong", "i"], ascending=[True, False, True])
            f["rep"] = f.groupby("code")["i"].transform("first")
            f = f.sort_index()
            return f["n"].to_numpy(), f["rep"].to_numpy(np.int64)
        s = np.flatnonzero(strong)
        n = np.zeros(len(codes), dtype=np.int64)
        rep = ids[_firsts(codes)]  # per name: its first identity
        if len(s):
            cs, cls, ks = codes[s], cl[s], key[s]
            # distinct customers per name, among the strong identities
            n = np.bincount(cs[_first_rows(cs, cls)], minlength=len(rep))[codes]
            # distinct customers per (name key, system), the most over the systems, per name key
            kv = _codes(ks, sys_[s])
            per = np.bincount(kv[_first_rows(kv, cls)])
            key_of = np.zeros(len(per), dtype=np.int64)
            key_of[kv] = ks
            most = np.zeros(int(key.max()) + 1, dtype=np.int64)
            np.maximum.at(most, key_of, per)
            n = np.maximum(n, most[key])
            first = _first_per(cs)  # per name with a strong identity: the first of them
            rep[cs[first]] = ids[s[first]]
        return n, rep[codes]

    def _within(self, ids: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of identities sharing ``key`` whose names are compatible (one email, one phone).

        Identities are first grouped by the same party kind and first name (always one
        person); the groups' representatives are then compared pairwise, so that a
        company and its owner on one phone, or a couple on one email, stay apart while
        "John" and "Jon" on one phone meet.
        """
        import numpy as np
        import pandas as pd

        kf = _codes(key, self.i_kind_c[ids], self.i_first_c[ids])
        f = pd.DataFrame({"i": ids, "k": key, "kf": kf})
        # the smallest identity per (key, kind, first name), by one pass over the codes (numbered 0..)
        low = np.full(int(kf.max()) + 1 if len(kf) else 0, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(low, kf, np.asarray(ids, dtype=np.int64))
        f["rep"] = low[kf]
        xs = [f["i"].to_numpy(np.int64)[f["i"] != f["rep"]]]
        ys = [f["rep"].to_numpy(np.int64)[f["i"] != f["rep"]]]
        reps = f[f["i"] == f["rep"]][["k", "i"]]
        n = reps.groupby("k")["i"].transform("size")
        reps = reps[(n >= 2) & (n <= 8)]
        if len(reps):
            pr = reps.merge(reps, on="k", suffixes=("x", "y"))
            pr = pr[pr["ix"] < pr["iy"]]
            px, py = pr["ix"].to_numpy(np.int64), pr["iy"].to_numpy(np.int64)
            ok = self._compat(px, py) >= 0
            xs.append(px[ok])
            ys.append(py[ok])
        return np.concatenate(xs), np.concatenate(ys)

    def _ident_addr(self) -> pd.DataFrame:
        """Distinct (identity, normalised address) pairs, with the identity's system."""
        import numpy as np
        import pandas as pd

        if getattr(self, "_ia", None) is None:  # identities and addresses are fixed once keyed
            ok = (self.ident >= 0) & (self.c_addr >= 0)
            f = pd.DataFrame({"i": self.ident[ok], "a": self.c_addr[ok]})
            f = f[_first_rows(f["i"].to_numpy(), f["a"].to_numpy())]
            f["sys"] = self.i_sys[f["i"].to_numpy(np.int64)]
            self._ia = f
        return self._ia

    def _ident_street(self) -> pd.DataFrame:
        """Distinct (identity, street) pairs: streets of its addresses, and of its name's qualifier."""
        import numpy as np
        import pandas as pd

        ok = (self.ident >= 0) & (self.c_street >= 0)
        a = pd.DataFrame({"i": self.ident[ok], "st": self.c_street[ok]})
        q = np.flatnonzero(self.i_qual_street >= 0)
        b = pd.DataFrame({"i": q, "st": self.i_qual_street[q]})
        f = pd.concat([a, b], ignore_index=True)
        f = f[_first_rows(f["i"].to_numpy(), f["st"].to_numpy())]
        return f[self.i_key[f["i"].to_numpy(np.int64)] != ""]

    def _x_tier(
        self,
        lab: np.ndarray,
        ki: np.ndarray,
        kv: np.ndarray,
        label: str,
        *,
        compat: bool = False,
        query: np.ndarray | None = None,
        freeze: bool = True,
    ) -> np.ndarray:
        """One cross-system tier: join customers of different systems that share a key.

        A customer whose key is shared by two customers of one other system (two
        "Chris Lee" in Jobber) is ambiguous: it joins neither and, when ``freeze``,
        takes no part in weaker tiers (a weaker tier cannot break a tie a stronger one saw).
        With ``query`` (a mask over identities), only those identities look for partners
        (a first initial, a surname alone), against every identity with the key.
        """
        import numpy as np
        import pandas as pd

        if not len(ki):
            return lab
        # integer keys, and every step on numpy ints: no frame is built, merged or sorted
        from . import _fastpaths

        kv = np.asarray(kv)
        small = len(kv) and kv.dtype.kind in "iu" and kv.min() >= 0 and kv.max() < 4 * len(kv) + 65536
        if not (small and _fastpaths.enabled()):
            # keys only need to be small non-negative ints (counted, joined): codes are used as they are
            kv = pd.factorize(kv)[0]
        # (cluster ids as int32 while the pairs are made, widened where two are combined)
        cl = lab[ki].astype(int_type(self.I))
        # one row per (cluster, key), the first seen
        first = _first_rows(cl, kv)
        cl, kv, ii = cl[first], kv[first], np.asarray(ki)[first]
        # (each temporary goes after its last read: the reference tier's rows and pairs are
        # millions at a million jobs, and the tiers are the customer step's peak)
        del first
        size = np.bincount(kv)[kv]
        cap = self.s.max_name_candidates
        if query is None:
            sel = (size >= 2) & (size <= cap)
        else:
            # a surname hundreds of customers share is no lead at all (and would cost pairs by the million)
            sel = (size >= 2) & (size <= (_SURNAME_CAP if not freeze else cap) + 1)
        cl, kv, ii = cl[sel], kv[sel], ii[sel]
        del size, sel
        # (the rows that look for partners: all of them without a query, then no index of them is made)
        left = np.flatnonzero(query[ii]) if query is not None else None
        if not len(ii) or (left is not None and not len(left)):
            return lab
        m = self._mask(lab)
        mr = _narrow_bits(m)[cl]  # each row's cluster's systems (in one byte when up to 8 systems)
        if query is None:
            # every row looks for partners: the pairs are symmetric (so are the tests below), so
            # each unordered pair is made and tested once, and both orientations kept at the end
            lx, ly = _pairs_within(kv)
        else:
            # every (left row, row of the same key) pair
            li, ly = _inner_join(kv[left], kv)
            lx = left[li]
            del li
        clx, cly = cl[lx], cl[ly]
        mx, my = mr[lx], mr[ly]
        # two names read off deal titles prove nothing about each other (mask 0 on both sides)
        keep = (clx != cly) & ((mx & my) == 0) & ((mx | my) != 0)
        del mx, my
        lx, ly, clx, cly = lx[keep], ly[keep], clx[keep], cly[keep]
        del keep
        if compat and len(lx):
            ok = self._compat(ii[lx], ii[ly]) >= 0
            clx, cly = clx[ok], cly[ok]
            del ok
        del lx, ly, cl, kv, ii, mr, left
        if not len(clx):
            return lab
        clx, cly = clx.astype(np.int64), cly.astype(np.int64)
        # distinct cluster pairs, sorted by (clx, cly)
        if query is None:
            half = pd.unique(np.minimum(clx, cly) * self.I + np.maximum(clx, cly))
            lo_, hi_ = half // self.I, half % self.I
            pair = np.sort(np.concatenate([half, hi_ * self.I + lo_]))
            del half, lo_, hi_
        else:
            pair = np.sort(pd.unique(clx * self.I + cly))
        clx, cly = pair // self.I, pair % self.I
        del pair
        if query is not None:
            # a surname hundreds of customers share is no lead at all; below that, amount,
            # date and title may still pick the job (see _decide)
            n = np.bincount(clx)[clx]
            few = n <= (_SURNAME_CAP if not freeze else cap)
            clx, cly = clx[few], cly[few]
            del n, few
        amb_x = self._ambiguous_queries(clx, cly, m, lab)
        bad = np.isin(clx, amb_x) | np.isin(cly, amb_x)
        ax, ay = clx[~bad], cly[~bad]
        del bad
        lab = self._apply_tier(lab, ax, ay, m, label)
        if len(amb_x):
            sel = np.isin(clx, amb_x) & (lab[clx] != lab[cly])
            if freeze:
                self._pair(self.amb_pairs, clx[sel], cly[sel])
                self.frozen[np.isin(lab, lab[amb_x])] = True
            else:
                self._pair(self.surname_pairs, clx[sel], cly[sel])
        del clx, cly, m
        from ._memory import release_freed

        # (the tier's pairs and masks, mostly below the mmap size: given back before the next tier)
        release_freed(self.N)
        return lab

    def _ambiguous_queries(self, clx: np.ndarray, cly: np.ndarray, m: np.ndarray, lab: np.ndarray) -> np.ndarray:
        """Clusters (sorted pairs clx->cly) whose candidates conflict: two customers of one system."""
        import numpy as np

        if not len(clx):
            return clx
        starts = np.flatnonzero(np.r_[True, clx[1:] != clx[:-1]])
        mk = m[cly]
        orr = np.bitwise_or.reduceat(mk, starts)
        tot = np.add.reduceat(np.bitwise_count(mk).astype(np.int64), starts)
        heads = clx[starts]
        fz = np.zeros(self.I, dtype=bool)
        fz[lab[self.frozen]] = True
        return heads[(tot != np.bitwise_count(orr)) & ~fz[heads]]

    def _apply_tier(self, lab: np.ndarray, ax: np.ndarray, ay: np.ndarray, m: np.ndarray, label: str) -> np.ndarray:
        """Join accepted cluster pairs; undo any join that would hold two customers of one system."""
        import numpy as np

        ax, ay = lab[ax], lab[ay]
        live = ax != ay
        ax, ay = ax[live], ay[live]
        if not len(ax):
            return lab
        new = _union(self.I, ax, ay)
        prop = new[lab]
        present = np.zeros(self.I, dtype=bool)
        present[lab] = True
        olds = np.flatnonzero(present)  # np.unique(lab), without the sort
        tot = np.zeros(self.I, dtype=np.int64)
        np.add.at(tot, new[olds], np.bitwise_count(m[olds]).astype(np.int64))
        orr = np.zeros(self.I, dtype=np.int64)
        np.bitwise_or.at(orr, new[olds], m[olds])
        badc = np.flatnonzero(tot != np.bitwise_count(orr))
        if len(badc):
            # a chain joined two customers of one system: keep those apart, report the members
            undo = np.isin(prop, badc)
            prop[undo] = lab[undo]
            sel = np.isin(new[ax], badc)
            one = np.bitwise_count(m[ax[sel]]) == 1
            self._pair(self.amb_pairs, ax[sel][one], ay[sel][one])
            self.frozen[np.isin(lab, ax[sel][one])] = True
        # every identity of a cluster that joined another now carries this tier, if none before
        joined = np.zeros(self.I, dtype=bool)
        joined[np.concatenate([ax, ay])] = True
        touched = np.flatnonzero(joined[lab] & ~np.isin(new[lab], badc))
        upd = touched[self.i_xtier[touched] == 0]
        self.i_xtier[upd] = _TIER_NAMES.index(label)
        return prop

    def _x_fuzzy(self, lab: np.ndarray) -> np.ndarray:
        """Similar names (rapidfuzz ratio) inside blocks, for customers no exact tier joined."""
        import numpy as np
        import pandas as pd
        from rapidfuzz import fuzz, process

        m = self._mask(lab)
        named = self.i_key != ""
        single = np.bitwise_count(m[lab]) <= 1
        # a surname alone (a deal named "Smith – Deck") is the surname tier's business, not a fuzzy query
        query = named & single & ~self.frozen & ~((self.i_kind == "person") & (self.i_first == ""))
        if not query.any():
            return lab
        idx = np.flatnonzero(named)

        def distinct(text: np.ndarray, code: np.ndarray) -> pd.Series:
            """The distinct texts of a name part, indexed by its code."""
            u = np.full(int(code.max()) + 1 if len(code) else 0, "", dtype=object)
            u[code[code >= 0]] = text[code >= 0]
            return pd.Series(u, dtype="string[pyarrow]")

        def cut(u: pd.Series, code: np.ndarray, start: int | None, stop: int | None = None) -> np.ndarray:
            """Per identity of ``idx``: a code of ``text[start:stop]`` (-1 where there is no text), cut per distinct text."""
            c, _ = pd.factorize(u.str.slice(start, stop))
            # (int32: the blocks' codes below are 4M rows at a million jobs)
            return np.where(code[idx] >= 0, np.append(c, -1).astype(np.int32)[code[idx]], np.int32(-1))

        # the name without its "p:" / "o:" and the name parts, cut on distinct values and held as codes
        u_name = distinct(self.i_key, self.i_key_c).str.slice(2)
        name = np.where(self.i_key_c >= 0, np.append(u_name.to_numpy(object), "")[self.i_key_c], "")
        u_last, u_first = distinct(self.i_last, self.i_last_c), distinct(self.i_first, self.i_first_c)
        per = self.i_is_person[idx]
        has_first = self.i_first_c[idx] >= 0
        both = per & has_first
        # two blocks per name, so that a slip in either the surname or the first name is still met:
        # p (surname's first four letters, first initial) and q (first name's first four, surname's
        # first two); o (a company's first four) and r (its last four). One code per block text.
        zero = np.zeros(len(idx), dtype=np.int32)
        i8 = np.int8
        tag = np.concatenate([np.where(per, i8(0), i8(1)), np.where(both, i8(2), np.where(per, i8(-1), i8(3)))])
        a = np.concatenate(
            [
                np.where(per, cut(u_last, self.i_last_c, 0, 4), cut(u_name, self.i_key_c, 0, 4)),
                np.where(both, cut(u_first, self.i_first_c, 0, 4), cut(u_name, self.i_key_c, -4)),
            ]
        )
        bb = np.concatenate(
            [np.where(per, cut(u_first, self.i_first_c, 0, 1), zero), np.where(both, cut(u_last, self.i_last_c, 0, 2), zero)]
        )
        # numbered by first appearance over (first blocks, second blocks); a person without a first name has one block
        ok = tag >= 0
        codes = np.full(len(tag), -1, dtype=np.int64)
        codes[ok] = _codes(tag[ok], a[ok], bb[ok])
        del tag, a, bb
        ii = np.concatenate([idx, idx])[ok]
        b = codes[ok]
        qq = query[ii]
        # blocks with a query and someone else, in block order (rows in their order within a block)
        size = np.bincount(b)
        with_q = np.bincount(b, weights=qq) > 0
        keep = with_q[b] & (size[b] >= 2)
        order = np.argsort(b[keep], kind="stable")
        b, ii, qq = b[keep][order], ii[keep][order], qq[keep][order]
        lo = self.s.fuzzy_threshold - 6  # a shared address lowers the bar a little
        bits = m[lab[ii]]
        starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]]) if len(b) else np.array([], dtype=np.int64)
        ends = np.r_[starts[1:], len(b)]
        # only blocks where a query meets someone of another system
        if not len(starts):
            return lab
        # customers of two systems, or a name read off a deal title (no system), must meet in it
        orr = np.bitwise_or.reduceat(bits, starts)
        useful = (np.bitwise_count(orr) >= 2) | (np.add.reduceat((qq & (bits == 0)).astype(np.int64), starts) > 0)
        out_q, out_c, out_s = [], [], []
        # small blocks (most): all their pairs at once, scored with cpdist; large ones: cdist per block
        size = ends - starts
        small = useful & (size <= 200)
        if small.any():
            blk = np.repeat(np.arange(len(starts)), size)
            take = small[blk]
            fb, fi, fq = blk[take], ii[take], qq[take]
            # each query row with every row of its block
            li, ry = _inner_join(fb[fq], fb)
            px, py = fi[fq][li], fi[ry]
            ok = (px != py) & ((m[lab[px]] & m[lab[py]]) == 0)
            px, py = px[ok], py[ok]
            sc = np.asarray(
                process.cpdist(name[px], name[py], scorer=fuzz.ratio, score_cutoff=lo, workers=-1), dtype=float
            )
            hit = sc >= lo
            out_q.append(px[hit])
            out_c.append(py[hit])
            out_s.append(sc[hit])
        for s0, e0 in zip(starts[useful & ~small].tolist(), ends[useful & ~small].tolist(), strict=True):
            qi = np.flatnonzero(qq[s0:e0]) + s0
            sc = process.cdist(name[ii[qi]], name[ii[s0:e0]], scorer=fuzz.ratio, score_cutoff=lo, dtype=np.uint8)
            r, c = np.nonzero(sc)
            if len(r):
                out_q.append(ii[qi[r]])
                out_c.append(ii[s0 + c])
                out_s.append(sc[r, c])
        if not out_q:
            return lab
        x, y = np.concatenate(out_q), np.concatenate(out_c)
        # identical names were decided (or found ambiguous) by the exact tier
        keep = (lab[x] != lab[y]) & ((m[lab[x]] & m[lab[y]]) == 0) & (self.i_key[x] != self.i_key[y])
        keep &= (m[lab[x]] | m[lab[y]]) != 0
        pr = pd.DataFrame({"x": x[keep], "y": y[keep], "s": np.concatenate(out_s)[keep].astype(float)})
        pr = pr.drop_duplicates(["x", "y"])
        if not len(pr):
            return lab
        pr = pr[self._compat(pr["x"].to_numpy(np.int64), pr["y"].to_numpy(np.int64)) >= 0]
        pr = pr.reset_index(drop=True)
        ia = self._ident_addr()[["i", "a"]]
        sx = pr.reset_index().merge(ia, left_on="x", right_on="i")[["index", "y", "a"]]
        hit = sx.merge(ia, left_on=["y", "a"], right_on=["i", "a"])["index"].unique()
        pr["addr"] = False
        pr.loc[hit, "addr"] = True
        pr = pr[(pr["s"] >= self.s.fuzzy_threshold) | pr["addr"]]
        if not len(pr):
            return lab
        pr["clx"] = lab[pr["x"].to_numpy(np.int64)]
        pr["cly"] = lab[pr["y"].to_numpy(np.int64)]
        cp = pr.groupby(["clx", "cly"], as_index=False).agg(s=("s", "max"), addr=("addr", "any"))
        best = cp.groupby("clx")["s"].transform("max")
        cp = cp[cp["s"] >= best - self.s.fuzzy_margin].sort_values(["clx", "cly"])
        clx, cly = cp["clx"].to_numpy(np.int64), cp["cly"].to_numpy(np.int64)
        amb_x = self._ambiguous_queries(clx, cly, m, lab)
        ok = ~np.isin(clx, amb_x)
        for label, sel in (
            ("fuzzy-name+address", cp["addr"].to_numpy(bool)),
            ("fuzzy-name", ~cp["addr"].to_numpy(bool)),
        ):
            s = ok & sel
            lab = self._apply_tier(lab, clx[s], cly[s], self._mask(lab), label)
        if len(amb_x):
            sel = np.isin(clx, amb_x)
            self._pair(self.amb_pairs, clx[sel], cly[sel])
            self.frozen[np.isin(lab, lab[amb_x])] = True
        return lab

    # ------------------------------------------------------------------ jobs within a customer

    def _node_cluster(self) -> np.ndarray:
        import numpy as np

        # (in the labels' own type, int32 when the identities fit: 26 MB less a call at a million jobs)
        cl = np.full(self.N, -1, dtype=self.lab.dtype)
        ok = self.ident >= 0
        cl[ok] = self.lab[self.ident[ok]]
        return cl

    def _candidates(self, src: np.ndarray, tgt: np.ndarray) -> pd.DataFrame:
        """Candidate (lead node ``s``, its group ``sg``, target group ``tg``, ``via``) pairs.

        ``via`` is ``own`` (same customer), ``surname`` (a deal named only by a surname
        several customers share) or ``ambiguous`` (the customer itself fits several).
        """
        import numpy as np
        import pandas as pd

        cols = ["s", "sg", "tg", "via"]
        if not len(src):
            return pd.DataFrame(columns=cols)
        ncl = self._node_cluster()
        have = np.flatnonzero(ncl >= 0)
        gc = pd.DataFrame({"g": self.grp[have], "cl": ncl[have]})
        gc = gc[_first_rows(gc["g"].to_numpy(), gc["cl"].to_numpy())]
        S = pd.DataFrame({"s": src, "sg": self.grp[src]}).merge(gc.rename(columns={"g": "sg"}), on="sg")
        T = gc[tgt[gc["g"].to_numpy()]].rename(columns={"g": "tg"})
        own = S.merge(T, on="cl")[["s", "sg", "tg"]].drop_duplicates()
        own = own[own["sg"] != own["tg"]].assign(via="own")
        parts = [own]
        rest = S[~S["s"].isin(own["s"])]
        for ac, via in ((self.amb_cl, "ambiguous"), (self.surname_cl, "surname")):
            if not len(ac) or not len(rest):
                continue
            r = rest.merge(ac, on="cl").merge(T.rename(columns={"cl": "cand"}), on="cand")[["s", "sg", "tg"]]
            r = r.drop_duplicates()
            r = r[r["sg"] != r["tg"]].assign(via=via)
            parts.append(r)
            rest = rest[~rest["s"].isin(r["s"])]
        out = pd.concat(parts, ignore_index=True)[cols]
        out = out[~self.amb_node[out["s"].to_numpy(np.int64)]]
        forb = self._forbidden(out["sg"].to_numpy(np.int64), out["tg"].to_numpy(np.int64), "customer match")
        return out[~forb].reset_index(drop=True)

    def _pair_method(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        """How two records' customers match, in the tier vocabulary (``email``, ``name+address``...)."""
        import numpy as np

        out = np.full(len(s), "name", dtype=object)
        if not len(s):
            return out
        ids, idt = np.maximum(self.ident[s], 0), np.maximum(self.ident[t], 0)
        xs = np.where(self.ident[s] >= 0, self.i_xtier[ids], 0)
        xt = np.where(self.ident[t] >= 0, self.i_xtier[idt], 0)
        ws = np.where(self.ident[s] >= 0, self.i_wtier[ids], 0)
        # the weaker of the two records' tiers; the within-system tier when neither joined across
        names, conf = _tier_arrays()
        weakest = np.where(conf[xs] <= conf[xt], xs, xt)
        code = np.where(weakest == 0, ws, weakest)
        out = np.where(code == 0, out, names[code])
        key_eq = (self.c_key[s] >= 0) & (self.c_key[s] == self.c_key[t])
        addr_eq = (self.c_addr[s] >= 0) & (self.c_addr[s] == self.c_addr[t])
        out = np.where(key_eq, "name", out)
        out = np.where(key_eq & addr_eq, "name+address", out)
        out = np.where((self.c_phone[s] >= 0) & (self.c_phone[s] == self.c_phone[t]), "phone", out)
        out = np.where((self.c_email[s] >= 0) & (self.c_email[s] == self.c_email[t]), "email", out)
        return out.astype(object)

    def _log_amb(self, s: np.ndarray, cand_nodes: np.ndarray, reason: np.ndarray | str) -> None:
        import numpy as np
        import pandas as pd

        if not len(s):
            return
        s = np.asarray(s, dtype=np.int64)
        self.amb_node[s] = True
        self.amb_log.append(
            pd.DataFrame(
                {
                    "s": s,
                    "c": np.asarray(cand_nodes, dtype=np.int64),
                    "reason": np.broadcast_to(np.asarray(reason, dtype=object), s.shape),
                }
            )
        )

    def _log_customer_amb(self, amb: pd.DataFrame) -> None:
        """Records whose customer fits several customers: report them with every candidate job."""
        import numpy as np

        if not len(amb):
            return
        s = amb["s"].to_numpy(np.int64)
        t = self._target_anchor(amb["tg"].to_numpy(np.int64))
        ncl = self._node_cluster()
        k = amb.assign(c=ncl[t]).groupby("s")["c"].nunique()
        names = self._customer_name(k.index.to_numpy(np.int64))

        def say(name: str, n: int) -> str:
            who = f"the name {name!r}" if name else "the customer"
            if n <= 1:  # the other customers of that name have no job here
                return f"{who} fits several customers, one of them with a job here"
            return f"{who} fits {n} different customers"

        text = {
            int(node): say(name, n) for node, name, n in zip(k.index.tolist(), names.tolist(), k.tolist(), strict=True)
        }
        self._log_amb(s, t, np.array([text[int(x)] for x in s], dtype=object))

    def _target_anchor(self, tg: np.ndarray) -> np.ndarray:
        import numpy as np

        jn = self._anchor_of(self.is_job)
        dn = self._anchor_of(self.is_deal)
        return np.where(jn[tg] >= 0, jn[tg], dn[tg])

    def _decide(self, P: pd.DataFrame, comps: list[str], *, one_to_one: bool, what: str) -> pd.DataFrame:
        """Choose each lead record's target by score; report ties as ambiguous. Returns accepted rows.

        A lead takes its best target when it beats the runner-up by ``job_margin`` and scores
        at least ``min_job_score``. With ``one_to_one`` (deals and jobs) the target must also
        prefer this lead by the same margin; rounds let a lead whose best target went to a
        clearer lead try its next one.
        """
        import numpy as np
        import pandas as pd

        margin, floor = self.s.job_margin, self.s.min_job_score
        self._log_customer_amb(P[P["via"] == "ambiguous"])
        P = P[P["via"] != "ambiguous"].reset_index(drop=True)
        if not len(P):
            return P
        s_all = P["s"].to_numpy(np.int64)
        P["n"] = np.bincount(s_all)[s_all]  # (lead, target) pairs are distinct: rows per lead = targets
        meth = self._pair_method(s_all, self._target_anchor(P["tg"].to_numpy(np.int64)))
        meth[P["via"].to_numpy(object) == "surname"] = "surname"
        P["method"] = meth
        # a record whose customer matched on a weak key needs clearer evidence for its job
        mc, mu = pd.factorize(meth)
        adj_all = P["score"].to_numpy(float) - np.array([_WEAK_PENALTY.get(m, 0.0) for m in mu])[mc]
        P["adj"] = adj_all
        _, _, runner_row = _top2(s_all, adj_all)
        keep = adj_all >= floor
        rows = np.flatnonzero(keep)
        accepted: list[np.ndarray] = []
        gaps: list[np.ndarray] = []
        for _ in range(4 if one_to_one else 1):
            if not len(rows):
                break
            s, tg, adj = s_all[rows], P["tg"].to_numpy(np.int64)[rows], adj_all[rows]
            best, second, _ = _top2(s, adj)
            # the first row per lead holding its best score
            order = np.lexsort((-adj, s))
            firsts = order[np.r_[True, s[order][1:] != s[order][:-1]]]
            cand = firsts[(best[firsts] - second[firsts]) >= margin]
            if one_to_one and len(cand):
                tbest, tsecond, _ = _top2(tg, adj)
                ok = (adj[cand] >= tbest[cand]) & ((tbest[cand] - tsecond[cand]) >= margin)
                cand = cand[ok]
            if not len(cand):
                break
            accepted.append(rows[cand])
            gaps.append(best[cand] - second[cand])
            drop = np.isin(s, s[cand])
            if one_to_one:
                drop |= np.isin(tg, tg[cand])
            rows = rows[~drop]
        if len(rows):
            s, adj = s_all[rows], adj_all[rows]
            best, _, _ = _top2(s, adj)
            close = rows[adj >= best - margin]
            k = np.bincount(s_all[close], minlength=int(s_all.max()) + 1)[s_all[close]]
            reason = np.where(
                k >= 2,
                np.char.add(np.char.add("fits ", k.astype(str)), f" {what}s of the customer about equally well"),
                f"another record fits the same {what} about equally well",
            ).astype(object)
            self._log_amb(s_all[close], self._target_anchor(P["tg"].to_numpy(np.int64)[close]), reason)
        if not accepted:
            return P.iloc[:0]
        idx = np.concatenate(accepted)
        acc = P.iloc[idx].reset_index(drop=True)
        acc["margin"] = np.concatenate(gaps)
        # which evidence decided between candidates: components where the choice beat the runner-up
        r = runner_row[idx]
        has_r = r >= 0
        decisive = np.full(len(acc), "", dtype=object)
        for c in comps:
            v = P[c].to_numpy(float)
            better = has_r & ((acc[c].to_numpy(float) - np.where(has_r, v[np.maximum(r, 0)], 0.0)) >= 0.15)
            decisive = np.where(better, np.where(decisive == "", c, decisive + "+" + c), decisive)
        acc["choice"] = np.where(acc["n"].to_numpy() <= 1, f"only {what}", np.where(decisive == "", "score", decisive))
        return acc

    def _apply_choice(self, acc: pd.DataFrame, detail: np.ndarray) -> None:
        import numpy as np

        if not len(acc):
            return
        s = acc["s"].to_numpy(np.int64)
        t = self._target_anchor(acc["tg"].to_numpy(np.int64))
        meth = acc["method"].to_numpy(object) if "method" in acc else self._pair_method(s, t)
        base = np.array([METHOD_CONFIDENCE.get(m, 0.7) for m in meth])
        factor = np.where(acc["n"].to_numpy() <= 1, 1.0, np.clip(0.7 + acc["margin"].to_numpy(), 0.7, 1.0))
        self._merge(s, t, meth, np.round(base * factor, 3), detail, acc["choice"].to_numpy(object))

    @staticmethod
    def _window(d: np.ndarray, lo: np.ndarray, hi: np.ndarray, scale: float) -> np.ndarray:
        """1 inside [lo, hi], falling to 0 at ``scale`` days outside; 0.4 when a date is missing."""
        import numpy as np

        with np.errstate(invalid="ignore"):
            dist = np.fmax(np.fmax(lo - d, d - hi), 0.0)
            out = np.clip(1.0 - dist / scale, 0.0, 1.0)
        return np.where(np.isnan(out), 0.4, out)

    def _work_titles(self, nodes: np.ndarray) -> pd.Series:
        """Titles of ``nodes``, a deal's being its work part ("Smith – Kitchen remodel": "Kitchen remodel")."""
        import numpy as np
        import pandas as pd

        titles = self.nd["title"].iloc[nodes].astype("string[pyarrow]")
        deal = np.flatnonzero(self.is_deal[nodes])
        if self.deal_work is None or not len(deal):
            return titles
        text = titles.to_numpy(object, na_value=None)
        text[deal] = self.deal_work.loc[nodes[deal]].to_numpy(object, na_value=None)
        return pd.Series(text, dtype="string[pyarrow]")

    def _titles(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Title similarity (0-1, 0.5 when one is missing) of records ``s[i]`` and ``t[i]``.

        Titles are keyed here, for the records compared only (a few thousand candidates,
        not every memo of every record).
        """
        import numpy as np

        from .normalize import title_key_codes

        codes, keys = title_key_codes(self._work_titles(np.concatenate([s, t])))
        keys = np.append(keys.to_numpy(zero_copy_only=False), "").astype(object)
        cs, ct = codes[: len(s)], codes[len(s) :]
        a, b = keys[cs], keys[ct]
        both = (cs >= 0) & (ct >= 0)
        out = np.full(len(s), 0.5)
        if both.any():
            # token-set similarity of unrelated titles is rarely below 0.4: stretch 0.4-1 onto 0-1
            out[both] = np.clip((_token_set(a[both], b[both]) / 100.0 - 0.4) / 0.6, 0.0, 1.0)
        return out

    def _link_deals_to_jobs(self) -> None:
        """Deals without a job reference to their customer's jobs, one deal per job."""
        import numpy as np
        import pandas as pd

        jn, dn = self._anchor_of(self.is_job), self._anchor_of(self.is_deal)
        deals = np.flatnonzero(self.is_deal & (jn[self.grp] < 0))
        tgt = (jn >= 0) & (dn < 0)
        P = self._candidates(deals, tgt)
        if not len(P):
            return
        d = P["s"].to_numpy(np.int64)
        j = jn[P["tg"].to_numpy(np.int64)]
        ad, aj = self.amount[d], self.amount[j]
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.abs(ad - aj) / np.fmax(aj, 1.0)
        amt = np.select(
            [np.isnan(rel), rel <= max(self.s.amount_tolerance, 0.005), rel <= 0.05, rel <= 0.15, rel <= 0.35],
            [0.4, 1.0, 0.8, 0.55, 0.3],
            0.1,
        )
        dd = np.where(np.isnan(self.d_closed[d]), self.d_created[d], self.d_closed[d])
        dj = np.where(np.isnan(self.d_created[j]), self.d_scheduled[j], self.d_created[j])
        # a deal closes, then the job is created: days to weeks later, rarely before
        date = self._window(dd, dj - 60, dj + 14, 150.0)
        title = self._titles(d, j)
        P["amount"], P["date"], P["title"] = amt, date, title
        P["score"] = 0.45 * amt + 0.35 * date + 0.2 * title
        acc = self._decide(P, ["amount", "date", "title"], one_to_one=True, what="job")
        if not len(acc):
            return
        d = acc["s"].to_numpy(np.int64)
        j = jn[acc["tg"].to_numpy(np.int64)]
        with np.errstate(invalid="ignore", divide="ignore"):
            pct = np.round(100 * (self.amount[d] - self.amount[j]) / np.fmax(self.amount[j], 1.0))
            gap = np.where(np.isnan(self.d_created[j]), self.d_scheduled[j], self.d_created[j]) - np.where(
                np.isnan(self.d_closed[d]), self.d_created[d], self.d_closed[d]
            )
        detail = (
            _fmt_amount(pct, "deal amount", "job total")
            + "; "
            + _fmt_days(gap, "job created", "deal closed")
            + "; title "
            + pd.Series(np.round(acc["title"].to_numpy() * 100).astype(int).astype(str)).to_numpy(object)
            + "% alike"
        )
        self._apply_choice(acc, detail)

    def _link_payments_to_invoices(self) -> None:
        """Payments without a reference to the invoice of their customer they pay (amount, then date)."""
        import numpy as np
        import pandas as pd

        rank = self._group_rank()
        pay = np.flatnonzero(self.is_pay & (rank[self.grp] == 1) & ~self.amb_node)
        ncl = self._node_cluster()
        pay = pay[ncl[pay] >= 0]
        inv = np.flatnonzero(self.is_inv & (ncl >= 0))
        if not len(pay) or not len(inv):
            return
        P = pd.DataFrame({"s": pay, "cl": ncl[pay]}).merge(pd.DataFrame({"i": inv, "cl": ncl[inv]}), on="cl")
        if not len(P):
            return
        s, i = P["s"].to_numpy(np.int64), P["i"].to_numpy(np.int64)
        x, A, B = self.amount[s], self.amount[i], self.balance[i]
        tol = self.s.amount_tolerance

        def close(u: np.ndarray, v: np.ndarray) -> np.ndarray:
            with np.errstate(invalid="ignore"):
                return np.abs(u - v) <= np.fmax(1.0, tol * np.abs(v))

        full = close(x, A)
        with np.errstate(invalid="ignore"):
            bal = (B > 0) & close(x, B)
            part = (B > 0) & (B < A) & close(x, A - B)
            gap = self.d_created[s] - self.d_created[i]
        ok = (full | bal | part) & ~(gap < -1)
        P = P[ok].copy()
        if not len(P):
            return
        s, i, gap = s[ok], i[ok], gap[ok]
        paid_same = self.d_paid[i] == self.d_created[s]
        same_sys = self.system.codes[s] == self.system.codes[i]
        P["score"] = (
            0.5 + 0.3 * paid_same + 0.1 * same_sys + 0.1 * (1 - np.clip(np.nan_to_num(gap, nan=180.0), 0, 180) / 180)
        )
        P["g"] = self.grp[i]
        P = P.sort_values(["s", "score"], ascending=[True, False])
        first = ~P["s"].duplicated()
        best = P[first].set_index("s")
        # two invoices of different jobs that the payment fits as well: ambiguous
        tie = P.merge(best[["score", "g"]], left_on="s", right_index=True, suffixes=("", "_b"))
        tie = tie[(tie["score"] >= tie["score_b"] - 0.05) & (tie["g"] != tie["g_b"])]
        amb_s = tie["s"].unique()
        if len(amb_s):
            both = P[P["s"].isin(amb_s)]
            both = both[both["score"] >= both.groupby("s")["score"].transform("max") - 0.05]
            self._log_amb(
                both["s"].to_numpy(), both["i"].to_numpy(), "fits several invoices of the customer by amount and date"
            )
        acc = best[~best.index.isin(amb_s)]
        if not len(acc):
            return
        s = acc.index.to_numpy(np.int64)
        i = acc["i"].to_numpy(np.int64)
        meth = self._pair_method(s, i)
        conf = np.minimum([METHOD_CONFIDENCE.get(m, 0.7) for m in meth], METHOD_CONFIDENCE["amount+date"])
        with np.errstate(invalid="ignore"):
            days = self.d_created[s] - self.d_created[i]
        which = np.where(
            close(self.amount[s], self.amount[i]), "amount = invoice ", "amount = open balance of invoice "
        )
        detail = (
            pd.Series(which).to_numpy(object)
            + self._rids(i).astype(str)
            + "; "
            + _fmt_days(days, "paid", "invoice date")
            + "; customer by "
            + meth.astype(str)
        )
        self._merge(s, i, "amount+date", conf, detail, "amount+date")

    def _link_invoices_to_jobs(self) -> None:
        """Invoices without a reference to their customer's job (or won deal): amount, date, title."""
        import numpy as np
        import pandas as pd

        jn, dn = self._anchor_of(self.is_job), self._anchor_of(self.is_deal)
        rank = self._group_rank()
        lead_acct = self._anchor_of(self.is_inv & self.is_acct)
        lead_any = self._anchor_of(self.is_inv)
        groups = np.flatnonzero(
            (np.isin(rank, [2, 3])) & (jn < 0) & (dn < 0) & (np.arange(self.N) == self.grp[np.arange(self.N)])
        )
        if not len(groups):
            return
        lead = np.where(lead_acct[groups] >= 0, lead_acct[groups], lead_any[groups])
        lead = lead[lead >= 0]
        tgt = (jn >= 0) | (dn >= 0)
        P = self._candidates(lead, tgt)
        if not len(P):
            return
        s = P["s"].to_numpy(np.int64)
        tg = P["tg"].to_numpy(np.int64)
        j, d = jn[tg], dn[tg]
        hj, hd = j >= 0, d >= 0
        jj, dd = np.maximum(j, 0), np.maximum(d, 0)
        total = np.where(hj & ~np.isnan(self.amount[jj]), self.amount[jj], np.where(hd, self.amount[dd], np.nan))
        x = self.amount[s]
        amt, reason = _amount_vs_total(x, total, self.s.amount_tolerance)
        # an invoice the other system holds too (same amount, within ten days): the same bill
        inv = np.flatnonzero(self.is_inv)
        invs = pd.DataFrame({"tg": self.grp[inv], "n": inv})
        M = P[["s", "tg"]].reset_index().merge(invs, on="tg")
        if len(M):
            ms, mn = M["s"].to_numpy(np.int64), M["n"].to_numpy(np.int64)
            with np.errstate(invalid="ignore"):
                hit = (
                    (self.system.codes[ms] != self.system.codes[mn])
                    & (
                        np.abs(self.amount[ms] - self.amount[mn])
                        <= np.fmax(1.0, self.s.amount_tolerance * np.abs(self.amount[mn]))
                    )
                    & (np.abs(self.d_created[ms] - self.d_created[mn]) <= 10)
                )
            mirror = np.zeros(len(P), dtype=bool)
            mirror[M["index"].to_numpy()[hit]] = True
            amt = np.where(mirror, 1.0, amt)
            reason = np.where(mirror, "mirror", reason)
        start = np.fmin(
            np.where(hj, self.d_created[jj], np.nan),
            np.where(hd, np.where(np.isnan(self.d_closed[dd]), self.d_created[dd], self.d_closed[dd]), np.nan),
        )
        done = hj & (~np.isnan(self.d_completed[jj]) | self.state.isin(["completed", "cancelled"])[jj])
        end = np.where(done, np.fmax(np.fmax(self.d_completed[jj], self.d_closed[jj]), self.d_created[jj]), np.inf)
        date = self._window(self.d_created[s], start - 45, end + 120, 180.0)
        t_node = np.where(hj, jj, dd)
        title = self._titles(s, t_node)
        score = 0.45 * amt + 0.35 * date + 0.2 * title
        # the same bill in the other system is near-proof; an amount above the job total is near-disproof
        score = np.where(reason == "mirror", score + 0.15, np.where(amt == 0, score * 0.6, score))
        P["amount"], P["date"], P["title"], P["score"] = amt, date, title, score
        P["reason"], P["pct"] = reason, np.round(100 * x / np.where(total > 0, total, np.nan))
        acc = self._decide(P, ["amount", "date", "title"], one_to_one=False, what="job")
        if not len(acc):
            return
        s = acc["s"].to_numpy(np.int64)
        t = self._target_anchor(acc["tg"].to_numpy(np.int64))
        with np.errstate(invalid="ignore"):
            gap = self.d_created[s] - np.where(self.is_job[t], self.d_created[t], self.d_closed[t])
        r = acc["reason"].to_numpy(object)
        pct = pd.Series(acc["pct"].to_numpy()).astype("Int64").astype("string").fillna("?").to_numpy(object)
        amount_text = np.select(
            [r == "mirror", r == "total", r == "share"],
            [
                "same amount and date as an invoice of the job in another system",
                "amount = job total",
                "amount " + pct + "% of job total",
            ],
            "amount " + pct + "% of job total",
        )
        detail = amount_text + "; " + _fmt_days(gap, "dated", "job start")
        self._apply_choice(acc, detail)

    def _link_payments_to_open_jobs(self) -> None:
        """Payments that fit no invoice: to the customer's only open job (or won deal), else ambiguous."""
        import numpy as np

        jn, dn = self._anchor_of(self.is_job), self._anchor_of(self.is_deal)
        rank = self._group_rank()
        pay = np.flatnonzero(self.is_pay & (rank[self.grp] == 1) & ~self.amb_node)
        jj, dd = np.maximum(jn, 0), np.maximum(dn, 0)
        open_job = (jn >= 0) & ~self.state.isin(["completed", "cancelled"])[jj] & np.isnan(self.d_completed[jj])
        open_deal = (jn < 0) & (dn >= 0) & self.state.isin(["won"])[dd]
        P = self._candidates(pay, open_job | open_deal)
        if not len(P):
            return
        self._log_customer_amb(P[P["via"] == "ambiguous"])
        P = P[P["via"] == "own"].copy()
        P["n"] = P.groupby("s")["tg"].transform("nunique")
        many = P[P["n"] > 1]
        if len(many):
            self._log_amb(
                many["s"].to_numpy(),
                self._target_anchor(many["tg"].to_numpy(np.int64)),
                "the customer has several open jobs and the payment names none",
            )
        one = P[P["n"] == 1].drop_duplicates("s").copy()
        if not len(one):
            return
        one["margin"] = 1.0
        one["choice"] = "only open job"
        self._apply_choice(one, np.full(len(one), "the customer's only open job", dtype=object))
        # the customer tier alone is not proof that this payment is for that job
        moved = one["s"].to_numpy(np.int64)
        self.conf[moved] = self._conf_codes(np.minimum(self.conf_vals[self.conf[moved]], 0.75))

    # ------------------------------------------------------------------ result

    def _group_keys(self) -> tuple[pa.Array, np.ndarray]:
        """The job key of every group (``J-``, ``D-``, ``I-``, ``P-``): the keys, in order of group
        id, as arrow text (3M groups at a million jobs: no Python string each), and per group id
        its key's position among them (-1 for an id that is no group's)."""
        import numpy as np
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        # strongest record kind first, ties by node (a stable sort of the int8 ranks: radix, not lexsort)
        order = np.argsort(-self.rank, kind="stable")
        g = self.grp[order]
        # the anchor of a group: its first node in that order (the strongest record)
        first = np.full(self.N, self.N, dtype=np.int64)
        np.minimum.at(first, g, np.arange(self.N))
        groups = np.flatnonzero(first < self.N)
        a = order[first[groups]]
        del order, g, first
        r = self.rank[a]
        kind = np.select([r == 5, r == 4, r >= 2], [0, 1, 2], 3).astype(np.int8)
        ls = pa.large_string()
        prefix = pa.array(["J-", "D-", "I-", "P-"], type=ls).take(pa.array(kind))

        def rows(nodes: np.ndarray) -> np.ndarray:
            return self.nd["row"].iloc[nodes].astype("string").fillna("?").to_numpy(object)

        ident = self.rid_arr.take(pa.array(a)).cast(ls)
        # a record without an id is named by its file and row (only those are read)
        blank = pc.equal(ident, "")
        none = np.flatnonzero(blank.to_numpy(zero_copy_only=False))
        if len(none):
            named = self.src_uniq[self.src_code[a[none]]] + "#" + rows(a[none])
            ident = pc.replace_with_mask(ident, blank, pa.array(named.astype(object), type=ls))
        key = pc.binary_join_element_wise(prefix, ident, pa.scalar("", ls))
        del prefix, ident
        dup = pd.Series(pd.arrays.ArrowStringArray(key)).duplicated(keep=False).to_numpy()
        #: whether no two groups share a key (then a group's number stands for its key: see job_codes)
        self.keys_unique = not dup.any()
        if not self.keys_unique:  # (no clash: nothing to tell apart, no second pass)
            text = pd.Series(key.to_numpy(zero_copy_only=False), dtype=object)
            text[dup] = text[dup] + "@" + self.system[a][dup]
            dup = text.duplicated(keep=False).to_numpy()
            text[dup] = text[dup] + "#" + rows(a[dup])
            self.keys_unique = not text.duplicated().any()
            key = pa.array(text.to_numpy(object), type=ls)
        pos = np.full(self.N, -1, dtype=int_type(self.N))
        pos[groups] = np.arange(len(groups))
        return key, pos

    @staticmethod
    def _key_text(keys: pa.Array, at: np.ndarray) -> np.ndarray:
        """The job keys at positions ``at`` (see :meth:`_group_keys`) as an object array of text."""
        import numpy as np
        import pyarrow as pa

        return np.asarray(keys.take(pa.array(np.asarray(at))).to_numpy(zero_copy_only=False), dtype=object)

    #: What building the result reads; every other per-node / per-identity array is let go first.
    _RESULT_READS = frozenset(
        (
            "N", "I", "s", "input", "keep_links", "nd", "grp", "rank", "method", "conf", "conf_vals", "choice", "detail",
            "node_of_row",
            "texts", "words", "edge_log", "dangling", "amb_log", "dup_ev", "sc", "ident", "lab", "i_sys",
            "rtype", "system", "src_code", "src_uniq", "rid_arr", "pins", "forbids",
            "forbid_hit", "warnings", "overrides",
        )
    )

    #: What the job steps (deals, invoices, payments to jobs) and the result read.
    _JOB_READS = _RESULT_READS | frozenset(
        (
            "amb_cl", "amb_node", "amount", "balance", "c_addr", "c_email", "c_key", "c_phone",
            "d_closed", "d_completed", "d_created", "d_paid", "d_scheduled", "deal_work", "forbid_a", "forbid_b",
            "forbid_of", "g_deal", "g_job", "g_rank", "i_wtier", "i_xtier", "is_acct", "is_deal", "is_inv", "is_job",
            "is_pay", "state", "surname_cl",
        )
    )
    #: What resolving customers and the steps after it read: the identities, and the keys per node.
    _CUSTOMER_READS = _JOB_READS | frozenset(
        (
            "_ia", "c_street", "sys_code", "u_addr", "u_email", "u_phone", "i_bit", "i_derived", "i_email_c",
            "i_first", "i_first_c", "i_init_only", "i_initial", "i_initial_c", "i_is_org", "i_is_person", "i_key",
            "i_key_c", "i_kind", "i_kind_c", "i_last", "i_last_c", "i_node", "i_phone_c", "i_qual_c",
            "i_qual_street", "i_written",
        )
    )

    def _result(self) -> LinkResult:
        import numpy as np
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        # the output columns are built next (the largest allocations of the run): the keys,
        # name parts and dates held for matching are dropped before (GBs at a million jobs)
        self._keep_only(self._RESULT_READS)
        # (every per-record temporary below is let go as soon as its column is made: each is
        # 55 MB at a million jobs, and the columns themselves are the largest allocations)
        from ._memory import release_freed

        keys, pos = self._group_keys()
        # the columns below are built one after the other, each from temporaries as large as
        # itself (grouping, factorising, pyarrow takes); what each step freed is given back
        # before the next (at a million jobs ~700 MB stayed mapped until the end otherwise)
        release_freed(self.N)
        # (every row's node: without repeats, a slice, so each per-node array is read as it is)
        node = self.node_of_row if self.node_of_row is not None else slice(None)
        g = self.grp[node]
        # a shallow copy: the input's columns are shared (copy-on-write), only new ones are added
        out = self.input.reset_index(drop=True).copy(deep=False)
        out["job"] = _take_str(keys, pos[g])
        words = self.words.text()
        nw = len(words)
        muniq = np.append(words, np.array(["anchor", "unlinked"], dtype=object))
        method = self.method[node]
        none = method < 0
        linked = np.bincount(self.grp, minlength=self.N)[g] > 1
        # a handful of methods and choices, and almost no dangling references: categoricals
        out["link_method"] = _take_cat(muniq, np.where(none, np.where(linked, nw, nw + 1), method))
        out["link_confidence"] = np.where(none, np.where(linked, 1.0, 0.0), self.conf_vals[self.conf[node]])
        del method, none, linked
        # from here on each per-node array goes as soon as its column is built: the columns
        # being built are the run's last peak (link_detail alone is 180 MB at a million jobs)
        self.method = self.conf = None
        ncl = self._node_cluster()
        # records with no customer details take their job's customer
        gcl = np.full(self.N, -1, dtype=ncl.dtype)
        np.maximum.at(gcl, self.grp, ncl)
        cl = np.where(ncl >= 0, ncl, gcl[self.grp])
        del ncl, gcl
        codes, uniq = pd.factorize(np.where(cl[node] >= 0, cl[node], -1), use_na_sentinel=False)
        del cl
        codes = np.where(uniq[codes] >= 0, codes, -1)
        names = pc.binary_join_element_wise("C-", pa.array(np.arange(1, len(uniq) + 1)).cast(pa.string()), "")
        # number customers in order of first appearance, skipping the "no customer" code
        live = np.flatnonzero(uniq >= 0)
        renum = np.full(len(uniq), -1, dtype=np.int64)
        renum[live] = np.arange(len(live))
        out["customer_key"] = _take_str(names, np.where(codes >= 0, renum[np.maximum(codes, 0)], -1))
        del codes, uniq, names, live, renum
        release_freed(self.N)
        out["link_choice"] = _take_cat(words, self.choice[node])
        self.choice = None
        # built a million records at a time (one arrow chunk each): the texts the records name are
        # gathered per block, not all at once beside the column (at a million jobs the pool of the
        # named texts was 130 MB on top of the 183 MB column: the run's last peak)
        if self.keep_links:
            det = self.detail[node]
            step = 1 << 20
            blocks = [self.texts.take(det[i : i + step]) for i in range(0, len(det), step)]
            out["link_detail"] = pd.arrays.ArrowStringArray(pa.chunked_array(blocks, type=pa.large_string()))
            del det, blocks
        else:
            # no reader: the column is there (every record frame has the same columns), all
            # missing, over one zero mapping that never becomes resident
            from .records import no_text

            out["link_detail"] = pd.arrays.ArrowStringArray(no_text(len(out)))
        self.detail = None
        if not self.keep_links:
            self.texts = None  # (read after this by the links' details only)
        release_freed(self.N)
        dangling = np.full(self.N, -1, dtype=np.int64)
        if self.dangling:
            dangling[np.fromiter(self.dangling.keys(), dtype=np.int64)] = np.arange(len(self.dangling))
        out["dangling_ref"] = _take_cat(np.array(list(self.dangling.values()), dtype=object), dangling[node])
        del dangling

        # each node's source (the few nodes reported are read)
        src = _Vocab.of(self.src_code, self.src_uniq)
        links: pd.DataFrame | Callable[[], pd.DataFrame] | None
        if not self.keep_links:
            links = None
        elif self.edge_log:
            a, b, emeth, econf, edet = (np.concatenate(x) for x in zip(*self.edge_log, strict=True))
            self.edge_log = []  # the pieces, now copied into one array each
            a, b = a.astype(np.int64, copy=False), b.astype(np.int64, copy=False)
            rid = self.rid_arr  # record ids as text ("" for none), taken by pyarrow
            src_uniq, src_code, texts, job_keys, job_of_a = self.src_uniq, self.src_code, self.texts, keys, pos[self.grp[a]]

            def build_links() -> pd.DataFrame:
                return pd.DataFrame(
                    {
                        "source_a": _take_str(src_uniq, src_code[a]),
                        "record_a": _take_str(rid, a, nan=True),
                        "source_b": _take_str(src_uniq, src_code[b]),
                        "record_b": _take_str(rid, b, nan=True),
                        "method": _take_str(words, emeth),
                        "confidence": np.asarray(econf, dtype=float),
                        "detail": _take_str(texts.flat(), edet, nan=True),
                        "job": _take_str(job_keys, job_of_a),
                    }
                )

            from . import _fastpaths

            # only what the edges need is kept for later (not the linker's matching state)
            links = build_links if _fastpaths.enabled() else build_links()
        else:
            links = pd.DataFrame(
                columns=["source_a", "record_a", "source_b", "record_b", "method", "confidence", "detail", "job"]
            )

        ambiguous = self._ambiguous_frame(keys, pos, src)
        duplicates = self._duplicates_frame(src)
        applied = []
        for ov, na in self.pins:
            why = f": {ov.reason}" if ov.reason else ""
            applied.append(f"pinned {ov.a} to job {self._key_text(keys, pos[self.grp[[na]]])[0]} ({ov.origin}){why}")
        for i, (ov, _node) in enumerate(self.forbids):
            why = f": {ov.reason}" if ov.reason else ""
            hit = self.forbid_hit.get(i)
            extra = f"; without it they would have been linked ({hit})" if hit else ""
            applied.append(f"kept {ov.a} apart from {ov.b} ({ov.origin}){why}{extra}")
        # each record's job as a number (its group's root), when numbers and keys correspond one to one
        job_codes = pos[g].astype(np.int64) if self.keys_unique and (pos[g] >= 0).all() else None
        return LinkResult(out, links, ambiguous, duplicates, applied, self.warnings, self.s, job_codes)

    def _ambiguous_frame(self, keys: pa.Array, pos: np.ndarray, src: _Vocab) -> pd.DataFrame:
        import numpy as np
        import pandas as pd

        cols = ["source", "record_id", "record_type", "customer", "candidates", "reason", "job"]
        if not self.amb_log:
            return pd.DataFrame(columns=cols)
        a = pd.concat(self.amb_log, ignore_index=True)
        a["key"] = self._key_text(keys, pos[self.grp[a["c"].to_numpy(np.int64)]])
        a = a[a["key"] != self._key_text(keys, pos[self.grp[a["s"].to_numpy(np.int64)]])]
        if not len(a):
            return pd.DataFrame(columns=cols)
        s, cands = _join_by(a["s"].to_numpy(np.int64), a["key"].to_numpy(object), ",", sort=True)
        reason = a.drop_duplicates("s").set_index("s")["reason"].reindex(s).to_numpy(object)
        s = s.astype(np.int64)
        return pd.DataFrame(
            {
                "source": src[s],
                "record_id": self._rids(s),
                "record_type": self.rtype[s],
                "customer": self._customer_name(s),
                "candidates": cands,
                "reason": reason,
                "job": self._key_text(keys, pos[self.grp[s]]),
            }
        )

    def _duplicates_frame(self, src: _Vocab) -> pd.DataFrame:
        """One row per customer a system holds under several names, with the records and the evidence."""
        import numpy as np
        import pandas as pd

        cols = ["system", "source", "group", "names", "record_ids", "records", "evidence"]
        ev = self.dup_ev
        if not len(ev):
            return pd.DataFrame(columns=cols)
        ev = ev.assign(sc=self.sc[ev["x"].to_numpy(np.int64)])
        nodes = np.flatnonzero(self.ident >= 0)
        nsc = self.sc[self.ident[nodes]]
        sel = np.isin(nsc, ev["sc"].unique())
        d = pd.DataFrame({"sc": nsc[sel], "node": nodes[sel]})
        d["name"] = self._customer_name(d["node"].to_numpy())
        d["src"] = src[d["node"].to_numpy()]
        d["rid"] = self._rids(d["node"].to_numpy())
        d["norm"] = pd.Series(d["name"], dtype="string").str.lower().str.replace(r"\s+", " ", regex=True).str.strip()
        named = d[d["name"] != ""]
        spellings = named.groupby("sc")["norm"].nunique()
        keep = spellings[spellings >= 2].index
        if not len(keep):
            return pd.DataFrame(columns=cols)
        d = d[d["sc"].isin(keep)].sort_values(["sc", "node"], kind="stable")
        nd = d[d["name"] != ""]
        g, joined = _join_by(nd["sc"].to_numpy(), nd["name"].to_numpy(object), "; ")
        names = pd.Series(joined, index=g)
        records: dict[int, dict[str, list[str]]] = {}
        for sc, source, rid in zip(d["sc"].tolist(), d["src"].tolist(), d["rid"].tolist(), strict=True):
            records.setdefault(int(sc), {}).setdefault(str(source), []).append(str(rid))
        e = ev[ev["sc"].isin(keep)]
        g, joined = _join_by(e["sc"].to_numpy(), e["text"].to_numpy(object), "; ")
        evidence = pd.Series(joined, index=g)
        scs = np.array(sorted(keep), dtype=np.int64)
        return pd.DataFrame(
            {
                "system": self.i_sys[scs],
                "source": [", ".join(records[int(k)]) for k in scs],
                "group": [f"DUP-{i}" for i in range(1, len(scs) + 1)],
                "names": names.reindex(scs).to_numpy(object),
                "record_ids": [", ".join(r for ids in records[int(k)].values() for r in ids) for k in scs],
                "records": [records[int(k)] for k in scs],
                "evidence": evidence.reindex(scs).to_numpy(object),
            },
            columns=cols,
        )


def _fmt_amount(pct: np.ndarray, what: str, of: str) -> np.ndarray:
    import numpy as np
    import pandas as pd

    p = pd.Series(pct).astype("Int64")
    txt = np.where(
        p.isna(),
        f"{what} unknown",
        np.where(
            p.fillna(0) == 0,
            f"{what} = {of}",
            f"{what} "
            + p.abs().astype("string").fillna("?").to_numpy(object)
            + "% "
            + np.where(p.fillna(0) > 0, "above ", "below ")
            + of,
        ),
    )
    return txt.astype(object)


def _fmt_days(days: np.ndarray, a: str, b: str) -> np.ndarray:
    import numpy as np
    import pandas as pd

    d = pd.Series(days).round().astype("Int64")
    mag = d.abs().astype("string").fillna("?").to_numpy(object)
    side = np.where(d.fillna(0) >= 0, " days after ", " days before ")
    txt = np.where(d.isna(), f"{a}: date unknown", a + " " + mag + side + b)
    return txt.astype(object)


def _amount_vs_total(x: np.ndarray, total: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Score an invoice amount against a job total: equal, a usual deposit/progress share, below, above.

    Contractors bill a job whole, or as a deposit (10-50%) and the rest, or in
    progress draws; a share that is a round fraction of the total is strong evidence.
    """
    import numpy as np

    # deposits of 10-50% and the remainders after them
    fr = np.array([0.1, 0.2, 0.25, 0.3, 1 / 3, 0.4, 0.5, 0.6, 2 / 3, 0.7, 0.75, 0.8, 0.9])
    with np.errstate(invalid="ignore"):
        missing = np.isnan(x) | np.isnan(total) | ~(total > 0)
        slack = np.fmax(1.0, tol * total)
        exact = np.abs(x - total) <= slack
        share = (np.abs(x[:, None] - fr[None, :] * total[:, None]) <= np.fmax(1.0, 0.002 * total)[:, None]).any(axis=1)
        below = x < total
        near = x <= 1.1 * total
    score = np.select([missing, exact, share, below, near], [0.4, 1.0, 0.8, 0.3, 0.15], 0.0)
    reason = np.select([missing, exact, share, below, near], ["unknown", "total", "share", "below", "near"], "above")
    return score, reason.astype(object)


# =========================================================================== reports on a result


def coverage(result: LinkResult) -> pd.DataFrame:
    """How well each source links to each other source: one row per (source, record type, other source).

    Columns: ``source``, ``record_type``, ``other_source``, ``records`` (records of that
    type in the source), ``linked`` (how many share a job with a record of the other
    source), ``share`` (0-1), ``high`` / ``medium`` / ``low`` (linked records by
    confidence band, see :data:`CONFIDENCE_BANDS`), ``methods`` ("ref:invoice# 150,
    name 25": how the links were made, most used first).

    For a job's anchor record (the job itself), the method and confidence are those of
    the other source's record that joined it: "jobs linked to a deal: by email".
    """
    import numpy as np
    import pandas as pd

    cols = ["source", "record_type", "other_source", "records", "linked", "share", "high", "medium", "low", "methods"]
    r = result.records
    if not len(r):
        return pd.DataFrame(columns=cols)
    f = pd.DataFrame(
        {
            "source": r["source"].astype("string").fillna("").to_numpy(object),
            "record_type": r["record_type"].astype("string").fillna("").to_numpy(object),
            "job": r["job"].astype("string").fillna("").to_numpy(object),
            "method": r["link_method"].astype("string").fillna("").to_numpy(object),
            "conf": r["link_confidence"].to_numpy(float),
        }
    )
    # per (job, source): how that source's record joined the job (first record of the source in it)
    js = f.drop_duplicates(["job", "source"])[["job", "source", "method", "conf"]]
    js = js.rename(columns={"source": "other_source", "method": "o_method", "conf": "o_conf"})
    p = f.merge(js, on="job")
    p = p[p["source"] != p["other_source"]]
    anchor = p["method"].to_numpy(object) == "anchor"
    p["m"] = np.where(anchor, p["o_method"].to_numpy(object), p["method"].to_numpy(object))
    p["c"] = np.where(anchor, p["o_conf"].to_numpy(float), p["conf"].to_numpy(float))
    # an anchor joined by a record that itself hangs on the anchor: show what that record did
    p["band"] = np.select(
        [p["c"] >= CONFIDENCE_BANDS[0][1], p["c"] >= CONFIDENCE_BANDS[1][1]], ["high", "medium"], "low"
    )
    keys = ["source", "record_type", "other_source"]
    linked = p.groupby(keys).size().rename("linked")
    bands = (
        p.groupby(keys + ["band"])
        .size()
        .unstack("band", fill_value=0)
        .reindex(columns=["high", "medium", "low"], fill_value=0)
    )
    meth = (
        p.groupby(keys + ["m"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(keys + ["n", "m"], ascending=[True] * 3 + [False, True])
    )
    meth["t"] = meth["m"].astype(str) + " " + meth["n"].astype(str)
    methods = meth.groupby(keys, sort=False)["t"].agg(", ".join).rename("methods")
    base = f.groupby(["source", "record_type"]).size().rename("records").reset_index()
    others = pd.DataFrame({"other_source": sorted(f["source"].unique())})
    grid = base.merge(others, how="cross")
    grid = grid[grid["source"] != grid["other_source"]]
    out = grid.merge(linked.reset_index(), on=keys, how="left").merge(bands.reset_index(), on=keys, how="left")
    out = out.merge(methods.reset_index(), on=keys, how="left")
    for c in ("linked", "high", "medium", "low"):
        out[c] = out[c].fillna(0).astype(int)
    out["methods"] = out["methods"].fillna("")
    out["share"] = (out["linked"] / out["records"]).round(4)
    return out[cols].sort_values(["source", "record_type", "other_source"]).reset_index(drop=True)


def unlinked(result: LinkResult) -> pd.DataFrame:
    """Records that share their job with no record of another source (and are not ambiguous).

    Columns: ``source``, ``record_type``, ``record_id``, ``customer``, ``amount``,
    ``created``, ``state``, ``dangling_ref`` (references that point at nothing).
    """
    import pandas as pd

    r = result.records
    cols = ["source", "record_type", "record_id", "customer", "amount", "created", "state", "dangling_ref"]
    if not len(r):
        return pd.DataFrame(columns=cols)
    n_sources = r.groupby("job")["source"].transform("nunique")
    amb = set(zip(result.ambiguous.get("source", []), result.ambiguous.get("record_id", []), strict=True))
    out = r.loc[n_sources <= 1, [c for c in cols if c in r.columns]]
    if amb:
        key = list(zip(out["source"].astype(str), out["record_id"].astype(str), strict=True))
        out = out[[k not in amb for k in key]]
    return out.sort_values(["source", "record_type", "record_id"]).reset_index(drop=True)
