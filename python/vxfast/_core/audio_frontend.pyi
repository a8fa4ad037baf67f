"""Stubs for vxfast._core.audio_frontend (cpp/bindings/audio_frontend.cpp)."""
from typing import Optional

import numpy as np
import numpy.typing as npt

def spectrogram(
    x: npt.ArrayLike,
    window: npt.ArrayLike,
    n_fft: int,
    hop: int,
    first_start: int,
    n_frames: int,
    pad: str = "constant",
    zero_tail: int = 0,
    dither: float = 0.0,
    seed: int = 0,
    remove_dc: bool = False,
    preemphasis: float = 0.0,
    power: float = 2.0,
    mel: Optional[npt.ArrayLike] = None,
    log_base: int = 0,
    log_mul: float = 1.0,
    log_floor: float = 0.0,
    log_offset: float = 0.0,
    mels_first: bool = False,
    simd: str = "auto",
    threads: int = 0,
    clamp_below_max: float = 0.0,
    clamp_frames: int = 0,
    out_add: float = 0.0,
    out_mul: float = 1.0,
) -> npt.NDArray[np.float32]:
    """Frames x (+ zero_tail zeros), conditions, windows, FFTs, |X|^power, mel bands, log, clamp
    below each block's maximum, (v + out_add) * out_mul. (n_frames, n_out) float32, or (n_out,
    n_frames) with mels_first."""
def kernel_level(simd: str = "auto") -> str:
    """The SIMD level the front-end kernels really use for a level."""
def bands_apply(mel: npt.ArrayLike, spec: npt.ArrayLike, simd: str = "auto") -> npt.NDArray[np.float32]:
    """The banded mel sums alone: (frames, n_mels)."""
def power_apply(X: npt.ArrayLike, simd: str = "auto") -> npt.NDArray[np.float32]:
    """|X|^2 of interleaved (re, im) float32 values."""
def log_apply(
    v: npt.ArrayLike, base: int = 10, mul: float = 1.0, floor: float = 0.0, offset: float = 0.0, simd: str = "auto"
) -> tuple[npt.NDArray[np.float32], float]:
    """The log kernel alone: (mul * log_base(max(v, floor) + offset), its maximum)."""
def power_batch_apply(frames: npt.ArrayLike, simd: str = "auto") -> npt.NDArray[np.float32]:
    """The batched FFT's power spectra of 16 frames (16, n): (n/2 + 1, 16)."""
def bands_batch_apply(mel: npt.ArrayLike, pw: npt.ArrayLike, simd: str = "auto") -> npt.NDArray[np.float32]:
    """The batched banded mel sums of 16 spectra (n_bins, 16): (n_mels, 16)."""
def rfft(x: npt.ArrayLike) -> npt.NDArray[np.complex64]:
    """The front-ends' real FFT of x (even length): n/2 + 1 bins."""
def reference_rfft(x: npt.ArrayLike) -> npt.NDArray[np.complex128]:
    """The scalar double-precision DFT oracle (bins 0..n/2)."""
