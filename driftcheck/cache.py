"""The local cache of live pulls: each source's last good records and its incremental cursor.

Layout under ``.driftcheck/cache/`` (one set per source name)::

    <name>.json                       sidecar: schema, system, pulled_at, cursor, record count,
                                      the data files of this generation, last failure
    <name>.<gen>.records.parquet      the normalised record frame
    <name>.<gen>.<aux>.parquet        lookup tables (contacts, customers) the connector keeps

A save writes the new generation's parquet files first, then replaces the
sidecar atomically (temp file + ``os.replace``), then deletes the previous
generation. The sidecar is the commit point: a crash at any moment leaves either
the old sidecar pointing at old files that still exist, or the new one pointing
at new files that are complete. A failed pull therefore never damages the last
good cache. Nothing secret is ever written here (records and cursors only).
"""

from __future__ import annotations

import json
import os
import re
import secrets as _random
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SourceError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CACHE_SCHEMA", "CachedPull", "SourceCache", "merge_records"]

#: Version of the cache layout; a newer one is refused rather than misread.
CACHE_SCHEMA = 1

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class CachedPull:
    """One source's cached pull."""

    records: pd.DataFrame
    aux: dict[str, pd.DataFrame]
    cursor: dict[str, str]
    pulled_at: datetime
    meta: dict[str, Any] = field(default_factory=dict)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class SourceCache:
    """The cache directory of one project (``.driftcheck/cache``).

    Args:
        root: the cache directory; created on first save.
    """

    def __init__(self, root: Path):
        self.root = Path(root)

    def _stem(self, name: str) -> str:
        return _SAFE.sub("_", name) or "source"

    def sidecar(self, name: str) -> Path:
        return self.root / f"{self._stem(name)}.json"

    def meta(self, name: str) -> dict[str, Any] | None:
        """The sidecar of ``name``, or None when nothing is cached."""
        path = self.sidecar(name)
        if not path.exists():
            return None
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SourceError(f"the cache file {path} is unreadable ({type(exc).__name__}); delete it and pull again") from None
        if meta.get("schema", 0) > CACHE_SCHEMA:
            raise SourceError(f"the cache file {path} was written by a newer driftcheck; upgrade, or delete it and pull again")
        return meta

    def load(self, name: str) -> CachedPull | None:
        """The last good pull of ``name``, or None when nothing is cached."""
        import pandas as pd

        meta = self.meta(name)
        if meta is None:
            return None
        try:
            records = pd.read_parquet(self.root / meta["files"]["records"])
            aux = {k: pd.read_parquet(self.root / f) for k, f in meta["files"].items() if k != "records"}
        except (OSError, KeyError, ValueError) as exc:
            raise SourceError(
                f"the cached data of '{name}' in {self.root} is damaged ({type(exc).__name__}); run with --refresh"
            ) from None
        return CachedPull(
            records=records,
            aux=aux,
            cursor=dict(meta.get("cursor") or {}),
            pulled_at=datetime.fromisoformat(meta["pulled_at"]),
            meta=meta,
        )

    def save(
        self,
        name: str,
        *,
        system: str,
        records: pd.DataFrame,
        aux: dict[str, pd.DataFrame],
        cursor: dict[str, str],
        pulled_at: datetime,
    ) -> Path:
        """Store a good pull atomically; returns the sidecar path."""
        self.root.mkdir(parents=True, exist_ok=True)
        old = self.meta(name)
        stem = self._stem(name)
        gen = _random.token_hex(4)
        files: dict[str, str] = {}
        for key, frame in {"records": records, **aux}.items():
            fname = f"{stem}.{gen}.{_SAFE.sub('_', key)}.parquet"
            path = self.root / fname
            tmp = path.with_name(f".{fname}.tmp")
            frame.to_parquet(tmp, index=False)
            os.replace(tmp, path)
            files[key] = fname
        meta = {
            "schema": CACHE_SCHEMA,
            "source": name,
            "system": system,
            "pulled_at": pulled_at.isoformat(),
            "cursor": cursor,
            "records": int(len(records)),
            "files": files,
        }
        _atomic_write(self.sidecar(name), json.dumps(meta, indent=2, sort_keys=True).encode("utf-8"))
        if old:
            for f in old.get("files", {}).values():
                if f not in files.values():
                    (self.root / f).unlink(missing_ok=True)
        return self.sidecar(name)

    def note_failure(self, name: str, when: datetime, reason: str) -> None:
        """Record the last failed pull in the sidecar (the data and cursor are untouched)."""
        meta = self.meta(name)
        if meta is None:
            return
        meta["last_failure"] = {"at": when.isoformat(), "reason": reason}
        _atomic_write(self.sidecar(name), json.dumps(meta, indent=2, sort_keys=True).encode("utf-8"))


def merge_records(old: pd.DataFrame | None, new: pd.DataFrame, keys: tuple[str, ...] = ("record_type", "record_id")) -> pd.DataFrame:
    """Records of ``old`` updated by ``new``: a key present in both takes the new row."""
    import pandas as pd

    if old is None or not len(old):
        return new.reset_index(drop=True)
    if not len(new):
        return old.reset_index(drop=True)
    cols = list(dict.fromkeys([*old.columns, *new.columns]))
    both = pd.concat([old.reindex(columns=cols), new.reindex(columns=cols)], ignore_index=True)
    return both.drop_duplicates(subset=list(keys), keep="last").reset_index(drop=True)
