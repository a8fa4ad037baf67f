"""Audio embeddings over fixed windows: :func:`embed` -> :class:`AudioEmbeddings`.

For speaker-embedding (WeSpeaker-style, over Kaldi fbank) and audio-embedding models (openWakeWord's
speech embedding over its mel front-end, or raw-sample models): a front-end turns the audio into
frames, windows of the model's length are cut every ``hop`` seconds (or inside VAD segments) and run
through the model in batches. Times are on the source's clock (a reader's or a video's pts).
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ..errors import ModelError
from ._source import load_samples
from ._windowing import (
    FeatureFrontEnd,
    fit_input,
    gather,
    openwakeword_frontend,
    resolve_frontend,
    run_batches,
    window_starts,
)

__all__ = ["AudioEmbeddings", "embed", "FeatureFrontEnd", "openwakeword_frontend"]


class AudioEmbeddings(NamedTuple):
    """``embeddings`` (N, D) float32; ``start`` / ``end`` (N,) seconds of each window."""
    embeddings: np.ndarray
    start: np.ndarray
    end: np.ndarray


def open_model(model: Any) -> Any:
    """A :class:`vxfast.Model` from a path/name, or the Model itself."""
    from ..model import Model
    if isinstance(model, Model):
        return model
    if isinstance(model, (str, os.PathLike)):
        return Model(model, providers="cpu", warmup=0)
    raise ValueError(f"model must be a path or a vxfast.Model, got {type(model).__name__}")


def embed(source: Any, model: Any, frontend: Any = "openwakeword", window: float | None = None,
          hop: float | None = None, segments: Sequence[tuple[float, float]] | None = None,
          sample_rate: int = 16000, batch: int = 64) -> AudioEmbeddings:
    """Embeddings of fixed windows of ``source`` (array at ``sample_rate``, path or AudioReader).

    - ``frontend``: ``"openwakeword"`` (default; the shared mel model, ``x/10+2``), ``"fbank"`` /
      ``"wespeaker"`` (Kaldi fbank, 80 bins; wespeaker: int16 scale + per-window mean removal),
      ``"whisper"`` (log-mel), a :class:`FeatureFrontEnd`, or ``None`` for raw samples.
    - ``window`` / ``hop``: seconds; ``window=None`` takes the model's fixed input length,
      ``hop=None`` half a window.
    - ``segments``: (start, end) seconds on the source's clock (e.g. :func:`vad`'s); windows are
      then cut inside each segment only.

    A model whose input does not fit the front-end raises :class:`vxfast.ModelError` naming the
    tensor and both shapes.

    >>> import numpy as np
    >>> from vxfast.shared_data import shared_path
    >>> r = embed(np.zeros(32000, np.float32), shared_path("models/speech_embedding.onnx"))
    >>> r.embeddings.shape[1], len(r.start) == len(r.embeddings)
    (96, True)
    """
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch must be an int >= 1, got {batch!r}")
    for name, v in (("window", window), ("hop", hop)):
        if v is not None and not (isinstance(v, (int, float)) and v > 0):
            raise ValueError(f"{name} must be a positive number of seconds, got {v!r}")
    src = load_samples(source, sample_rate)
    fe = resolve_frontend(frontend)
    m = open_model(model)
    return _embed_samples(src.data, src.sample_rate, src.offset, m, fe, window, hop, segments, batch)


def _embed_samples(x: np.ndarray, rate: int, offset: float, m: Any, fe: FeatureFrontEnd | None,
                   window: float | None, hop: float | None,
                   segments: Sequence[tuple[float, float]] | None, batch: int) -> AudioEmbeddings:
    step_s = 1.0 / rate if fe is None else fe.hop_s
    span_s = step_s if fe is None else fe.frame_s
    w_units = None if window is None else max(1, int(round((window - (span_s - step_s)) / step_s)))
    layout = fit_input(m.info.name, m.info.inputs[0], fe, w_units)
    w = layout.window
    h = max(1, w // 2) if hop is None else max(1, int(round(hop / step_s)))
    feats = x if fe is None else np.asarray(fe.compute(x, rate), np.float32)
    if fe is not None and fe.bins is not None and feats.ndim == 2 and feats.shape[1] != fe.bins:
        raise ModelError(f"front-end {fe.name} gave {feats.shape[1]} bins, declared {fe.bins}")
    origin = 0.0 if fe is None else fe.origin_s
    segs = None if segments is None else [(float(a) - offset - origin, float(b) - offset - origin)
                                          for a, b in segments]
    starts = window_starts(len(feats), w, h, segs, step_s, span_s)
    if len(starts) == 0:
        d = _out_dim(m)
        return AudioEmbeddings(np.zeros((0, d), np.float32), np.zeros(0), np.zeros(0))
    emb = np.concatenate([run_batches(m, gather(feats, starts[i:i + 4096], layout, fe is not None and fe.cmn), batch)
                          for i in range(0, len(starts), 4096)])
    t0 = offset + origin + starts * step_s
    t1 = t0 + (w - 1) * step_s + span_s
    return AudioEmbeddings(emb, t0, t1)


def _out_dim(m: Any) -> int:
    dims = [d for d in m.info.outputs[0].shape[1:] if isinstance(d, int)]
    return int(np.prod(dims)) if dims else 0
