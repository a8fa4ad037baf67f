"""Postprocessing: raw model outputs -> :class:`Detections`, in C++ with the GIL released.

- :func:`nms` / :func:`batched_nms` / :func:`nms_batch`: greedy NMS with torchvision's semantics.
- :class:`YoloDecoder`: a YOLO decoder prepared once per model (what :func:`vxfast.detect` uses);
  :func:`yolo` / :func:`yolo_pose` decode one batch with a decoder made for that call.
- :func:`yolo`: YOLOv8/v11 heads ``[B, 4+nc, N]`` (as exported) or transposed ``[B, N, 4+nc]``,
  YOLOv5/YOLOX heads with objectness ``[B, N, 5+nc]``, and end-to-end exports ``[B, N, 6]`` that
  already contain NMS. Semantics follow Ultralytics' ``non_max_suppression``.
- :func:`yolo_pose`: YOLOv8-pose heads, boxes plus keypoints.
- :func:`retinaface`: RetinaFace (biubug6 layout) boxes, scores and 5 landmarks.

Coordinates come back in source-image pixels when ``letterbox`` describes how the model input was
made: a :class:`vxfast.LetterboxInfo` (read natively by the C++ decoders), any object with
``scale_x, scale_y, pad_left, pad_top, src_width, src_height``, a sequence of them (one per image)
or a ``[B, 6]`` array. Every decoder takes a batch and returns a list with one result per image. The inverse is
``x_src = (x - pad_left) / scale_x`` clipped to ``[0, src_width]``.
"""
from __future__ import annotations

import ast
import operator
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

import numpy as np

from . import _core
from .detections import Detection, Detections

__all__ = ["nms", "batched_nms", "nms_batch", "Detections", "Detection"]
# yolo, yolo_pose, retinaface, YoloDecoder and names_from_metadata are reached as
# vxfast.postprocess.<name> (not re-exported at the top level).

Names = Union[Mapping[int, str], Sequence[str], None]
_FORMATS = {"yolov8": "channels_first", "yolov8-transposed": "channels_last",
            "yolov5": "objectness", "yolox": "objectness", "end2end": "end2end",
            "channels_first": "channels_first", "channels_last": "channels_last",
            "objectness": "objectness"}


def simd_level() -> str:
    """Instruction set used by the postprocess kernels ('scalar', 'avx2' or 'avx512').

    One level for every area: see :mod:`vxfast.simd` (``VXFAST_SIMD``, ``set_simd_level``).
    """
    return _core.simd.simd_info()["areas"]["postprocess"]


# --------------------------------------------------------------------------------------------- NMS

def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float,
        classes: Optional[np.ndarray] = None, max_det: Optional[int] = None) -> np.ndarray:
    """Greedy non-maximum suppression, same semantics as ``torchvision.ops.nms``.

    Boxes are visited by score descending (ties by index); a box is dropped when its IoU with a
    kept box is > ``iou_threshold``. With ``classes`` only boxes of the same class suppress each
    other (``torchvision.ops.batched_nms``).

    Args:
        boxes: ``[N, 4]`` x1, y1, x2, y2. float64 is computed in float64, anything else in float32.
        scores: ``[N]``; NaN raises ValueError.
        iou_threshold: in [0, 1].
        classes: optional ``[N]`` integer class ids.
        max_det: keep at most this many (None: all).

    Returns:
        int64 indices of the kept boxes, by score descending.
    """
    boxes = np.asarray(boxes)
    scores = np.asarray(scores)
    if boxes.size == 0 and boxes.ndim <= 2 and scores.size == 0:
        return np.zeros(0, np.int64)
    if classes is not None:
        classes = _int_array(classes, "classes")
    return _core.postprocess.nms(boxes, scores, float(iou_threshold), classes, _max_det(max_det))


def batched_nms(boxes: np.ndarray, scores: np.ndarray, idxs: np.ndarray,
                iou_threshold: float) -> np.ndarray:
    """``torchvision.ops.batched_nms``: NMS done independently per category ``idxs``."""
    return nms(boxes, scores, iou_threshold, classes=idxs)


