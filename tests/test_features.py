"""vxfast.features.compute: every SIMD level against the scalar reference and a numpy reference of
the definitions, on real decoded luma planes and on random frames of any size."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vxfast
from features_reference import NAMES, reference_features
from vxfast import features

LEVELS = features.simd_levels()
FAST_LEVELS = [lv for lv in LEVELS if lv != "reference"]


@pytest.fixture(scope="module")
def vtest_planes(vtest_avi):
    """Y planes of a few vtest.avi frames exactly as decoded (PyAV, planes[0], linesize trimmed)."""
    av = pytest.importorskip("av")
    out = []
    with av.open(str(vtest_avi)) as c:
        for i, frame in enumerate(c.decode(video=0)):
            if i in (0, 77, 150, 300):
                plane = frame.planes[0]
                buf = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
                out.append(buf[:, :plane.width].copy())
            if i >= 300:
                break
    assert len(out) == 4 and out[0].shape == (720, 1280)
    return out


def assert_close(got: dict, want: dict, rtol: float = 1e-4, atol: float = 0.0, skip=()):
    for name in NAMES:
        if name in skip:
            continue
        g, w = got[name], want[name]
        if math.isnan(w) or math.isnan(g):
            assert math.isnan(w) and math.isnan(g), f"{name}: got {g}, want {w}"
            continue
        assert g == pytest.approx(w, rel=rtol, abs=atol), f"{name}: got {g}, want {w}"


def test_names_and_levels():
    assert features.FEATURE_NAMES == NAMES
    assert LEVELS[0] == "reference" and "scalar" in LEVELS
    assert features.simd_level() in LEVELS


@pytest.mark.parametrize("level", LEVELS)
def test_real_frames_match_numpy_reference(vtest_planes, level):
    for y in vtest_planes:
        assert_close(features.compute(y, simd=level), reference_features(y), rtol=1e-4)


def test_numpy_reference_agrees_with_opencv(vtest_planes):
    # Anchors the reference itself: the filters the definitions name, as OpenCV computes them.
    cv2 = pytest.importorskip("cv2")
    y = vtest_planes[1]
    ref = reference_features(y)
    lap = cv2.Laplacian(y, cv2.CV_64F, ksize=1)
    gx, gy = cv2.Sobel(y, cv2.CV_64F, 1, 0, ksize=3), cv2.Sobel(y, cv2.CV_64F, 0, 1, ksize=3)
    med = cv2.medianBlur(y, 3)
    f = y.astype(np.float64)
    dct = np.array([[cv2.dct(np.ascontiguousarray(f[r:r + 8, c:c + 8]))
                     for c in range(0, 1280, 8)] for r in range(0, 720, 8)])
    assert ref["laplacian_var"] == pytest.approx(lap.var(), rel=1e-9)
    assert ref["tenengrad"] == pytest.approx((gx ** 2 + gy ** 2).mean(), rel=1e-9)
    assert ref["gradient_mean"] == pytest.approx(np.sqrt(gx ** 2 + gy ** 2).mean(), rel=1e-9)
    assert ref["noise_residual"] == pytest.approx(np.abs(f - med).mean(), rel=1e-9)
    assert ref["dct_dc_mean"] == pytest.approx(dct[..., 0, 0].mean(), rel=1e-9)
    band = np.add.outer(np.arange(8), np.arange(8))
    assert ref["dct_high"] == pytest.approx((dct[..., band >= 8] ** 2).sum(-1).mean(), rel=1e-9)


def test_threads_and_padded_rows_give_same_result(vtest_planes):
    y = vtest_planes[2]
    one = features.compute(y, threads=1)
    for threads in (2, 3, 7):
        assert features.compute(y, threads=threads) == pytest.approx(one, rel=1e-12)
    padded = np.zeros((720, 1344), np.uint8)
    padded[:, :1280] = y
    view = padded[:, :1280]  # a decoder plane: row stride > width
    assert not view.flags.c_contiguous
    assert features.compute(view) == pytest.approx(one, rel=1e-12)
    readonly = np.frombuffer(y.tobytes(), np.uint8).reshape(y.shape)  # e.g. bytes from a decoder
    assert not readonly.flags.writeable
    assert features.compute(readonly) == pytest.approx(one, rel=1e-12)


def test_flat_and_known_values():
    f = features.compute(np.full((16, 24), 200, np.uint8))
    assert f["laplacian_var"] == 0 and f["tenengrad"] == 0 and f["brenner"] == 0 and f["noise_residual"] == 0
    assert f["dct_dc_mean"] == pytest.approx(1600.0)  # orthonormal DC of a flat block: 8 * value
    assert math.isnan(f["blockiness"])  # 0/0: no differences anywhere
    # Vertical stripes of period 2: Brenner compares equal pixels, all energy at horizontal u=0.
    y = np.zeros((8, 8), np.uint8)
    y[:, ::2] = 100
    f = features.compute(y)
    assert f["brenner"] == 0
    assert f["dct_low"] + f["dct_mid"] + f["dct_high"] == pytest.approx(8 * 8 * 50 ** 2, rel=1e-5)


def test_tiny_frames_nan_where_undefined():
    f = features.compute(np.array([[7]], np.uint8))
    assert f["laplacian_var"] == 0 and f["tenengrad"] == 0 and f["noise_residual"] == 0
    for name in ("brenner", "dct_dc_mean", "dct_low", "dct_hf_ratio", "blockiness"):
        assert math.isnan(f[name]), name


def frames(draw_kind, h, w, seed):
    rng = np.random.default_rng(seed)
    if draw_kind == "noise":
        return rng.integers(0, 256, (h, w), dtype=np.uint8)
    if draw_kind == "extreme":
        return (rng.integers(0, 2, (h, w)) * 255).astype(np.uint8)
    if draw_kind == "blocky":
        small = rng.integers(0, 256, ((h + 7) // 8, (w + 7) // 8), dtype=np.uint8)
        y = np.kron(small, np.ones((8, 8), np.uint8))[:h, :w]
        return np.clip(y.astype(int) + rng.integers(-2, 3, (h, w)), 0, 255).astype(np.uint8)
    ramp = np.add.outer(np.arange(h) * 3, np.arange(w) * 5) % 256
    return ramp.astype(np.uint8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h=st.integers(1, 45), w=st.integers(1, 45), seed=st.integers(0, 2 ** 32 - 1),
       kind=st.sampled_from(["noise", "extreme", "blocky", "ramp"]), threads=st.integers(0, 4))
def test_random_sizes_all_levels_match_references(h, w, seed, kind, threads):
    y = frames(kind, h, w, seed)
    want = reference_features(y)
    scalar = features.compute(y, simd="reference")
    # hf_ratio of (numerically) zero AC energy is rounding noise over rounding noise.
    skip = ("dct_hf_ratio",) if not (want["dct_low"] + want["dct_mid"] + want["dct_high"] > 1e-3) else ()
    assert_close(scalar, want, rtol=1e-9, atol=1e-9, skip=skip)
    for level in FAST_LEVELS:
        assert_close(features.compute(y, simd=level, threads=threads), scalar, rtol=1e-5, atol=1e-6,
                     skip=skip)


@settings(max_examples=15, deadline=None)
@given(h=st.integers(60, 140), w=st.integers(60, 1100), seed=st.integers(0, 2 ** 32 - 1))
def test_larger_random_frames_fast_vs_scalar(h, w, seed):
    # Wide enough for every chunk (512 columns) and vector-tail path of the fast kernels.
    y = frames("noise", h, w, seed)
    scalar = features.compute(y, simd="reference")
    for level in FAST_LEVELS:
        assert_close(features.compute(y, simd=level, threads=2), scalar, rtol=1e-5)


@pytest.mark.parametrize("bad, exc, words", [
    (np.zeros((8, 8), np.float32), ValueError, "uint8"),
    (np.zeros((8, 8), np.uint16), ValueError, "uint8"),
    (np.zeros((8, 8, 3), np.uint8), ValueError, "2-D"),
    (np.zeros(8, np.uint8), ValueError, "2-D"),
    (np.zeros((0, 8), np.uint8), ValueError, "non-empty"),
    (np.zeros((8, 16), np.uint8)[:, ::2], ValueError, "contiguous"),
    (np.zeros((8, 8), np.uint8).T[:, :5], ValueError, "contiguous"),
    ([[1, 2], [3, 4]], TypeError, "numpy array"),
])
def test_bad_input_raises_clear_error(bad, exc, words):
    with pytest.raises(exc, match=words):
        features.compute(bad)


def test_bad_simd_level():
    with pytest.raises(ValueError, match="sse9"):
        features.compute(np.zeros((8, 8), np.uint8), simd="sse9")


def test_exported_from_package():
    assert vxfast.features.compute is features.compute


@pytest.mark.parametrize("level", FAST_LEVELS)
def test_vxfast_simd_env_forces_level(level):
    import os
    import subprocess
    import sys

    code = ("import numpy as np, vxfast.features as f; y = np.arange(4096, dtype=np.uint8).reshape(64, 64); "
            "print(f.simd_level(), f.compute(y)['tenengrad'])")
    env = {**os.environ, "VXFAST_SIMD": level}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    name, value = out.stdout.split()
    assert name == level
    want = features.compute(np.arange(4096, dtype=np.uint8).reshape(64, 64), simd="reference")["tenengrad"]
    assert float(value) == pytest.approx(want, rel=1e-6)


def test_vxfast_simd_env_rejects_unknown():
    import os
    import subprocess
    import sys

    env = {**os.environ, "VXFAST_SIMD": "sse9"}
    out = subprocess.run([sys.executable, "-c", "import vxfast.features as f; f.simd_level()"], env=env,
                         capture_output=True, text=True)
    assert out.returncode != 0 and "sse9" in out.stderr
