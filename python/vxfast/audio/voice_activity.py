"""Voice activity detection with Silero VAD: :func:`vad` -> a list of :class:`Segment`.

Semantics are Silero's own (the ``silero-vad`` 6.2.3 package's ``get_speech_timestamps``): the model
sees 512-sample windows (256 at 8 kHz) preceded by the previous 64 (32) samples as context and
carries an LSTM state from window to window; a segment opens at a window with probability
``>= threshold``, closes at the first window ``< neg_threshold`` (default ``threshold - 0.15``) once
``min_silence_ms`` of such silence followed, is dropped if not longer than ``min_speech_ms``, split
at ``max_speech_s`` (at the longest silence inside it, if any) and padded by ``speech_pad_ms``.

Beyond the reference, which runs the whole model once per window: the graph is cut at the encoder
output (:mod:`._silero_split`). The encoder (STFT + 4 conv blocks, nearly all the work, no state)
runs over blocks of thousands of windows at once, and the LSTM decoder runs as one ONNX ``LSTM``
over each block's sequence with the state carried between blocks. Same arithmetic, so the
probabilities equal the sequential run's to float rounding (~1e-7), hence the same segments.
``mode="chunked"`` is the other way to batch (independent chunks with separate states
``[2, B, 128]``, as the issue sketched); it is only approximate: Silero's LSTM cell state decays
by 1/e only every ~1500 windows (~48 s), so chunk starts disagree with the sequential run for
minutes (measured: boundaries 32-128 ms off, segments gained/lost). It stays for models the split
cannot parse when speed matters more than equality; ``mode="sequential"`` is the reference's loop.

The probabilities -> segments step is an event loop over threshold crossings (numpy
``searchsorted``), not over windows.
"""
from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..errors import ModelError
from ._source import load_samples

__all__ = ["Segment", "VadModel", "vad", "speech_probabilities", "segments_from_probabilities"]

_MAX_BATCH = 64          # chunks run at once in mode="chunked"; per-window cost flattens out beyond
_REFINE_WINDOWS = 938     # ~30 s re-run at each chunk start from the previous chunk's end state
_BLOCK_WINDOWS = 4096     # windows per encoder batch / decoder sequence in mode="split" (~2 MB in)
_STREAM_BLOCK_WINDOWS = 4096  # windows per decoded chunk when vad() streams a file (131 s at 16 kHz)


class Segment(NamedTuple):
    """A speech segment in seconds on the source's clock; unpacks as ``start, end``."""
    start: float
    end: float


