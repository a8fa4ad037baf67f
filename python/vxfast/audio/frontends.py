"""Audio front-ends in C++: a general mel spectrogram and presets that reproduce each model family.

Every function takes float32 samples, 1-D ``(N,)`` or 2-D ``(channels, N)`` (each channel is computed
on its own and the result gets a leading channel axis), and returns a new float32 array. The work
(framing, conditioning, window, FFT, power, banded mel sums, log) runs in C++ with the GIL released
(``vxfast._core.audio_frontend.spectrogram``); long inputs are split over the shared thread pool
(``threads=0``: automatic; the result does not depend on the thread count). Filterbanks and windows
are built here in float64 exactly as each reference builds them, then cast to float32.

Presets and their references (docs/audio.md, "Front-ends", lists every parameter and its source):

* :func:`log_mel` (``preset="whisper"``): faster-whisper's ``FeatureExtractor`` / openai-whisper.
* :func:`fbank`: Kaldi's ``compute-fbank-feats`` as kaldi-native-fbank, torchaudio.compliance.kaldi
  and WeSpeaker use it.
* :func:`yamnet_patches`: YAMNet's ``features.py`` (tf.signal STFT, HTK mel, log offset, patches).
* :func:`clap_mel`: transformers' ``ClapFeatureExtractor`` (CLAP HTSAT).

Example:
    >>> import numpy as np
    >>> from vxfast.audio import log_mel, melspectrogram
    >>> x = np.random.default_rng(0).standard_normal(16000).astype(np.float32) * 0.1
    >>> log_mel(x).shape  # (n_mels, frames): one frame per 10 ms
    (80, 101)
    >>> melspectrogram(x, 16000, n_fft=512, hop=160, n_mels=64).shape
    (64, 101)
"""

from __future__ import annotations

import functools
import math
import os
from typing import Callable, Literal, Optional

import numpy as np

from .. import _core

__all__ = [
    "melspectrogram",
    "mel_filterbank",
    "window_function",
    "log_mel",
    "pad_or_trim",
    "fbank",
    "yamnet_patches",
    "clap_mel",
]

_fe = _core.audio_frontend

MelScale = Literal["slaney", "htk", "kaldi"]

# ---------------------------------------------------------------------------------------------
# argument checks


def _samples(samples: object, name: str = "samples") -> np.ndarray:
    a = np.asarray(samples)
    if a.dtype.kind not in "fiu":
        raise ValueError(f"{name} must be a real numeric array (float32 preferred); got dtype {a.dtype}")
    if a.ndim not in (1, 2):
        raise ValueError(f"{name} must be 1-D (N,) or 2-D (channels, N); got shape {a.shape}")
    if a.shape[-1] == 0:
        raise ValueError(f"{name} is empty")
    a = np.ascontiguousarray(a, dtype=np.float32)
    # In slices: np.isfinite(a) whole would allocate (and page-fault) a bool array as long as a,
    # ~20 % of a 30-min Whisper log-mel's CPU.
    flat = a.reshape(-1)
    for i in range(0, flat.size, 1 << 17):
        if not np.isfinite(flat[i:i + (1 << 17)]).all():
            raise ValueError(f"{name} contains NaN or infinity")
    return a


