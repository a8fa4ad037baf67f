"""Cheap latency statistics: a fixed ring of the most recent call timings."""
from __future__ import annotations

import threading

import numpy as np


class LatencyRing:
    """Keeps the last ``capacity`` (seconds, frames) pairs; recording is O(1) and allocation-free."""

    def __init__(self, capacity: int = 1024) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        self._secs = np.zeros(capacity, dtype=np.float64)
        self._frames = np.zeros(capacity, dtype=np.int64)
        self._n = 0  # total calls ever recorded
        self._total_frames = 0
        self._lock = threading.Lock()

    def record(self, seconds: float, frames: int) -> None:
        with self._lock:
            i = self._n % self._secs.size
            self._secs[i] = seconds
            self._frames[i] = frames
            self._n += 1
            self._total_frames += frames

    def reset(self) -> None:
        with self._lock:
            self._n = 0
            self._total_frames = 0

    def summary(self) -> dict:
        """``calls``, ``frames`` (totals), ``window`` (calls summarised), ``latency_ms`` per call
        {p50, p95, p99, min, max, mean}, ``fps`` (frames per second of inference time in the window)."""
        with self._lock:
            k = min(self._n, self._secs.size)
            secs = self._secs[:k].copy()
            frames = self._frames[:k].copy()
            calls, total_frames = self._n, self._total_frames
        if k == 0:
            lat = {key: float("nan") for key in ("p50", "p95", "p99", "min", "max", "mean")}
            return {"calls": 0, "frames": 0, "window": 0, "latency_ms": lat, "fps": 0.0}
        ms = secs * 1e3
        p50, p95, p99 = np.percentile(ms, [50, 95, 99])
        busy = float(secs.sum())
        return {
            "calls": calls, "frames": total_frames, "window": k,
            "latency_ms": {"p50": float(p50), "p95": float(p95), "p99": float(p99),
                           "min": float(ms.min()), "max": float(ms.max()), "mean": float(ms.mean())},
            "fps": float(frames.sum()) / busy if busy > 0 else float("inf"),
        }
