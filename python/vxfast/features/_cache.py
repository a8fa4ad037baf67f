"""On-disk cache of quality() results, keyed by the video file's fingerprint and the parameters.

Entries are .npz files written atomically (temp file + rename); anything that fails to load or
does not match the expected shape is treated as a miss and overwritten.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Optional

import numpy as np

from .. import _core
from ._table import FeatureTable

__all__ = ["FeatureCache", "file_fingerprint"]

_MIB = 1 << 20
# Bump when a feature definition or the entry layout changes, so old entries stop matching.
_FORMAT = 1


def file_fingerprint(path: str) -> dict:
    """Size, mtime (ns) and SHA-256 of the first and last MiB: cheap on any file size, and it
    changes when the file is rewritten, appended to or truncated."""
    st = os.stat(path)
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read(_MIB))
        if st.st_size > _MIB:
            f.seek(max(_MIB, st.st_size - _MIB))
            h.update(f.read(_MIB))
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256_ends": h.hexdigest()}


class FeatureCache:
    def __init__(self, cache_dir, fingerprint: dict, params: dict):
        self.dir = Path(cache_dir)
        key = json.dumps({"fingerprint": fingerprint, "params": params, "format": _FORMAT,
                          "core": _core.__version__}, sort_keys=True)
        self.names = tuple(params["features"])
        self.path = self.dir / f"quality-{hashlib.sha256(key.encode()).hexdigest()[:32]}.npz"

    def load(self) -> Optional[FeatureTable]:
        try:
            with np.load(self.path, allow_pickle=False) as z:
                names = tuple(str(n) for n in z["names"])
                table = FeatureTable(names, z["index"], z["pts"], z["values"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return None  # damaged or foreign entry: recompute
        return table if table.names == self.names else None

    def store(self, table: FeatureTable) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.dir, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, names=np.array(table.names), index=table.index, pts=table.pts,
                         values=table.values)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
