"""The output folder of a distributed job: Parquet tables, one file per segment, written atomically.

Layout (``OUT`` is the job's ``out``)::

    OUT/manifest.json                         vxfast version, model hash, parameters, per table
    OUT/<table>/<video_id>-<segment>.parquet  one file per finished segment (detections, quality, ...)
    OUT/frames/<video_id>-<segment>.parquet   every frame a segment covered (detect jobs)
    OUT/errors/<table>-<video_id>-<segment>.parquet  why a segment failed

A file appears only complete: it is written to a hidden temporary name in the same folder,
fsync'ed and renamed (``os.replace``, atomic on POSIX filesystems and on NFS for one client), so a
worker or driver killed mid-write leaves at most a ``.*.tmp`` file, which the job removes once
all its segments are in (and the next run removes, if the driver died).
The table's file is the segment's commit point: it is written last, and a segment whose file
exists is done. Writing a segment twice (a Ray task retried after its worker died) writes the same
bytes under the same name: writes are idempotent, nothing is duplicated.
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["OutputDir", "detections_schema", "frames_schema", "errors_schema", "quality_schema",
           "embeddings_schema", "tracks_schema", "vad_schema", "audio_embeddings_schema", "read_table",
           "MANIFEST", "SCHEMA_VERSION"]

MANIFEST = "manifest.json"
#: Bumped when a table's columns change; a resumed job refuses an OUT written with another version.
SCHEMA_VERSION = 1


def detections_schema() -> pa.Schema:
    """``OUT/detections``: one row per detected box (boxes in source pixels, xyxy)."""
    import pyarrow as pa

    return pa.schema([("video_id", pa.string()), ("path", pa.string()), ("segment", pa.int32()),
                      ("frame", pa.int64()), ("pts", pa.float64()), ("class_id", pa.int32()),
                      ("class_name", pa.string()), ("score", pa.float32()), ("x1", pa.float32()),
                      ("y1", pa.float32()), ("x2", pa.float32()), ("y2", pa.float32()),
                      ("model_id", pa.string())])


def tracks_schema() -> pa.Schema:
    """``OUT/tracks``: the detections schema plus ``track_id`` int64 (-1: no confirmed track)."""
    import pyarrow as pa

    return detections_schema().append(pa.field("track_id", pa.int64()))


def _span_key() -> list:
    import pyarrow as pa

    return [("video_id", pa.string()), ("path", pa.string()), ("segment", pa.int32()), ("start", pa.float64()),
            ("end", pa.float64())]


def vad_schema() -> pa.Schema:
    """``OUT/vad``: one row per speech segment, ``start``/``end`` in seconds on the stream's clock."""
    import pyarrow as pa

    return pa.schema(_span_key() + [("model_id", pa.string())])


def audio_embeddings_schema() -> pa.Schema:
    """``OUT/audio_embeddings``: one row per audio window (``start``/``end`` seconds on the stream's
    clock), the model's output as ``list<float32>``."""
    import pyarrow as pa

    return pa.schema(_span_key() + [("embedding", pa.list_(pa.float32())), ("model_id", pa.string())])


def frames_schema() -> pa.Schema:
    """``OUT/frames``: one row per frame a segment processed (also the frames without boxes)."""
    import pyarrow as pa

    return pa.schema([("video_id", pa.string()), ("path", pa.string()), ("segment", pa.int32()),
                      ("frame", pa.int64()), ("pts", pa.float64()), ("keyframe", pa.bool_()),
                      ("rows", pa.int32())])


def _frame_key() -> list:
    import pyarrow as pa

    return [("video_id", pa.string()), ("path", pa.string()), ("segment", pa.int32()), ("frame", pa.int64()),
            ("pts", pa.float64())]


def quality_schema(features: Optional[list[str]] = None) -> pa.Schema:
    """``OUT/quality``: one row per sampled frame, one float64 column per feature
    (:data:`vxfast.features.FEATURE_NAMES`, or the job's ``features``)."""
    import pyarrow as pa

    if features is None:
        from ..features import FEATURE_NAMES

        features = list(FEATURE_NAMES)
    return pa.schema(_frame_key() + [(n, pa.float64()) for n in features])


def embeddings_schema() -> pa.Schema:
    """``OUT/embeddings``: one row per sampled frame, the model's output flattened as
    ``list<float32>`` (same length on every row of a job)."""
    import pyarrow as pa

    return pa.schema(_frame_key() + [("embedding", pa.list_(pa.float32())), ("model_id", pa.string())])


def errors_schema() -> pa.Schema:
    """``OUT/errors``: one row per failed segment."""
    import pyarrow as pa

    return pa.schema([("table", pa.string()), ("video_id", pa.string()), ("path", pa.string()),
                      ("segment", pa.int32()), ("error_type", pa.string()), ("reason", pa.string())])


