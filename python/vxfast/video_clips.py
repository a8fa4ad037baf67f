"""Clip tensors for temporal models (X3D, SlowFast, keyframe-importance, per-frame encoders).

>>> import vxfast
>>> from vxfast.shared_data import shared_path
>>> c = next(vxfast.clips(shared_path("media/vtest.avi"), frames_per_clip=16))
>>> c.data.shape, c.data.dtype.name        # (C, T, H, W), Kinetics-normalised
((3, 16, 224, 224), 'float32')
>>> vxfast.clip_batch(shared_path("media/vtest.avi"), sample="uniform:60", layout="TCHW").data.shape
(1, 60, 3, 224, 224)

Frames go from the decoder's YUV planes through the fused preprocessing
(:meth:`VideoReader.get_frames_at` with a :class:`CenterCrop`/:class:`Resize` spec, one pass per
frame, no RGB frame in between) and are copied once into a clip array allocated up front. Decoding
seeks to the keyframe before a clip when that skips frames and decodes straight on otherwise, so a
few clips never decode the whole file. Which frames a clip holds is :func:`clip_indices`.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np

from .preprocessing import _CLIP_MEAN, _CLIP_STD, _IMAGENET_MEAN, _IMAGENET_STD, CenterCrop, Resize, _size_hw
from .video import VideoReader

__all__ = ["Clip", "ClipBatch", "Embeddings", "clips", "clip_batch", "clip_indices", "slow_indices",
           "embed", "CLIP_NORMS", "CLIP_LAYOUTS"]

#: Normalisation presets, (mean, std) per RGB channel on 0..1 pixels.
CLIP_NORMS = {
    "kinetics": ((0.45, 0.45, 0.45), (0.225, 0.225, 0.225)),  # PyTorchVideo X3D / SlowFast / MViT
    "imagenet": (_IMAGENET_MEAN, _IMAGENET_STD),               # torchvision
    "clip": (_CLIP_MEAN, _CLIP_STD),                           # OpenAI CLIP
}
#: Axis orders of ``Clip.data`` (a batch adds a leading N).
CLIP_LAYOUTS = ("CTHW", "TCHW", "THWC")

PathLike = Union[str, "os.PathLike[str]"]
Norm = Union[None, str, tuple[Sequence[float], Sequence[float]]]


@dataclass
class Clip:
    """One clip. ``data`` is owned by the clip (no buffer is reused after you drop it).

    Attributes:
        data: the tensor in ``layout`` (``CTHW``: (3, T, H, W), ``TCHW``, ``THWC``).
        indices: (T,) int64 display indices of the frames (repeats when a short video is padded).
        pts: (T,) float64 presentation times in seconds.
        layout: ``"CTHW"``, ``"TCHW"`` or ``"THWC"``.
        number: position of the clip in the sequence ``clips()`` yields.
        slow: the SlowFast slow pathway (``alpha`` given): ``data`` subsampled along T at
            :func:`slow_indices`; ``data`` is then the fast pathway. None otherwise.
    """

    data: np.ndarray
    indices: np.ndarray
    pts: np.ndarray
    layout: str
    number: int = 0
    slow: Optional[np.ndarray] = None

    @property
    def pathways(self) -> list[np.ndarray]:
        """``[slow, fast]`` (PyTorchVideo SlowFast input order) when ``alpha`` was given, else ``[data]``."""
        return [self.data] if self.slow is None else [self.slow, self.data]

    def batched(self) -> np.ndarray:
        """``data`` with a leading batch axis of 1 (a view): X3D's (1, 3, 16, 224, 224)."""
        return self.data[None]


@dataclass
class ClipBatch:
    """Several clips in one array: ``data`` (N, *clip shape), ``indices``/``pts`` (N, T)."""

    data: np.ndarray
    indices: np.ndarray
    pts: np.ndarray
    layout: str
    slow: Optional[np.ndarray] = None

    @property
    def pathways(self) -> list[np.ndarray]:
        """``[slow, fast]`` batches when ``alpha`` was given, else ``[data]``."""
        return [self.data] if self.slow is None else [self.slow, self.data]

    def __len__(self) -> int:
        return int(self.data.shape[0])


