"""``vxfast.detection``: :func:`vxfast.detect`, detections over a whole video at the speed of the model.

A C++ producer thread decodes and letterboxes frames straight into preallocated batch tensors while
the model runs (onnxruntime releases the GIL), so decode and preprocessing hide behind inference;
postprocessing is the C++ YOLO decode + NMS (~0.1 ms a frame), prepared once per call
(:class:`vxfast.postprocess.YoloDecoder`) and fed the batch's native letterbox geometry.

>>> import vxfast
>>> from vxfast.shared_data import shared_path
>>> for r in vxfast.detect(shared_path("media/vtest.avi"), shared_path("models/yolov8n.onnx"),
...                        sample="uniform:2"):
...     print(r.index, len(r), sorted(set(r.class_names.tolist()))[:1])
0 ... ['person']
340 ... ['person']
"""
from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Union

from .config import Config, heuristics, resolve_config
from .detections import Detections
from .pipeline import Pipeline
from .postprocess import YoloDecoder
from .video import VideoReader

if TYPE_CHECKING:
    from .model import Model

__all__ = ["detect", "FrameDetections", "DetectStats", "default_streams"]

#: Deprecated name: :func:`detect` yields :class:`Detections` (with ``index`` and ``pts`` set).
FrameDetections = Detections


@dataclass
class DetectStats:
    """Where the time went. ``wait_s`` is time the consumer waited for decoded batches: near zero
    means decode+preprocess were fully hidden behind inference. With several model streams,
    ``inference_s`` and ``postprocess_s`` add up every stream's time, so they can exceed ``wall_s``."""

    frames: int = 0
    detections: int = 0
    batches: int = 0
    streams: int = 1
    wall_s: float = 0.0
    wait_s: float = 0.0
    inference_s: float = 0.0
    postprocess_s: float = 0.0
    decode: dict = field(default_factory=dict)

    @property
    def fps(self) -> float:
        return self.frames / self.wall_s if self.wall_s > 0 else 0.0


def default_streams(providers: Any = "auto", tensorrt: bool = True) -> int:
    """Model streams :func:`detect` uses when it loads the model itself and the config leaves
    ``streams`` at 0: :func:`vxfast.config.heuristics.model_streams` (2 on the CPU, else 1)."""
    return heuristics.model_streams(heuristics.config_runs_on_cpu(providers, tensorrt))


class _Detector:
    def __init__(self, video: Union[str, os.PathLike[str], VideoReader], model: Any,
                 cfg: Config, batch: Optional[int], sample: str, decoder: YoloDecoder,
                 start: Optional[float], end: Optional[float], streams: Optional[int]) -> None:
        from .model import Model

        if isinstance(model, Model):
            self.model = model
        else:
            if streams is None:
                streams = cfg.streams or (default_streams(cfg.providers, cfg.tensorrt)
                                          if not str(model).endswith(".engine") else 1)
            self.model = Model(model, profile=cfg, batch=batch, streams=streams)
        info = self.model.info
        if info.task not in (None, "detect"):
            raise ValueError(f"detect() needs a detection model; {info.name} is a {info.task!r} model")
        if batch is None:
            batch = max(1, int(getattr(self.model, "batch", 1) or 1))
        imgsz = info.imgsz or self._input_hw(batch, cfg)
        from .preprocessing import Letterbox

        if isinstance(video, VideoReader):
            self.reader = video
        else:
            on_cpu = heuristics.providers_run_on_cpu(getattr(info, "providers", None) or [])
            self.reader = VideoReader(video, threads=heuristics.decoder_threads_for_model(on_cpu))
        self.spec = Letterbox((int(imgsz[0]), int(imgsz[1])))
        self.pipeline = Pipeline(self.reader, self.spec, batch=batch, sample=sample, start=start, end=end)
        self.decoder = decoder.with_names(self.model.names) if self.model.names else decoder
        self.stats = DetectStats()

    def _input_hw(self, batch: int, cfg: Config) -> tuple[int, int]:
        """The model input's (height, width); ``cfg.input_size`` when the model leaves them free."""
        from .errors import ModelError

        try:
            return tuple(self.model.input_shape(batch)[-2:])  # type: ignore[return-value]
        except ModelError:
            return (cfg.input_size, cfg.input_size)

    def _infer(self, b: Any) -> tuple:
        """Inference + postprocessing of one batch on whichever model stream is free. Runs on a
        worker thread when the model has several streams (onnxruntime and the C++ decode + NMS
        release the GIL)."""
        with self.model.stream() as s:
            t1 = time.perf_counter()
            outs = s.run(b.tensor, copy=False)
            t2 = time.perf_counter()
            dets = self.decoder(outs[0], b.letterbox)
            t3 = time.perf_counter()
        return b.indices, b.pts, dets, t2 - t1, t3 - t2

    def __iter__(self) -> Iterator[Detections]:
        st = self.stats
        n = st.streams = self.model.streams
        t_start = time.perf_counter()
        it = iter(self.pipeline)
        # Up to n batches in flight, one per model stream; results are yielded in frame order.
        # A batch's ring slot is handed back when its worker drops it.
        pool = ThreadPoolExecutor(n, thread_name_prefix="vxfast-detect") if n > 1 else None
        pending: deque = deque()
        done = False
        try:
            while True:
                while not done and len(pending) < n:
                    t0 = time.perf_counter()
                    try:
                        b = next(it)
                    except StopIteration:
                        done = True
                        break
                    st.wait_s += time.perf_counter() - t0
                    pending.append(pool.submit(self._infer, b) if pool else self._infer(b))
                    del b
                if not pending:
                    break
                head = pending.popleft()
                indices, pts, dets, t_inf, t_post = head.result() if pool else head
                st.inference_s += t_inf
                st.postprocess_s += t_post
                st.batches += 1
                for k, d in enumerate(dets):
                    st.frames += 1
                    st.detections += len(d)
                    d.index = int(indices[k])
                    d.pts = float(pts[k])
                    yield d
        finally:
            if pool is not None:
                for f in pending:
                    f.cancel()
                pool.shutdown(wait=True)  # no worker outlives the iterator
            st.wall_s = time.perf_counter() - t_start
            st.decode = self.pipeline.stats()
            self.pipeline.close()