def nms_batch(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float,
              classes: Optional[np.ndarray] = None,
              max_det: Optional[int] = None) -> list[np.ndarray]:
    """:func:`nms` over a batch of images: ``boxes [B, N, 4]``, ``scores [B, N]``, optional
    ``classes [B, N]``. Returns one index array per image."""
    boxes = np.asarray(boxes)
    scores = np.asarray(scores)
    if boxes.ndim != 3 or boxes.shape[-1] != 4:
        raise ValueError(f"boxes must have shape [B, N, 4], got {boxes.shape}")
    if scores.shape != boxes.shape[:2]:
        raise ValueError(f"scores must have shape {boxes.shape[:2]}, got {scores.shape}")
    if classes is not None:
        classes = _int_array(classes, "classes")
        if classes.shape != boxes.shape[:2]:
            raise ValueError(f"classes must have shape {boxes.shape[:2]}, got {classes.shape}")
    return [nms(boxes[b], scores[b], iou_threshold, None if classes is None else classes[b], max_det)
            for b in range(boxes.shape[0])]


# -------------------------------------------------------------------------------------------- YOLO

class YoloDecoder:
    """A YOLO head decoder prepared once per model; calling it decodes one batch.

    The arguments are checked here, once: a call only checks that the output's shape fits the
    prepared layout and runs the C++ decode + NMS with the GIL released (safe to call from several
    threads at once). :func:`vxfast.detect` builds one per call; :func:`yolo` and
    :func:`yolo_pose` are one-shot wrappers over it.

    Args:
        conf: keep anchors whose best class score is > conf (in [0, 1]).
        iou: NMS IoU threshold (in [0, 1]).
        max_det: at most this many detections per image (None: no limit).
        agnostic: NMS across classes instead of per class.
        classes: keep only these class ids (applied to each anchor's best class, like Ultralytics);
            an empty sequence keeps nothing.
        names: class names (dict or list); also fixes ``nc``. Read them from the model metadata
            with :func:`names_from_metadata`.
        format: "auto", "yolov8" (``[B, 4+nc, N]``), "yolov8-transposed" (``[B, N, 4+nc]``),
            "yolov5"/"yolox" (``[B, N, 5+nc]``) or "end2end" (``[B, N, 6]``: x1, y1, x2, y2,
            score, class). "auto" takes ``[B, C, N]`` with C < N as yolov8; other layouts need
            ``names``/``nc`` to tell them apart, or an explicit format. The layout is resolved from
            the first output's shape and kept while the shape stays the same.
        nc: number of classes when no names are given.
        kpt_shape: ``(K, D)`` for YOLOv8-pose heads (``[B, 4+nc+K*D, N]``): Detections then carry
            ``keypoints [n, K, D]``; ``nc`` is what the channels leave. None: a detection head.
        threads: threads for the class scan (and, for a batch, the per-image NMS): 0 = auto (all
            cores for outputs >= 1 MB of scores, else 1), 1 = the calling thread only, n = up to n.
            Pass 1 where other threads already keep the cores busy (e.g. inference). The result
            is the same for every value.
    """

    __slots__ = ("conf", "iou", "max_det", "agnostic", "classes", "names", "format", "nc",
                 "kpt_shape", "threads", "_classes", "_prepared")

    def __init__(self, conf: float = 0.25, iou: float = 0.45, max_det: Optional[int] = 300,
                 agnostic: bool = False, classes: Optional[Sequence[int]] = None, *,
                 names: Names = None, format: str = "auto", nc: Optional[int] = None,
                 kpt_shape: Optional[tuple[int, int]] = None, threads: int = 0) -> None:
        self.conf = _unit(conf, "conf")
        self.iou = _unit(iou, "iou")
        self.max_det = _max_det(max_det)
        self.agnostic = bool(agnostic)
        self.threads = _threads(threads)
        if kpt_shape is not None:
            k, d = (int(v) for v in kpt_shape)
            if k < 1 or d not in (2, 3):
                raise ValueError(f"kpt_shape must be (K >= 1, 2 or 3), got {kpt_shape!r}")
            self.kpt_shape: Optional[tuple[int, int]] = (k, d)
            if format == "auto":
                format = "yolov8"
        else:
            self.kpt_shape = None
        if format != "auto" and format not in _FORMATS:
            raise ValueError(f"format must be 'auto' or one of {sorted(_FORMATS)}, got {format!r}")
        self.format = format
        self.classes = None if classes is None else [int(c) for c in np.atleast_1d(classes)]
        # An empty filter keeps nothing (as in Ultralytics); C++ reads [] as "no filter", so ask
        # for a class no head has.
        self._classes = [] if self.classes is None else (self.classes or [-1])
        self._set_names(names, nc)

    def _set_names(self, names: Names, nc: Optional[int]) -> None:
        self.names = _names_dict(names)
        self.nc = _resolve_nc(nc, None if self.kpt_shape is not None else self.names)
        self._prepared: Optional[tuple[tuple[int, int], Any]] = None
        if self.format != "auto" and self.kpt_shape is None and (
                self.nc is not None or _FORMATS[self.format] == "end2end"):
            self._prepare(None)  # the layout does not depend on the shape: build it now

    def with_names(self, names: Names) -> YoloDecoder:
        """A copy that labels its detections with ``names`` (which also fix the class count);
        the other arguments are taken as already checked."""
        new = object.__new__(YoloDecoder)
        for k in ("conf", "iou", "max_det", "agnostic", "classes", "format", "kpt_shape", "threads",
                  "_classes"):
            setattr(new, k, getattr(self, k))
        new._set_names(names, None if self.names is not None else self.nc)
        return new

    def _prepare(self, shape: Optional[tuple[int, ...]]) -> tuple[tuple[int, int], Any]:
        """The C++ decoder for outputs of this shape (cached as a (shape, decoder) pair, replaced
        in one assignment so concurrent calls never see half of it)."""
        kpt_dim = 0
        nc: Optional[int]
        if self.kpt_shape is not None:
            assert shape is not None
            k, kpt_dim = self.kpt_shape
            fmt = _FORMATS[self.format]
            channels = shape[1] if fmt == "channels_first" else shape[2]
            fixed = {"channels_first": 4, "channels_last": 4, "objectness": 5, "end2end": 4}[fmt]
            nc = channels - fixed - k * kpt_dim
            if self.names is not None and fmt != "end2end" and nc != len(self.names):
                raise ValueError(f"output with {channels} channels and kpt_shape {self.kpt_shape} has "
                                 f"{nc} classes but {len(self.names)} names were given")
            if fmt != "end2end" and nc < 1:
                raise ValueError(f"output of shape {shape} has no room for kpt_shape "
                                 f"{self.kpt_shape} plus a class score")
        else:
            nc = self.nc
            if shape is None:
                fmt = _FORMATS[self.format]
            else:
                fmt = _resolve_format(self.format, shape, nc)
                if fmt != "end2end" and nc is None:
                    nc = (shape[1] if fmt == "channels_first" else shape[2]) - \
                        (5 if fmt == "objectness" else 4)
        core = _core.postprocess.YoloDecoder(fmt, int(nc or 0), self.conf, self.iou, self.max_det, self.agnostic,
                                 self._classes, kpt_dim, self.threads)
        key = (-1, -1) if shape is None else (int(shape[1]), int(shape[2]))
        prepared = (key, core)
        if shape is not None or self._prepared is None:
            self._prepared = prepared
        return prepared

    def __call__(self, output: Any, letterbox: Any = None) -> list[Detections]:
        """Decode a batch ``[B, C, N]`` / ``[B, N, C]`` (float32; other floats are converted; a
        one-element list, as onnxruntime returns, is unwrapped) into one :class:`Detections` per
        image. ``letterbox``: a :class:`vxfast.LetterboxInfo` (broadcast over the batch), a
        sequence with one per image, or a ``[B, 6]`` array, to map boxes to source pixels."""
        arr = output
        if type(arr) is not np.ndarray or arr.dtype is not _F32 or arr.ndim != 3:
            arr = _batch_array(output)
        prepared = self._prepared
        if prepared is None or (prepared[0] != arr.shape[1:] and prepared[0][0] != -1):
            prepared = self._prepare(arr.shape)
        # The letterbox goes to C++ as is (a LetterboxInfo is read natively), and Detections skip
        # their argument conversions: right after the model wrote its output this code runs with
        # cold caches, where every Python-level step costs several times its hot-loop time
        # (docs/performance-history.md).
        raw = prepared[1](arr, letterbox)
        names = self.names
        if self.kpt_shape is not None:
            return [Detections._from_core(b, s, c, names, kp) for b, s, c, kp in raw]
        return [Detections._from_core(b, s, c, names, None) for b, s, c, _ in raw]

    def __repr__(self) -> str:
        return (f"YoloDecoder(conf={self.conf}, iou={self.iou}, max_det={self.max_det}, "
                f"agnostic={self.agnostic}, classes={self.classes}, format={self.format!r}, "
                f"nc={self.nc}, kpt_shape={self.kpt_shape}, threads={self.threads})")


