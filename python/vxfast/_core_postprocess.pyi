# Stubs for the postprocess functions of vxfast._core (merged into _core.pyi by the lead).
from typing import Optional, Sequence

import numpy as np
import numpy.typing as npt

def nms(boxes: npt.ArrayLike, scores: npt.ArrayLike, iou_threshold: float,
        classes: Optional[npt.NDArray[np.int64]] = ..., max_det: int = ...,
        simd: Optional[str] = ...) -> npt.NDArray[np.int64]: ...
def yolo_decode(output: npt.NDArray[np.float32], format: str, nc: int, conf: float, iou: float,
                max_det: int, agnostic: bool, classes: Sequence[int],
                letterbox: Optional[npt.NDArray[np.float64]], kpt_dim: int,
                simd: Optional[str] = ...,
                ) -> list[tuple[npt.NDArray[np.float32], npt.NDArray[np.float32],
                                npt.NDArray[np.int64], npt.NDArray[np.float32]]]: ...
def retinaface_decode(output: npt.NDArray[np.float32], input_width: int, input_height: int,
                      conf: float, iou: float, max_det: int,
                      letterbox: Optional[npt.NDArray[np.float64]],
                      variance_center: float = ..., variance_size: float = ...,
                      scores: str = ...,
                      ) -> list[tuple[npt.NDArray[np.float32], npt.NDArray[np.float32],
                                      npt.NDArray[np.int64], npt.NDArray[np.float32]]]: ...
def retinaface_prior_count(input_width: int, input_height: int) -> int: ...
def postprocess_simd_level() -> str: ...
def postprocess_cpu_simd_level() -> str: ...
