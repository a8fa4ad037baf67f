"""The threaded YOLO decode (class scan split by anchors over the worker pool, per-image NMS of a
batch in parallel) gives exactly the single-thread results: real yolov8n outputs and random ones."""
from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vxfast import _core
from vxfast.postprocess import yolo

from test_postprocess_yolo import yolov8n  # noqa: F401  (the real outputs fixture)


def decode(out, fmt, nc, conf, threads, iou=0.45, max_det=300, agnostic=False, classes=()):
    return _core.postprocess.yolo_decode(out, fmt, nc, conf, iou, max_det, agnostic, list(classes), None, 0,
                             threads=threads)


def assert_identical(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        for u, v in zip(x, y):
            assert u.dtype == v.dtype and u.shape == v.shape
            np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("conf", [0.25, 0.001])
@pytest.mark.parametrize("threads", [0, 2, 3, 8])
def test_real_outputs_threaded_equals_one_thread(yolov8n, conf, threads):
    t = np.ascontiguousarray(yolov8n.out.transpose(0, 2, 1))
    for out, fmt in ((yolov8n.out, "channels_first"), (t, "channels_last")):
        assert_identical(decode(out, fmt, 80, conf, 1), decode(out, fmt, 80, conf, threads))
        for b in range(len(out)):  # one image at a time: the split is over anchors only
            assert_identical(decode(out[b:b + 1], fmt, 80, conf, 1),
                             decode(out[b:b + 1], fmt, 80, conf, threads))
    # The public API, with letterbox and names, batch and single image.
    for b, info in enumerate(yolov8n.infos):
        one = yolo(yolov8n.out[b:b + 1], conf=conf, letterbox=info, names=yolov8n.names, threads=1)
        assert one == yolo(yolov8n.out[b:b + 1], conf=conf, letterbox=info, names=yolov8n.names,
                           threads=threads)


def test_many_calls_and_concurrent_callers(yolov8n):
    """Back-to-back calls (helper hot or asleep) and two Python threads sharing the one pool."""
    ref = [decode(yolov8n.out[b:b + 1], "channels_first", 80, 0.001, 1) for b in range(4)]
    errors = []

    def worker():
        try:
            for r in range(25):
                b = r % 4
                assert_identical(ref[b], decode(yolov8n.out[b:b + 1], "channels_first", 80, 0.001, 0))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    stats = _core.postprocess.postprocess_pool_stats()
    assert stats["helpers"] >= 0 and stats["tasks"] >= stats["helper_tasks"] >= 0


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(0, 3000), st.integers(1, 12), st.integers(0, 2**32 - 1),
       st.booleans(), st.sampled_from([0, 2, 5]), st.booleans())
def test_random_outputs_threaded_equals_one_thread(batch, n, nc, seed, transposed, threads,
                                                   agnostic):
    """Odd anchor counts (splits not multiples of 16, fewer anchors than tasks), ties, several
    images; tasks are forced with threads > 1 even below the auto threshold."""
    rng = np.random.default_rng(seed)
    out = np.empty((batch, 4 + nc, n), np.float32)
    out[:, :2] = rng.uniform(0, 640, (batch, 2, n))
    out[:, 2:4] = rng.uniform(1, 80, (batch, 2, n))
    out[:, 4:] = rng.integers(0, 5, (batch, nc, n)) / 4
    conf = float(rng.choice([0.0, 0.3, 0.75]))
    fmt = "channels_first"
    if transposed:
        out, fmt = np.ascontiguousarray(out.transpose(0, 2, 1)), "channels_last"
    kw = dict(iou=0.5, max_det=int(rng.integers(1, 400)), agnostic=agnostic)
    assert_identical(decode(out, fmt, nc, conf, 1, **kw), decode(out, fmt, nc, conf, threads, **kw))


def test_errors_are_the_single_thread_ones():
    out = np.zeros((3, 84, 4000), np.float32)
    out[:, 2:4] = 10
    out[:, 4] = 0.9
    out[2, 30, 3999] = np.nan  # image 2: NaN class score
    out[1, 0, 17] = np.inf     # image 1: an inf box of a candidate: the first failing image
    for threads in (1, 2, 0):
        with pytest.raises(ValueError, match=r"box \(anchor 17\)"):
            decode(out, "channels_first", 80, 0.25, threads)
    with pytest.raises(ValueError, match="threads"):
        decode(out, "channels_first", 80, 0.25, -1)
    with pytest.raises(ValueError, match="threads"):
        yolo(out, threads=-2)


def test_other_formats_accept_threads():
    rng = np.random.default_rng(0)
    obj = rng.uniform(0, 1, (4, 500, 5 + 3)).astype(np.float32)
    obj[..., 2:4] *= 50
    e2e = np.concatenate([rng.uniform(0, 100, (4, 50, 4)), rng.uniform(0, 1, (4, 50, 1)),
                          rng.integers(0, 3, (4, 50, 1))], -1).astype(np.float32)
    for out, fmt, nc in ((obj, "objectness", 3), (e2e, "end2end", 0)):
        assert_identical(decode(out, fmt, nc, 0.3, 1), decode(out, fmt, nc, 0.3, 2))