def yolo(output: Any, conf: float = 0.25, iou: float = 0.45, max_det: Optional[int] = 300,
         agnostic: bool = False, classes: Optional[Sequence[int]] = None, letterbox: Any = None,
         *, names: Names = None, format: str = "auto", nc: Optional[int] = None,
         threads: int = 0) -> list[Detections]:
    """Decode a YOLO detection head ``[B, C, N]`` / ``[B, N, C]`` into one :class:`Detections`
    per image (always a list; for one image's ``[C, N]`` pass ``output[None]`` and take ``[0]``).

    The arguments are those of :class:`YoloDecoder`; ``letterbox`` (one
    :class:`vxfast.LetterboxInfo`, one per image, or a ``[B, 6]`` array) maps boxes to source
    pixels. To decode many batches of one model, build a :class:`YoloDecoder` once and call it.
    """
    return YoloDecoder(conf, iou, max_det, agnostic, classes, names=names, format=format, nc=nc,
                       threads=threads)(output, letterbox)


def yolo_pose(output: Any, conf: float = 0.25, iou: float = 0.7, max_det: Optional[int] = 300,
              agnostic: bool = False, classes: Optional[Sequence[int]] = None, letterbox: Any = None,
              *, kpt_shape: tuple[int, int] = (17, 3), names: Names = None,
              format: str = "auto", threads: int = 0) -> list[Detections]:
    """Decode a YOLOv8-pose head (``[B, 4+nc+K*D, N]``, default nc=1, K=17, D=3) into one
    :class:`Detections` per image with ``keypoints [n, K, D]`` (x, y mapped like the boxes;
    visibility untouched). ``kpt_shape`` comes from the model metadata (``kpt_shape``) when
    available; the other arguments as in :class:`YoloDecoder`."""
    return YoloDecoder(conf, iou, max_det, agnostic, classes, names=names, format=format,
                       kpt_shape=kpt_shape, threads=threads)(output, letterbox)


