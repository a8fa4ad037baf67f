"""Every SIMD level against the scalar reference kernels, over random sizes, targets and formats."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vxfast
from vxfast import _core

LEVELS = [lv for lv in vxfast.simd_info()["runnable"] if lv != "scalar"]


@pytest.fixture
def restore_level():
    yield
    vxfast.set_simd_level("native")


def run_at(level, fn):
    vxfast.set_simd_level(level)
    try:
        return fn()
    finally:
        vxfast.set_simd_level("native")


def assert_same(a, b, dtype):
    if dtype == "uint8":  # rounding at .5 may flip with FMA contraction
        assert np.abs(a.astype(int) - b.astype(int)).max(initial=0) <= 1
    elif dtype == "float16":
        np.testing.assert_allclose(a.astype(np.float32), b.astype(np.float32), rtol=2e-3, atol=2e-3)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-3)


def make_spec(kind, size, dtype, layout, order):
    norm = dict(dtype=dtype, layout=layout, order=order,
                scale=None if dtype != "float32" else 1.0, mean=(1.0, 2.0, 3.0) if dtype == "float32" else 0.0)
    if kind == "letterbox":
        return vxfast.Letterbox(size, **norm)
    if kind == "resize":
        return vxfast.Resize(size, **norm)
    return vxfast.CenterCrop(size, resize_short=max(size) + 3, **norm)


sizes = st.one_of(st.tuples(st.integers(1, 300), st.integers(1, 300)),
                  st.sampled_from([(1080, 1920), (2160, 3840), (17, 4000), (1001, 13)]))
targets = st.one_of(st.integers(1, 700).map(lambda s: (s, s)),
                    st.tuples(st.integers(1, 400), st.integers(1, 400)))
formats = st.tuples(st.sampled_from(["letterbox", "resize", "crop"]),
                    st.sampled_from(["float32", "float16", "uint8"]),
                    st.sampled_from(["chw", "hwc"]), st.sampled_from(["rgb", "bgr"]))


@pytest.mark.skipif(not LEVELS, reason="no SIMD level on this CPU")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(src=sizes, target=targets, fmt=formats, seed=st.integers(0, 2**31 - 1),
       input_order=st.sampled_from(["rgb", "bgr"]))
def test_rgb_simd_matches_scalar(src, target, fmt, seed, input_order):
    kind, dtype, layout, order = fmt
    h, w = src
    img = np.random.default_rng(seed).integers(0, 256, (h, w, 3), np.uint8)
    spec = make_spec(kind, target, dtype, layout, order)
    ref, rinfo = run_at("scalar", lambda: vxfast.preprocess(img, spec, input_order=input_order))
    for level in LEVELS:
        got, info = run_at(level, lambda: vxfast.preprocess(img, spec, input_order=input_order))
        assert info == rinfo
        assert_same(got, ref, dtype)


@pytest.mark.skipif(not LEVELS, reason="no SIMD level on this CPU")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(src=sizes, target=targets, fmt=formats, seed=st.integers(0, 2**31 - 1),
       nv12=st.booleans(), matrix=st.sampled_from(["bt601", "bt709"]), full=st.booleans())
def test_yuv_simd_matches_scalar(src, target, fmt, seed, nv12, matrix, full):
    kind, dtype, layout, order = fmt
    h, w = src
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 256, (h, w), np.uint8)
    ch, cw = (h + 1) // 2, (w + 1) // 2
    spec = make_spec(kind, target, dtype, layout, order)
    if nv12:
        uv = rng.integers(0, 256, (ch, cw, 2), np.uint8)
        call = lambda: vxfast.preprocess_nv12(y, uv, spec, matrix=matrix, full_range=full)  # noqa: E731
    else:
        u = rng.integers(0, 256, (ch, cw), np.uint8)
        v = rng.integers(0, 256, (ch, cw), np.uint8)
        call = lambda: vxfast.preprocess_yuv420(y, u, v, spec, matrix=matrix, full_range=full)  # noqa: E731
    ref, _ = run_at("scalar", call)
    for level in LEVELS:
        got, _ = run_at(level, call)
        assert_same(got, ref, dtype)
    if "avx512" in LEVELS and _core.preprocess.avx512_vbmi_available():  # the gather path, too
        _core.preprocess.set_avx512_vbmi(False)
        try:
            got, _ = run_at("avx512", call)
        finally:
            _core.preprocess.set_avx512_vbmi(True)
        assert_same(got, ref, dtype)


@pytest.mark.parametrize("threads", [1, 2, 3, 7])
def test_threads_give_identical_output(threads):
    img = np.random.default_rng(0).integers(0, 256, (1080, 1920, 3), np.uint8)
    spec = vxfast.presets.yolo()
    one, _ = vxfast.preprocess(img, spec, threads=1)
    many, _ = vxfast.preprocess(img, spec, threads=threads)
    np.testing.assert_array_equal(one, many)


def test_half_conversion_matches_numpy(restore_level):
    """Scalar float->half (round to nearest even, subnormals, overflow) against numpy's."""
    vals = np.array([0, 1, -1, 65504, 65519, 65520, 1e6, -1e6, 6e-8, 3e-8, 1e-5, 0.1, 1 / 3, 2049,
                     2051, 4097], np.float64)
    # one source pixel, stretched: every output value is pixel * scale exactly
    img = np.full((1, 1, 3), 1, np.uint8)
    for level in ["scalar"] + LEVELS:
        for v in vals:
            spec = vxfast.Resize(8, scale=float(v), dtype="float16")
            got, _ = run_at(level, lambda: vxfast.preprocess(img, spec))
            with np.errstate(over="ignore"):
                exp = np.float16(np.float32(v))
            assert got.view(np.uint16)[0, 0, 0] == exp.view(np.uint16), (level, v)


