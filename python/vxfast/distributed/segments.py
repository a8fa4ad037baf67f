"""Running one segment: decode exactly its frames, run the model, return its tables.

``VideoReader.frames(start=, end=)`` already does the cutting: in exact seek mode it looks the
range up in the packet index (the first frame with ``pts >= start - 1e-9`` up to, not including,
the first with ``pts >= end - 1e-9``), seeks to the keyframe before it and decodes from there,
dropping the frames before ``start``. The same rule on both sides of a boundary puts every frame
in exactly one segment, whatever the GOP, and frame indices stay the whole file's.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

    from ..model import Model

__all__ = ["SegmentResult", "segment_range", "detect_segment", "track_segment", "quality_segment",
           "embed_segment"]

#: Sampling modes a segmented job accepts. "all" and "keyframes" select the same frames as one
#: pass over the file; "every:N" and "fps:X" restart their grid at each segment's first frame.
SEGMENT_SAMPLES = ("all", "keyframes", "every:", "fps:")


def _opt_float(v: Any) -> Optional[float]:
    """None for a missing bound (Ray turns None into NaN in numeric columns)."""
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) else f


def segment_range(row: dict[str, Any]) -> tuple[Optional[float], Optional[float]]:
    """(start, end) to pass to ``VideoReader.frames`` for a plan row: segment 0 has no lower bound,
    the last segment (``end`` None) no upper bound."""
    start = None if int(row["segment"]) == 0 else _opt_float(row["start"])
    return start, _opt_float(row.get("end"))


@dataclass
class SegmentResult:
    """A finished segment: its table, its frames table (detect jobs; None when the table itself has
    one row per frame), counts and time."""

    table: pa.Table
    frames: Optional[pa.Table]
    n_frames: int
    n_rows: int
    seconds: float


def _detection_tables(model_id: str, row: dict[str, Any], results: Any, keep_from: Optional[float],
                      keyframes_of: Any, tracked: bool) -> tuple[pa.Table, pa.Table]:
    """The detections (or tracks) table and the frames table of one segment from an iterator of
    :class:`vxfast.Detections`; frames with ``pts < keep_from - 1e-9`` (a tracker's warm-up) are
    dropped with the boundary rule of ``VideoReader.frames``."""
    import pyarrow as pa

    from .outputs import detections_schema, frames_schema, tracks_schema

    video_id, path, seg = str(row["video_id"]), str(row["path"]), int(row["segment"])
    frame_idx: list[int] = []
    frame_pts: list[float] = []
    frame_rows: list[int] = []
    boxes: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    cls: list[np.ndarray] = []
    ids: list[np.ndarray] = []
    names: list[str] = []
    for d in results:
        if keep_from is not None and d.pts < keep_from - 1e-9:
            continue
        n = len(d)
        frame_idx.append(int(d.index))
        frame_pts.append(float(d.pts))
        frame_rows.append(n)
        if n:
            boxes.append(d.xyxy)
            scores.append(d.scores)
            cls.append(d.class_ids)
            names += d.class_names.tolist()
            if tracked:
                ids.append(np.asarray(d.tracker_id, np.int64))
    kf = keyframes_of()  # the packet index exact mode built at open: no extra read
    keyframes = (np.isin(np.asarray(frame_idx, np.int64), np.asarray(kf, np.int64)) if kf is not None
                 else np.zeros(len(frame_idx), bool))
    nf, nd = len(frame_idx), len(names)
    frames = pa.table({"video_id": [video_id] * nf, "path": [path] * nf,
                       "segment": np.full(nf, seg, np.int32), "frame": np.asarray(frame_idx, np.int64),
                       "pts": np.asarray(frame_pts, np.float64), "keyframe": keyframes,
                       "rows": np.asarray(frame_rows, np.int32)}, schema=frames_schema())
    schema = tracks_schema() if tracked else detections_schema()
    if not nd:
        return schema.empty_table(), frames
    xyxy = np.concatenate(boxes).astype(np.float32, copy=False)
    per_frame = np.asarray(frame_rows)
    cols: dict[str, Any] = {
        "video_id": [video_id] * nd, "path": [path] * nd, "segment": np.full(nd, seg, np.int32),
        "frame": np.repeat(np.asarray(frame_idx, np.int64), per_frame),
        "pts": np.repeat(np.asarray(frame_pts, np.float64), per_frame),
        "class_id": np.concatenate(cls).astype(np.int32), "class_name": names,
        "score": np.concatenate(scores).astype(np.float32),
        "x1": xyxy[:, 0], "y1": xyxy[:, 1], "x2": xyxy[:, 2], "y2": xyxy[:, 3],
        "model_id": [model_id] * nd}
    if tracked:
        cols["track_id"] = np.concatenate(ids)
    return pa.table(cols, schema=schema), frames


def _opened_past_end(reader: Any, start: Optional[float]) -> bool:
    info = reader.info
    return start is not None and info.duration > 0 and start >= info.start_time + info.duration


def detect_segment(model: Model, model_id: str, row: dict[str, Any], *, sample: str, conf: float,
                   iou: float, decoder_threads: Optional[int]) -> SegmentResult:
    """Detections over one plan row's frames, as the detections and frames tables.

    Raises whatever opening or decoding the video raises (the caller records it as the segment's
    error)."""
    from ..detection import detect
    from ..video import VideoReader

    t0 = time.perf_counter()
    start, end = segment_range(row)
    with VideoReader(str(row["path"]), threads=decoder_threads) as reader:
        # past the end: planned from a header that promised more time than the packets hold
        it: Any = iter(()) if _opened_past_end(reader, start) else detect(
            reader, model, sample=sample, conf=conf, iou=iou, start=start, end=end)
        table, frames = _detection_tables(model_id, row, it, None, lambda: reader.keyframe_indices, False)
    return SegmentResult(table, frames, frames.num_rows, table.num_rows, time.perf_counter() - t0)


def track_segment(model: Model, model_id: str, row: dict[str, Any], *, tracker: str,
                  tracker_params: Optional[dict[str, Any]], warmup_seconds: float, sample: str, conf: float,
                  iou: float, decoder_threads: Optional[int]) -> SegmentResult:
    """Detections with track IDs (:func:`vxfast.track`) over one plan row's frames.

    The tracker starts ``warmup_seconds`` before the segment (at the file's start for segment 0)
    and runs up to ``end``; only the frames with ``start <= pts`` are kept, so the rows partition
    the file's frames as in a detect job. IDs are those of a tracker started at the warm-up: the
    whole file's (:func:`vxfast.track`) when the warm-up reaches back to the first frame, else
    meaningful within the segment only (docs/distributed.md)."""
    from ..tracking import track
    from ..video import VideoReader

    t0 = time.perf_counter()
    start, end = segment_range(row)
    warm = None if start is None or start - warmup_seconds <= 0 else start - warmup_seconds
    with VideoReader(str(row["path"]), threads=decoder_threads) as reader:
        it: Any = iter(()) if _opened_past_end(reader, start) else track(
            reader, model, tracker, sample=sample, tracker_params=tracker_params, conf=conf, iou=iou,
            start=warm, end=end)
        table, frames = _detection_tables(model_id, row, it, start, lambda: reader.keyframe_indices, True)
    return SegmentResult(table, None, frames.num_rows, table.num_rows, time.perf_counter() - t0)


def _base_columns(row: dict[str, Any], index: np.ndarray, pts: np.ndarray) -> dict[str, Any]:
    n = len(index)
    return {"video_id": [str(row["video_id"])] * n, "path": [str(row["path"])] * n,
            "segment": np.full(n, int(row["segment"]), np.int32), "frame": np.asarray(index, np.int64),
            "pts": np.asarray(pts, np.float64)}


def _past_end(path: str, start: Optional[float]) -> bool:
    """True when ``start`` is at or after the last frame's time (a header that promised more)."""
    if start is None:
        return False
    from ..video import VideoReader

    with VideoReader(path, threads=1) as r:
        info = r.info
        return info.duration > 0 and start >= info.start_time + info.duration


def quality_segment(row: dict[str, Any], *, sample: str, features: Optional[list[str]],
                    threads: int = 1) -> SegmentResult:
    """Frame features (:func:`vxfast.features.quality`) of one plan row's frames: one row per frame,
    one float64 column per feature."""
    import pyarrow as pa

    from .. import features as vxf
    from .outputs import quality_schema

    t0 = time.perf_counter()
    path = str(row["path"])
    start, end = segment_range(row)
    names = list(features) if features else list(vxf.FEATURE_NAMES)
    if _past_end(path, start):
        table = quality_schema(names).empty_table()
    else:
        ft = vxf.quality(path, sample=sample, features=names, threads=threads, start=start, end=end)
        cols = _base_columns(row, ft.index, ft.pts)
        cols.update({n: np.ascontiguousarray(ft.values[:, k]) for k, n in enumerate(ft.names)})
        table = pa.table(cols, schema=quality_schema(names))
    return SegmentResult(table, None, table.num_rows, table.num_rows, time.perf_counter() - t0)


def embed_segment(model: Model, model_id: str, row: dict[str, Any], *, sample: str, normalize: bool,
                  output: Any, batch_size: int, decoder_threads: Optional[int]) -> SegmentResult:
    """Per-frame embeddings (:func:`vxfast.embed`) of one plan row's frames: one row per frame with
    its vector as ``list<float32>``."""
    import pyarrow as pa

    from ..video_clips import embed
    from .outputs import embeddings_schema

    t0 = time.perf_counter()
    path = str(row["path"])
    start, end = segment_range(row)
    if _past_end(path, start):
        table = embeddings_schema().empty_table()
    else:
        e = embed(path, model, sample=sample, normalize=normalize, output=output, batch_size=batch_size,
                  start=start, end=end, threads=decoder_threads)
        vec = np.ascontiguousarray(e.vectors, np.float32)
        n, dim = vec.shape if vec.ndim == 2 else (len(e.index), 0)
        cols = _base_columns(row, e.index, e.pts)
        offsets = (np.arange(n + 1, dtype=np.int64) * dim).astype(np.int32)
        cols["embedding"] = pa.ListArray.from_arrays(offsets, pa.array(vec.reshape(-1), pa.float32()))
        cols["model_id"] = [model_id] * n
        table = pa.table(cols, schema=embeddings_schema())
    return SegmentResult(table, None, table.num_rows, table.num_rows, time.perf_counter() - t0)