# -------------------------------------------------------------------------------------- RetinaFace

def retinaface(output: Any, conf: float = 0.5, iou: float = 0.4, max_det: Optional[int] = 750,
               letterbox: Any = None, *, input_size: Optional[tuple[int, int]] = None,
               variances: tuple[float, float] = (0.1, 0.2),
               scores: str = "auto") -> list[Detections]:
    """Decode RetinaFace (biubug6/Pytorch_Retinaface layout: priors for steps 8/16/32, min sizes
    [[16, 32], [64, 128], [256, 512]]) output ``[B, priors, 16]`` into Detections of class 0
    ("face") with ``keypoints [n, 5, 2]`` (eyes, nose, mouth corners), one per image (always a
    list; for one image's ``[priors, 16]`` pass ``output[None]``).

    ``input_size`` (width, height) of the model input is inferred for square inputs when omitted.
    ``scores``: "probabilities" (softmax inside the export, biubug6's test-mode export),
    "logits" (training-mode export, e.g. the shared retinaface-mnet025.onnx: softmax applied here)
    or "auto" (probabilities when every (background, face) pair is in [0, 1] and sums to 1).
    """
    arr = _batch_array(output)
    if arr.shape[2] != 16:
        raise ValueError(f"RetinaFace output must have shape [B, priors, 16], got {arr.shape}")
    if input_size is None:
        input_size = _square_input_for_priors(arr.shape[1])
    w, h = (int(v) for v in input_size)
    raw = _core.postprocess.retinaface_decode(arr, w, h, float(conf), float(iou), _max_det(max_det),
                                  letterbox, float(variances[0]), float(variances[1]), scores)
    names = {0: "face"}
    return [Detections._from_core(b, s, c, names, kp) for b, s, c, kp in raw]


# --------------------------------------------------------------------------------------- metadata