class VadModel:
    """A Silero VAD ONNX session, reusable across :func:`vad` calls.

    ``VadModel(path=None, providers="cpu", threads=0)``: ``path`` defaults to the shared
    ``models/silero_vad.onnx``; ``threads`` are onnxruntime's intra-op threads (0: its default, the
    machine's cores). The split encoder/decoder sessions (see the module docstring) are made on
    first use per sample rate; :attr:`split_error` says why a model could not be split.
    Thread safety: sessions are onnxruntime's (thread-safe); the lazily built split sessions are
    created under a lock, so an instance may be shared between threads.

    >>> m = VadModel()
    >>> m.window_samples(16000), m.context_samples(16000)
    (512, 64)
    """

    def __init__(self, path: str | os.PathLike | None = None, providers: str | Sequence[str] | None = "cpu",
                 threads: int = 0) -> None:
        if path is None:
            from ..shared_data import shared_path
            path = shared_path("models/silero_vad.onnx")
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelError(f"VAD model {self.path}: no such file")
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
            raise ValueError(f"threads must be an int >= 0, got {threads!r}")
        self._providers, self._threads = providers, threads
        self.session = _make_session(self.path, providers, threads)
        self._split: dict[int, tuple[Any, Any] | None] = {}
        self.split_error: str | None = None
        self._lock = threading.Lock()
        names = {i.name: i for i in self.session.get_inputs()}
        if set(names) != {"input", "state", "sr"}:
            raise ModelError(f"VAD model {self.path.name}: inputs {sorted(names)}; a Silero VAD model "
                             "takes 'input' [B, context+window], 'state' [2, B, 128] and 'sr'")
        shape = names["state"].shape
        if len(shape) != 3 or shape[0] != 2 or shape[2] != 128:
            raise ModelError(f"VAD model {self.path.name}: input 'state' has shape {shape}, "
                             "expected [2, B, 128]")

    @staticmethod
    def window_samples(sample_rate: int) -> int:
        return 512 if sample_rate == 16000 else 256

    @staticmethod
    def context_samples(sample_rate: int) -> int:
        return 64 if sample_rate == 16000 else 32

    def split_sessions(self, sample_rate: int) -> tuple[Any, Any] | None:
        """(encoder, decoder) sessions for ``sample_rate``, or None if the graph cannot be split."""
        with self._lock:
            if sample_rate not in self._split:
                from ._silero_split import split_silero
                try:
                    enc, dec = split_silero(self.path, sample_rate)
                    self._split[sample_rate] = (_make_session(enc, self._providers, self._threads, self.path.name),
                                                _make_session(dec, "cpu", 1, self.path.name))
                except (ValueError, KeyError, StopIteration, ImportError, ModelError) as e:
                    self.split_error = f"{type(e).__name__}: {e}"
                    self._split[sample_rate] = None
            return self._split[sample_rate]

    def run(self, frames: np.ndarray, state: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
        """One step: ``frames`` [B, context+window] float32, ``state`` [2, B, 128] ->
        (probabilities [B], new state)."""
        out, new_state = self.session.run(
            None, {"input": frames, "state": state, "sr": np.array(sample_rate, dtype=np.int64)})
        return out.reshape(-1), new_state


def _make_session(path: Path | bytes, providers: str | Sequence[str] | None, threads: int,
                  name: str | None = None) -> Any:
    try:
        import onnxruntime as ort
    except ImportError as e:
        raise ModelError("onnxruntime is not installed (pip install 'vxfast[onnx]')") from e
    from ..model.providers import choose_providers, provider_options
    from ..model.resolve import cache_dir
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    label = name if name is not None else (path.name if isinstance(path, Path) else "<bytes>")
    chosen = choose_providers(providers, ort.get_available_providers(), model=f"model {label}")
    opts = provider_options(chosen, fp16=False, cache_dir=cache_dir())
    try:
        return ort.InferenceSession(path if isinstance(path, bytes) else str(path), so,
                                    providers=[n for n, _ in opts], provider_options=[o for _, o in opts])
    except Exception as e:  # noqa: BLE001 - onnxruntime raises several unrelated types
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ModelError(f"model {label}: onnxruntime cannot load it: {first}") from e


def speech_probabilities(samples: np.ndarray, sample_rate: int = 16000, model: VadModel | None = None,
                         mode: str = "auto", batch: int | None = None,
                         overlap: int = _REFINE_WINDOWS) -> np.ndarray:
    """Speech probability of every window of ``samples`` (float32 (N,) at 8 or 16 kHz), as float32
    ``(ceil(N / window),)``; the last window is zero-padded as the reference does.

    ``mode``: ``"split"`` (encoder batched + decoder as one LSTM sequence; equal to the sequential
    run), ``"sequential"`` (the whole model once per window, as the reference), ``"chunked"``
    (approximate, see the module docstring), ``"auto"`` = split when the model can be split, else
    sequential. For ``"chunked"``: ``batch`` chunks run at once (default: up to 64 chunks of at
    least ``4 * overlap`` windows); a first pass runs every chunk from a zero state, a second pass
    re-runs the first ``overlap`` windows of each chunk from the state the chunk before it ended
    with in the first pass, again as one batch.

    >>> p = speech_probabilities(np.zeros(16000, np.float32))
    >>> p.shape, bool(p.max() < 0.5)
    ((32,), True)
    """
    if sample_rate not in (8000, 16000):
        raise ValueError(f"sample_rate must be 8000 or 16000 here, got {sample_rate}")
    if mode not in ("auto", "split", "sequential", "chunked"):
        raise ValueError(f"mode must be 'auto', 'split', 'sequential' or 'chunked', got {mode!r}")
    if batch is not None and (isinstance(batch, bool) or not isinstance(batch, int) or batch < 1):
        raise ValueError(f"batch must be an int >= 1, got {batch!r}")
    if isinstance(overlap, bool) or not isinstance(overlap, int) or overlap < 0:
        raise ValueError(f"overlap must be an int >= 0, got {overlap!r}")
    m = model if model is not None else VadModel()
    W, C = m.window_samples(sample_rate), m.context_samples(sample_rate)
    n = len(samples)
    n_win = -(-n // W)
    if n_win == 0:
        return np.zeros(0, np.float32)
    if mode in ("auto", "split"):
        sessions = m.split_sessions(sample_rate)
        if sessions is not None:
            return _split_run(sessions, samples, n_win, W, C)
        if mode == "split":
            raise ModelError(f"VAD model {m.path.name}: cannot be split into encoder and decoder "
                             f"({m.split_error}); use mode='sequential'")
        mode = "sequential"
    if mode == "sequential":
        batch = 1
    elif batch is None:
        batch = max(1, min(_MAX_BATCH, n_win // max(1, 4 * overlap)))
    batch = min(batch, n_win)
    per = -(-n_win // batch)                  # windows each chunk owns
    # C zeros before (the first window's context is zeros, as in the reference), zeros after up to
    # the last window the last chunk runs.
    xp = np.zeros(C + batch * per * W, np.float32)
    xp[C:C + n] = samples
    frames = np.lib.stride_tricks.as_strided(xp, shape=(batch * per, C + W), strides=(W * 4, 4),
                                             writeable=False)
    probs = np.empty((per, batch), np.float32)
    first = np.arange(batch) * per
    end_state = _run_chunks(m, frames, first, per, np.zeros((2, batch, 128), np.float32),
                            sample_rate, probs)
    redo = min(overlap, per)
    if batch > 1 and redo > 0:
        _run_chunks(m, frames, first[1:], redo, np.ascontiguousarray(end_state[:, :-1]),
                    sample_rate, probs[:redo, 1:])
    return probs.T.reshape(-1)[:n_win]


def _split_run(sessions: tuple[Any, Any], samples: np.ndarray, n_win: int, W: int, C: int) -> np.ndarray:
    """Encoder over blocks of windows, decoder LSTM over each block's sequence, state carried."""
    enc, dec = sessions
    n = len(samples)
    xp = np.zeros(C + n_win * W, np.float32)   # C zeros of context before the first window
    xp[C:C + n] = samples
    frames = np.lib.stride_tricks.as_strided(xp, shape=(n_win, C + W), strides=(W * 4, 4),
                                             writeable=False)
    probs = np.empty(n_win, np.float32)
    h = np.zeros((1, 1, 128), np.float32)
    c = np.zeros((1, 1, 128), np.float32)
    for lo in range(0, n_win, _BLOCK_WINDOWS):
        hi = min(n_win, lo + _BLOCK_WINDOWS)
        feats = enc.run(None, {"input": np.ascontiguousarray(frames[lo:hi])})[0]
        p, h, c = dec.run(None, {"features": feats.reshape(hi - lo, 1, -1), "h0": h, "c0": c})
        probs[lo:hi] = p
    return probs


def _stream_probabilities(reader: Any, m: VadModel, rate: int) -> tuple[np.ndarray, int, float] | None:
    """Split-mode probabilities of a reader's whole track, decoded chunk by chunk (bounded memory:
    one chunk of samples at a time); None when the model cannot be split."""
    sessions = m.split_sessions(rate)
    if sessions is None:
        return None
    enc, dec = sessions
    W, C = m.window_samples(rate), m.context_samples(rate)
    block = _STREAM_BLOCK_WINDOWS * W
    ctx = np.zeros(C, np.float32)
    h = np.zeros((1, 1, 128), np.float32)
    c = np.zeros((1, 1, 128), np.float32)
    parts: list[np.ndarray] = []
    n, offset = 0, None
    for ch in reader.chunks(block / rate):
        x = np.asarray(ch.samples, np.float32).reshape(-1)
        if offset is None:
            offset = float(ch.start)
        if len(x) == 0:
            continue
        nw = -(-len(x) // W)
        xp = np.zeros(C + nw * W, np.float32)
        xp[:C] = ctx                      # the previous chunk's last samples: the first context
        xp[C:C + len(x)] = x
        frames = np.lib.stride_tricks.as_strided(xp, shape=(nw, C + W), strides=(W * 4, 4),
                                                 writeable=False)
        for lo in range(0, nw, _BLOCK_WINDOWS):
            hi = min(nw, lo + _BLOCK_WINDOWS)
            feats = enc.run(None, {"input": np.ascontiguousarray(frames[lo:hi])})[0]
            p, h, c = dec.run(None, {"features": feats.reshape(hi - lo, 1, -1), "h0": h, "c0": c})
            parts.append(np.asarray(p, np.float32).reshape(-1))
        ctx = xp[len(x):C + len(x)].copy()
        n += len(x)
    probs = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    return probs, n, float(offset or 0.0)


def _run_chunks(m: VadModel, frames: np.ndarray, first: np.ndarray, steps: int, state: np.ndarray,
                sample_rate: int, out: np.ndarray) -> np.ndarray:
    """Runs ``steps`` windows of every chunk (chunk b starts at window ``first[b]``) in lockstep,
    writing probabilities into ``out[t, b]``; returns the final state."""
    buf = np.empty((len(first), frames.shape[1]), np.float32)
    idx = first.copy()
    for t in range(steps):
        np.take(frames, idx, axis=0, out=buf)
        out[t], state = m.run(buf, state, sample_rate)
        idx += 1
    return state


def segments_from_probabilities(probs: np.ndarray, sample_rate: int = 16000, n_samples: int | None = None,
                                threshold: float = 0.5, neg_threshold: float | None = None,
                                min_speech_ms: float = 250, min_silence_ms: float = 100,
                                speech_pad_ms: float = 30, max_speech_s: float = math.inf,
                                min_silence_at_max_speech_ms: float = 98,
                                use_max_silence_at_max_speech: bool = True) -> list[tuple[int, int]]:
    """Window probabilities -> speech segments as (start, end) sample indices, with exactly the
    rules of silero-vad's ``get_speech_timestamps_from_probs`` (same arguments, in ms/s).

    >>> p = np.r_[np.zeros(10), np.ones(20), np.zeros(10)].astype(np.float32)
    >>> segments_from_probabilities(p, 16000)
    [(4640, 15840)]
    """
    if sample_rate not in (8000, 16000):
        raise ValueError(f"sample_rate must be 8000 or 16000, got {sample_rate}")
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    neg = max(threshold - 0.15, 0.01) if neg_threshold is None else float(neg_threshold)
    if neg > threshold:
        raise ValueError(f"neg_threshold ({neg}) must not exceed threshold ({threshold})")
    for name, v in (("min_speech_ms", min_speech_ms), ("min_silence_ms", min_silence_ms),
                    ("speech_pad_ms", speech_pad_ms), ("min_silence_at_max_speech_ms",
                                                       min_silence_at_max_speech_ms)):
        if not v >= 0:
            raise ValueError(f"{name} must be >= 0, got {v}")
    if not max_speech_s > 0:
        raise ValueError(f"max_speech_s must be > 0, got {max_speech_s}")
    p = np.asarray(probs, dtype=np.float64).reshape(-1)
    W = 512 if sample_rate == 16000 else 256
    total = len(p) * W if n_samples is None else int(n_samples)
    min_speech = sample_rate * min_speech_ms / 1000
    pad = sample_rate * speech_pad_ms / 1000
    min_silence = sample_rate * min_silence_ms / 1000
    if math.isinf(max_speech_s):
        speeches = _events(p, threshold, neg, W, total, min_speech, min_silence)
    else:
        max_speech = sample_rate * max_speech_s - W - 2 * pad
        speeches = _windows_with_max(p, threshold, neg, W, total, min_speech, min_silence, max_speech,
                                     sample_rate * min_silence_at_max_speech_ms / 1000,
                                     use_max_silence_at_max_speech)
    return _pad(speeches, pad, total)


def _events(p: np.ndarray, thr: float, neg: float, W: int, total: int, min_speech: float,
            min_silence: float) -> list[list[int]]:
    """The hysteresis without a length cap, stepping from crossing to crossing."""
    above = np.flatnonzero(p >= thr)
    below = np.flatnonzero(p < neg)
    na, nb = len(above), len(below)
    need = math.ceil(min_silence / W) if min_silence > 0 else 0   # silent windows that close a segment
    out: list[list[int]] = []
    pos = 0
    while True:
        ia = int(np.searchsorted(above, pos))
        if ia >= na:
            break
        s = int(above[ia])
        last_above = s
        closed = False
        while True:
            ib = int(np.searchsorted(below, last_above, side="right"))
            if ib >= nb:
                break                                   # speech to the end
            j = int(below[ib])                          # the silence starts here (temp_end)
            ja = int(np.searchsorted(above, j))
            limit = int(above[ja]) if ja < na else None  # speech resumes here
            kb = int(np.searchsorted(below, j + need))
            if kb < nb and (limit is None or below[kb] < limit):
                if (j - s) * W > min_speech:
                    out.append([s * W, j * W])
                pos = int(below[kb]) + 1
                closed = True
                break
            if limit is None:
                break
            last_above = limit
        if not closed:
            if total - s * W > min_speech:
                out.append([s * W, total])
            break
    return out


def _windows_with_max(p: np.ndarray, thr: float, neg: float, W: int, total: int, min_speech: float,
                      min_silence: float, max_speech: float, min_sil_at_max: float,
                      use_max_sil: bool) -> list[list[int]]:
    """The same hysteresis with the max-speech cut, which needs the window-by-window state (only
    used when ``max_speech_s`` is finite)."""
    out: list[list[int]] = []
    triggered = False
    start = temp_end = prev_end = next_start = 0
    have_cur = False
    candidates: list[tuple[int, int]] = []
    for i, prob in enumerate(p.tolist()):
        cur = W * i
        if prob >= thr and temp_end:
            gap = cur - temp_end
            if gap > min_sil_at_max:
                candidates.append((temp_end, gap))
            temp_end = 0
            if next_start < prev_end:
                next_start = cur
        if prob >= thr and not triggered:
            triggered, start, have_cur = True, cur, True
            continue
        if triggered and cur - start > max_speech:
            if use_max_sil and candidates:
                prev_end, gap = max(candidates, key=lambda c: c[1])
                out.append([start, prev_end])
                have_cur = False
                next_start = prev_end + gap
                if next_start < prev_end + cur:
                    start, have_cur = next_start, True
                else:
                    triggered = False
                prev_end = next_start = temp_end = 0
                candidates = []
            elif not use_max_sil and prev_end:
                out.append([start, prev_end])
                have_cur = False
                if next_start < prev_end:
                    triggered = False
                else:
                    start, have_cur = next_start, True
                prev_end = next_start = temp_end = 0
                candidates = []
            else:
                out.append([start, cur])
                have_cur = False
                prev_end = next_start = temp_end = 0
                triggered = False
                candidates = []
                continue
        if prob < neg and triggered:
            if not temp_end:
                temp_end = cur
            gap_now = cur - temp_end
            if not use_max_sil and gap_now > min_sil_at_max:
                prev_end = temp_end
            if gap_now < min_silence:
                continue
            if temp_end - start > min_speech:
                out.append([start, temp_end])
            have_cur = False
            prev_end = next_start = temp_end = 0
            triggered = False
            candidates = []
    if have_cur and total - start > min_speech:
        out.append([start, total])
    return out


def _pad(speeches: list[list[int]], pad: float, total: int) -> list[tuple[int, int]]:
    for i, sp in enumerate(speeches):
        if i == 0:
            sp[0] = int(max(0, sp[0] - pad))
        if i != len(speeches) - 1:
            gap = speeches[i + 1][0] - sp[1]
            if gap < 2 * pad:
                sp[1] += int(gap // 2)
                speeches[i + 1][0] = int(max(0, speeches[i + 1][0] - gap // 2))
            else:
                sp[1] = int(min(total, sp[1] + pad))
                speeches[i + 1][0] = int(max(0, speeches[i + 1][0] - pad))
        else:
            sp[1] = int(min(total, sp[1] + pad))
    return [(int(a), int(b)) for a, b in speeches]


def vad(source: Any, model: VadModel | str | os.PathLike | None = None, threshold: float = 0.5,
        sample_rate: int = 16000, min_speech_ms: float = 250, min_silence_ms: float = 100,
        speech_pad_ms: float = 30, neg_threshold: float | None = None, *,
        max_speech_s: float = math.inf, min_silence_at_max_speech_ms: float = 98,
        mode: str = "auto") -> list[Segment]:
    """Speech segments of ``source`` with Silero VAD.

    ``source``: a mono float32 array at ``sample_rate`` (8000, 16000 or a multiple of 16000, which
    is decimated as the reference does), a media path, or a ``vxfast.AudioReader`` (decoded at
    ``sample_rate``; times are then on the reader's clock, as the video's frame pts). ``model``: a
    :class:`VadModel` or a path (default: the shared ``silero_vad.onnx``). ``mode``: see
    :func:`speech_probabilities` (default: the split encoder/decoder run, equal to the sequential
    one). Other arguments as silero-vad's ``get_speech_timestamps`` (in ms / s).

    >>> import numpy as np
    >>> vad(np.zeros(16000, np.float32))
    []
    """
    m = model if isinstance(model, VadModel) else VadModel(model)
    streamed = _stream_source(source, sample_rate, m, mode)
    if streamed is not None:  # a file or reader at 8/16 kHz: decoded chunk by chunk
        probs, n, offset = streamed
        spans = segments_from_probabilities(
            probs, sample_rate, n, threshold=threshold, neg_threshold=neg_threshold,
            min_speech_ms=min_speech_ms, min_silence_ms=min_silence_ms, speech_pad_ms=speech_pad_ms,
            max_speech_s=max_speech_s, min_silence_at_max_speech_ms=min_silence_at_max_speech_ms)
        return [Segment(offset + a / sample_rate, offset + b / sample_rate) for a, b in spans]
    src = load_samples(source, sample_rate)
    x, rate, step = src.data, src.sample_rate, 1
    if rate > 16000 and rate % 16000 == 0:
        step, rate = rate // 16000, 16000
        x = np.ascontiguousarray(x[::step])
    if rate not in (8000, 16000):
        raise ValueError(f"sample_rate must be 8000, 16000 or a multiple of 16000 for Silero VAD, "
                         f"got {src.sample_rate}")
    probs = speech_probabilities(x, rate, m, mode=mode)
    spans = segments_from_probabilities(
        probs, rate, len(x), threshold=threshold, neg_threshold=neg_threshold,
        min_speech_ms=min_speech_ms, min_silence_ms=min_silence_ms, speech_pad_ms=speech_pad_ms,
        max_speech_s=max_speech_s, min_silence_at_max_speech_ms=min_silence_at_max_speech_ms)
    scale = step / src.sample_rate
    return [Segment(src.offset + a * scale, src.offset + b * scale) for a, b in spans]


def _stream_source(source: Any, sample_rate: int, m: VadModel, mode: str) -> tuple[np.ndarray, int, float] | None:
    if mode not in ("auto", "split") or sample_rate not in (8000, 16000) or isinstance(source, np.ndarray):
        return None
    if hasattr(source, "chunks") and hasattr(source, "info"):
        if getattr(source, "sample_rate", None) != sample_rate or getattr(source, "channels", 1) != 1:
            return None  # load_samples explains what is wrong
        return _stream_probabilities(source, m, sample_rate)
    if isinstance(source, (str, os.PathLike)):
        from .reader import AudioReader
        with AudioReader(source, sample_rate=sample_rate, channels=1) as r:
            return _stream_probabilities(r, m, sample_rate)
    return None