# -- argument checking ---------------------------------------------------------------------------
def _pos_int(v: Any, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
        raise ValueError(f"{name}={v!r}: expected a positive int")
    return int(v)


def _parse_uniform(sample: Any) -> int:
    if not isinstance(sample, str) or not sample.startswith("uniform:"):
        raise ValueError(f"sample={sample!r}: expected 'uniform:N' (N frames over the whole video)")
    try:
        n = int(sample[len("uniform:"):])
    except ValueError:
        raise ValueError(f"sample={sample!r}: N in 'uniform:N' must be an int") from None
    if n <= 0:
        raise ValueError(f"sample={sample!r}: N in 'uniform:N' must be positive")
    return n


def _norm(norm: Norm) -> tuple[tuple[float, ...], tuple[float, ...]]:
    if norm is None:
        return (0.0,) * 3, (1.0,) * 3
    if isinstance(norm, str):
        key = norm.lower()
        if key not in CLIP_NORMS:
            raise ValueError(f"norm={norm!r}: expected one of {', '.join(CLIP_NORMS)}, a (mean, std) "
                             "pair or None")
        return CLIP_NORMS[key]
    try:
        mean, std = norm
        mean_t = tuple(float(x) for x in np.broadcast_to(np.asarray(mean, np.float64), (3,)))
        std_t = tuple(float(x) for x in np.broadcast_to(np.asarray(std, np.float64), (3,)))
    except (TypeError, ValueError):
        raise ValueError(f"norm={norm!r}: expected a preset name or a (mean, std) pair of one or "
                         "three values each") from None
    if not all(s > 0 and np.isfinite(s) for s in std_t) or not all(np.isfinite(m) for m in mean_t):
        raise ValueError(f"norm={norm!r}: std must be finite and > 0, mean finite")
    return mean_t, std_t


def _make_spec(size: Any, crop: str, resize_short: Optional[int], layout: str, norm: Norm, dtype: Any):
    hw = _size_hw(size, "size")
    if not isinstance(crop, str) or crop.lower() not in ("center", "resize"):
        raise ValueError(f"crop={crop!r}: expected 'center' (short side to size, centre crop) or "
                         "'resize' (stretch to size)")
    if resize_short is not None:
        resize_short = _pos_int(resize_short, "resize_short")
    dname = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if dname not in ("float32", "float16", "uint8"):
        raise ValueError(f"dtype={dtype!r}: expected float32, float16 or uint8")
    mean, std = _norm(norm)
    if dname == "uint8":  # raw 0..255 pixels: normalisation belongs to the model then
        mean, std = (0.0,) * 3, (1.0,) * 3
    frame_layout = "hwc" if layout == "THWC" else "chw"
    kw: dict[str, Any] = dict(mean=mean, std=std, layout=frame_layout, dtype=dname)
    if crop.lower() == "resize":
        if resize_short is not None:
            raise ValueError(f"resize_short={resize_short!r}: only meaningful with crop='center'")
        return Resize(hw, **kw)
    return CenterCrop(hw, resize_short if resize_short is not None else min(hw), **kw)


def _layout(layout: Any) -> str:
    s = str(layout).upper()
    if s not in CLIP_LAYOUTS:
        raise ValueError(f"layout={layout!r}: expected one of {', '.join(CLIP_LAYOUTS)}")
    return s


# -- which frames --------------------------------------------------------------------------------
def clip_indices(frame_count: int, frames_per_clip: int = 16, step: int = 1,
                 num_clips: Union[int, str] = 1, *, sample: Optional[str] = None,
                 short: str = "pad") -> np.ndarray:
    """Display indices of every clip, shape (num_clips, T), int64. Pure arithmetic (no video).

    With ``n = frame_count``, ``F = frames_per_clip`` and ``span = (F - 1) * step + 1``:

    * ``num_clips=K`` (int): clip k is centred on the middle of the k-th of K equal segments,
      ``start_k = clamp((2k + 1) * n // (2K) - span // 2, 0, max(n - span, 0))`` and
      ``indices = start_k + j * step`` for j in 0..F-1. One clip is the centre of the video.
    * ``num_clips="all"``: consecutive clips, ``start_k = k * F * step`` for every k with
      ``start_k + span <= n`` (a partial clip at the end is dropped).
    * ``sample="uniform:N"``: one clip of N frames over the whole video, first and last included,
      ``round_half_up(j * (n - 1) / (N - 1))`` (as ``VideoReader.frames(sample="uniform:N")``);
      ``frames_per_clip``/``step``/``num_clips`` are not used.

    A video with fewer than ``span`` frames gives one clip (``"all"``) or K clips starting at 0,
    whose indices past the end repeat the last frame (``min(i, n - 1)``, PyTorchVideo's padding);
    ``short="error"`` raises ValueError instead.
    """
    n = int(frame_count)
    if n <= 0:
        raise ValueError(f"frame_count={frame_count!r}: the video has no frames")
    if short not in ("pad", "error"):
        raise ValueError(f"short={short!r}: expected 'pad' or 'error'")
    if sample is not None:
        count = _parse_uniform(sample)
        if count == 1:
            return np.zeros((1, 1), np.int64)
        j = np.arange(count, dtype=np.int64)
        return ((2 * j * (n - 1) + (count - 1)) // (2 * (count - 1)))[None]
    f = _pos_int(frames_per_clip, "frames_per_clip")
    s = _pos_int(step, "step")
    span = (f - 1) * s + 1
    if span > n and short == "error":
        raise ValueError(f"frames_per_clip={f}, step={s}: a clip spans {span} frames but the video has "
                         f"{n} (pass short='pad' to repeat the last frame)")
    if isinstance(num_clips, str):
        if num_clips != "all":
            raise ValueError(f"num_clips={num_clips!r}: expected a positive int or 'all'")
        k = max(1, (n - span) // (f * s) + 1) if n >= span else 1
        starts = np.arange(k, dtype=np.int64) * (f * s)
    else:
        k = _pos_int(num_clips, "num_clips")
        kk = np.arange(k, dtype=np.int64)
        starts = np.clip((2 * kk + 1) * n // (2 * k) - span // 2, 0, max(n - span, 0))
    idx = starts[:, None] + np.arange(f, dtype=np.int64)[None] * s
    return np.minimum(idx, n - 1)


def slow_indices(frames: int, alpha: int) -> np.ndarray:
    """Frames of the fast pathway the slow pathway keeps: ``floor(j * (T - 1) / (T//alpha - 1))``.

    PyTorchVideo's ``PackPathway`` takes ``torch.linspace(0, T - 1, T // alpha).long()``; this is
    the same selection computed exactly (no float32 rounding at whole numbers).
    """
    t = _pos_int(frames, "frames")
    a = _pos_int(alpha, "alpha")
    if a > t:
        raise ValueError(f"alpha={alpha!r}: larger than the {t} frames of a clip")
    m = t // a
    if m == 1:
        return np.zeros(1, np.int64)
    j = np.arange(m, dtype=np.int64)
    return j * (t - 1) // (m - 1)


# -- decoding ------------------------------------------------------------------------------------
class _Plan:
    """Everything checked and computed before the first frame is decoded."""

    def __init__(self, video, frames_per_clip, step, num_clips, size, crop, layout, norm, dtype,
                 sample, resize_short, alpha, short, threads):
        self.layout = _layout(layout)
        self.spec = _make_spec(size, crop, resize_short, self.layout, norm, dtype)
        if sample is not None:
            _parse_uniform(sample)
            if num_clips != 1 or step != 1:
                raise ValueError(f"sample={sample!r}: makes one clip over the whole video; leave "
                                 f"num_clips ({num_clips!r}) and step ({step!r}) at 1")
        else:
            _pos_int(frames_per_clip, "frames_per_clip")
            _pos_int(step, "step")
            if not (num_clips == "all" or (isinstance(num_clips, (int, np.integer))
                                           and not isinstance(num_clips, bool) and num_clips > 0)):
                raise ValueError(f"num_clips={num_clips!r}: expected a positive int or 'all'")
        if short not in ("pad", "error"):
            raise ValueError(f"short={short!r}: expected 'pad' or 'error'")
        if isinstance(video, VideoReader):
            self.reader, self.owned = video, False
        elif isinstance(video, (str, os.PathLike)):
            self.reader, self.owned = VideoReader(video, threads), True
        else:
            raise TypeError(f"video: expected a path or a VideoReader, got {type(video).__name__}")
        try:
            self.indices = clip_indices(len(self.reader), frames_per_clip, step, num_clips,
                                        sample=sample, short=short)
            t = self.indices.shape[1]
            self.alpha = None if alpha is None else _pos_int(alpha, "alpha")
            self.slow = None if self.alpha is None else slow_indices(t, self.alpha)
            info = self.reader.info
            fshape = self.spec.output_shape(info.width, info.height)  # (3, H, W) or (H, W, 3)
            if self.layout == "CTHW":
                self.clip_shape = (fshape[0], t) + tuple(fshape[1:])
            else:
                self.clip_shape = (t,) + tuple(fshape)
            self.dtype = np.dtype(self.spec.dtype)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.owned:
            self.reader.close()

    def fill(self, k: int, out: np.ndarray) -> np.ndarray:
        """Decodes clip k into ``out`` (its clip shape); returns the pts."""
        want = self.indices[k]
        frames = self.reader.get_frames_at(want.tolist(), preprocess=self.spec)
        pts = np.empty(len(want), np.float64)
        for t, fr in enumerate(frames):
            # One copy from the decoder's tensor into the clip slot; CTHW is strided per channel.
            if self.layout == "CTHW":
                out[:, t] = fr.data
            else:
                out[t] = fr.data
            pts[t] = fr.pts
        return pts

    def time_axis(self, batched: bool) -> int:
        return (1 if self.layout == "CTHW" else 0) + (1 if batched else 0)


def clips(video: Union[PathLike, VideoReader], frames_per_clip: int = 16, step: int = 1,
          num_clips: Union[int, str] = 1, size: Union[int, tuple[int, int]] = 224, crop: str = "center",
          layout: str = "CTHW", norm: Norm = "kinetics", dtype: Any = "float32", *,
          sample: Optional[str] = None, resize_short: Optional[int] = None,
          alpha: Optional[int] = None, short: str = "pad", threads: Optional[int] = None) -> Iterator[Clip]:
    """Yields :class:`Clip` tensors for temporal models, one clip at a time.

    Args:
        video: a path (opened and closed here) or an open :class:`VideoReader`.
        frames_per_clip: T, frames per clip.
        step: distance between a clip's frames, in display frames.
        num_clips: K clips spread uniformly over the video, or ``"all"`` for consecutive clips;
            exact indices in :func:`clip_indices`.
        size: output side (int, square) or ``(height, width)``.
        crop: ``"center"``: short side resized to ``resize_short`` (default: the short side of
            ``size``), bilinear, then the centre cropped (torchvision ``Resize`` + ``CenterCrop``);
            ``"resize"``: stretched to ``size``.
        layout: ``"CTHW"`` (PyTorchVideo / X3D / SlowFast), ``"TCHW"`` (per-frame encoders,
            keyframe models) or ``"THWC"``.
        norm: ``"kinetics"`` (mean 0.45, std 0.225), ``"imagenet"``, ``"clip"``, an explicit
            ``(mean, std)`` pair on 0..1 pixels (one or three values each), or None for 0..1.
            Ignored for ``dtype="uint8"`` (raw pixels).
        dtype: ``"float32"``, ``"float16"`` or ``"uint8"``.
        sample: ``"uniform:N"``: one clip of N frames spread over the whole video, first and last
            included (keyframe-importance models: ``sample="uniform:60", layout="TCHW"``).
        resize_short: short side before the centre crop (``256`` with ``size=224`` is the
            torchvision ImageNet / Kinetics-eval convention).
        alpha: SlowFast: ``clip.slow`` is the slow pathway (``T // alpha`` frames taken from the
            decoded fast clip, nothing decoded twice); ``clip.pathways`` is ``[slow, fast]``.
        short: a video shorter than a clip's span: ``"pad"`` repeats its last frame (PyTorchVideo's
            behaviour), ``"error"`` raises ValueError.
        threads: decoder threads when ``video`` is a path, as :class:`VideoReader`
            (None: vxfast's choice; 0: FFmpeg's choice).

    Raises:
        ValueError: a bad argument (the message names it and its value).
        VideoError: the file cannot be read or a frame cannot be decoded.
    """
    plan = _Plan(video, frames_per_clip, step, num_clips, size, crop, layout, norm, dtype, sample,
                 resize_short, alpha, short, threads)
    return _iterate(plan)


def _iterate(plan: _Plan) -> Iterator[Clip]:
    try:
        ax = plan.time_axis(False)
        for k in range(plan.indices.shape[0]):
            data = np.empty(plan.clip_shape, plan.dtype)
            pts = plan.fill(k, data)
            slow = None if plan.slow is None else np.take(data, plan.slow, axis=ax)
            yield Clip(data, plan.indices[k].copy(), pts, plan.layout, k, slow)
    finally:
        plan.close()


def clip_batch(video: Union[PathLike, VideoReader], frames_per_clip: int = 16, step: int = 1,
               num_clips: Union[int, str] = 1, size: Union[int, tuple[int, int]] = 224,
               crop: str = "center", layout: str = "CTHW", norm: Norm = "kinetics",
               dtype: Any = "float32", *, sample: Optional[str] = None,
               resize_short: Optional[int] = None, alpha: Optional[int] = None, short: str = "pad",
               threads: Optional[int] = None) -> ClipBatch:
    """All clips of :func:`clips` in one array ``(N, *clip shape)``, each decoded straight into its
    slot: ``clip_batch(v).data`` is X3D's (1, 3, 16, 224, 224); ``num_clips=10`` gives the
    multi-view test batch. Same arguments as :func:`clips`."""
    plan = _Plan(video, frames_per_clip, step, num_clips, size, crop, layout, norm, dtype, sample,
                 resize_short, alpha, short, threads)
    try:
        n = plan.indices.shape[0]
        data = np.empty((n,) + plan.clip_shape, plan.dtype)
        pts = np.empty(plan.indices.shape, np.float64)
        for k in range(n):
            pts[k] = plan.fill(k, data[k])
    finally:
        plan.close()
    slow = None if plan.slow is None else np.take(data, plan.slow, axis=plan.time_axis(True))
    return ClipBatch(data, plan.indices.copy(), pts, plan.layout, slow)


# -- per-frame embeddings -------------------------------------------------------------------------
@dataclass
class Embeddings:
    """Per-frame model outputs: ``vectors`` (N, D) float32, ``index`` (N,) int64, ``pts`` (N,) s."""

    vectors: np.ndarray
    index: np.ndarray
    pts: np.ndarray

    def __len__(self) -> int:
        return int(self.vectors.shape[0])


def embed(video: Union[PathLike, VideoReader], model: Any, *, sample: str = "fps:1",
          preprocess: Any = None, batch_size: int = 16, output: Union[int, str] = 0,
          normalize: bool = False, start: Optional[float] = None, end: Optional[float] = None,
          threads: Optional[int] = None) -> Embeddings:
    """Runs an ONNX image model (CLIP-style image encoder, any classifier) over sampled frames.

    Args:
        video: a path or an open :class:`VideoReader`.
        model: a :class:`vxfast.Model`, or a path / name to open one with.
        sample: which frames, as :meth:`VideoReader.frames` (``"fps:1"``, ``"uniform:32"``, ...).
        preprocess: the model's spec; default :meth:`vxfast.presets.clip` at the model's input size
            (224 when the size is not fixed in the graph).
        batch_size: frames per model call; the last batch may be smaller.
        output: which output (index or name) holds the embedding; each frame's output is flattened.
        normalize: L2-normalise each vector (CLIP similarity search).
        start, end: seconds, as :meth:`VideoReader.frames`.

    Frames are decoded and preprocessed in one pass into a preallocated batch (the decoder's
    tensors are copied once into their batch slot), then the batch is run.
    """
    from .model import Model
    from .preprocessing import _Spec, presets

    bs = _pos_int(batch_size, "batch_size")
    m = model if isinstance(model, Model) else Model(model)
    if preprocess is None:
        hw = tuple(m.info.inputs[0].shape[-2:])
        size: tuple[int, int] = (224, 224)
        if len(hw) == 2 and all(isinstance(d, int) and d > 0 for d in hw):
            size = (int(hw[0]), int(hw[1]))  # type: ignore[arg-type]
        preprocess = presets.clip(size[0] if size[0] == size[1] else size)
    elif not isinstance(preprocess, _Spec):
        raise ValueError(f"preprocess={preprocess!r}: expected a spec such as vxfast.presets.clip()")
    names = [o.name for o in m.info.outputs]
    if isinstance(output, str):
        if output not in names:
            raise ValueError(f"output={output!r}: the model's outputs are {names}")
        out_i = names.index(output)
    elif isinstance(output, (int, np.integer)) and not isinstance(output, bool) and 0 <= output < len(names):
        out_i = int(output)
    else:
        raise ValueError(f"output={output!r}: expected an output index < {len(names)} or a name in {names}")
    reader = video if isinstance(video, VideoReader) else VideoReader(video, threads)
    owned = reader is not video
    try:
        info = reader.info
        fshape = preprocess.output_shape(info.width, info.height)
        batch = np.empty((bs,) + tuple(fshape), np.dtype(preprocess.dtype))
        vecs: list[np.ndarray] = []
        index: list[int] = []
        pts: list[float] = []
        fill = 0

        def flush(k: int) -> None:
            y = m.run(batch[:k])[out_i]
            vecs.append(np.asarray(y, np.float32).reshape(k, -1))

        for fr in reader.frames(sample=sample, start=start, end=end, preprocess=preprocess):
            batch[fill] = fr.data
            index.append(fr.index)
            pts.append(fr.pts)
            fill += 1
            if fill == bs:
                flush(fill)
                fill = 0
        if fill:
            flush(fill)
    finally:
        if owned:
            reader.close()
    v = np.concatenate(vecs) if vecs else np.empty((0, 0), np.float32)
    if normalize and len(v):
        v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    return Embeddings(v, np.asarray(index, np.int64), np.asarray(pts, np.float64))