def names_from_metadata(meta: Any) -> dict[int, str]:
    """Class names from Ultralytics ONNX metadata: a mapping of ``metadata_props`` (e.g.
    ``session.get_modelmeta().custom_metadata_map``), an onnxruntime session, or the ``names``
    string itself (``"{0: 'person', ...}"``)."""
    if hasattr(meta, "get_modelmeta"):
        meta = meta.get_modelmeta().custom_metadata_map
    text = meta.get("names") if isinstance(meta, Mapping) else meta
    if not isinstance(text, str):
        raise ValueError("model metadata has no 'names' entry")
    parsed = ast.literal_eval(text)
    if isinstance(parsed, (list, tuple)):
        parsed = dict(enumerate(parsed))
    if not isinstance(parsed, dict):
        raise ValueError(f"metadata 'names' is not a dict or list: {text[:80]!r}")
    return {int(k): str(v) for k, v in parsed.items()}


# -------------------------------------------------------------------------------------- internals

_F32 = np.dtype(np.float32)


def _batch_array(output: Any) -> np.ndarray:
    if isinstance(output, (list, tuple)) and len(output) == 1 and not np.isscalar(output[0]):
        output = output[0]
    arr = np.asarray(output)
    if arr.dtype != np.float32:
        if not np.issubdtype(arr.dtype, np.floating):
            raise ValueError(f"output must be a float array, got dtype {arr.dtype}")
        arr = arr.astype(np.float32)
    if arr.ndim != 3:
        hint = "; for one image's output pass output[None] and take [0]" if arr.ndim == 2 else ""
        raise ValueError(f"output must have rank 3 [batch, ...], got shape {arr.shape}{hint}")
    return arr


def _unit(v: float, name: str) -> float:
    v = float(v)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {v}")
    return v


def _names_dict(names: Names) -> Optional[dict[int, str]]:
    if names is None or type(names) is dict:
        # Used as given (shared by every Detections, not copied): rebuilding an 80-entry dict per
        # call cost ~12 us, a tenth of the whole decode.
        return names
    if isinstance(names, Mapping):
        return {int(k): str(v) for k, v in names.items()}
    return dict(enumerate(str(n) for n in names))


def _resolve_nc(nc: Optional[int], names: Optional[dict[int, str]]) -> Optional[int]:
    if nc is not None:
        if int(nc) < 1:
            raise ValueError(f"nc must be >= 1, got {nc}")
        if names is not None and len(names) != nc:
            raise ValueError(f"nc={nc} disagrees with {len(names)} names")
        return int(nc)
    return len(names) if names else None


def _resolve_format(format: str, shape: tuple[int, ...], nc: Optional[int]) -> str:
    if format != "auto":
        try:
            return _FORMATS[format]
        except KeyError:
            raise ValueError(f"format must be 'auto' or one of {sorted(_FORMATS)}, got {format!r}") from None
    _, d1, d2 = shape
    if (d1 < d2 or d2 == 0) and (nc is None or d1 >= 4 + nc):
        return "channels_first"
    if nc is not None:
        if d2 == 4 + nc:
            return "channels_last"
        if d2 == 5 + nc:
            return "objectness"
        if d2 == 6:
            return "end2end"
    raise ValueError(f"cannot tell the layout of an output of shape {list(shape)}"
                     f"{'' if nc is None else f' with {nc} classes'}; pass format= "
                     "('yolov8', 'yolov8-transposed', 'yolov5', 'yolox' or 'end2end') or names=/nc=")


def _max_det(max_det: Optional[int]) -> int:
    if max_det is None:
        return -1
    if int(max_det) < 0:
        raise ValueError(f"max_det must be >= 0 or None, got {max_det}")
    return int(max_det)


def _threads(threads: int) -> int:
    if type(threads) is not int:
        threads = operator.index(threads)
    if threads < 0:
        raise ValueError(f"threads must be >= 0 (0 = auto), got {threads}")
    return threads


def _int_array(a: Any, name: str) -> np.ndarray:
    a = np.asarray(a)
    if a.size and not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"{name} must hold integers, got dtype {a.dtype}")
    return a.astype(np.int64, copy=False)


def _square_input_for_priors(n: int) -> tuple[int, int]:
    for s in range(32, 4097, 32):
        if _core.postprocess.retinaface_prior_count(s, s) == n:
            return (s, s)
    raise ValueError(f"{n} priors match no square RetinaFace input; pass input_size=(width, height)")
