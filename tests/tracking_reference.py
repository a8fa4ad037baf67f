"""Reference trackers and detection sequences for the tracking tests.

- UltralyticsResults: the results-like object Ultralytics' BYTETracker.update expects (xyxy, xywh, conf, cls,
  boolean indexing), built from an (N, 6) [x1, y1, x2, y2, score, class] array the way Ultralytics' Boxes does.
- run_ultralytics: feeds a sequence of frames to a fresh BYTETracker.
- synthetic_sequence: seeded detection sequences made from the MOT ground truth shipped with motmetrics, with
  jitter, dropouts, low-score boxes, false positives, occlusions and duplicates.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

BYTETRACK_DEFAULTS: dict[str, Any] = {
    "tracker_type": "bytetrack",
    "track_high_thresh": 0.25,
    "track_low_thresh": 0.1,
    "new_track_thresh": 0.25,
    "track_buffer": 30,
    "match_thresh": 0.8,
    "fuse_score": True,
}


class UltralyticsResults:
    """Minimal stand-in for ultralytics.engine.results.Boxes (numpy) that BYTETracker reads."""

    def __init__(self, dets: np.ndarray) -> None:
        dets = np.asarray(dets, dtype=np.float32).reshape(-1, 6)
        self.data = dets
        self.xyxy = dets[:, :4]
        self.conf = dets[:, 4]
        self.cls = dets[:, 5]
        from ultralytics.utils.ops import xyxy2xywh

        self.xywh = xyxy2xywh(self.xyxy)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, idx: Any) -> UltralyticsResults:
        return UltralyticsResults(self.data[idx])


def ultralytics_bytetrack(**overrides: Any) -> Any:
    from ultralytics.trackers.byte_tracker import BYTETracker
    from ultralytics.utils import IterableSimpleNamespace

    return BYTETracker(IterableSimpleNamespace(**{**BYTETRACK_DEFAULTS, **overrides}))


def run_ultralytics(frames: list[np.ndarray], **overrides: Any) -> list[np.ndarray]:
    tracker = ultralytics_bytetrack(**overrides)
    out = []
    for dets in frames:
        res = tracker.update(UltralyticsResults(dets))
        out.append(np.asarray(res, dtype=np.float32).reshape(-1, 8))
    return out


def motmetrics_gt(name: str) -> dict[int, np.ndarray]:
    """frame -> (K, 5) [id, x, y, w, h] of a motmetrics sample sequence (TUD-Campus, TUD-Stadtmitte)."""
    import motmetrics

    path = Path(motmetrics.__file__).parent / "data" / name / "gt.txt"
    rows = np.loadtxt(path, delimiter=",", ndmin=2)
    frames: dict[int, np.ndarray] = {}
    for f in np.unique(rows[:, 0]).astype(int):
        frames[int(f)] = rows[rows[:, 0] == f][:, 1:6]
    return frames


def synthetic_sequence(name: str, seed: int, *, jitter: float = 3.0, dropout: float = 0.08, low: float = 0.15,
                       false_pos: float = 1.0, occlusion: float = 0.02, duplicate: float = 0.05,
                       repeat: int = 1) -> list[np.ndarray]:
    """Detections per frame ((N, 6) float32) derived from ground truth, seeded.

    occlusion: per object and frame, chance that it disappears for 5-45 frames (longer than small buffers,
    so tracks get lost, re-found and removed). duplicate: chance of an extra box with IoU > 0.85 (or an exact
    copy). low: chance that a true box gets a score below the high threshold (second stage). repeat plays the
    sequence forward then backward `repeat` times for length.
    """
    rng = np.random.default_rng(seed)
    gt = motmetrics_gt(name)
    keys = sorted(gt)
    order = []
    for r in range(repeat):
        order += keys if r % 2 == 0 else keys[::-1]
    hidden_until: dict[int, int] = {}
    frames = []
    for n, f in enumerate(order):
        rows = []
        for oid, x, y, w, h in gt[f]:
            oid = int(oid)
            if hidden_until.get(oid, -1) > n:
                continue
            if rng.random() < occlusion:
                hidden_until[oid] = n + int(rng.integers(5, 46))
                continue
            if rng.random() < dropout:
                continue
            box = np.array([x, y, x + w, y + h]) + rng.normal(0, jitter, 4)
            score = rng.uniform(0.11, 0.25) if rng.random() < low else rng.uniform(0.3, 0.95)
            rows.append([*box, score, 0])
            if rng.random() < duplicate:
                copy = box if rng.random() < 0.3 else box + rng.normal(0, 0.5, 4)
                rows.append([*copy, rng.uniform(0.2, 0.9), 0])
        for _ in range(rng.poisson(false_pos)):
            cx, cy = rng.uniform(0, 640), rng.uniform(0, 480)
            w, h = rng.uniform(10, 80), rng.uniform(20, 160)
            rows.append([cx, cy, cx + w, cy + h, rng.uniform(0.05, 0.4), int(rng.integers(0, 3))])
        perm = rng.permutation(len(rows))
        arr = np.asarray(rows, dtype=np.float32).reshape(-1, 6)[perm]
        arr[:, 2:4] = np.maximum(arr[:, 2:4], arr[:, 0:2])  # jitter must not invert a box
        frames.append(arr)
    return frames
