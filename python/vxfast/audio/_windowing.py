"""Feature front-ends, fixed-size windows over their frames, and fitting windows to a model input.

Shared by :func:`vxfast.audio.embed` and :func:`vxfast.audio.classify`. A front-end turns mono
float32 samples into ``(frames, bins)`` features with a known frame step; windows of ``W`` frames are
cut every ``H`` frames (or inside given segments) and laid out as the model's input wants them.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..errors import ModelError

__all__ = ["FeatureFrontEnd", "openwakeword_frontend"]


@dataclass(frozen=True)
class FeatureFrontEnd:
    """A feature front-end: ``compute(samples, sample_rate) -> (frames, bins)`` float32 with frame
    ``k`` covering ``[origin_s + k * hop_s, origin_s + k * hop_s + frame_s)`` seconds of the input.

    ``bins`` (if known) is checked against the model input. ``cmn``: subtract each window's mean
    per bin (as WeSpeaker does per segment). ``origin_s`` is negative for centred STFTs (Whisper's
    frame 0 is centred on sample 0, so it starts half a window before the input).
    """
    name: str
    compute: Callable[[np.ndarray, int], np.ndarray]
    hop_s: float
    frame_s: float
    bins: int | None = None
    cmn: bool = False
    origin_s: float = 0.0


def openwakeword_frontend(mel_model: str | os.PathLike | None = None) -> FeatureFrontEnd:
    """openWakeWord's mel front-end: ``speech_melspectrogram.onnx`` on int16-scaled 16 kHz audio,
    then ``x / 10 + 2`` (what openWakeWord feeds its embedding model); 32 bins every 10 ms, frames
    of 512 samples. Default model: the shared ``models/speech_melspectrogram.onnx``."""
    if mel_model is None:
        from ..shared_data import shared_path
        mel_model = shared_path("models/speech_melspectrogram.onnx")
    path = os.fspath(mel_model)
    holder: dict[str, Any] = {}

    def compute(x: np.ndarray, sample_rate: int) -> np.ndarray:
        if sample_rate != 16000:
            raise ValueError(f"the openwakeword front-end needs 16000 Hz audio, got {sample_rate}")
        if "m" not in holder:
            from ..model import Model
            holder["m"] = Model(path, providers="cpu", warmup=0)
        m = holder["m"]
        n_frames = 1 + (len(x) - 512) // 160 if len(x) >= 512 else 0
        out = np.empty((max(n_frames, 0), 32), np.float32)
        block = 6000  # frames per call (60 s): bounded memory on long inputs
        for f0 in range(0, n_frames, block):
            f1 = min(n_frames, f0 + block)
            seg = np.ascontiguousarray(x[f0 * 160: (f1 - 1) * 160 + 512], dtype=np.float32) * 32768.0
            mel = m.run(seg[None, :])[0].reshape(-1, 32)
            if mel.shape[0] != f1 - f0:
                raise ModelError(f"model {os.path.basename(path)}: gave {mel.shape[0]} frames for "
                                 f"{len(seg)} samples, expected {f1 - f0}")
            out[f0:f1] = mel / 10.0 + 2.0
        return out

    return FeatureFrontEnd("openwakeword", compute, hop_s=0.010, frame_s=0.032, bins=32)


def _library_frontend(name: str) -> FeatureFrontEnd:
    """Presets over the C++ front-ends of vxfast.audio (fbank, log_mel), when this build has them."""
    from .. import audio as pkg
    if name in ("fbank", "wespeaker"):
        fb = getattr(pkg, "fbank", None)
        if fb is None:
            raise ValueError(f"frontend={name!r} needs vxfast.audio.fbank, which this build lacks")
        scale = 32768.0 if name == "wespeaker" else 1.0
        return FeatureFrontEnd(name, lambda x, sr: np.asarray(fb(x, sample_rate=sr, num_mel_bins=80, scale=scale),
                                                              np.float32),
                               hop_s=0.010, frame_s=0.025, bins=80, cmn=name == "wespeaker")
    if name == "whisper":
        lm = getattr(pkg, "log_mel", None)
        if lm is None:
            raise ValueError("frontend='whisper' needs vxfast.audio.log_mel, which this build lacks")
        return FeatureFrontEnd(name, lambda x, sr: np.asarray(lm(x), np.float32).T, hop_s=0.010,
                               frame_s=0.025, bins=80, origin_s=-0.0125)
    raise ValueError(f"frontend must be None (raw samples), 'openwakeword', 'fbank', 'wespeaker', "
                     f"'whisper' or a FeatureFrontEnd, got {name!r}")


def resolve_frontend(frontend: Any) -> FeatureFrontEnd | None:
    if frontend is None or frontend == "raw":
        return None
    if isinstance(frontend, FeatureFrontEnd):
        return frontend
    if frontend == "openwakeword":
        return openwakeword_frontend()
    if isinstance(frontend, str):
        return _library_frontend(frontend)
    raise ValueError(f"frontend must be a preset name, a FeatureFrontEnd or None, got {type(frontend).__name__}")


@dataclass
class Layout:
    """How a (W, F) window (or W raw samples) goes into the model's first input."""
    tensor: str
    shape: tuple[Any, ...]     # the model's input shape (batch first)
    kind: str                  # "raw", "TF", "FT", "1TF", "TF1"
    window: int                # frames (or samples for raw)