def _pos_int(v: object, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or int(v) < 1:
        raise ValueError(f"{name} must be a positive integer; got {v!r}")
    return int(v)


def _pos_float(v: object, name: str, allow_zero: bool = False) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number; got {v!r}")
    f = float(v)
    if not math.isfinite(f) or f < 0 or (f == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}; got {v!r}")
    return f


def _threads(v: object) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or int(v) < 0:
        raise ValueError(f"threads must be an integer >= 0 (0 = automatic); got {v!r}")
    return int(v)


def _per_channel(x: np.ndarray, fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    if x.ndim == 1:
        return fn(x)
    return np.stack([fn(np.ascontiguousarray(c)) for c in x])


# ---------------------------------------------------------------------------------------------
# windows and filterbanks (float64, as the references build them, then float32)


def window_function(name: str, length: int, periodic: bool = True) -> np.ndarray:
    """A window of ``length`` samples, float32.

    ``"hann"``, ``"hamming"`` (0.54/0.46), ``"povey"`` (Kaldi: symmetric Hann to the power 0.85),
    ``"rectangular"``/``"ones"``. ``periodic=True`` divides by ``length`` (scipy's ``fftbins=True``,
    librosa's and torch's default); ``False`` by ``length - 1`` (symmetric, Kaldi's windows).
    """
    n = _pos_int(length, "length")
    if name not in ("hann", "hamming", "povey", "rectangular", "ones"):
        raise ValueError(f"window must be 'hann', 'hamming', 'povey' or 'rectangular'; got {name!r}")
    if name in ("rectangular", "ones"):
        return np.ones(n, np.float32)
    denom = n if periodic else max(n - 1, 1)
    a = 2.0 * np.pi * np.arange(n, dtype=np.float64) / denom
    if name == "hamming":
        w = 0.54 - 0.46 * np.cos(a)
    else:
        w = 0.5 - 0.5 * np.cos(a)
        if name == "povey":
            w = w**0.85
    return w.astype(np.float32)


def _hz_to_mel(f: np.ndarray, scale: str) -> np.ndarray:
    f = np.asarray(f, dtype=np.float64)
    if scale == "htk":
        return 2595.0 * np.log10(1.0 + f / 700.0)
    if scale == "kaldi":
        return 1127.0 * np.log(1.0 + f / 700.0)
    # Slaney (librosa's default): linear to 1 kHz, logarithmic above.
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    mel = f / f_sp
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mel)


def _mel_to_hz(m: np.ndarray, scale: str) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    if scale == "htk":
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    if scale == "kaldi":
        return 700.0 * (np.exp(m / 1127.0) - 1.0)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


@functools.lru_cache(maxsize=32)
def _filterbank(sample_rate: float, n_fft: int, n_mels: int, fmin: float, fmax: float, scale: str,
                norm: Optional[str]) -> np.ndarray:
    n_bins = n_fft // 2 + 1
    if scale == "kaldi":
        # Kaldi's MelBanks: triangles in the mel domain over the bins below Nyquist (the Nyquist
        # bin gets no weight), no normalisation.
        mel = _hz_to_mel(np.arange(n_fft // 2) * (sample_rate / n_fft), "kaldi")
        lo, hi = _hz_to_mel(np.array(fmin), "kaldi"), _hz_to_mel(np.array(fmax), "kaldi")
        delta = (hi - lo) / (n_mels + 1)
        w = np.zeros((n_mels, n_bins))
        for b in range(n_mels):
            left, center, right = lo + b * delta, lo + (b + 1) * delta, lo + (b + 2) * delta
            up = (mel - left) / (center - left)
            down = (right - mel) / (right - center)
            inside = (mel > left) & (mel < right)
            w[b, : n_fft // 2] = np.where(inside, np.where(mel <= center, up, down), 0.0)
    else:
        # librosa.filters.mel: triangles in Hz between mel-spaced edges (htk or slaney mel).
        fft_f = np.linspace(0.0, sample_rate / 2, n_bins)
        edges = _mel_to_hz(np.linspace(_hz_to_mel(np.array(fmin), scale), _hz_to_mel(np.array(fmax), scale),
                                       n_mels + 2), scale)
        fdiff = np.diff(edges)
        ramps = edges[:, None] - fft_f[None, :]
        lower = -ramps[:-2] / fdiff[:-1, None]
        upper = ramps[2:] / fdiff[1:, None]
        w = np.maximum(0.0, np.minimum(lower, upper))
    if norm == "slaney":
        edges_hz = _mel_to_hz(np.linspace(_hz_to_mel(np.array(fmin), scale), _hz_to_mel(np.array(fmax), scale),
                                          n_mels + 2), scale)
        w *= (2.0 / (edges_hz[2:] - edges_hz[:-2]))[:, None]
    out = w.astype(np.float32)
    out.setflags(write=False)
    return out


def mel_filterbank(sample_rate: float, n_fft: int, n_mels: int = 128, fmin: float = 0.0,
                   fmax: Optional[float] = None, mel_scale: MelScale = "slaney",
                   norm: Optional[str] = "slaney") -> np.ndarray:
    """The (n_mels, n_fft // 2 + 1) float32 filterbank :func:`melspectrogram` applies.

    ``mel_scale="slaney"``/``"htk"`` with ``norm="slaney"``/``None`` equal
    ``librosa.filters.mel(htk=...)``; ``"kaldi"`` gives Kaldi's MelBanks (1127 ln(1 + f/700),
    triangles in mel, no weight on the Nyquist bin; use ``norm=None``). Read-only and cached.
    """
    sr = _pos_float(sample_rate, "sample_rate")
    nfft = _pos_int(n_fft, "n_fft")
    if nfft % 2:
        raise ValueError(f"n_fft must be even; got {nfft}")
    nm = _pos_int(n_mels, "n_mels")
    lo = _pos_float(fmin, "fmin", allow_zero=True)
    hi = sr / 2 if fmax is None else _pos_float(fmax, "fmax")
    if not lo < hi <= sr / 2 + 1e-9:
        raise ValueError(f"fmin/fmax must satisfy 0 <= fmin < fmax <= sample_rate / 2; got {lo}, {hi}")
    if mel_scale not in ("slaney", "htk", "kaldi"):
        raise ValueError(f"mel_scale must be 'slaney', 'htk' or 'kaldi'; got {mel_scale!r}")
    if norm not in ("slaney", None):
        raise ValueError(f"norm must be 'slaney' or None; got {norm!r}")
    return _filterbank(sr, nfft, nm, lo, hi, mel_scale, norm)


# ---------------------------------------------------------------------------------------------
# the general mel spectrogram

_LOGS = {None: (0, 1.0), "ln": (1, 1.0), "log10": (10, 1.0), "db": (10, 10.0)}


def melspectrogram(
    samples: np.ndarray,
    sample_rate: float = 22050,
    *,
    n_fft: int = 2048,
    hop: Optional[int] = None,
    win_length: Optional[int] = None,
    window: str = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: float = 2.0,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: Optional[float] = None,
    mel_scale: MelScale = "slaney",
    norm: Optional[str] = "slaney",
    log: Optional[str] = None,
    log_floor: float = 1e-10,
    threads: int = 0,
) -> np.ndarray:
    """Mel spectrogram ``(n_mels, frames)`` (``(channels, n_mels, frames)`` for 2-D input).

    Defaults and semantics are ``librosa.feature.melspectrogram``'s: ``hop`` defaults to
    ``win_length // 4``, ``win_length`` to ``n_fft`` (a shorter window is centred in the FFT
    frame), ``window`` is periodic, ``center=True`` pads ``n_fft // 2`` on both sides with
    ``pad_mode`` (``"constant"`` = zeros, ``"reflect"``, ``"edge"``), ``power`` 2 = power, 1 =
    magnitude. ``mel_scale`` and ``norm`` as :func:`mel_filterbank`. ``log``: ``None``, ``"ln"``,
    ``"log10"`` or ``"db"`` (``10 log10``), each of ``max(mel, log_floor)``.

    Example:
        >>> import numpy as np
        >>> from vxfast.audio import melspectrogram
        >>> x = np.zeros(22050, np.float32)
        >>> melspectrogram(x, 22050).shape
        (128, 44)
    """
    x = _samples(samples)
    sr = _pos_float(sample_rate, "sample_rate")
    nfft = _pos_int(n_fft, "n_fft")
    if nfft % 2:
        raise ValueError(f"n_fft must be even; got {nfft}")
    wl = nfft if win_length is None else _pos_int(win_length, "win_length")
    if wl > nfft:
        raise ValueError(f"win_length must be <= n_fft ({nfft}); got {wl}")
    hp = wl // 4 if hop is None else _pos_int(hop, "hop")
    if hp < 1:
        raise ValueError(f"hop must be >= 1; got {hp}")
    if pad_mode not in ("constant", "reflect", "edge"):
        raise ValueError(f"pad_mode must be 'constant', 'reflect' or 'edge'; got {pad_mode!r}")
    pw = _pos_float(power, "power")
    if log not in _LOGS:
        raise ValueError(f"log must be None, 'ln', 'log10' or 'db'; got {log!r}")
    floor = _pos_float(log_floor, "log_floor", allow_zero=True)
    if log is not None and floor == 0:
        raise ValueError("log_floor must be > 0 when log is set")
    mel = mel_filterbank(sr, nfft, n_mels, fmin, fmax, mel_scale, norm)
    win = window_function(window, wl, periodic=True)
    if wl < nfft:  # librosa's pad_center
        left = (nfft - wl) // 2
        win = np.concatenate([np.zeros(left, np.float32), win, np.zeros(nfft - wl - left, np.float32)])
    th = _threads(threads)
    base, mul = _LOGS[log]

    def one(c: np.ndarray) -> np.ndarray:
        n = c.shape[0]
        if center:
            first, frames = -(nfft // 2), 1 + n // hp
        else:
            if n < nfft:
                raise ValueError(f"samples ({n}) are shorter than n_fft ({nfft}) with center=False")
            first, frames = 0, 1 + (n - nfft) // hp
        return _fe.spectrogram(c, win, nfft, hp, first, frames, pad=pad_mode, power=pw, mel=mel,
                               log_base=base, log_mul=mul, log_floor=floor if log else 0.0,
                               mels_first=True, threads=th)

    return _per_channel(x, one)


# ---------------------------------------------------------------------------------------------
# Whisper


def pad_or_trim(samples: np.ndarray, seconds: float = 30.0, sample_rate: int = 16000) -> np.ndarray:
    """Zero-pads or trims the last axis to ``seconds * sample_rate`` samples (Whisper's 30 s input,
    ``whisper.audio.pad_or_trim``). Returns float32."""
    x = _samples(samples)
    n = int(round(_pos_float(seconds, "seconds") * _pos_float(sample_rate, "sample_rate")))
    if x.shape[-1] >= n:
        return np.ascontiguousarray(x[..., :n])
    pad = [(0, 0)] * (x.ndim - 1) + [(0, n - x.shape[-1])]
    return np.pad(x, pad)


def log_mel(
    samples: np.ndarray,
    preset: Literal["whisper"] = "whisper",
    *,
    n_mels: int = 80,
    clamp: Literal["file", "window"] = "file",
    padding: int = 160,
    threads: int = 0,
) -> np.ndarray:
    """Whisper's log-mel spectrogram of 16 kHz samples: ``(n_mels, frames)`` float32.

    As faster-whisper's ``FeatureExtractor(feature_size=n_mels)(samples, padding=padding)``:
    ``padding`` zeros appended, periodic Hann 400, hop 160, ``n_fft // 2`` reflect padding on both
    sides, the last frame dropped (``frames = (N + padding) // 160``), Slaney mel 0-8 kHz with
    Slaney norm, ``log10(max(mel, 1e-10))`` clamped to ``max - 8`` and mapped by ``(v + 4) / 4``.
    ``clamp="file"``: the maximum is the whole input's (openai-whisper's ``transcribe``,
    faster-whisper); ``"window"``: each 30-s window of 3000 frames has its own (Hugging Face's
    ``WhisperFeatureExtractor``, which sees one 30-s window at a time). ``n_mels``: 80 (Whisper
    v1-v3) or 128 (large-v3).
    """
    if preset != "whisper":
        raise ValueError(f"preset must be 'whisper'; got {preset!r}")
    if n_mels not in (80, 128):
        raise ValueError(f"n_mels must be 80 or 128 for Whisper; got {n_mels!r}")
    if clamp not in ("file", "window"):
        raise ValueError(f"clamp must be 'file' or 'window'; got {clamp!r}")
    if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
        raise ValueError(f"padding must be an integer >= 0; got {padding!r}")
    x = _samples(samples)
    th = _threads(threads)
    mel = _filterbank(16000.0, 400, int(n_mels), 0.0, 8000.0, "slaney", "slaney")
    win = window_function("hann", 400)

    def one(c: np.ndarray) -> np.ndarray:
        frames = (c.shape[0] + int(padding)) // 160
        # log10, the clamp to (max - 8) per file or per 3000-frame window and (v + 4) / 4 all run in
        # C++ (the clamp as a second threaded pass over the output).
        return _fe.spectrogram(c, win, 400, 160, -200, frames, pad="reflect", zero_tail=int(padding), mel=mel,
                               log_base=10, log_floor=1e-10, mels_first=True, threads=th, clamp_below_max=8.0,
                               clamp_frames=0 if clamp == "file" else 3000, out_add=4.0, out_mul=0.25)

    return _per_channel(x, one)


# ---------------------------------------------------------------------------------------------
# Kaldi fbank


def fbank(
    samples: np.ndarray,
    sample_rate: float = 16000,
    num_mel_bins: int = 80,
    frame_length_ms: float = 25.0,
    frame_shift_ms: float = 10.0,
    dither: float = 0.0,
    window: Literal["povey", "hamming", "hann", "rectangular"] = "povey",
    preemphasis: float = 0.97,
    remove_dc: bool = True,
    snip_edges: bool = True,
    scale: float = 1.0,
    cmn: bool = False,
    seed: Optional[int] = None,
    *,
    low_freq: float = 20.0,
    high_freq: float = 0.0,
    threads: int = 0,
) -> np.ndarray:
    """Kaldi filterbank features ``(frames, num_mel_bins)`` float32 (``(channels, frames, bins)``).

    As ``kaldi-native-fbank`` / ``torchaudio.compliance.kaldi.fbank`` with ``use_energy=False``,
    ``use_log_fbank=True``, ``use_power=True``: frames of ``int(sr * frame_length_ms / 1000)``
    samples every ``int(sr * frame_shift_ms / 1000)``; per frame: ``dither * N(0, 1)`` (a generator
    seeded by ``seed`` and the frame index; ``seed=None`` draws one), the mean removed
    (``remove_dc``), pre-emphasis ``x[i] -= c x[i-1]`` (``x[0] -= c x[0]``), the symmetric window
    (``povey`` = Hann^0.85), zero-padded to the next power of two, power spectrum, Kaldi mel banks
    between ``low_freq`` and ``high_freq`` (``<= 0``: Nyquist + high_freq), ``log(max(e,
    FLT_EPSILON))``. ``snip_edges=False`` centres frames on multiples of the shift, reflecting the
    signal at the ends (Kaldi's convention). ``scale`` multiplies the samples first (WeSpeaker feeds
    int16-scaled audio: ``scale=32768``). ``cmn`` subtracts the per-bin mean over frames.
    """
    x = _samples(samples)
    sr = _pos_float(sample_rate, "sample_rate")
    nb = _pos_int(num_mel_bins, "num_mel_bins")
    L = int(sr * 0.001 * _pos_float(frame_length_ms, "frame_length_ms"))
    S = int(sr * 0.001 * _pos_float(frame_shift_ms, "frame_shift_ms"))
    if L < 2:
        raise ValueError(f"frame_length_ms gives {L} samples per frame; need >= 2")
    if S < 1:
        raise ValueError(f"frame_shift_ms gives {S} samples per shift; need >= 1")
    d = _pos_float(dither, "dither", allow_zero=True)
    if window not in ("povey", "hamming", "hann", "rectangular"):
        raise ValueError(f"window must be 'povey', 'hamming', 'hann' or 'rectangular'; got {window!r}")
    pe = _pos_float(preemphasis, "preemphasis", allow_zero=True)
    if pe > 1:
        raise ValueError(f"preemphasis must be in [0, 1]; got {preemphasis!r}")
    sc = float(scale)
    if not math.isfinite(sc) or sc == 0:
        raise ValueError(f"scale must be a finite non-zero number; got {scale!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"seed must be None or an integer >= 0; got {seed!r}")
    lo = _pos_float(low_freq, "low_freq", allow_zero=True)
    hi = float(high_freq)
    if not math.isfinite(hi):
        raise ValueError(f"high_freq must be finite; got {high_freq!r}")
    nyq = sr / 2
    hi_abs = nyq + hi if hi <= 0 else hi
    if not 0 <= lo < hi_abs <= nyq:
        raise ValueError(f"low_freq/high_freq must give 0 <= low < high <= Nyquist ({nyq}); got {lo}, {hi_abs}")
    n_fft = 1 << (L - 1).bit_length()
    mel = _filterbank(sr, n_fft, nb, lo, hi_abs, "kaldi", None)
    win = window_function(window, L, periodic=False)
    th = _threads(threads)
    sd = int.from_bytes(os.urandom(8), "little") if seed is None else int(seed) & (2**64 - 1)

    def one(c: np.ndarray) -> np.ndarray:
        if sc != 1.0:
            c = c * np.float32(sc)
        n = c.shape[0]
        if snip_edges:
            first, frames = 0, (0 if n < L else 1 + (n - L) // S)
        else:
            first, frames = S // 2 - L // 2, (n + S // 2) // S
        out = _fe.spectrogram(c, win, n_fft, S, first, frames, pad="symmetric", dither=d, seed=sd,
                              remove_dc=bool(remove_dc), preemphasis=pe, mel=mel, log_base=1,
                              log_floor=float(np.finfo(np.float32).eps), threads=th)
        if cmn and out.shape[0]:
            out -= out.mean(axis=0, keepdims=True)
        return out

    return _per_channel(x, one)


# ---------------------------------------------------------------------------------------------
# YAMNet


def yamnet_patches(samples: np.ndarray, sample_rate: int = 16000, *, pad: bool = True,
                   threads: int = 0) -> np.ndarray:
    """YAMNet's input: log-mel patches ``(patches, 96, 64)`` float32 of 16 kHz samples.

    As YAMNet's ``features.py`` (``tensorflow/models`` research/audioset/yamnet, ``params.py``):
    ``pad=True`` first applies its ``pad_waveform`` (zeros so that at least one patch exists and the
    end falls on a patch hop); then frames of 400 samples every 160 without centring, periodic Hann,
    512-point FFT, magnitude, 64 HTK-mel bands 125-7500 Hz (TF's ``linear_to_mel_weight_matrix``:
    mel 1127 ln(1 + f/700), the DC bin unweighted), ``log(mel + 0.001)``, patches of 96 frames every
    48 (0.96 s / 0.48 s).
    """
    if sample_rate != 16000:
        raise ValueError(f"sample_rate must be 16000 for YAMNet (resample first); got {sample_rate!r}")
    x = _samples(samples)
    th = _threads(threads)
    mel = _yamnet_filterbank()
    win = window_function("hann", 400)

    def one(c: np.ndarray) -> np.ndarray:
        n = c.shape[0]
        tail = 0
        if pad:
            min_n, hop = 15600, 7680  # (0.96 + 0.025 - 0.010) s and 0.48 s at 16 kHz
            num = max(n, min_n)
            hops = math.ceil((num - min_n) / hop)
            tail = (num - n) + hops * hop - (num - min_n)
        total = n + tail
        frames = 0 if total < 400 else 1 + (total - 400) // 160
        spec = _fe.spectrogram(c, win, 512, 160, 0, frames, pad="constant", zero_tail=tail, power=1.0, mel=mel,
                               log_base=1, log_offset=0.001, threads=th)
        n_patches = 0 if frames < 96 else 1 + (frames - 96) // 48
        if n_patches == 0:
            return np.zeros((0, 96, 64), np.float32)
        idx = np.arange(n_patches)[:, None] * 48 + np.arange(96)[None, :]
        return spec[idx]

    return _per_channel(x, one)


@functools.lru_cache(maxsize=1)
def _yamnet_filterbank() -> np.ndarray:
    n_bins = 257
    f = np.linspace(0.0, 8000.0, n_bins)
    mel = 1127.0 * np.log(1.0 + f / 700.0)
    edges = np.linspace(1127.0 * np.log(1.0 + 125.0 / 700.0), 1127.0 * np.log(1.0 + 7500.0 / 700.0), 66)
    lower, center, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    w = np.maximum(0.0, np.minimum((mel - lower) / (center - lower), (upper - mel) / (upper - center)))
    w[:, 0] = 0.0
    out = w.astype(np.float32)
    out.setflags(write=False)
    return out


# ---------------------------------------------------------------------------------------------
# CLAP


def clap_mel(
    samples: np.ndarray,
    sample_rate: int = 48000,
    *,
    truncation: Literal["rand_trunc", "fusion"] = "rand_trunc",
    padding: Literal["repeatpad", "repeat", "pad"] = "repeatpad",
    max_length_s: float = 10.0,
    fmin: float = 50.0,
    fmax: float = 14000.0,
    seed: Optional[int] = None,
    threads: int = 0,
) -> np.ndarray:
    """CLAP HTSAT's input: dB mel ``(1, frames, 64)`` (``rand_trunc``) or ``(4, frames, 64)``
    (``fusion``) of 48 kHz mono samples.

    As transformers' ``ClapFeatureExtractor`` (``laion/clap-htsat-*`` configs: 48 kHz, periodic Hann
    1024, hop 480, centred reflect STFT, power, 64 bands ``fmin``-``fmax``, ``10 log10(max(mel,
    1e-10))``). Input up to ``max_length_s`` is padded (``repeatpad``: tiled whole times then zeros;
    ``repeat``: tiled and cut; ``pad``: zeros). Longer input: ``rand_trunc`` takes a random
    ``max_length_s`` crop (Slaney mel/norm); ``fusion`` (HTK mel, no norm) stacks the whole
    spectrogram resized to one window (bilinear, as ``torch.nn.functional.interpolate``) with three
    random crops from the front, middle and back thirds; short input in ``fusion`` is 4 copies.
    Random choices come from ``numpy.random.default_rng(seed)`` (the reference uses numpy's global
    state, so only seed-free paths are comparable).
    """
    if sample_rate != 48000:
        raise ValueError(f"sample_rate must be 48000 for CLAP (resample first); got {sample_rate!r}")
    if truncation not in ("rand_trunc", "fusion"):
        raise ValueError(f"truncation must be 'rand_trunc' or 'fusion'; got {truncation!r}")
    if padding not in ("repeatpad", "repeat", "pad"):
        raise ValueError(f"padding must be 'repeatpad', 'repeat' or 'pad'; got {padding!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"seed must be None or an integer >= 0; got {seed!r}")
    x = _samples(samples)
    if x.ndim != 1:
        raise ValueError(f"samples must be 1-D mono for CLAP; got shape {x.shape}")
    max_len = int(round(_pos_float(max_length_s, "max_length_s") * 48000))
    th = _threads(threads)
    rng = np.random.default_rng(seed)
    win = window_function("hann", 1024)
    scale: MelScale = "slaney" if truncation == "rand_trunc" else "htk"
    mel = mel_filterbank(48000, 1024, 64, fmin, fmax, scale, "slaney" if truncation == "rand_trunc" else None)

    def spec(c: np.ndarray) -> np.ndarray:  # (frames, 64)
        return _fe.spectrogram(c, win, 1024, 480, -512, 1 + c.shape[0] // 480, pad="reflect", mel=mel,
                               log_base=10, log_mul=10.0, log_floor=1e-10, threads=th)

    n = x.shape[0]
    if n > max_len:
        if truncation == "rand_trunc":
            idx = int(rng.integers(0, n - max_len + 1))
            return spec(np.ascontiguousarray(x[idx:idx + max_len]))[None]
        m = spec(x)
        chunk = max_len // 480 + 1
        total = m.shape[0]
        if chunk == total:
            return np.stack([m, m, m, m])
        ranges = np.array_split(np.arange(0, total - chunk + 1), 3)
        picks = [int(rng.choice(r)) if len(r) else 0 for r in ranges]
        shrink = _resize_rows(m, chunk)
        return np.stack([shrink] + [m[p:p + chunk] for p in picks])
    if n < max_len:
        if padding == "repeat":
            x = np.tile(x, max_len // n + 1)[:max_len]
        elif padding == "repeatpad":
            x = np.tile(x, max_len // n)
        x = np.ascontiguousarray(np.pad(x, (0, max_len - x.shape[0])))
    m = spec(x)
    return np.stack([m, m, m, m]) if truncation == "fusion" else m[None]


def _resize_rows(m: np.ndarray, rows: int) -> np.ndarray:
    # torch.nn.functional.interpolate(bilinear, align_corners=False) along the frame axis only (the
    # 64 mel columns map to themselves).
    n = m.shape[0]
    src = (np.arange(rows, dtype=np.float64) + 0.5) * (n / rows) - 0.5
    src = np.maximum(src, 0.0)
    i0 = np.floor(src).astype(np.int64)
    i1 = np.minimum(i0 + 1, n - 1)
    lam = (src - i0).astype(np.float32)[:, None]
    return ((1 - lam) * m[i0] + lam * m[i1]).astype(np.float32)

