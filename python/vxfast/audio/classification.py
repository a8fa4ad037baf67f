"""Audio event classification per patch: :func:`classify` -> :class:`AudioClassification`.

``preset="yamnet"``: YAMNet's framing (0.96 s patches every 0.48 s, 521 AudioSet classes). Two model
forms are taken: the usual ONNX export of the TF-Hub model, whose input is the waveform itself
(``[samples]`` or ``[1, samples]`` at 16 kHz) and whose first output is ``[patches, classes]``; or a
model over the log-mel patches (``[B, 96, 64]`` / ``[B, 1, 96, 64]`` / ``[B, 96, 64, 1]``) fed from
``vxfast.audio.yamnet_patches`` (the C++ front-end) or a given ``frontend``. Labels come from
``labels=`` (a list, or YAMNet's ``yamnet_class_map.csv``) or the model's metadata (``labels`` /
``names``: JSON list or dict, or comma-separated).
"""
from __future__ import annotations

import csv
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..errors import ModelError
from ._source import load_samples
from ._windowing import FeatureFrontEnd, fit_input, gather, run_batches, window_starts
from .embeddings import open_model

__all__ = ["AudioClassification", "classify"]

_YAMNET_HOP_S = 0.48
_YAMNET_PATCH_S = 0.96


class AudioClassification(NamedTuple):
    """``scores`` (N, C) float32 per patch; ``start`` / ``end`` (N,) seconds; ``labels`` (C names,
    or None when neither the model nor the caller gives them)."""
    scores: np.ndarray
    start: np.ndarray
    end: np.ndarray
    labels: list[str] | None

    def top(self, k: int = 1) -> list[list[tuple[str, float]]]:
        """The ``k`` best (label, score) pairs of every patch (label = class index as text when the
        model has no labels)."""
        order = np.argsort(-self.scores, axis=1)[:, :k]
        names = self.labels or [str(i) for i in range(self.scores.shape[1])]
        return [[(names[j], float(self.scores[i, j])) for j in row] for i, row in enumerate(order)]


def classify(source: Any, model: Any, preset: str = "yamnet", labels: Sequence[str] | str | os.PathLike | None = None,
             frontend: FeatureFrontEnd | None = None, sample_rate: int = 16000,
             batch: int = 64) -> AudioClassification:
    """Per-patch class scores of ``source`` (array at ``sample_rate``, path or AudioReader).

    >>> import numpy as np, onnx                                    # doctest: +SKIP
    >>> r = classify(np.zeros(16000 * 3, np.float32), "yamnet.onnx")  # doctest: +SKIP
    >>> r.scores.shape, r.top(1)[0]                                  # doctest: +SKIP
    ((6, 521), [('Silence', 0.98)])
    """
    if preset != "yamnet":
        raise ValueError(f"preset must be 'yamnet', got {preset!r}")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch must be an int >= 1, got {batch!r}")
    src = load_samples(source, sample_rate)
    if src.sample_rate != 16000:
        raise ValueError(f"sample_rate must be 16000 for YAMNet, got {src.sample_rate}")
    m = open_model(model)
    spec = m.info.inputs[0]
    names = _labels(labels, m)
    if len(spec.shape) <= 2 and frontend is None and (len(spec.shape) == 1 or spec.shape[0] == 1):
        scores = _run_waveform(m, spec, src.data)
        t0 = src.offset + np.arange(len(scores)) * _YAMNET_HOP_S
        t1 = t0 + _YAMNET_PATCH_S
    elif frontend is None:
        patches = _yamnet_patches(src.data)                       # (P, 96, 64)
        layout = fit_input(m.info.name, spec, FeatureFrontEnd("yamnet_patches", _no_compute, 0.010, 0.025, 64),
                           patches.shape[1])
        feats = patches.reshape(-1, patches.shape[2])
        starts = np.arange(len(patches), dtype=np.int64) * patches.shape[1]
        scores = (run_batches(m, gather(feats, starts, layout, False), batch) if len(starts)
                  else np.zeros((0, len(names) if names else 0), np.float32))
        t0 = src.offset + np.arange(len(patches)) * _YAMNET_HOP_S
        t1 = t0 + _YAMNET_PATCH_S
    else:
        fe = frontend
        try:  # the model's own patch length, else YAMNet's 96 frames
            layout = fit_input(m.info.name, spec, fe, None)
        except ModelError as e:
            if "pass window=" not in str(e):
                raise
            layout = fit_input(m.info.name, spec, fe, 96)
        feats = np.asarray(fe.compute(src.data, src.sample_rate), np.float32)
        hop = max(1, int(round(_YAMNET_HOP_S / fe.hop_s)))
        starts = window_starts(len(feats), layout.window, hop, None, fe.hop_s, fe.frame_s)
        if len(starts) == 0:
            scores = np.zeros((0, len(names) if names else 0), np.float32)
        else:
            scores = run_batches(m, gather(feats, starts, layout, fe.cmn), batch)
        t0 = src.offset + starts * fe.hop_s
        t1 = t0 + (layout.window - 1) * fe.hop_s + fe.frame_s
    if names is not None and scores.shape[1] != len(names):
        raise ModelError(f"model {m.info.name}: gives {scores.shape[1]} classes but {len(names)} labels")
    return AudioClassification(scores, t0, t1, names)


