# Stubs for the frame-features part of vxfast._core (merged into _core.pyi by the lead).
from typing import Any, Dict, List, Union
import os

import numpy as np
import numpy.typing as npt

def features_names() -> List[str]:
    """Names of the frame features, in the column order of features_compute's result."""
def features_compute(y: npt.NDArray[np.uint8], simd: str = "auto", threads: int = 0) -> npt.NDArray[np.float64]:
    """Feature vector (float64, features_names() order) of one (H, W) uint8 luma plane with
    contiguous rows; releases the GIL. Raises ValueError for a bad dtype/ndim/stride/simd."""
def features_simd_level() -> str:
    """The SIMD level features_compute uses by default (VXFAST_SIMD forces one)."""
def features_simd_levels() -> List[str]:
    """SIMD levels this CPU can run, "scalar" (the reference) first."""
def features_codec_stats(path: str) -> Dict[str, Any]:
    """Codec cues of the best video stream from its packets alone; raises VideoError naming path."""
