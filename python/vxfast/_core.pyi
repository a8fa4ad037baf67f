"""Type stubs for vxfast._core, the C++ extension (one section per area)."""
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

# ---- decode ----
class VxfastError(RuntimeError): ...
class VideoError(VxfastError): ...
class CorruptFrameWarning(UserWarning): ...

__version__: str

def ffmpeg_set_log_level(level: int) -> None: ...
def ffmpeg_log_level() -> int: ...

class VideoInfo:
    path: str
    width: int
    height: int
    fps: float
    frame_count: int
    frame_count_exact: bool
    duration: float
    start_time: float
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
    letterbox: Any
    @property
    def planes(self) -> Tuple[np.ndarray, ...]: ...

class FrameIterator(Iterator[Frame]):
    def __iter__(self) -> FrameIterator: ...
    def __next__(self) -> Frame: ...
    def stats(self) -> Dict[str, int]: ...  # delivered, decoded_frames, corrupt_packets, corrupt_frames, decoder_errors, missing_frames, seeks
    def close(self) -> None: ...

class VideoSource: ...

class ReaderCore:
    def source(self) -> VideoSource: ...
    def __init__(self, path: str, threads: int = 0, exact: bool = True, apply_rotation: bool = True) -> None: ...
    @property
    def info(self) -> VideoInfo: ...
    def frames(self, sample: str = "all", start: float = -1.0, end: float = -1.0, format: str = "rgb24",
               preprocess: Optional[PreprocessSpec] = None, letterbox: Any = None) -> FrameIterator: ...
    def get_frames_at(self, indices: List[int], format: str = "rgb24", preprocess: Optional[PreprocessSpec] = None,
                      letterbox: Any = None) -> List[Frame]: ...
    def index_pts(self) -> Optional[np.ndarray]: ...
    def keyframe_indices(self) -> Optional[np.ndarray]: ...


# ---- preprocess ----
_Info = Tuple[float, float, float, float, int, int]  # scale_x, scale_y, pad_left, pad_top, src_w, src_h

class PreprocessSpec:
    def __init__(self, *, mode: str = "letterbox", height: int = 640, width: int = 640,
                 resize_short: int = 0, stride: int = 0, center: bool = True, scaleup: bool = True,
                 pad_value: Sequence[float] = ..., scale: float = ..., mean: Sequence[float] = ...,
                 std: Sequence[float] = ..., order: str = "rgb", layout: str = "chw",
                 dtype: str = "float32") -> None: ...
    @property
    def height(self) -> int: ...
    @property
    def width(self) -> int: ...
    @property
    def dtype(self) -> str: ...
    @property
    def layout(self) -> str: ...
    def output_shape(self, src_width: int, src_height: int) -> List[int]: ...
    def output_bytes(self, src_width: int, src_height: int) -> int: ...
    def letterbox_info(self, src_width: int, src_height: int) -> _Info: ...

def preprocess_image(spec: PreprocessSpec, image: np.ndarray, input_order: str = "rgb",
                     out: Optional[np.ndarray] = None, threads: int = 0) -> Tuple[np.ndarray, _Info]: ...
def preprocess_batch(spec: PreprocessSpec, images: np.ndarray, input_order: str = "rgb",
                     out: Optional[np.ndarray] = None, threads: int = 0
                     ) -> Tuple[np.ndarray, List[_Info]]: ...
def preprocess_yuv(spec: PreprocessSpec, y: np.ndarray, u: np.ndarray, v: Optional[np.ndarray] = None,
                   matrix: str = "bt601", full_range: bool = False, out: Optional[np.ndarray] = None,
                   threads: int = 0) -> Tuple[np.ndarray, _Info]: ...
def avx512_vbmi_available() -> bool: ...
def set_avx512_vbmi(on: bool) -> None: ...
def set_avx512_streaming(on: bool) -> None: ...


# ---- postprocess ----
def nms(boxes: npt.ArrayLike, scores: npt.ArrayLike, iou_threshold: float,
        classes: Optional[npt.NDArray[np.int64]] = ..., max_det: int = ...,
        simd: Optional[str] = ...) -> npt.NDArray[np.int64]: ...
def yolo_decode(output: npt.NDArray[np.float32], format: str, nc: int, conf: float, iou: float,
                max_det: int, agnostic: bool, classes: Sequence[int],
                letterbox: Any, kpt_dim: int,
                simd: Optional[str] = ..., threads: int = ...,
                ) -> list[tuple[npt.NDArray[np.float32], npt.NDArray[np.float32],
                                npt.NDArray[np.int64], npt.NDArray[np.float32]]]: ...
def retinaface_decode(output: npt.NDArray[np.float32], input_width: int, input_height: int,
                      conf: float, iou: float, max_det: int,
                      letterbox: Any,
                      variance_center: float = ..., variance_size: float = ...,
                      scores: str = ...,
                      ) -> list[tuple[npt.NDArray[np.float32], npt.NDArray[np.float32],
                                      npt.NDArray[np.int64], npt.NDArray[np.float32]]]: ...
def retinaface_prior_count(input_width: int, input_height: int) -> int: ...
def postprocess_pool_stats() -> dict[str, int]: ...


# ---- features ----
def features_names() -> List[str]:
    """Names of the frame features, in the column order of features_compute's result."""
def features_compute(y: npt.NDArray[np.uint8], simd: str = "auto", threads: int = 0) -> npt.NDArray[np.float64]:
    """Feature vector (float64, features_names() order) of one (H, W) uint8 luma plane with
    contiguous rows; releases the GIL. Raises ValueError for a bad dtype/ndim/stride/simd."""
def features_quality(source: VideoSource, sample: str, simd: str = "auto", threads: int = 0
                     ) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(index, pts, values (n, n_features)) of the frames VideoReader.frames(sample) delivers, on each
    decoded luma plane in place; GIL released for the whole video; warns CorruptFrameWarning like
    frames() when the input was damaged."""
def features_simd_levels() -> List[str]:
    """Levels features_compute(simd=...) accepts on this CPU: "reference" (the definitions) first."""
def features_codec_stats(path: str) -> Dict[str, Any]:
    """Codec cues of the best video stream from its packets alone; raises VideoError naming path."""


# ---- pipeline ----
class Batch:
    tensor: np.ndarray
    indices: npt.NDArray[np.int64]
    pts: npt.NDArray[np.float64]
    keyframes: npt.NDArray[np.bool_]
    letterbox: Any
    count: int
    def __len__(self) -> int: ...

class BatchPipeline(Iterator[Batch]):
    def __init__(self, source: VideoSource, sample: str, start: float, end: float, preprocess: PreprocessSpec,
                 batch: int, prefetch: int = 2, preprocess_threads: int = 1, letterbox: Any = None) -> None: ...
    def __iter__(self) -> BatchPipeline: ...
    def __next__(self) -> Batch: ...
    def stats(self) -> Dict[str, int]: ...
    def close(self) -> None: ...


# ---- simd (one level for every area: cpp/common/simd.h) ----
def simd_info() -> Dict[str, Any]:
    """{'cpu', 'requested' (VXFAST_SIMD or None), 'level', 'areas': {area: level}, 'runnable',
    'avx512vbmi'}. Raises ValueError for an unknown VXFAST_SIMD; warns RuntimeWarning once when a
    level was lowered to what the CPU runs."""
def set_simd_level(level: str) -> None:
    """scalar|neon|avx2|avx512 for every area (lowered, with a RuntimeWarning, if the CPU cannot run
    it), or native (back to VXFAST_SIMD / the CPU's best). ValueError for unknown names."""