def _run_waveform(m: Any, spec: Any, x: np.ndarray) -> np.ndarray:
    if len(x) < 16000 * _YAMNET_PATCH_S:  # YAMNet pads short clips to one patch
        x = np.pad(x, (0, int(16000 * _YAMNET_PATCH_S) - len(x)))
    feed = x[None, :] if len(spec.shape) == 2 else x
    # Not through Model.run: its output buffers assume a batch axis, which a waveform model's
    # [patches, classes] output is not.
    from .voice_activity import _make_session
    sess = _make_session(Path(m.info.path), "cpu", 0, m.info.name)
    out = np.asarray(sess.run(None, {spec.name: np.ascontiguousarray(feed, np.float32)})[0])
    if out.ndim != 2:
        raise ModelError(f"model {m.info.name}: first output has shape {list(out.shape)}, "
                         "expected [patches, classes]")
    return out.astype(np.float32, copy=False)


def _no_compute(x: np.ndarray, sample_rate: int) -> np.ndarray:
    raise AssertionError("patches come whole from yamnet_patches")


def _yamnet_patches(x: np.ndarray) -> np.ndarray:
    from .. import audio as pkg
    fn = getattr(pkg, "yamnet_patches", None)
    if fn is None:
        raise ValueError("a YAMNet model over log-mel patches needs vxfast.audio.yamnet_patches (the "
                         "C++ front-ends), which this build lacks; pass frontend= (frame-level "
                         "features) instead")
    p = np.asarray(fn(x), np.float32)
    if p.ndim != 3:
        raise ValueError(f"yamnet_patches gave shape {p.shape}, expected (patches, frames, bins)")
    return p


def _labels(labels: Any, m: Any) -> list[str] | None:
    if labels is not None:
        if isinstance(labels, (str, os.PathLike)):
            p = Path(labels)
            if not p.is_file():
                raise ValueError(f"labels: no such file {p}")
            with open(p, newline="") as f:
                rows = list(csv.reader(f))
            if rows and rows[0] and rows[0][0] == "index":  # yamnet_class_map.csv
                rows = rows[1:]
            return [r[-1] for r in rows if r]
        return [str(v) for v in labels]
    meta = m.info.metadata or {}
    raw = meta.get("labels") or meta.get("names")
    if not raw:
        return None
    try:
        v = json.loads(raw)
    except ValueError:
        try:
            import ast
            v = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            return [s.strip() for s in raw.split(",")]
    if isinstance(v, dict):
        return [str(v[k]) for k in sorted(v, key=lambda k: int(k))]
    return [str(s) for s in v]