def detect(video: Union[str, os.PathLike[str], VideoReader], model: Union[str, os.PathLike[str], Model],
           *, batch: Optional[int] = None, sample: str = "all", conf: Optional[float] = None,
           iou: Optional[float] = None, max_det: Optional[int] = None,
           classes: Optional[Sequence[int]] = None, agnostic: bool = False,
           profile: str | Config | None = None, start: Optional[float] = None,
           end: Optional[float] = None, stats: Optional[DetectStats] = None,
           streams: Optional[int] = None) -> Iterator[Detections]:
    """Runs a YOLO-style detector over a video; yields one :class:`Detections` per frame, in
    order, with ``index`` (the frame's index) and ``pts`` (seconds) set.

    Args:
        video: a path or a :class:`VideoReader`.
        model: a path, a bare model name (``VXFAST_MODEL_DIR``, ``models/``) or a :class:`vxfast.Model`.
        batch: frames per inference call (default: the profile's batch, else the model's).
        sample, start, end: which frames (as :meth:`VideoReader.frames`).
        conf, iou, max_det: thresholds and the per-frame cap (default: the profile's
            ``conf_threshold`` / ``iou_threshold`` / ``max_det``: 0.25 / 0.45 / 300).
        classes, agnostic: as :class:`vxfast.postprocess.YoloDecoder`.
        profile: a profile name or :class:`vxfast.Config`, resolved once here (with the
            ``VXFAST_*`` environment); explicit arguments override it.
        stats: a :class:`DetectStats` to fill (frames, detections, time per stage) as it runs.
        streams: model sessions running batches concurrently when ``model`` is loaded here
            (default: the profile's, else :func:`default_streams`: 2 on the CPU, 1 on a GPU); a
            given :class:`vxfast.Model` runs with its own ``streams``.

    The decoder (thresholds, class filter, layout) is prepared once per call and checked before
    the model is loaded; decoder threads come from :mod:`vxfast.config.heuristics` when ``video``
    is a path.
    """
    cfg = resolve_config(profile)  # once; explicit arguments override it
    if batch is None and cfg.batch_size:
        batch = int(cfg.batch_size)
    # Checked before the model loads; labelled with the model's names once it has.
    decoder = YoloDecoder(cfg.conf_threshold if conf is None else conf,
                          cfg.iou_threshold if iou is None else iou,
                          cfg.max_det if max_det is None else max_det, agnostic, classes,
                          threads=heuristics.postprocess_threads_beside_inference())
    d = _Detector(video, model, cfg, batch, sample, decoder, start, end, streams)
    if stats is not None:
        d.stats = stats
    return iter(d)
