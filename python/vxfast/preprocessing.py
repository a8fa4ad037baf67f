"""Model-input preprocessing: letterbox / resize / centre crop, normalisation and layout in one pass.

A *spec* (:class:`Letterbox`, :class:`Resize`, :class:`CenterCrop`, or a :class:`presets` entry)
says what tensor a model wants. :func:`preprocess` applies it to an RGB/BGR ``uint8`` image or a batch,
:func:`preprocess_yuv420` / :func:`preprocess_nv12` to a decoder's planes (colour conversion fused
into the resampling, no full-resolution RGB is made). Each call returns the tensor and a
:class:`LetterboxInfo` that maps tensor coordinates back to source pixels.

Resampling is bilinear with OpenCV ``INTER_LINEAR`` geometry (the reference YOLO models were
validated with); the letterbox padding follows Ultralytics' ``LetterBox`` exactly.
Normalisation: ``out[c] = (pixel * scale - mean[c]) / std[c]`` with ``mean``/``std`` in the *output*
channel order.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional, Union

import numpy as np

from . import _core

#: How a source image was placed in its tensor: ``tensor = source * scale + pad`` (immutable, with
#: ``scale_x, scale_y, pad_left, pad_top, src_width, src_height`` and the mappings
#: ``to_source(xyxy)``, ``to_source_points(points)``, ``to_tensor(xyxy)``). A C++ value
#: (``_core.geometry.LetterboxGeometry``): the spec makes it, a :class:`vxfast.Batch` carries it and the
#: postprocess decoders read it without going through Python attributes.
from ._core.geometry import LetterboxGeometry as LetterboxInfo

__all__ = [
    "Letterbox",
    "Resize",
    "CenterCrop",
    "LetterboxInfo",
    "presets",
    "letterbox",
    "preprocess",
    "preprocess_yuv420",
    "preprocess_nv12",
]

Size = Union[int, tuple[int, int]]
Triple = Union[float, Sequence[float]]
ImageLike = Union[np.ndarray, Sequence[np.ndarray]]

_ORDERS = ("rgb", "bgr")
_LAYOUTS = ("chw", "hwc")
_DTYPES = ("float32", "float16", "uint8")


def _size_hw(size: Size, name: str = "size") -> tuple[int, int]:
    """``640`` -> (640, 640); ``(h, w)`` -> (h, w); anything else -> ValueError."""
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        h = w = int(size)
    elif isinstance(size, (tuple, list)) and len(size) == 2 and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in size):
        h, w = int(size[0]), int(size[1])
    else:
        raise ValueError(f"{name}={size!r}: expected an int or a (height, width) pair of ints")
    if h <= 0 or w <= 0:
        raise ValueError(f"{name}={size!r}: sides must be positive")
    return h, w


def _triple(v: Triple, name: str) -> tuple[float, float, float]:
    if isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
        return (float(v),) * 3
    if isinstance(v, bool):
        raise ValueError(f"{name}={v!r}: expected a number or three numbers")
    t = tuple(float(x) for x in v)
    if len(t) == 1:
        return (t[0], t[0], t[0])
    if len(t) != 3:
        raise ValueError(f"{name}={v!r}: expected one value or three (one per channel)")
    return (t[0], t[1], t[2])


def _choice(v: Any, name: str, allowed: Sequence[str]) -> str:
    s = str(v).lower()
    if s not in allowed:
        raise ValueError(f"{name}={v!r}: expected one of {', '.join(allowed)}")
    return s


class _Spec:
    """Fields shared by every spec: normalisation, channel order, layout and dtype.

    ``scale=None`` means 1/255 for float dtypes and 1 for ``uint8`` (raw pixels).
    """

    _mode = ""

    def __init__(self, *, scale: Optional[float], mean: Triple, std: Triple, order: str,
                 layout: str, dtype: Any) -> None:
        self.dtype = _choice(np.dtype(dtype).name if not isinstance(dtype, str) else dtype, "dtype",
                             _DTYPES)
        self.scale = float(scale) if scale is not None else (1.0 if self.dtype == "uint8" else 1 / 255)
        self.mean = _triple(mean, "mean")
        self.std = _triple(std, "std")
        self.order = _choice(order, "order", _ORDERS)
        self.layout = _choice(layout, "layout", _LAYOUTS)

    def _geometry_kwargs(self) -> dict:
        raise NotImplementedError

    def to_core(self) -> _core.preprocess.PreprocessSpec:
        """The bound C++ spec (built once; raises ValueError for bad values)."""
        core = self.__dict__.get("_core_spec")
        if core is None:
            core = _core.preprocess.PreprocessSpec(mode=self._mode, **self._geometry_kwargs(), scale=self.scale,
                                        mean=list(self.mean), std=list(self.std), order=self.order,
                                        layout=self.layout, dtype=self.dtype)
            self.__dict__["_core_spec"] = core
        return core

    def output_shape(self, src_width: int, src_height: int) -> tuple[int, ...]:
        """Tensor shape (no batch axis) for a ``src_width`` x ``src_height`` source."""
        return tuple(self.to_core().output_shape(src_width, src_height))

    def info(self, src_width: int, src_height: int) -> LetterboxInfo:
        """The :class:`LetterboxInfo` a source of this size gets, without touching pixels."""
        return self.to_core().geometry(src_width, src_height)

    def __call__(self, image: ImageLike, out: Optional[np.ndarray] = None, *,
                 input_order: str = "rgb") -> tuple[np.ndarray, Any]:
        return preprocess(image, self, out, input_order=input_order)

    def _fields(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Spec) and type(other) is type(self) and other._fields() == self._fields()

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(self._fields().items()))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._fields().items())
        return f"{type(self).__name__}({args})"


class Letterbox(_Spec):
    """Keep the aspect ratio, fit inside ``size`` and pad (YOLO).

    Args:
        size: output ``int`` (square) or ``(height, width)``.
        pad_value: padding pixel value(s) in 0..255 before normalisation (output channel order).
        center: split the padding evenly (Ultralytics default); False puts the image top-left.
        stride: pad only to the next multiple of ``stride`` (Ultralytics ``auto=True``); the output
            shape then depends on the source size.
        scaleup: allow enlarging sources smaller than ``size``.
        scale, mean, std, order, layout, dtype: see the module docstring; default 0..1 RGB CHW float32.
    """

    _mode = "letterbox"

    def __init__(self, size: Size = 640, pad_value: Triple = 114, center: bool = True,
                 stride: Optional[int] = None, scaleup: bool = True, *, scale: Optional[float] = None,
                 mean: Triple = 0.0, std: Triple = 1.0, order: str = "rgb", layout: str = "chw",
                 dtype: Any = "float32") -> None:
        self.size = _size_hw(size)
        self.pad_value = _triple(pad_value, "pad_value")
        self.center = bool(center)
        if stride is not None and (not isinstance(stride, (int, np.integer)) or stride <= 0):
            raise ValueError(f"stride={stride!r}: expected a positive int or None")
        self.stride = None if stride is None else int(stride)
        self.scaleup = bool(scaleup)
        super().__init__(scale=scale, mean=mean, std=std, order=order, layout=layout, dtype=dtype)
        self.to_core()

    def _geometry_kwargs(self) -> dict:
        return dict(height=self.size[0], width=self.size[1], stride=self.stride or 0,
                    center=self.center, scaleup=self.scaleup, pad_value=list(self.pad_value))


class Resize(_Spec):
    """Stretch to ``size`` (``int`` or ``(height, width)``), ignoring the aspect ratio."""

    _mode = "resize"

    def __init__(self, size: Size, *, scale: Optional[float] = None, mean: Triple = 0.0,
                 std: Triple = 1.0, order: str = "rgb", layout: str = "chw",
                 dtype: Any = "float32") -> None:
        self.size = _size_hw(size)
        super().__init__(scale=scale, mean=mean, std=std, order=order, layout=layout, dtype=dtype)
        self.to_core()

    def _geometry_kwargs(self) -> dict:
        return dict(height=self.size[0], width=self.size[1])


class CenterCrop(_Spec):
    """Resize the short side to ``resize_short`` (aspect kept), then crop the centre ``size``.

    torchvision's ``Resize(resize_short)`` + ``CenterCrop(size)`` geometry (ImageNet, CLIP, video
    classifiers), in one pass. ``resize_short=None`` means the crop's short side (no margin).
    A crop larger than the resized image is padded with ``pad_value``.
    """

    _mode = "center_crop"

    def __init__(self, size: Size, resize_short: Optional[int] = None, *, pad_value: Triple = 0,
                 scale: Optional[float] = None, mean: Triple = 0.0, std: Triple = 1.0,
                 order: str = "rgb", layout: str = "chw", dtype: Any = "float32") -> None:
        self.size = _size_hw(size)
        if resize_short is not None and (not isinstance(resize_short, (int, np.integer))
                                         or resize_short <= 0):
            raise ValueError(f"resize_short={resize_short!r}: expected a positive int or None")
        self.resize_short = None if resize_short is None else int(resize_short)
        self.pad_value = _triple(pad_value, "pad_value")
        super().__init__(scale=scale, mean=mean, std=std, order=order, layout=layout, dtype=dtype)
        self.to_core()

    def _geometry_kwargs(self) -> dict:
        return dict(height=self.size[0], width=self.size[1], resize_short=self.resize_short or 0,
                    pad_value=list(self.pad_value))


_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)
_CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
_CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


class presets:
    """Specs of common model families (call them: ``vxfast.presets.yolo(640)``)."""

    @staticmethod
    def yolo(size: Size = 640, *, stride: Optional[int] = None, dtype: Any = "float32") -> Letterbox:
        """Ultralytics YOLO: letterbox with gray 114 padding, RGB 0..1, CHW."""
        return Letterbox(size, pad_value=114, stride=stride, dtype=dtype)

    @staticmethod
    def imagenet(size: Size = 224, resize_short: int = 256, *, dtype: Any = "float32") -> CenterCrop:
        """torchvision ImageNet classifiers: short side 256, centre 224, mean/std normalised RGB."""
        return CenterCrop(size, resize_short, mean=_IMAGENET_MEAN, std=_IMAGENET_STD, dtype=dtype)

    @staticmethod
    def clip(size: Size = 224, *, dtype: Any = "float32") -> CenterCrop:
        """OpenAI CLIP image encoders (bilinear here; CLIP itself used bicubic)."""
        short = size if isinstance(size, int) else min(size)
        return CenterCrop(size, short, mean=_CLIP_MEAN, std=_CLIP_STD, dtype=dtype)

    @staticmethod
    def kinetics(size: Size = 224, resize_short: int = 256, *, dtype: Any = "float32") -> CenterCrop:
        """PyTorchVideo Kinetics models (SlowFast, X3D, ...): mean 0.45, std 0.225, RGB."""
        return CenterCrop(size, resize_short, mean=0.45, std=0.225, dtype=dtype)

    @staticmethod
    def retinaface(size: Size = 640, *, dtype: Any = "float32") -> Letterbox:
        """RetinaFace (biubug6 layout): BGR pixels minus (104, 117, 123), image top-left, the
        padding equal to the mean so it is 0 in the tensor."""
        mean = (104.0, 117.0, 123.0)
        return Letterbox(size, pad_value=mean, center=False, scale=1.0, mean=mean, order="bgr",
                         dtype=dtype)


SpecLike = Union[_Spec, "_core.preprocess.PreprocessSpec"]


def _core_spec(spec: SpecLike) -> _core.preprocess.PreprocessSpec:
    if isinstance(spec, _Spec):
        return spec.to_core()
    if isinstance(spec, _core.preprocess.PreprocessSpec):
        return spec
    raise TypeError(f"spec: expected Letterbox, Resize, CenterCrop or a preset, got {type(spec).__name__}")


def _require_array(x: Any, name: str) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name}: expected a numpy.ndarray, got {type(x).__name__}")
    return x


def preprocess(images: ImageLike, spec: SpecLike, out: Optional[np.ndarray] = None, *,
               input_order: str = "rgb", threads: int = 0
               ) -> tuple[np.ndarray, Union[LetterboxInfo, list[LetterboxInfo]]]:
    """Apply ``spec`` to one image or a batch.

    Args:
        images: ``(H, W, 3)`` uint8 -> ``(tensor, LetterboxInfo)``; ``(N, H, W, 3)`` or a list of
            ``(H, W, 3)`` (sizes may differ if the tensors come out the same shape) ->
            ``(batch tensor, [LetterboxInfo, ...])``. Rows may be strided (crops of a frame); pixels
            must be packed: pass ``input_order="bgr"`` instead of ``img[..., ::-1]``.
        spec: a :class:`Letterbox`, :class:`Resize`, :class:`CenterCrop` or preset.
        out: optional C-contiguous array of the exact output shape and dtype, written in place
            (e.g. ``batch[i]`` of a preallocated batch); returned as the tensor.
        input_order: ``"rgb"`` (PyAV, vxfast frames) or ``"bgr"`` (OpenCV ``imread``).
        threads: 0 picks by frame size; n uses at most n threads per image.
    """
    core = _core_spec(spec)
    if isinstance(images, (list, tuple)):
        if not images:
            raise ValueError("images: empty list")
        arrays = [_require_array(im, f"images[{i}]") for i, im in enumerate(images)]
        shape = None
        for i, im in enumerate(arrays):
            if im.ndim != 3:
                raise ValueError(f"images[{i}]: expected (H, W, 3), got shape {im.shape}")
            s = tuple(core.output_shape(im.shape[1], im.shape[0]))
            if shape is not None and s != shape:
                raise ValueError(f"images[{i}]: gives a tensor of shape {s}, images[0] gave {shape}; "
                                 "a batch needs one shape (use a fixed size, not stride)")
            shape = s
        if out is None:
            out = np.empty((len(arrays),) + shape, dtype=core.dtype)  # type: ignore[operator]
        elif not isinstance(out, np.ndarray) or out.shape[:1] != (len(arrays),):
            raise ValueError(f"out: expected an array with first axis {len(arrays)}, got "
                             f"{getattr(out, 'shape', type(out).__name__)}")
        infos = [_core.preprocess.preprocess_image(core, im, input_order, out[i], threads)[1]
                 for i, im in enumerate(arrays)]
        return out, infos
    arr = _require_array(images, "images")
    if arr.ndim == 4:
        return _core.preprocess.preprocess_batch(core, arr, input_order, out, threads)
    if arr.ndim != 3:
        raise ValueError(f"images: expected (H, W, 3) or (N, H, W, 3) uint8, got shape {arr.shape}")
    return _core.preprocess.preprocess_image(core, arr, input_order, out, threads)


def letterbox(image: ImageLike, size: Size = 640, *, pad_value: Triple = 114, center: bool = True,
              stride: Optional[int] = None, input_order: str = "rgb",
              out: Optional[np.ndarray] = None, **normalize: Any
              ) -> tuple[np.ndarray, Union[LetterboxInfo, list[LetterboxInfo]]]:
    """YOLO letterbox: ``vxfast.letterbox(img, 640) -> (float32 (3, 640, 640) RGB 0..1, info)``.

    ``normalize`` takes the :class:`Letterbox` keywords ``scale``, ``mean``, ``std``, ``order``,
    ``layout``, ``dtype``, ``scaleup``.
    """
    spec = Letterbox(size, pad_value=pad_value, center=center, stride=stride, **normalize)
    return preprocess(image, spec, out, input_order=input_order)


#: YUV -> RGB matrices of :func:`preprocess_yuv420` / :func:`preprocess_nv12` (the decoder picks
#: one per frame from the stream's colourspace tag; untagged is bt601).
YUV_MATRICES = ("bt601", "bt709", "bt2020", "fcc", "smpte240m")


def preprocess_yuv420(y: np.ndarray, u: np.ndarray, v: np.ndarray, spec: SpecLike, *,
                      matrix: str = "bt601", full_range: bool = False,
                      out: Optional[np.ndarray] = None, threads: int = 0
                      ) -> tuple[np.ndarray, LetterboxInfo]:
    """Fused YUV420P planes -> tensor: ``y`` (H, W), ``u``/``v`` ((H+1)//2, (W+1)//2), uint8.

    ``matrix`` is ``"bt601"`` (FFmpeg's default for SD and untagged video), ``"bt709"``,
    ``"bt2020"`` (non-constant luminance), ``"fcc"`` or ``"smpte240m"``;
    ``full_range`` for JPEG-range (yuvj) sources. Chroma is sampled like OpenCV's I420 conversion
    (each sample covers its 2x2 block).
    """
    core = _core_spec(spec)
    for name, p in (("y", y), ("u", u), ("v", v)):
        _require_array(p, name)
    tensor, info = _core.preprocess.preprocess_yuv(core, y, u, v, _choice(matrix, "matrix", YUV_MATRICES),
                                        bool(full_range), out, threads)
    return tensor, info


def preprocess_nv12(y: np.ndarray, uv: np.ndarray, spec: SpecLike, *, matrix: str = "bt601",
                    full_range: bool = False, out: Optional[np.ndarray] = None, threads: int = 0
                    ) -> tuple[np.ndarray, LetterboxInfo]:
    """Fused NV12 planes -> tensor: ``y`` (H, W), ``uv`` ((H+1)//2, (W+1)//2, 2) interleaved U, V."""
    core = _core_spec(spec)
    _require_array(y, "y")
    _require_array(uv, "uv")
    tensor, info = _core.preprocess.preprocess_yuv(core, y, uv, None, _choice(matrix, "matrix", YUV_MATRICES),
                                        bool(full_range), out, threads)
    return tensor, info


def simd_level() -> str:
    """SIMD level the preprocessing kernels use: ``scalar``, ``neon``, ``avx2`` or ``avx512``.

    One level for every area: see :mod:`vxfast.simd` (``VXFAST_SIMD``, ``set_simd_level``).
    """
    return _core.simd.simd_info()["areas"]["preprocess"]
