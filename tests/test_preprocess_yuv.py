"""The fused YUV path against cv2.cvtColor (YUV -> RGB) followed by the reference letterbox."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

import vxfast
from test_preprocess_reference import rgb_to_i420, ultralytics_letterbox, yuv_to_rgb


def assert_close_255(ours, ref):
    d = np.abs(ours.astype(np.float64) - ref.astype(np.float64))
    assert d.mean() <= 0.5, d.mean()
    assert d.max() <= 8, d.max()


@pytest.fixture(scope="module")
def zidane_rgb(media_dir):
    return np.ascontiguousarray(cv2.imread(str(media_dir / "zidane.jpg"))[..., ::-1])


def raw_letterbox(size=640, **kw):
    return vxfast.Letterbox(size, scale=1.0, layout="hwc", **kw)


def test_i420_matches_cvtcolor_then_letterbox(zidane_rgb):
    big = cv2.resize(zidane_rgb, (1920, 1080))
    y, u, v = rgb_to_i420(big)
    t, info = vxfast.preprocess_yuv420(y, u, v, raw_letterbox())
    i420 = np.concatenate([y, u.reshape(-1, 1920), v.reshape(-1, 1920)])
    rgb = cv2.cvtColor(i420, cv2.COLOR_YUV2RGB_I420)
    assert_close_255(t, ultralytics_letterbox(rgb))
    assert (info.src_width, info.src_height, info.pad_top) == (1920, 1080, 140)
    # the default CHW 0..1 tensor is the same data
    t2, _ = vxfast.preprocess_yuv420(y, u, v, vxfast.presets.yolo())
    np.testing.assert_allclose(t2.transpose(1, 2, 0) * 255, t, atol=1e-3)


def test_nv12_matches_cvtcolor(zidane_rgb):
    y, u, v = rgb_to_i420(zidane_rgb)
    uv = np.ascontiguousarray(np.stack([u, v], -1))
    t, _ = vxfast.preprocess_nv12(y, uv, raw_letterbox(320))
    nv12 = np.concatenate([y, uv.reshape(-1, zidane_rgb.shape[1])])
    rgb = cv2.cvtColor(nv12, cv2.COLOR_YUV2RGB_NV12)
    assert_close_255(t, ultralytics_letterbox(rgb, (320, 320)))
    t2, _ = vxfast.preprocess_yuv420(y, u, v, raw_letterbox(320))
    np.testing.assert_allclose(t, t2, atol=1e-3)


@pytest.mark.parametrize("matrix,full_range", [("bt709", False), ("bt601", True), ("bt709", True),
                                               ("bt2020", False), ("bt2020", True), ("fcc", False),
                                               ("smpte240m", False)])
def test_matrices_and_ranges_match_numpy_reference(matrix, full_range):
    rng = np.random.default_rng(3)
    h, w = 240, 322
    y = rng.integers(0, 256, (h, w), np.uint8)
    y = cv2.GaussianBlur(y, (9, 9), 3)  # smooth content: bilinear of a clamped field stays close
    u = cv2.GaussianBlur(rng.integers(64, 192, (h // 2, w // 2), np.uint8), (5, 5), 2)
    v = cv2.GaussianBlur(rng.integers(64, 192, (h // 2, w // 2), np.uint8), (5, 5), 2)
    t, _ = vxfast.preprocess_yuv420(y, u, v, raw_letterbox(160, order="bgr"), matrix=matrix,
                                    full_range=full_range)
    rgb = yuv_to_rgb(y, u, v, matrix, full_range)
    assert_close_255(t[..., ::-1], ultralytics_letterbox(rgb, (160, 160)))


def test_odd_sizes_and_strided_planes():
    rng = np.random.default_rng(4)
    h, w = 101, 77
    big_y = rng.integers(0, 256, (h, w + 30), np.uint8)
    y = big_y[:, 5:5 + w]  # strided rows
    u = rng.integers(0, 256, ((h + 1) // 2, (w + 1) // 2), np.uint8)
    v = rng.integers(0, 256, ((h + 1) // 2, (w + 1) // 2), np.uint8)
    t, info = vxfast.preprocess_yuv420(y, u, v, raw_letterbox(64))
    ref = ultralytics_letterbox(yuv_to_rgb(np.ascontiguousarray(y), u, v), (64, 64))
    d = np.abs(t - ref)
    assert d.mean() <= 2.0  # random (unsmoothed) chroma: clamping before vs after blending differs
    assert info.src_width == 77


def test_yuv_bad_input():
    y = np.zeros((10, 10), np.uint8)
    u = np.zeros((5, 5), np.uint8)
    spec = vxfast.Letterbox(32)
    with pytest.raises(ValueError, match="u: expected 5 rows of 5"):
        vxfast.preprocess_yuv420(y, np.zeros((5, 4), np.uint8), u, spec)
    with pytest.raises(ValueError, match="dtype uint8"):
        vxfast.preprocess_yuv420(y.astype(np.uint16), u, u, spec)
    with pytest.raises(ValueError, match="matrix"):
        vxfast.preprocess_yuv420(y, u, u, spec, matrix="bt2100")
    with pytest.raises(ValueError, match="uv"):
        vxfast.preprocess_nv12(y, np.zeros((5, 5), np.uint8), spec)
    with pytest.raises(ValueError, match="packed"):
        vxfast.preprocess_yuv420(np.zeros((10, 20), np.uint8)[:, ::2], u, u, spec)