def fit_input(model_name: str, spec: Any, fe: FeatureFrontEnd | None, window: int | None) -> Layout:
    """Checks the model's first input against the front-end and picks the layout; ModelError names
    the tensor and both shapes when they do not fit."""
    shape = tuple(spec.shape)
    dims = shape[1:]

    def static(d: Any) -> int | None:
        return d if isinstance(d, int) and d > 0 else None

    def fail(why: str) -> ModelError:
        got = (f"windows of [{window or 'W'}] samples" if fe is None else
               f"windows of [{window or 'W'} frames, {fe.bins or 'F'} bins]")
        return ModelError(f"model {model_name}: input {spec.name!r} has shape {list(shape)}, "
                          f"front-end {fe.name if fe else 'raw'} gives {got}: {why}")

    if fe is None:
        if len(dims) != 1:
            raise fail("a raw-sample model takes [batch, samples]")
        w = static(dims[0])
        if w is not None and window is not None and w != window:
            raise fail(f"the model takes {w} samples")
        if w is None and window is None:
            raise fail("the model's length is free; pass window=")
        return Layout(spec.name, shape, "raw", int(w if w is not None else window))  # type: ignore[arg-type]
    F = fe.bins
    if len(dims) == 2:
        a, b = static(dims[0]), static(dims[1])
        if F is None or b == F or (b is None and a != F):
            kind, t = "TF", a
        elif a == F:
            kind, t = "FT", b
        else:
            raise fail("no axis has the front-end's bins")
    elif len(dims) == 3:
        if static(dims[0]) == 1:
            kind, t, fdim = "1TF", static(dims[1]), static(dims[2])
        elif static(dims[2]) == 1:
            kind, t, fdim = "TF1", static(dims[0]), static(dims[1])
        else:
            raise fail("a 4-D input needs a singleton channel axis ([B, 1, T, F] or [B, T, F, 1])")
        if F is not None and fdim is not None and fdim != F:
            raise fail(f"the model takes {fdim} bins")
    else:
        raise fail("a feature model takes [B, T, F], [B, F, T], [B, 1, T, F] or [B, T, F, 1]")
    if F is not None and kind in ("TF", "FT"):
        fdim = static(dims[1] if kind == "TF" else dims[0])
        if fdim is not None and fdim != F:
            raise fail(f"the model takes {fdim} bins")
    if t is not None and window is not None and t != window:
        raise fail(f"the model takes {t} frames per window")
    if t is None and window is None:
        raise fail("the model's time axis is free; pass window=")
    return Layout(spec.name, shape, kind, int(t or window))  # type: ignore[arg-type]


def window_starts(n: int, w: int, h: int, segments: Sequence[tuple[float, float]] | None,
                  step_s: float, span_s: float) -> np.ndarray:
    """First frame (or sample) of every window: every ``h`` from 0, or inside each segment (a
    segment shorter than a window gets one window centred on it)."""
    if n < w:
        return np.zeros(0, np.int64)
    if segments is None:
        return np.arange(0, n - w + 1, h, dtype=np.int64)
    out: list[np.ndarray] = []
    for a, b in segments:
        first = int(np.ceil(a / step_s - 1e-9))
        last = int(np.floor((b - span_s) / step_s + 1e-9)) - (w - 1)  # last start fully inside
        if last >= first:
            out.append(np.arange(first, last + 1, h, dtype=np.int64))
        else:
            mid = 0.5 * (a + b) / step_s
            out.append(np.array([int(np.clip(round(mid - w / 2), 0, n - w))], np.int64))
    return np.concatenate(out) if out else np.zeros(0, np.int64)


def gather(feats: np.ndarray, starts: np.ndarray, layout: Layout, cmn: bool) -> np.ndarray:
    """The model input for windows starting at ``starts`` (one copy, no Python per window)."""
    w = layout.window
    idx = starts[:, None] + np.arange(w)[None, :]
    x = feats[idx]                                   # raw: (B, W); features: (B, W, F)
    if cmn and x.ndim == 3:
        x = x - x.mean(axis=1, keepdims=True)
    if layout.kind == "FT":
        x = x.transpose(0, 2, 1)
    elif layout.kind == "1TF":
        x = x[:, None]
    elif layout.kind == "TF1":
        x = x[..., None]
    return np.ascontiguousarray(x, dtype=np.float32)


def run_batches(model: Any, x: np.ndarray, batch: int = 64) -> np.ndarray:
    """First output of ``model`` over ``x`` in batches, flattened to (N, D)."""
    outs = [np.asarray(model.run(x[i:i + batch])[0]) for i in range(0, len(x), batch)]
    return np.concatenate([o.reshape(o.shape[0], -1) for o in outs]).astype(np.float32, copy=False)
