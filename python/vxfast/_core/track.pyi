"""Multi-object trackers (cpp/track/, binding cpp/bindings/track.cpp)."""
from typing import Optional

import numpy as np
import numpy.typing as npt

class ByteTrackParams:
    track_high_thresh: float
    track_low_thresh: float
    new_track_thresh: float
    track_buffer: int
    match_thresh: float
    fuse_score: bool
    high_thresh_inclusive: bool
    scale_buffer_by_frame_rate: bool
    frame_rate: float
    def __init__(self) -> None: ...

class ByteTracker:
    def __init__(self, params: ByteTrackParams) -> None: ...
    def update(self, detections: npt.ArrayLike, t: Optional[float] = None) -> npt.NDArray[np.float32]: ...
    def reset(self) -> None: ...
    @property
    def frame_count(self) -> int: ...
    @property
    def ids_issued(self) -> int: ...
    @property
    def params(self) -> ByteTrackParams: ...

class OcSortParams:
    det_thresh: float
    max_age: int
    min_hits: int
    iou_threshold: float
    delta_t: int
    inertia: float
    use_byte: bool
    low_thresh: float
    frame_rate: float
    def __init__(self) -> None: ...

class OcSortTracker:
    def __init__(self, params: OcSortParams) -> None: ...
    def update(self, detections: npt.ArrayLike, t: Optional[float] = None) -> npt.NDArray[np.float32]: ...
    def reset(self) -> None: ...
    @property
    def frame_count(self) -> int: ...
    @property
    def ids_issued(self) -> int: ...
    @property
    def params(self) -> OcSortParams: ...
    @property
    def stats(self) -> dict[str, int]: ...

def _lap_limited(cost: npt.ArrayLike, limit: float) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]: ...
