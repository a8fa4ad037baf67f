"""vxfast.nms against a literal numpy port of torchvision's greedy NMS (tests/postprocess_reference)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import vxfast

from postprocess_reference import greedy_nms


def _cpu_level() -> str:
    """The best postprocess kernel level this CPU runs (no NEON kernels: scalar there)."""
    import vxfast
    cpu = vxfast.simd_info()["cpu"]
    return "scalar" if cpu == "neon" else cpu


@st.composite
def box_sets(draw, dtype=np.float32):
    n = draw(st.integers(0, 60))
    # A coarse grid makes duplicates, shared edges, zero-area and inverted boxes common; tied
    # scores come from drawing scores out of a handful of values.
    grid = draw(st.sampled_from([4, 16, 1000]))
    coords = draw(hnp.arrays(np.int64, (n, 4), elements=st.integers(0, grid)))
    boxes = coords.astype(dtype) * dtype(draw(st.sampled_from([1.0, 0.37, 13.0])))
    if draw(st.booleans()) and n:  # mostly well-formed boxes: x2 >= x1, y2 >= y1
        boxes[:, 2:] = np.maximum(boxes[:, 2:], boxes[:, :2])
    if draw(st.booleans()) and n > 1:  # exact duplicates of earlier boxes
        src = draw(hnp.arrays(np.int64, n, elements=st.integers(0, n - 1)))
        dup = draw(hnp.arrays(np.bool_, n))
        boxes[dup] = boxes[src[dup]]
    levels = draw(st.integers(1, 6))
    scores = draw(hnp.arrays(np.int64, n, elements=st.integers(0, levels))).astype(dtype) / levels
    classes = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 3)))
    thr = draw(st.sampled_from([0.0, 0.1, 0.3, 0.45, 0.5, 0.7, 1.0]))
    return boxes, scores, classes, thr


@settings(max_examples=100, deadline=None)
@given(box_sets())
def test_nms_matches_reference(case):
    boxes, scores, _, thr = case
    np.testing.assert_array_equal(vxfast.nms(boxes, scores, thr), greedy_nms(boxes, scores, thr))


@settings(max_examples=60, deadline=None)
@given(box_sets(dtype=np.float64))
def test_nms_float64_matches_reference(case):
    boxes, scores, _, thr = case
    np.testing.assert_array_equal(vxfast.nms(boxes, scores, thr), greedy_nms(boxes, scores, thr))


@settings(max_examples=100, deadline=None)
@given(box_sets())
def test_class_aware_equals_per_class(case):
    boxes, scores, classes, thr = case
    got = vxfast.nms(boxes, scores, thr, classes=classes)
    np.testing.assert_array_equal(got, greedy_nms(boxes, scores, thr, classes))
    # Independently: union of per-class NMS, ordered by score then index.
    per_class = [np.flatnonzero(classes == c)[greedy_nms(boxes[classes == c], scores[classes == c], thr)]
                 for c in np.unique(classes)]
    union = np.concatenate(per_class) if per_class else np.zeros(0, np.int64)
    union = union[np.lexsort((union, -scores[union].astype(np.float64)))]
    np.testing.assert_array_equal(got, union)
    np.testing.assert_array_equal(vxfast.batched_nms(boxes, scores, classes, thr), got)


@settings(max_examples=60, deadline=None)
@given(box_sets(), st.sampled_from([-(2**40), -1, 65535, 65536, 2**40]), st.integers(0, 10))
def test_class_ids_outside_the_packed_sort(case, offset, max_det):
    """float32 boxes with class ids in [0, 65536) take the packed 64-bit key sort; other ids the
    three-field sort. Shifting all ids keeps the same groups, so results must not change."""
    boxes, scores, classes, thr = case
    want = vxfast.nms(boxes, scores, thr, classes=classes, max_det=max_det)
    got = vxfast.nms(boxes, scores, thr, classes=classes * 7 + offset, max_det=max_det)
    np.testing.assert_array_equal(got, want)


@settings(max_examples=40, deadline=None)
@given(st.integers(64, 3000), st.integers(1, 6), st.integers(1, 300), st.integers(0, 2**32 - 1),
       st.sampled_from([0.3, 0.45, 0.7]))
def test_radix_sorted_path_on_many_boxes(n, levels, n_classes, seed, thr):
    """>= 64 boxes take the radix sort of packed keys; ids shifted past 65535 (and class-agnostic as
    one shifted class) take the three-field std::sort. Heavily tied scores, negative ones too."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 600, (n, 2)).astype(np.float32)
    boxes = np.concatenate([xy, xy + rng.uniform(1, 80, (n, 2)).astype(np.float32)], 1)
    scores = (rng.integers(-levels, levels + 1, n) / levels).astype(np.float32)
    classes = rng.integers(0, n_classes, n)
    np.testing.assert_array_equal(vxfast.nms(boxes, scores, thr, classes=classes),
                                  vxfast.nms(boxes, scores, thr, classes=classes + 70000))
    np.testing.assert_array_equal(vxfast.nms(boxes, scores, thr),
                                  vxfast.nms(boxes, scores, thr, classes=np.full(n, 70000)))
    if n <= 200:
        np.testing.assert_array_equal(vxfast.nms(boxes, scores, thr, classes=classes),
                                      greedy_nms(boxes, scores, thr, classes))


