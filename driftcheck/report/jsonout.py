"""JSON: the ``driftcheck.scan/1`` dict, stable for scripts."""

from __future__ import annotations

import json
import math
from typing import IO, Any

from .._fastpaths import enabled as _fast

__all__ = ["render_json", "render_json_bytes", "write_json"]

#: Findings serialised per slice when a report is streamed (about 5 MB of JSON each).
_SLICE = 5000


def write_json(scan: dict[str, Any], out: IO[bytes]) -> None:
    """Write :func:`render_json_bytes`'s bytes to the file ``out``, the findings a slice at a time.

    A million-job report is 120 MB of findings: serialised whole, orjson's buffer grew to
    about twice that on top of the scan (the JSON step was the scan's second-highest
    point). Each slice is serialised as a list and re-indented into place, so the file is
    byte for byte what :func:`render_json_bytes` gives (a test holds them equal). If orjson
    refuses a value half-way, the file is rewritten whole the plain way.
    """
    findings = scan.get("findings")
    if not _fast() or not isinstance(findings, list) or len(findings) <= _SLICE:
        out.write(render_json_bytes(scan))
        return
    start_at = out.tell()
    if not _stream(scan, findings, out):
        out.seek(start_at)
        out.truncate()
        out.write(render_json_bytes(scan))


def _stream(scan: dict[str, Any], findings: list[Any], out: IO[bytes]) -> bool:
    """:func:`write_json`'s streaming; False as soon as orjson refuses a part."""
    import orjson

    keys = list(scan)
    out.write(b"{\n")
    for i, key in enumerate(keys):
        out.write(b"  " + orjson.dumps(key) + b": ")
        if key == "findings":
            out.write(b"[\n")
            for start in range(0, len(findings), _SLICE):
                part = _orjson(findings[start:start + _SLICE])
                if part is None:
                    return False
                # b"[\n  {...},\n  {...}\n]\n" -> its items, two spaces deeper, no brackets
                items = part[2:-3].replace(b"\n", b"\n  ")
                out.write(b"  " + items + (b",\n" if start + _SLICE < len(findings) else b"\n"))
            out.write(b"  ]")
        else:
            value = _orjson(scan[key])
            if value is None:
                return False
            out.write(value[:-1].replace(b"\n", b"\n  "))  # (without orjson's trailing newline)
        out.write(b",\n" if i + 1 < len(keys) else b"\n")
    out.write(b"}\n")
    return True


def render_json_bytes(scan: dict[str, Any]) -> bytes:
    """:func:`render_json` as the UTF-8 bytes a file or pipe receives.

    A 1M-job report is 120 MB: decoding orjson's bytes to text and encoding that text again
    to write it held three copies at once (the JSON render was the scan's highest point
    after linking); the bytes are written as they are.
    """
    if _fast():
        fast = _orjson(scan)
        if fast is not None:
            return fast
    return (json.dumps(scan, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def render_json(scan: dict[str, Any]) -> str:
    """Serialise the scan dict (UTF-8 text, two-space indent, trailing newline).

    orjson writes the same bytes as ``json.dumps(indent=2, ensure_ascii=False)`` some 20x
    faster (a 1M-job scan's 120 MB report: 3.2 s -> 0.16 s). The stdlib call stays as its
    plain twin (``DRIFTCHECK_FASTPATHS=0``) and as the fallback for anything orjson refuses
    (an integer beyond 64 bits, a numpy NaN). The scan dict holds None, never a float NaN:
    orjson would write a NaN as null where the stdlib writes the non-JSON ``NaN``.
    """
    return render_json_bytes(scan).decode("utf-8")


def _orjson(scan: dict[str, Any]) -> bytes | None:
    """orjson's bytes, or None for what it refuses (the stdlib writes those)."""
    import orjson

    try:
        return orjson.dumps(
            scan, default=_default, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
        )
    except (TypeError, orjson.JSONEncodeError):
        return None


def _default(value: Any) -> Any:
    """What the stdlib encoder does with what orjson does not know.

    A numpy float is a float to the stdlib (written as a number), not a string; anything else
    gets ``str``, as ``default=str`` gives it.
    """
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError("not finite")  # the stdlib path writes NaN/Infinity as it always did
        return float(value)
    return str(value)
