"""Multi-object tracking over per-frame detections: :class:`Tracker` (ByteTrack, OC-SORT in C++).

Each tracker owns its state and its ID counter, so several trackers in one process (one per
stream) never share or reissue IDs. ``update`` takes one frame's detections and returns the
confirmed tracks of that frame in Ultralytics' layout, so code written against Ultralytics'
trackers can switch::

    >>> import numpy as np, vxfast
    >>> tracker = vxfast.Tracker("bytetrack", frame_rate=30)
    >>> dets = np.array([[10, 20, 60, 120, 0.9, 0]], dtype=np.float32)
    >>> tracker.update(dets)[:, 4]          # track IDs of the first frame
    array([1.], dtype=float32)
    >>> tracker.update(dets + [2, 0, 2, 0, 0, 0])[:, 4]
    array([1.], dtype=float32)

With the defaults, ByteTrack gives the same IDs as Ultralytics' ``BYTETracker`` (bytetrack.yaml);
``variant="original"`` selects the original ByteTrack's rules (docs/tracking.md lists them).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, Optional, Union

import numpy as np

from ._core import track as _track
from .detections import Detections

__all__ = ["Tracker", "TRACKERS", "track"]

TRACKERS = ("bytetrack", "ocsort")

_BYTETRACK_VARIANTS: dict[str, dict[str, Any]] = {
    # Ultralytics' cfg/trackers/bytetrack.yaml and its rules.
    "ultralytics": {"track_high_thresh": 0.25, "track_low_thresh": 0.1, "new_track_thresh": 0.25,
                    "track_buffer": 30, "match_thresh": 0.8, "fuse_score": True,
                    "high_thresh_inclusive": True, "scale_buffer_by_frame_rate": False},
    # ifzhang/ByteTrack (track_thresh 0.5, det_thresh = track_thresh + 0.1, buffer scaled by fps/30).
    "original": {"track_high_thresh": 0.5, "track_low_thresh": 0.1, "new_track_thresh": None,
                 "track_buffer": 30, "match_thresh": 0.8, "fuse_score": True,
                 "high_thresh_inclusive": False, "scale_buffer_by_frame_rate": True},
}
_UNIT_PARAMS = ("track_high_thresh", "track_low_thresh", "new_track_thresh", "match_thresh")
_BOOL_PARAMS = ("fuse_score", "high_thresh_inclusive", "scale_buffer_by_frame_rate")

# noahcao/OC_SORT's OCSort defaults and its run scripts' --track_thresh (0.6); use_byte off as there.
_OCSORT_DEFAULTS: dict[str, Any] = {"det_thresh": 0.6, "max_age": 30, "min_hits": 3, "iou_threshold": 0.3,
                                    "delta_t": 3, "inertia": 0.2, "use_byte": False, "low_thresh": 0.1}
_OCSORT_INTS = ("max_age", "min_hits", "delta_t")

DetectionsLike = Union[np.ndarray, Detections]


def _bytetrack_params(frame_rate: float, params: dict[str, Any]) -> Any:
    variant = params.pop("variant", "ultralytics")
    if variant not in _BYTETRACK_VARIANTS:
        raise ValueError(f"variant must be one of {sorted(_BYTETRACK_VARIANTS)}; got {variant!r}")
    values = dict(_BYTETRACK_VARIANTS[variant])
    for key, value in params.items():
        if key not in values:
            raise ValueError(f"unknown bytetrack parameter {key!r}; known: {sorted(values)} and 'variant'")
        values[key] = value
    if values["new_track_thresh"] is None:
        values["new_track_thresh"] = float(values["track_high_thresh"]) + 0.1
    p = _track.ByteTrackParams()
    for key in _UNIT_PARAMS:
        v = values[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= float(v) <= 1.0:
            raise ValueError(f"{key} must be a number in [0, 1]; got {v!r}")
        setattr(p, key, float(v))
    buf = values["track_buffer"]
    if isinstance(buf, bool) or not isinstance(buf, (int, np.integer)) or buf < 0:
        raise ValueError(f"track_buffer must be an int >= 0 (frames at frame_rate); got {buf!r}")
    p.track_buffer = int(buf)
    for key in _BOOL_PARAMS:
        if not isinstance(values[key], (bool, np.bool_)):
            raise ValueError(f"{key} must be a bool; got {values[key]!r}")
        setattr(p, key, bool(values[key]))
    p.frame_rate = frame_rate
    return p


def _ocsort_params(frame_rate: float, params: dict[str, Any]) -> Any:
    values = dict(_OCSORT_DEFAULTS)
    for key, value in params.items():
        if key not in values:
            raise ValueError(f"unknown ocsort parameter {key!r}; known: {sorted(values)}")
        values[key] = value
    p = _track.OcSortParams()
    for key in ("det_thresh", "iou_threshold", "low_thresh"):
        v = values[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= float(v) <= 1.0:
            raise ValueError(f"{key} must be a number in [0, 1]; got {v!r}")
        setattr(p, key, float(v))
    v = values["inertia"]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not (np.isfinite(v) and v >= 0):
        raise ValueError(f"inertia must be a finite number >= 0; got {v!r}")
    p.inertia = float(v)
    for key in _OCSORT_INTS:
        v = values[key]
        low = 1 if key == "delta_t" else 0
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
            raise ValueError(f"{key} must be an int >= {low}; got {v!r}")
        setattr(p, key, int(v))
    if not isinstance(values["use_byte"], (bool, np.bool_)):
        raise ValueError(f"use_byte must be a bool; got {values['use_byte']!r}")
    p.use_byte = bool(values["use_byte"])
    p.frame_rate = frame_rate
    return p


def _as_rows(detections: DetectionsLike) -> np.ndarray:
    if isinstance(detections, Detections):
        rows = np.empty((len(detections), 6), np.float32)
        rows[:, :4] = detections.xyxy
        rows[:, 4] = detections.scores
        rows[:, 5] = detections.class_ids
        return rows
    arr = np.asarray(detections)
    if arr.size == 0:
        return np.zeros((0, 6), np.float32)
    if arr.ndim != 2 or arr.shape[1] != 6:
        raise ValueError(f"detections must be a Detections or an (N, 6) array [x1, y1, x2, y2, score, class]; "
                         f"got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"detections must be a real numeric array; got dtype {arr.dtype}")
    return np.ascontiguousarray(arr, dtype=np.float32)


class Tracker:
    """One stream's tracker: ``Tracker("bytetrack" | "ocsort", frame_rate=30, **params)``.

    Args:
        kind: ``"bytetrack"`` or ``"ocsort"``.
        frame_rate: frames per second of the stream; the track buffer (ByteTrack's ``track_buffer``,
            OC-SORT's ``max_age``) is frames at this rate, i.e. seconds when ``update`` gets times.
        **params: ByteTrack: ``track_high_thresh`` (0.25), ``track_low_thresh`` (0.1),
            ``new_track_thresh`` (0.25), ``track_buffer`` (30), ``match_thresh`` (0.8),
            ``fuse_score`` (True), ``high_thresh_inclusive`` (True), ``scale_buffer_by_frame_rate``
            (False), or ``variant="original"`` for the original ByteTrack's values and rules.
            OC-SORT: ``det_thresh`` (0.6), ``max_age`` (30), ``min_hits`` (3), ``iou_threshold``
            (0.3), ``delta_t`` (3), ``inertia`` (0.2), ``use_byte`` (False), ``low_thresh`` (0.1).

    Inputs are rounded to float32 (as a detector's outputs are). Updating one tracker from two
    threads at once is serialised by a lock; use one tracker per stream.

    Example:
        >>> import numpy as np, vxfast
        >>> t = vxfast.Tracker("bytetrack")
        >>> t.update(np.zeros((0, 6), np.float32)).shape
        (0, 8)
    """

    def __init__(self, kind: str = "bytetrack", frame_rate: float = 30.0, **params: Any) -> None:
        if kind not in TRACKERS:
            raise ValueError(f"kind must be one of {list(TRACKERS)}; got {kind!r}")
        if isinstance(frame_rate, bool) or not isinstance(frame_rate, (int, float)) or not (
                np.isfinite(frame_rate) and frame_rate > 0):
            raise ValueError(f"frame_rate must be a positive number; got {frame_rate!r}")
        self.kind = kind
        self.frame_rate = float(frame_rate)
        self._core: Any
        if kind == "ocsort":
            self._params = _ocsort_params(self.frame_rate, dict(params))
            self._core = _track.OcSortTracker(self._params)
        else:
            self._params = _bytetrack_params(self.frame_rate, dict(params))
            self._core = _track.ByteTracker(self._params)
        self._lock = threading.Lock()

    @property
    def params(self) -> dict[str, Any]:
        """The parameters in effect (after the variant's defaults)."""
        p = self._params
        if self.kind == "ocsort":
            return {k: getattr(p, k) for k in (*_OCSORT_DEFAULTS, "frame_rate")}
        return {k: getattr(p, k) for k in (*_UNIT_PARAMS, "track_buffer", *_BOOL_PARAMS, "frame_rate")}

    @property
    def frame_count(self) -> int:
        """Frames given to ``update`` since construction or ``reset``."""
        return int(self._core.frame_count)

    @property
    def ids_issued(self) -> int:
        """Track IDs handed out so far (the highest ID; tracks dropped before confirmation count too)."""
        return int(self._core.ids_issued)

    def update(self, detections: DetectionsLike, t: Optional[float] = None) -> np.ndarray:
        """Track one frame.

        Args:
            detections: ``(N, 6)`` ``[x1, y1, x2, y2, score, class]`` or a :class:`vxfast.Detections`.
                Boxes with zero width or height are ignored (they cannot be tracked).
            t: the frame's time in seconds. When given, lost tracks age by elapsed time, so sampled
                or dropped frames do not shorten the track buffer; without it each call is one frame.

        Returns:
            ``(M, 8)`` float32 ``[x1, y1, x2, y2, track_id, score, class, input_row]`` of the tracks
            confirmed in this frame (boxes are the filtered track states).

        Raises:
            ValueError: a row with NaN/inf or an inverted box (the message names the row), a bad
                shape, or ``t`` before the previous frame's.
        """
        rows = _as_rows(detections)
        if t is not None:
            if isinstance(t, bool) or not isinstance(t, (int, float, np.integer, np.floating)) or not np.isfinite(t):
                raise ValueError(f"t must be a finite number of seconds or None; got {t!r}")
            t = float(t)
        with self._lock:
            out: np.ndarray = self._core.update(rows, t)
        return out

    def assign(self, detections: Detections, t: Optional[float] = None) -> Detections:
        """``detections`` with ``tracker_id`` set (-1 for boxes without a confirmed track)."""
        out = self.update(detections, t)
        ids = np.full(len(detections), -1, np.int64)
        if len(out):
            ids[out[:, 7].astype(np.int64)] = out[:, 4].astype(np.int64)
        detections.tracker_id = ids
        return detections

    def reset(self) -> None:
        """Forget every track; IDs restart at 1."""
        with self._lock:
            self._core.reset()

    def __repr__(self) -> str:
        return f"Tracker({self.kind!r}, frame_rate={self.frame_rate:g}, frames={self.frame_count})"


def track(video: Any, model: Any, tracker: Union[str, Tracker] = "bytetrack", *, sample: str = "all",
          frame_rate: Optional[float] = None, tracker_params: Optional[dict[str, Any]] = None,
          **detect_args: Any) -> Iterator[Detections]:
    """Detects and tracks: :func:`vxfast.detect` with a :class:`Tracker` over its frames.

    Yields one :class:`Detections` per frame (``index``, ``pts`` and ``tracker_id`` set;
    ``tracker_id`` is -1 for boxes without a confirmed track). The tracker is fed each frame's
    ``pts`` as its time, so ``sample="fps:5"`` keeps the track buffer in seconds and the IDs do not
    depend on ``batch`` or ``streams`` (frames reach the tracker in order whatever runs them).

    Args:
        video, model, sample, **detect_args: as :func:`vxfast.detect`.
        tracker: ``"bytetrack"``, ``"ocsort"`` or a :class:`Tracker` (its state carries on; one per stream).
        frame_rate: the video's frame rate for the tracker's buffer (default: the video's fps).
        tracker_params: parameters for a tracker made here (see :class:`Tracker`).

    Example:
        >>> import vxfast                                                  # doctest: +SKIP
        >>> for d in vxfast.track("vtest.avi", "yolov8n.onnx", sample="fps:5"):  # doctest: +SKIP
        ...     print(d.index, d.tracker_id)
    """
    from .detection import detect
    from .video import VideoReader

    if isinstance(tracker, Tracker):
        if tracker_params:
            raise ValueError("tracker_params apply to a tracker made here; got a Tracker instance")
        trk = tracker
    elif isinstance(tracker, str):
        if tracker not in TRACKERS:
            raise ValueError(f"tracker must be one of {list(TRACKERS)} or a vxfast.Tracker; got {tracker!r}")
        if frame_rate is None:
            if isinstance(video, VideoReader):
                fps = video.info.fps
            else:
                with VideoReader(video) as r:
                    fps = r.info.fps
            frame_rate = float(fps) if fps and fps > 0 else 30.0
        trk = Tracker(tracker, frame_rate=frame_rate, **(tracker_params or {}))
    else:
        raise ValueError(f"tracker must be a str or a vxfast.Tracker; got {type(tracker).__name__}")
    detections = detect(video, model, sample=sample, **detect_args)  # arguments checked here, eagerly

    def frames() -> Iterator[Detections]:
        for d in detections:
            yield trk.assign(d, d.pts)

    return frames()