@settings(max_examples=50, deadline=None)
@given(box_sets(), st.integers(0, 10))
def test_max_det_is_a_prefix(case, max_det):
    boxes, scores, classes, thr = case
    full = vxfast.nms(boxes, scores, thr, classes=classes)
    np.testing.assert_array_equal(vxfast.nms(boxes, scores, thr, classes=classes, max_det=max_det),
                                  full[:max_det])


def test_nms_batch_equals_per_image():
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 100, (3, 50, 2)).astype(np.float32)
    boxes = np.concatenate([xy, xy + rng.uniform(1, 40, (3, 50, 2)).astype(np.float32)], -1)
    scores = rng.random((3, 50), dtype=np.float32)
    classes = rng.integers(0, 3, (3, 50))
    got = vxfast.nms_batch(boxes, scores, 0.5, classes=classes, max_det=20)
    assert len(got) == 3
    for b in range(3):
        np.testing.assert_array_equal(got[b], greedy_nms(boxes[b], scores[b], 0.5, classes[b])[:20])


def test_torchvision_semantics_examples():
    boxes = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 5], [20, 20, 20, 30]], np.float32)
    # IoU(box0, box2) = 0.5 exactly: suppressed only when the threshold is below it.
    scores = np.array([0.9, 0.9, 0.8, 0.95], np.float32)
    np.testing.assert_array_equal(vxfast.nms(boxes, scores, 0.5), [3, 0, 2])  # tie -> lower index
    np.testing.assert_array_equal(vxfast.nms(boxes, scores, 0.49), [3, 0])
    assert vxfast.nms(boxes, scores, 0.5).dtype == np.int64


def test_empty_and_bad_input():
    assert vxfast.nms(np.zeros((0, 4)), np.zeros(0), 0.5).shape == (0,)
    assert vxfast.nms(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), 0.5, max_det=0).shape == (0,)
    boxes = np.array([[0, 0, 1, 1], [0, 0, 2, 2]], np.float32)
    with pytest.raises(ValueError, match="NaN"):
        vxfast.nms(boxes, np.array([0.5, np.nan], np.float32), 0.5)
    with pytest.raises(ValueError, match=r"boxes must have shape \[N, 4\]"):
        vxfast.nms(boxes[:, :3], np.ones(2, np.float32), 0.5)
    with pytest.raises(ValueError, match="scores must have shape"):
        vxfast.nms(boxes, np.ones(3, np.float32), 0.5)
    with pytest.raises(ValueError, match="classes must have shape"):
        vxfast.nms(boxes, np.ones(2, np.float32), 0.5, classes=np.zeros(3, np.int64))
    with pytest.raises(ValueError, match="classes must hold integers"):
        vxfast.nms(boxes, np.ones(2, np.float32), 0.5, classes=np.zeros(2))
    with pytest.raises(ValueError, match="iou_threshold"):
        vxfast.nms(boxes, np.ones(2, np.float32), 1.5)
    with pytest.raises(ValueError, match="max_det"):
        vxfast.nms(boxes, np.ones(2, np.float32), 0.5, max_det=-2)
    # Infinite scores are ordered like any number (torchvision accepts them too).
    np.testing.assert_array_equal(vxfast.nms(boxes, np.array([1.0, np.inf], np.float32), 0.1), [1])


@settings(max_examples=80, deadline=None)
@given(box_sets(), st.sampled_from(["avx2", "avx512"]), st.booleans())
def test_simd_overlap_kernels_equal_scalar(case, level, with_classes):
    """The float32 overlap kernels (zero-padded SoA, min/max operand order) match the scalar loop,
    including NaN IoUs of degenerate boxes and ties at the threshold."""
    from vxfast import _core
    order = ["scalar", "avx2", "avx512"]
    if order.index(level) > order.index(_cpu_level()):
        level = _cpu_level()
    boxes, scores, classes, thr = case
    c = classes if with_classes else None
    np.testing.assert_array_equal(_core.postprocess.nms(boxes, scores, thr, c, -1, simd=level),
                                  _core.postprocess.nms(boxes, scores, thr, c, -1, simd="scalar"))


def test_simd_levels_on_many_boxes():
    """Hundreds of kept boxes: the SIMD kernels walk several 16-wide chunks plus padding."""
    from vxfast import _core
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 2000, (3000, 2)).astype(np.float32)
    boxes = np.concatenate([xy, xy + rng.uniform(0, 60, (3000, 2)).astype(np.float32)], 1)
    boxes[::50, 2:] = boxes[::50, :2]  # zero-area boxes
    scores = rng.random(3000).astype(np.float32)
    ref = greedy_nms(boxes, scores, 0.3)
    assert len(ref) > 500
    for level in ["scalar", "avx2", "avx512"][: ["scalar", "avx2", "avx512"].index(
            _cpu_level()) + 1]:
        np.testing.assert_array_equal(_core.postprocess.nms(boxes, scores, 0.3, None, -1, simd=level), ref)
    with pytest.raises(ValueError, match="unknown SIMD level 'sse9'; valid values: scalar, neon"):
        _core.postprocess.nms(boxes, scores, 0.3, None, -1, simd="sse9")
    if _cpu_level() != "scalar":
        with pytest.raises(ValueError, match="not supported by this CPU"):
            _core.postprocess.nms(boxes, scores, 0.3, None, -1, simd="neon")