def _write_atomic(table: pa.Table, final: Path) -> None:
    import pyarrow.parquet as pq

    tmp = final.with_name(f".{final.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "wb") as f:
            pq.write_table(table, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


class OutputDir:
    """One table of a job's output folder (see the module docstring). Safe to use from several
    processes at once for different segments; ``prepare`` is the driver's, once per job."""

    def __init__(self, root: Union[str, os.PathLike[str]], table: str) -> None:
        self.root = Path(root)
        self.table = table
        self.table_dir = self.root / table
        self.frames_dir = self.root / "frames"
        self.errors_dir = self.root / "errors"

    # -- names -------------------------------------------------------------------------------------
    @staticmethod
    def _name(video_id: str, segment: int) -> str:
        return f"{video_id}-{int(segment):05d}.parquet"

    def data_path(self, video_id: str, segment: int) -> Path:
        return self.table_dir / self._name(video_id, segment)

    def frames_path(self, video_id: str, segment: int) -> Path:
        return self.frames_dir / self._name(video_id, segment)

    def error_path(self, video_id: str, segment: int) -> Path:
        return self.errors_dir / f"{self.table}-{self._name(video_id, segment)}"

    def is_done(self, video_id: str, segment: int) -> bool:
        return self.data_path(video_id, segment).exists()

    def committed_counts(self, video_id: str, segment: int) -> tuple[int, int]:
        """(frames, rows) of a committed segment, from the Parquet footers."""
        import pyarrow.parquet as pq

        fp = self.frames_path(video_id, segment)
        frames = pq.read_metadata(fp).num_rows if self.table == "detections" and fp.exists() else 0
        return frames, pq.read_metadata(self.data_path(video_id, segment)).num_rows

    # -- the driver, once per job ----------------------------------------------------------------
    def prepare(self, entry: dict[str, Any], resume: bool) -> None:
        """Creates the folders, checks ``entry`` (this table's manifest entry: version, model,
        parameters) against the manifest and records it.

        With ``resume`` and an entry written with other parameters, refuses (ValueError naming
        ``out``): mixing two models' or thresholds' rows in one table would be a silent wrong
        answer. Without ``resume``, this table's files and errors are deleted first (a fresh run).
        Leftover temporary files of killed writers are removed either way.
        """
        manifest = self.read_manifest()
        old = manifest.get("tables", {}).get(self.table)
        if old is not None and resume and _comparable(old) != _comparable(entry):
            raise ValueError(
                f"out={str(self.root)!r} already holds {self.table} made with other parameters "
                f"({_diff(old, entry)}); pass resume=False (--no-resume) to replace them, or another out")
        if not resume:
            for d in (self.table_dir,) + ((self.frames_dir,) if self.table == "detections" else ()):
                if d.exists():
                    shutil.rmtree(d)
            if self.errors_dir.exists():
                for p in self.errors_dir.glob(f"{self.table}-*.parquet"):
                    p.unlink()
        for d in (self.table_dir, self.frames_dir, self.errors_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.sweep_temp()
        manifest.setdefault("tables", {})[self.table] = entry
        manifest["schema_version"] = SCHEMA_VERSION
        path = self.root / MANIFEST
        tmp = path.with_name(f".{MANIFEST}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, path)

    def sweep_temp(self) -> None:
        """Removes the temporary files of writers that died mid-write (a worker killed, a node
        lost). Called before a job and again after all its segments are in, so a job that lost a
        worker still leaves only complete files; a segment's own file is never a temporary one."""
        for d in (self.table_dir, self.frames_dir, self.errors_dir):
            if d.exists():
                for tmp in d.glob(".*.tmp"):
                    tmp.unlink(missing_ok=True)

    def read_manifest(self) -> dict[str, Any]:
        path = self.root / MANIFEST
        if not path.exists():
            return {}
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            raise ValueError(f"out={str(self.root)!r}: {MANIFEST} is unreadable ({e})") from None
        if data.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
            raise ValueError(f"out={str(self.root)!r} was written with schema version "
                             f"{data.get('schema_version')}, this vxfast writes {SCHEMA_VERSION}")
        return data

    # -- workers -----------------------------------------------------------------------------------
    def write_segment(self, video_id: str, segment: int, table: pa.Table,
                      frames: Optional[pa.Table] = None) -> None:
        """Commits a finished segment: the frames file first, the table's file last (the commit
        point), then drops an error file an earlier attempt left."""
        if frames is not None:
            _write_atomic(frames, self.frames_path(video_id, segment))
        _write_atomic(table, self.data_path(video_id, segment))
        self.error_path(video_id, segment).unlink(missing_ok=True)

    def write_error(self, video_id: str, path: str, segment: int, error: BaseException) -> None:
        import pyarrow as pa

        row = {"table": [self.table], "video_id": [video_id], "path": [path], "segment": [int(segment)],
               "error_type": [type(error).__name__], "reason": [str(error) or type(error).__name__]}
        _write_atomic(pa.table(row, schema=errors_schema()), self.error_path(video_id, segment))


def _comparable(entry: dict[str, Any]) -> dict[str, Any]:
    """What must match for a resume: everything but the version string (a patch release that
    writes the same schema may finish a job an older one started)."""
    return {k: v for k, v in entry.items() if k != "vxfast_version"}


def _diff(old: dict[str, Any], new: dict[str, Any]) -> str:
    a, b = _flat(_comparable(old)), _flat(_comparable(new))
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return ", ".join(f"{k}: {a.get(k)!r} -> {b.get(k)!r}" for k in keys[:4])


def _flat(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def read_table(out: Union[str, os.PathLike[str]], table: str = "detections") -> pa.Table:
    """All of ``OUT/<table>`` as one pyarrow Table (``"detections"``, ``"frames"``, ``"errors"``,
    ...), rows sorted by video_id, frame (or segment for errors). Empty when nothing was written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schemas = {"detections": detections_schema, "frames": frames_schema, "errors": errors_schema,
               "embeddings": embeddings_schema, "quality": quality_schema, "tracks": tracks_schema,
               "vad": vad_schema, "audio_embeddings": audio_embeddings_schema}
    d = Path(out) / table
    files = sorted(d.glob("*.parquet")) if d.exists() else []
    parts = [pq.read_table(f) for f in files]
    if not parts:
        return schemas[table]().empty_table() if table in schemas else pa.table({})
    t = pa.concat_tables(parts)
    keys = [k for k in ("video_id", "segment", "frame", "start") if k in t.column_names]
    return t.sort_by([(k, "ascending") for k in keys]) if keys else t
