from typing import Any, Dict, Iterator, List, Optional, Tuple

import numpy as np

class VxfastError(RuntimeError): ...
class VideoError(VxfastError): ...
class CorruptFrameWarning(UserWarning): ...

__version__: str

class VideoInfo:
    path: str
    width: int
    height: int
    fps: float
    frame_count: int
    frame_count_exact: bool
    duration: float
    codec: str
    pix_fmt: str
    bit_rate: int
    rotation: int
    rotation_applied: bool
    has_audio: bool
    audio_sample_rate: int
    audio_channels: int
    audio_codec: str
    coded_width: int
    coded_height: int
    header_fps: float
    header_frame_count: int
    keyframe_count: int
    container: str
    color_space: str
    color_range: str
    def to_dict(self) -> Dict[str, Any]: ...

class Frame:
    index: int
    pts: float
    keyframe: bool
    data: np.ndarray
    format: str
    width: int
    height: int
    @property
    def planes(self) -> Tuple[np.ndarray, ...]: ...

class FrameIterator(Iterator[Frame]):
    def __iter__(self) -> FrameIterator: ...
    def __next__(self) -> Frame: ...
    def stats(self) -> Dict[str, int]: ...  # delivered, decoded_frames, corrupt_packets, corrupt_frames, decoder_errors, missing_frames, seeks
    def close(self) -> None: ...

class ReaderCore:
    def __init__(self, path: str, threads: int = 0, exact: bool = True, apply_rotation: bool = True) -> None: ...
    @property
    def info(self) -> VideoInfo: ...
    def frames(self, sample: str = "all", start: float = -1.0, end: float = -1.0,
               format: str = "rgb24") -> FrameIterator: ...
    def get_frames_at(self, indices: List[int], format: str = "rgb24") -> List[Frame]: ...
    def index_pts(self) -> Optional[np.ndarray]: ...
    def keyframe_indices(self) -> Optional[np.ndarray]: ...
