"""pytest-benchmark suite: every vxfast benchmark beside its anchor (PyAV, OpenCV, numpy, bare
onnxruntime) in the same run and the same ``group``, so pytest-benchmark's per-group table shows the
ratio. ``make bench`` runs it; rounds are few (``--bench-rounds``, default 3) so the whole suite
takes a few minutes on 2 cores. ``pytest tests`` never collects this folder.

Gate a change: ``make bench BENCH_ARGS=--benchmark-save=base``, then
``make bench BENCH_ARGS="--benchmark-compare --benchmark-compare-fail=median:10%"``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
# media.py lives here; the numpy/OpenCV references are shared with the tests (no vxfast code inside).
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from vxfast.shared_data import shared_path  # noqa: E402


def pytest_addoption(parser):
    parser.addoption("--bench-rounds", type=int, default=3,
                     help="timed rounds per benchmark (fast kernels run 10x as many)")


@pytest.fixture(scope="session")
def rounds(request) -> int:
    n = request.config.getoption("--bench-rounds")
    if n < 1:
        raise pytest.UsageError(f"--bench-rounds={n}: expected >= 1")
    return n


@pytest.fixture
def timed(benchmark, rounds):
    """``timed(fn, scale=1)``: ``fn`` once per round (``rounds * scale`` rounds, one warm-up)."""
    def run(fn, scale: int = 1):
        return benchmark.pedantic(fn, rounds=rounds * scale, iterations=1, warmup_rounds=1)
    return run


@pytest.fixture(scope="session")
def vtest_avi() -> Path:
    return shared_path("media/vtest.avi")


@pytest.fixture(scope="session")
def yolov8n() -> Path:
    return shared_path("models/yolov8n.onnx")


@pytest.fixture(scope="session")
def clip_1080p() -> Path:
    from media import h264_1080p
    return h264_1080p()


@pytest.fixture(scope="session")
def frame_1080p_bgr(clip_1080p) -> np.ndarray:
    import cv2
    cap = cv2.VideoCapture(str(clip_1080p))
    for _ in range(30):  # a frame with people in it, past the first keyframe
        ok, bgr = cap.read()
        assert ok, f"{clip_1080p}: could not read frames with OpenCV"
    cap.release()
    return np.ascontiguousarray(bgr)