def test_set_simd_level_validates(restore_level):
    default = vxfast.simd_info()["level"]  # VXFAST_SIMD's level, else the CPU's best
    with pytest.raises(ValueError, match="unknown SIMD level"):
        vxfast.set_simd_level("sse9")
    vxfast.set_simd_level("scalar")
    assert vxfast.simd_level() == "scalar"
    vxfast.set_simd_level("native")
    assert vxfast.simd_level() == default


def test_env_override():
    env = dict(os.environ, VXFAST_SIMD="scalar")
    code = "import vxfast; print(vxfast.simd_level())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "scalar"
    env["VXFAST_SIMD"] = "bogus"
    code = "import vxfast, numpy as np; vxfast.letterbox(np.zeros((4, 4, 3), np.uint8), 8)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "VXFAST_SIMD" in out.stderr


def guarded(shape, rng):
    """A uint8 array whose last byte sits right before a PROT_NONE page: any over-read crashes."""
    import ctypes
    import mmap

    nbytes = int(np.prod(shape))
    page = mmap.PAGESIZE
    total = ((nbytes + page - 1) // page + 1) * page
    m = mmap.mmap(-1, total)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.mprotect(ctypes.c_void_p(addr + total - page), ctypes.c_size_t(page), 0) == 0
    arr = np.frombuffer(m, np.uint8, count=nbytes, offset=total - page - nbytes).reshape(shape)
    arr.flags.writeable = True
    arr[...] = rng.integers(0, 256, shape, np.uint8)
    return arr, m


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mprotect via libc")
@pytest.mark.parametrize("w", [1, 2, 7, 16, 17, 33, 63, 250])
def test_no_read_past_the_last_pixel(w):
    """Gathers read 4 bytes per tap; the last row of an image may end at an unmapped page."""
    rng = np.random.default_rng(w)
    h = 9
    img, _m1 = guarded((h, w, 3), rng)
    y, _m2 = guarded((h, w), rng)
    u, _m3 = guarded(((h + 1) // 2, (w + 1) // 2), rng)
    v, _m4 = guarded(((h + 1) // 2, (w + 1) // 2), rng)
    uv, _m5 = guarded(((h + 1) // 2, (w + 1) // 2, 2), rng)
    for level in ["scalar"] + LEVELS:
        for spec in (vxfast.Resize((4, max(1, w // 3))), vxfast.Resize((20, 3 * w)), vxfast.Letterbox(64)):
            ref = run_at("scalar", lambda: vxfast.preprocess(img, spec))[0]
            got = run_at(level, lambda: vxfast.preprocess(img, spec))[0]
            assert_same(got, ref, "float32")
            run_at(level, lambda: vxfast.preprocess_yuv420(y, u, v, spec))
            run_at(level, lambda: vxfast.preprocess_nv12(y, uv, spec))


@pytest.mark.parametrize("src,size", [((1080, 1920), 640), ((720, 1280), 640), ((96, 96), 32),
                                      ((2160, 3840), 640), ((99, 300), 100)])
def test_integer_ratios_skip_zero_weight_taps_exactly(src, size):
    """Integer downscales put weight 0 on every second tap; the kernels skip those taps, which must
    not change a bit (RGB and YUV, every level), and must still match OpenCV."""
    import cv2

    rng = np.random.default_rng(size)
    h, w = src
    img = rng.integers(0, 256, (h, w, 3), np.uint8)
    y = rng.integers(0, 256, (h, w), np.uint8)
    u = rng.integers(0, 256, ((h + 1) // 2, (w + 1) // 2), np.uint8)
    spec = vxfast.Letterbox(size, scale=1.0, layout="hwc")
    ref = run_at("scalar", lambda: vxfast.preprocess(img, spec))[0]
    ref_yuv = run_at("scalar", lambda: vxfast.preprocess_yuv420(y, u, u, spec))[0]
    for level in LEVELS:
        np.testing.assert_allclose(run_at(level, lambda: vxfast.preprocess(img, spec))[0], ref, atol=1e-3)
        np.testing.assert_allclose(run_at(level, lambda: vxfast.preprocess_yuv420(y, u, u, spec))[0],
                                   ref_yuv, atol=1e-3)
    r = min(size / h, size / w)
    nw, nh = round(w * r), round(h * r)
    top, left = (size - nh) // 2, (size - nw) // 2
    cv = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    d = np.abs(ref[top:top + nh, left:left + nw] - cv)
    assert d.mean() <= 0.5 and d.max() <= 8
