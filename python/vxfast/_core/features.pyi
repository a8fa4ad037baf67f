"""Stubs for vxfast._core.features (cpp/bindings/features.cpp)."""
from typing import Any

import numpy as np
import numpy.typing as npt

from .decode import VideoSource

def features_names() -> list[str]:
    """Names of the frame features, in the column order of features_compute's result."""
def features_compute(y: npt.NDArray[np.uint8], simd: str = "auto", threads: int = 0) -> npt.NDArray[np.float64]:
    """Feature vector (float64, features_names() order) of one (H, W) uint8 luma plane with
    contiguous rows; releases the GIL. Raises ValueError for a bad dtype/ndim/stride/simd."""
def features_quality(source: VideoSource, sample: str, simd: str = "auto", threads: int = 0,
                     start: float = -1.0, end: float = -1.0
                     ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(index, pts, values (n, n_features)) of the frames VideoReader.frames(sample) delivers, on each
    decoded luma plane in place; GIL released for the whole video; warns CorruptFrameWarning like
    frames() when the input was damaged."""
def features_simd_levels() -> list[str]:
    """Levels features_compute(simd=...) accepts on this CPU: "reference" (the definitions) first."""
def features_codec_stats(path: str) -> dict[str, Any]:
    """Codec cues of the best video stream from its packets alone; raises VideoError naming path."""
