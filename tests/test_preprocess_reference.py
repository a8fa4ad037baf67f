"""Reference preprocessing in OpenCV + numpy (what Ultralytics / torchvision pipelines do), used by
the preprocess tests and benchmark as the ground truth."""
from __future__ import annotations

import cv2
import numpy as np


def ultralytics_letterbox(img: np.ndarray, size=(640, 640), pad=114, center=True, stride=None,
                          scaleup=True) -> np.ndarray:
    """Ultralytics LetterBox (uint8 HWC in, uint8 HWC out), as in ultralytics/data/augment.py."""
    h, w = img.shape[:2]
    r = min(size[0] / h, size[1] / w)
    if not scaleup:
        r = min(r, 1.0)
    new_unpad = int(round(w * r)), int(round(h * r))
    dw, dh = size[1] - new_unpad[0], size[0] - new_unpad[1]
    if stride:
        dw, dh = np.mod(dw, stride), np.mod(dh, stride)
    if center:
        dw /= 2
        dh /= 2
    if (w, h) != new_unpad:
        img = cv2.resize(img, new_unpad, interpolation=cv2.INTER_LINEAR)
    top, bottom = (int(round(dh - 0.1)) if center else 0), int(round(dh + 0.1))
    left, right = (int(round(dw - 0.1)) if center else 0), int(round(dw + 0.1))
    pad = pad if isinstance(pad, tuple) else (pad,) * 3
    return cv2.copyMakeBorder(img, top, bottom, left, right, cv2.BORDER_CONSTANT, value=pad)


def torchvision_center_crop(img: np.ndarray, size=(224, 224), resize_short=256, pad=0) -> np.ndarray:
    """torchvision Resize(resize_short) + CenterCrop(size) geometry with cv2 bilinear."""
    h, w = img.shape[:2]
    short, long = min(w, h), max(w, h)
    new_long = max(1, int(resize_short * long / short))
    nw, nh = (resize_short, new_long) if w <= h else (new_long, resize_short)
    img = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    ch, cw = size
    if ch > nh or cw > nw:  # torchvision pads first, then crops
        pt, pl = (max(ch - nh, 0)) // 2, (max(cw - nw, 0)) // 2
        img = cv2.copyMakeBorder(img, pt, max(ch - nh, 0) - pt, pl, max(cw - nw, 0) - pl,
                                 cv2.BORDER_CONSTANT, value=(pad,) * 3)
        nh, nw = img.shape[:2]
    top, left = int(round((nh - ch) / 2.0)), int(round((nw - cw) / 2.0))
    return img[top:top + ch, left:left + cw]


def normalize(hwc: np.ndarray, scale=1 / 255, mean=(0, 0, 0), std=(1, 1, 1), layout="chw",
              swap=False) -> np.ndarray:
    x = hwc[..., ::-1] if swap else hwc
    x = (x.astype(np.float32) * np.float32(scale) - np.float32(mean)) / np.float32(std)
    return np.ascontiguousarray(x.transpose(2, 0, 1) if layout == "chw" else x)


def yuv_to_rgb(y: np.ndarray, u: np.ndarray, v: np.ndarray, matrix="bt601", full_range=False):
    """Per-pixel YUV420 -> RGB uint8, chroma nearest (each sample covers its 2x2 block)."""
    kr, kb = {"bt601": (0.299, 0.114), "bt709": (0.2126, 0.0722), "bt2020": (0.2627, 0.0593),
              "fcc": (0.30, 0.11), "smpte240m": (0.212, 0.087)}[matrix]
    kg = 1 - kr - kb
    ys, cs, yo = (1.0, 1.0, 0.0) if full_range else (255 / 219, 255 / 224, 16.0)
    h, w = y.shape
    U = np.repeat(np.repeat(u, 2, 0), 2, 1)[:h, :w].astype(np.float64) - 128
    V = np.repeat(np.repeat(v, 2, 0), 2, 1)[:h, :w].astype(np.float64) - 128
    Y = (y.astype(np.float64) - yo) * ys
    r = Y + 2 * (1 - kr) * cs * V
    g = Y - 2 * kb * (1 - kb) / kg * cs * U - 2 * kr * (1 - kr) / kg * cs * V
    b = Y + 2 * (1 - kb) * cs * U
    return np.clip(np.rint(np.stack([r, g, b], -1)), 0, 255).astype(np.uint8)


def rgb_to_i420(rgb: np.ndarray):
    """Even-sized RGB -> (y, u, v) planes through OpenCV (BT.601 limited range)."""
    h, w = rgb.shape[:2]
    i420 = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
    y = i420[:h]
    u = i420[h:h + h // 4].reshape(h // 2, w // 2)
    v = i420[h + h // 4:].reshape(h // 2, w // 2)
    return np.ascontiguousarray(y), np.ascontiguousarray(u), np.ascontiguousarray(v)


# The references themselves are checked against OpenCV, so the comparisons built on them mean something.
def test_yuv_reference_matches_opencv_i420():
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    y, u, v = rgb_to_i420(rgb)
    ours = yuv_to_rgb(y, u, v).astype(int)
    i420 = np.concatenate([y, u.reshape(-1, 64), v.reshape(-1, 64)])
    cv = cv2.cvtColor(i420, cv2.COLOR_YUV2RGB_I420).astype(int)
    assert np.abs(ours - cv).max() <= 2


def test_letterbox_reference_shape_and_pads():
    img = np.full((720, 1280, 3), 7, np.uint8)
    out = ultralytics_letterbox(img)
    assert out.shape == (640, 640, 3)
    assert (out[:140] == 114).all() and (out[500:] == 114).all() and (out[140:500] == 7).all()
