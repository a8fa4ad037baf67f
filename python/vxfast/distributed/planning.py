"""Planning: videos -> (video, time segment) descriptors. Small rows, never frames.

A segment is a half-open time range ``[start, end)`` on the stream's clock (the clock of
``Frame.pts``). The worker that runs it seeks to the keyframe before ``start`` and keeps exactly
the frames with ``start <= pts < end`` (:mod:`vxfast.distributed.segments`), so the segments of a
video partition its frames whatever its GOP: a GOP longer than a segment is decoded by both
workers, each keeping its own frames. Segment 0 has no lower bound and the last segment no upper
bound (``end`` is None), so frames before the header's start time or after its duration still
belong to exactly one segment.

>>> from vxfast.distributed import plan
>>> from vxfast.shared_data import shared_path
>>> rows = plan(shared_path("media/vtest.avi"), segment_seconds=5)
>>> [(r.segment, r.start, r.end) for r in rows]
[(0, 0.0, 5.0), (1, 5.0, 10.0), (2, 10.0, None)]
"""
from __future__ import annotations

import glob
import hashlib
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Optional, Union

__all__ = ["Segment", "plan", "fingerprint", "expand_paths"]

PathLike = Union[str, "os.PathLike[str]"]

#: Bytes read from each end of a file for its fingerprint.
FINGERPRINT_BYTES = 1 << 20


@dataclass(frozen=True)
class Segment:
    """One unit of work: the frames of ``path`` with ``start <= pts < end`` (seconds).

    ``video_id`` is the file's content fingerprint (:func:`fingerprint`); ``end`` is None for a
    video's last segment (everything to the end), and segment 0 also takes any frame before
    ``start``."""

    video_id: str
    path: str
    segment: int
    start: float
    end: Optional[float]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _is_url(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def fingerprint(path: PathLike) -> str:
    """A video's content id: the first 20 hex digits of SHA-256 over the file size, the first MiB
    and the last MiB.

    The same bytes anywhere (another folder, another machine, a renamed copy) give the same id, so
    output file names and resume do not depend on where the file is mounted; reading 2 MiB keeps
    planning cheap for long files. Two files that differ only in their middle would collide, which
    a video container does not produce in practice (sizes and index/trailer bytes differ). A URL
    (``scheme://...``, not ``file://``) is not read: its id hashes the URL itself. A local path
    that cannot be read hashes ``"unreadable:" + absolute path`` (the job reports the error).
    """
    p = os.fspath(path)
    h = hashlib.sha256()
    if _is_url(p):
        h.update(b"url:" + p.encode())
        return h.hexdigest()[:20]
    try:
        with open(p, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            h.update(b"size:%d;" % size)
            h.update(f.read(FINGERPRINT_BYTES))
            if size > FINGERPRINT_BYTES:
                f.seek(max(FINGERPRINT_BYTES, size - FINGERPRINT_BYTES))
                h.update(f.read(FINGERPRINT_BYTES))
    except OSError:
        h = hashlib.sha256(b"unreadable:" + os.path.abspath(p).encode())
    return h.hexdigest()[:20]


def _has_magic(s: str) -> bool:
    return any(c in s for c in "*?[")


def expand_paths(paths_or_glob: Union[PathLike, Sequence[PathLike]]) -> list[str]:
    """The videos a job covers, in a stable order: a glob (``**`` recursive) expands to its sorted
    matches, a directory to the sorted files under it (hidden ones skipped), a file or URL stays
    itself; a sequence is expanded item by item. Duplicates are dropped; local paths are made
    absolute (workers may run in another directory).

    Raises:
        ValueError: nothing matched (the message names ``paths_or_glob``).
    """
    items: Iterable[Any]
    if isinstance(paths_or_glob, (str, os.PathLike)):
        items = [paths_or_glob]
    elif isinstance(paths_or_glob, Sequence):
        items = paths_or_glob
    else:
        raise TypeError(f"paths_or_glob must be a path, a glob or a sequence of them, "
                        f"not {type(paths_or_glob).__name__}")
    out: list[str] = []
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"paths_or_glob: {item!r} is not a path")
        s = os.fspath(item)
        if _is_url(s):
            found = [s]
        elif _has_magic(s):
            found = sorted(p for p in glob.glob(s, recursive=True) if os.path.isfile(p))
        elif os.path.isdir(s):
            found = []
            for root, dirs, files in os.walk(s):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found += [os.path.join(root, f) for f in sorted(files) if not f.startswith(".")]
        else:
            found = [s]  # a missing file is the job's error to report, not the plan's
        out += [p if _is_url(p) else os.path.abspath(p) for p in found]
    uniq = list(dict.fromkeys(out))
    if not uniq:
        raise ValueError(f"paths_or_glob={paths_or_glob!r} matches no file")
    return uniq


def _time_span(path: str) -> tuple[float, float]:
    """(start_time, duration) from the container header; (0, 0) when the file cannot be opened
    (the worker opening it again reports why)."""
    from ..errors import VideoError
    from ..video import VideoReader

    try:
        with VideoReader(path, threads=1, seek_mode="approximate") as r:
            info = r.info
            return float(info.start_time), float(info.duration)
    except (VideoError, OSError, ValueError):
        return 0.0, 0.0


def plan(paths_or_glob: Union[PathLike, Sequence[PathLike]],
         segment_seconds: Optional[float] = 60) -> list[Segment]:
    """One :class:`Segment` per (video, ``segment_seconds`` of its time), in path then time order.

    Only container headers are read (``seek_mode="approximate"``: no packet scan) plus 2 MiB per
    file for :func:`fingerprint`. Boundaries are ``start_time + k * segment_seconds``; a video whose
    header gives no duration (a live stream, a damaged file) is one segment. A video that cannot be
    opened is still planned (one segment) so that the job lists it in its errors table. Files
    with the same content (:func:`fingerprint`) are planned once, under the first path.

    Args:
        paths_or_glob: a path, a glob, a directory, a URL FFmpeg can read, or a sequence of them
            (:func:`expand_paths`).
        segment_seconds: length of a segment, > 0; None: one segment per video (the whole file,
            for jobs whose state runs through a video: tracking, voice activity).
    """
    s = segment_seconds
    if s is not None and (isinstance(s, bool) or not isinstance(s, (int, float)) or not math.isfinite(s) or s <= 0):
        raise ValueError(f"segment_seconds={segment_seconds!r} must be a finite number > 0 or None")
    rows: list[Segment] = []
    seen: set[str] = set()
    for path in expand_paths(paths_or_glob):
        vid = fingerprint(path)
        if vid in seen:  # the same bytes under another name: outputs are keyed by content, run once
            continue
        seen.add(vid)
        if segment_seconds is None:  # no header read: one row for the whole file
            rows.append(Segment(vid, path, 0, 0.0, None))
            continue
        t0, duration = _time_span(path)
        n = max(1, math.ceil(duration / segment_seconds - 1e-9)) if duration > 0 else 1
        for k in range(n):
            start = t0 + k * segment_seconds
            end = None if k == n - 1 else t0 + (k + 1) * segment_seconds
            rows.append(Segment(vid, path, k, round(start, 9), None if end is None else round(end, 9)))
    return rows
