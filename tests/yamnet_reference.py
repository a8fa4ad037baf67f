"""A numpy transcription of YAMNet's feature definition (tensorflow/models research/audioset/yamnet:
features.py waveform_to_log_mel_spectrogram_patches + pad_waveform, params.py; the mel matrix as
tf.signal.linear_to_mel_weight_matrix / vggish mel_features.spectrogram_to_mel_matrix define it),
in float64, written from the definition for the tests; no TensorFlow needed."""
from __future__ import annotations

import numpy as np

SR = 16000
WINDOW_S, HOP_S = 0.025, 0.010
MEL_BANDS, MEL_MIN_HZ, MEL_MAX_HZ, LOG_OFFSET = 64, 125.0, 7500.0, 0.001
PATCH_WINDOW_S, PATCH_HOP_S = 0.96, 0.48


def pad_waveform(x: np.ndarray) -> np.ndarray:
    # Enough for one patch (plus the last STFT window), then up to a whole number of patch hops.
    min_n = int(np.float32((PATCH_WINDOW_S + WINDOW_S - HOP_S) * SR))
    n = max(len(x), min_n)
    pad = max(0, min_n - len(x))
    hop = int(PATCH_HOP_S * SR)
    after = n - min_n
    pad += hop * int(np.ceil(after / hop)) - after
    return np.concatenate([x, np.zeros(pad, x.dtype)])


def hz_to_mel(f):
    return 1127.0 * np.log(1.0 + np.asarray(f, np.float64) / 700.0)


def mel_matrix(n_bins: int) -> np.ndarray:
    """(n_bins, MEL_BANDS): triangles between mel-spaced edges; the DC bin gets no weight."""
    f = np.linspace(0.0, SR / 2, n_bins)
    m = hz_to_mel(f)[:, None]
    edges = np.linspace(hz_to_mel(MEL_MIN_HZ), hz_to_mel(MEL_MAX_HZ), MEL_BANDS + 2)
    lo, ce, hi = edges[:-2], edges[1:-1], edges[2:]
    w = np.maximum(0.0, np.minimum((m - lo) / (ce - lo), (hi - m) / (hi - ce)))
    w[0, :] = 0.0
    return w


def log_mel_patches(x: np.ndarray, pad: bool = True) -> np.ndarray:
    x = np.asarray(x, np.float64)
    if pad:
        x = pad_waveform(x)
    wl, hop = int(round(SR * WINDOW_S)), int(round(SR * HOP_S))
    n_fft = 2 ** int(np.ceil(np.log(wl) / np.log(2.0)))
    frames = 1 + (len(x) - wl) // hop if len(x) >= wl else 0
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(wl) / wl)  # periodic Hann (tf.signal.stft)
    fr = np.stack([x[i * hop:i * hop + wl] for i in range(frames)]) * win
    mag = np.abs(np.fft.rfft(fr, n=n_fft, axis=1))
    log_mel = np.log(mag @ mel_matrix(n_fft // 2 + 1) + LOG_OFFSET)
    pw = int(round(PATCH_WINDOW_S / HOP_S))
    ph = int(round(PATCH_HOP_S / HOP_S))
    n_p = 1 + (frames - pw) // ph if frames >= pw else 0
    return np.stack([log_mel[i * ph:i * ph + pw] for i in range(n_p)]) if n_p else np.zeros((0, pw, MEL_BANDS))
