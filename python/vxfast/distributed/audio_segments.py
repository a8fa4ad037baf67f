"""Running one segment of an audio job: voice activity and window embeddings on the audio clock.

Everything is placed by **sample index** on the whole file's grid (sample k of the track at
``start_time + k / rate``, :class:`vxfast.AudioReader`), never by re-cutting the audio at the
segment's edges, so a segmented job gives the whole-file run's rows:

- Embeddings: window i starts at frame ``i * hop`` of the front-end (sample ``i * hop *
  hop_samples``), as in :func:`vxfast.audio.embed`. A window belongs to the segment that holds its
  start time (``start <= t < end``, the frame rule); the worker decodes exactly the samples its
  windows cover (segmented jobs take frame-local front-ends; a centred one, Whisper's, runs on
  whole files only), so no window is lost or counted twice.
- Voice activity: Silero carries an LSTM state over the whole track, so a speech segment depends on
  the audio before it. The worker runs the model over ``[start - context, end + context)`` (the
  start rounded down to Silero's 512-sample window grid, clipped to the track) and keeps the speech
  segments that *begin* in ``[start, end)``. With ``context_seconds`` reaching the track's ends it
  is the whole-file run; otherwise the state is warmed over ``context`` seconds (docs/distributed.md).
"""
from __future__ import annotations

import math
import time
from typing import Any, Optional

import numpy as np

from .segments import SegmentResult, segment_range

__all__ = ["vad_segment", "audio_embed_segment"]

_EPS = 1e-9


def _read(reader: Any, k0: int, k1: Optional[int]) -> np.ndarray:
    """Samples ``[k0, k1)`` of the track (``k1`` None: to the end), by index: the times passed to
    ``read`` sit half a sample before each index, so rounding cannot move a boundary."""
    rate, t0 = reader.sample_rate, float(reader.info.start_time)
    start = None if k0 <= 0 else t0 + (k0 - 0.5) / rate
    end = None if k1 is None else t0 + (k1 - 0.5) / rate
    if k1 is not None and k1 <= k0:
        return np.zeros(0, np.float32)
    return np.ascontiguousarray(np.asarray(reader.read(start, end), np.float32).reshape(-1))


def _owned(times: np.ndarray, start: Optional[float], end: Optional[float]) -> np.ndarray:
    keep = np.ones(len(times), bool)
    if start is not None:
        keep &= times >= start - _EPS
    if end is not None:
        keep &= times < end - _EPS
    return keep


def vad_segment(model: Any, model_id: str, row: dict[str, Any], *, context_seconds: float,
                params: dict[str, Any], sample_rate: int = 16000) -> SegmentResult:
    """Speech segments (:func:`vxfast.audio.vad` rules and ``params``) that begin in one plan row's
    time range, as the ``vad`` table."""
    import pyarrow as pa

    from ..audio import AudioReader
    from ..audio.voice_activity import segments_from_probabilities, speech_probabilities
    from .outputs import vad_schema

    t_run = time.perf_counter()
    start, end = segment_range(row)
    with AudioReader(str(row["path"]), sample_rate=sample_rate, channels=1) as reader:
        t0 = float(reader.info.start_time)
        win = model.window_samples(sample_rate)
        k0 = 0 if start is None else max(0, math.floor((start - context_seconds - t0) * sample_rate / win)) * win
        k1 = None if end is None else max(k0, math.ceil((end + context_seconds - t0) * sample_rate))
        x = _read(reader, k0, k1)
    probs = speech_probabilities(x, sample_rate, model)
    spans = np.asarray(segments_from_probabilities(probs, sample_rate, len(x), **params), np.int64).reshape(-1, 2)
    a = t0 + (k0 + spans[:, 0]) / sample_rate  # the whole-file run's formula, on the global index
    b = t0 + (k0 + spans[:, 1]) / sample_rate
    keep = _owned(a, start, end)
    n = int(keep.sum())
    table = pa.table({"video_id": [str(row["video_id"])] * n, "path": [str(row["path"])] * n,
                      "segment": np.full(n, int(row["segment"]), np.int32), "start": a[keep], "end": b[keep],
                      "model_id": [model_id] * n}, schema=vad_schema())
    return SegmentResult(table, None, 0, n, time.perf_counter() - t_run)


def audio_embed_segment(model: Any, model_id: str, row: dict[str, Any], *, frontend: Any,
                        window: Optional[float], hop: Optional[float], batch: int,
                        sample_rate: int = 16000) -> SegmentResult:
    """Embeddings (:func:`vxfast.audio.embed`) of the windows whose start lies in one plan row's
    time range, as the ``audio_embeddings`` table."""
    import pyarrow as pa

    from ..audio import AudioReader
    from ..audio._windowing import fit_input, gather, run_batches
    from ..audio.embeddings import _out_dim
    from .outputs import audio_embeddings_schema

    t_run = time.perf_counter()
    start, end = segment_range(row)
    fe = frontend
    step_s = 1.0 / sample_rate if fe is None else fe.hop_s
    span_s = step_s if fe is None else fe.frame_s
    hop_n = max(1, int(round(step_s * sample_rate)))     # samples per front-end frame step
    frame_n = max(1, int(round(span_s * sample_rate)))   # samples one frame covers
    w_units = None if window is None else max(1, int(round((window - (span_s - step_s)) / step_s)))
    layout = fit_input(model.info.name, model.info.inputs[0], fe, w_units)
    w = layout.window
    h = max(1, w // 2) if hop is None else max(1, int(round(hop / step_s)))
    with AudioReader(str(row["path"]), sample_rate=sample_rate, channels=1) as reader:
        t0 = float(reader.info.start_time)
        # window i starts at t0 + i*h*step_s: the first and one past the last index this row owns
        i0 = 0 if start is None else max(0, math.ceil((start - t0) / (h * step_s) - 1e-6) - 1)
        i1 = None if end is None else max(i0, math.ceil((end - t0) / (h * step_s) + 1e-6) + 1)
        k0 = i0 * h * hop_n
        k1 = None if i1 is None else (i1 * h + w - 1) * hop_n + frame_n
        x = _read(reader, k0, k1)
    feats = x if fe is None else np.asarray(fe.compute(x, sample_rate), np.float32)
    n_units = len(feats)
    rel = np.arange(0, max(n_units - w + 1, 0), h, dtype=np.int64)
    starts = i0 * h + rel                                 # global frame index of each window
    t_start = t0 + starts * step_s                        # ownership by the window's grid time
    keep = _owned(t_start, start, end)
    rel, t_start = rel[keep], t_start[keep] + (0.0 if fe is None else fe.origin_s)
    n = len(rel)
    if n:
        emb = np.concatenate([run_batches(model, gather(feats, rel[i:i + 4096], layout,
                                                        fe is not None and fe.cmn), batch)
                              for i in range(0, n, 4096)])
    else:
        emb = np.zeros((0, _out_dim(model)), np.float32)
    emb = np.ascontiguousarray(emb, np.float32)
    dim = emb.shape[1]
    offsets = (np.arange(n + 1, dtype=np.int64) * dim).astype(np.int32)
    table = pa.table({"video_id": [str(row["video_id"])] * n, "path": [str(row["path"])] * n,
                      "segment": np.full(n, int(row["segment"]), np.int32), "start": t_start,
                      "end": t_start + (w - 1) * step_s + span_s,
                      "embedding": pa.ListArray.from_arrays(offsets, pa.array(emb.reshape(-1), pa.float32())),
                      "model_id": [model_id] * n}, schema=audio_embeddings_schema())
    return SegmentResult(table, None, 0, n, time.perf_counter() - t_run)
