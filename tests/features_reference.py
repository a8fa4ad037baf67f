"""numpy reference of the frame-feature definitions in docs/features.md (float64, no C++).

Shared by the feature tests and bench/bench_features.py's correctness check.
"""
from __future__ import annotations

import math

import numpy as np

NAMES = ("laplacian_var", "tenengrad", "gradient_mean", "brenner", "noise_residual", "dct_dc_mean",
         "dct_low", "dct_mid", "dct_high", "dct_hf_ratio", "blockiness")


def _dct_matrix() -> np.ndarray:
    k = np.arange(8)
    d = np.cos((2 * k[None, :] + 1) * k[:, None] * np.pi / 16) * np.sqrt(2 / 8)
    d[0] /= np.sqrt(2)
    return d


def _ratio(d: np.ndarray, boundary: np.ndarray) -> float:
    if not boundary.any() or boundary.all():
        return math.nan
    b, o = d[..., boundary], d[..., ~boundary]
    if b.size == 0 or o.size == 0:
        return math.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.float64(b.mean()) / np.float64(o.mean()))


def reference_features(y: np.ndarray) -> dict:
    f = y.astype(np.float64)
    h, w = f.shape
    p = np.pad(f, 1, mode="reflect")  # numpy's "reflect" is OpenCV's BORDER_REFLECT_101
    c = p[1:-1, 1:-1]
    lap = p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4 * c
    gx = (p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2])
    gy = (p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:])
    g2 = gx * gx + gy * gy
    e = np.pad(f, 1, mode="edge")  # cv2.medianBlur replicates the border
    med = np.median(np.stack([e[i:i + h, j:j + w] for i in range(3) for j in range(3)]), axis=0)
    out = {
        "laplacian_var": float(lap.var()),
        "tenengrad": float(g2.mean()),
        "gradient_mean": float(np.sqrt(g2).mean()),
        "brenner": float(((f[:, 2:] - f[:, :-2]) ** 2).mean()) if w >= 3 else math.nan,
        "noise_residual": float(np.abs(f - med).mean()),
    }
    bh, bw = h // 8, w // 8
    if bh and bw:
        blocks = f[:bh * 8, :bw * 8].reshape(bh, 8, bw, 8).transpose(0, 2, 1, 3)
        d = _dct_matrix()
        coef = np.einsum("uk,abkl,vl->abuv", d, blocks, d)
        band = np.add.outer(np.arange(8), np.arange(8))
        sq = coef ** 2
        low = sq[..., (band >= 1) & (band <= 3)].sum(-1).mean()
        mid = sq[..., (band >= 4) & (band <= 7)].sum(-1).mean()
        high = sq[..., band >= 8].sum(-1).mean()
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = high / (low + mid + high)
        out.update(dct_dc_mean=float(coef[..., 0, 0].mean()), dct_low=float(low), dct_mid=float(mid),
                   dct_high=float(high), dct_hf_ratio=float(ratio))
    else:
        out.update(dict.fromkeys(("dct_dc_mean", "dct_low", "dct_mid", "dct_high", "dct_hf_ratio"), math.nan))
    dh = np.abs(f[:, 1:] - f[:, :-1])
    dv = np.abs(f[1:, :] - f[:-1, :]).T
    rh = _ratio(dh, np.arange(w - 1) % 8 == 7)
    rv = _ratio(dv, np.arange(h - 1) % 8 == 7)
    out["blockiness"] = (rh + rv) / 2
    return {k: out[k] for k in NAMES}
