"""The result type of :mod:`vxfast.postprocess`: one image's detections as a few numpy arrays.

Boxes, scores and class ids live in parallel arrays (no Python object per box); indexing, slicing
and boolean masks give new ``Detections``; iterating yields lightweight :class:`Detection` tuples
for convenience code that wants one box at a time.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple, Optional

import numpy as np

__all__ = ["Detections", "Detection"]


class Detection(NamedTuple):
    """One box, as yielded by iterating over :class:`Detections`."""

    xyxy: np.ndarray          # (4,) float32
    score: float
    class_id: int
    name: Optional[str]
    keypoints: Optional[np.ndarray]  # (K, D) or None


class Detections:
    """Detections of one image.

    Attributes:
        xyxy: ``[n, 4]`` float32 boxes (x1, y1, x2, y2): source-image pixels when the decode was
            given letterbox info (clipped to the image), model-input pixels otherwise.
        scores: ``[n]`` float32 confidences, descending.
        class_ids: ``[n]`` int64 class indices.
        names: class index -> name when known (from the model's metadata), else None.
        keypoints: ``[n, K, D]`` float32 (pose: K=17, D=3 as x, y, visibility; faces: K=5, D=2) or
            None. Coordinates are mapped like the boxes.
        index: the frame's index in its video when the image is a video frame
            (:func:`vxfast.detect` sets it), else None.
        pts: the frame's presentation time in seconds, likewise, else None.
        tracker_id: ``[n]`` int64 track IDs (-1: not tracked / not yet confirmed) when the
            detections went through a tracker (:func:`vxfast.track`), else None.

    ``==`` compares the detections (boxes, scores, class ids, keypoints), not ``index``/``pts``.
    """

    __slots__ = ("xyxy", "scores", "class_ids", "names", "keypoints", "index", "pts", "tracker_id")

    def __init__(self, xyxy: np.ndarray, scores: np.ndarray, class_ids: np.ndarray,
                 names: Optional[Mapping[int, str]] = None,
                 keypoints: Optional[np.ndarray] = None, *, index: Optional[int] = None,
                 pts: Optional[float] = None, tracker_id: Optional[np.ndarray] = None) -> None:
        self.xyxy = np.asarray(xyxy, dtype=np.float32).reshape(-1, 4)
        n = len(self.xyxy)
        self.scores = np.asarray(scores, dtype=np.float32).reshape(n)
        self.class_ids = np.asarray(class_ids, dtype=np.int64).reshape(n)
        self.names = names  # shared, not copied: every image of a batch refers to the same dict
        if keypoints is not None:
            keypoints = np.asarray(keypoints, dtype=np.float32)
            if keypoints.ndim != 3 or len(keypoints) != n:
                raise ValueError(f"keypoints must have shape [n, K, D] with n = {n}, "
                                 f"got {keypoints.shape}")
        self.keypoints = keypoints
        self.index = None if index is None else int(index)
        self.pts = None if pts is None else float(pts)
        self.tracker_id = None if tracker_id is None else np.asarray(tracker_id, dtype=np.int64).reshape(n)

    @classmethod
    def _from_core(cls, xyxy: np.ndarray, scores: np.ndarray, class_ids: np.ndarray,
                   names: Optional[Mapping[int, str]],
                   keypoints: Optional[np.ndarray], index: Optional[int] = None,
                   pts: Optional[float] = None) -> Detections:
        """From arrays that ``vxfast._core`` made with the right dtypes and shapes: no conversion
        or check (each costs microseconds with the cold caches of a call right after inference)."""
        self = object.__new__(cls)
        self.xyxy = xyxy
        self.scores = scores
        self.class_ids = class_ids
        self.names = names
        self.keypoints = keypoints
        self.index = index
        self.pts = pts
        self.tracker_id = None
        return self

    @classmethod
    def empty(cls, names: Optional[Mapping[int, str]] = None,
              keypoint_shape: Optional[tuple[int, int]] = None) -> Detections:
        kp = None if keypoint_shape is None else np.zeros((0, *keypoint_shape), np.float32)
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64),
                   names, kp)

    def __len__(self) -> int:
        return len(self.scores)

    def __getitem__(self, index: Any) -> Detections:
        """Select by int, slice, index array or boolean mask; always returns ``Detections``."""
        if isinstance(index, (int, np.integer)):
            index = [int(index)]
        kp = None if self.keypoints is None else self.keypoints[index]
        return Detections(self.xyxy[index], self.scores[index], self.class_ids[index], self.names, kp,
                          index=self.index, pts=self.pts,
                          tracker_id=None if self.tracker_id is None else self.tracker_id[index])

    def __iter__(self) -> Iterator[Detection]:
        names = self.names or {}
        for i in range(len(self)):
            c = int(self.class_ids[i])
            yield Detection(self.xyxy[i], float(self.scores[i]), c, names.get(c),
                            None if self.keypoints is None else self.keypoints[i])

    @property
    def class_names(self) -> np.ndarray:
        """Name of each box's class (str array); the id as text where no name is known."""
        names = self.names or {}
        return np.array([names.get(int(c), str(int(c))) for c in self.class_ids], dtype=str)

    @property
    def area(self) -> np.ndarray:
        """Box areas in pixels², float32."""
        return (self.xyxy[:, 2] - self.xyxy[:, 0]) * (self.xyxy[:, 3] - self.xyxy[:, 1])

    def to_supervision(self) -> Any:
        """A ``supervision.Detections`` with the same boxes (requires ``pip install supervision``).

        ``tracker_id`` goes to supervision's ``tracker_id`` (-1 where a box has no confirmed track).

        Class names go to ``data["class_name"]``, keypoints to ``data["keypoints"]``.
        """
        try:
            import supervision as sv
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("Detections.to_supervision() needs the 'supervision' package: "
                              "pip install supervision") from e
        data: dict[str, Any] = {}
        if self.names is not None:
            data["class_name"] = self.class_names
        if self.keypoints is not None:
            data["keypoints"] = self.keypoints
        return sv.Detections(xyxy=self.xyxy.astype(np.float32), confidence=self.scores,
                             class_id=self.class_ids.astype(int), data=data,
                             tracker_id=None if self.tracker_id is None else self.tracker_id.astype(int))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Detections):
            return NotImplemented
        same_kp = (self.keypoints is None) == (other.keypoints is None) and (
            self.keypoints is None or np.array_equal(self.keypoints, other.keypoints))  # type: ignore[arg-type]
        return (np.array_equal(self.xyxy, other.xyxy) and np.array_equal(self.scores, other.scores)
                and np.array_equal(self.class_ids, other.class_ids) and same_kp)

    __hash__ = None  # type: ignore[assignment]  # mutable arrays

    def __repr__(self) -> str:
        head = f"Detections(n={len(self)}"
        if self.index is not None:
            head += f", index={self.index}" + ("" if self.pts is None else f", pts={self.pts:.3f}")
        if len(self):
            labels = self.class_names[:5] if self.names is not None else self.class_ids[:5]
            head += f", top={[f'{lab}:{s:.2f}' for lab, s in zip(labels, self.scores[:5])]}"
        if self.keypoints is not None:
            head += f", keypoints={tuple(self.keypoints.shape[1:])}"
        return head + ")"
