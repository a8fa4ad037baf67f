"""``vxfast.detect``: detections over a whole video at the speed of the model.

A C++ producer thread decodes and letterboxes frames straight into preallocated batch tensors while
the model runs (onnxruntime releases the GIL), so decode and preprocessing hide behind inference;
postprocessing is the C++ YOLO decode + NMS (~0.2 ms a frame).

>>> import vxfast
>>> from vxfast.shared_data import shared_path
>>> for r in vxfast.detect(shared_path("media/vtest.avi"), shared_path("models/yolov8n.onnx"),
...                        sample="uniform:2"):
...     print(r.index, len(r), sorted(set(r.class_names))[:1])
0 ... ['person']
340 ... ['person']
"""
from __future__ import annotations

import os
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Union

import numpy as np

from .detections import Detections
from .pipeline import Pipeline
from .video import VideoReader

__all__ = ["detect", "FrameDetections", "DetectStats", "default_streams"]


@dataclass
class FrameDetections:
    """Detections of one frame, in source-frame pixels."""

    index: int
    pts: float
    detections: Detections

    @property
    def xyxy(self) -> np.ndarray:
        return self.detections.xyxy

    @property
    def scores(self) -> np.ndarray:
        return self.detections.scores

    @property
    def class_ids(self) -> np.ndarray:
        return self.detections.class_ids

    @property
    def names(self) -> Optional[Dict[int, str]]:
        return self.detections.names

    @property
    def class_names(self) -> List[str]:
        names = self.detections.names or {}
        return [names.get(int(c), str(int(c))) for c in self.detections.class_ids]

    def __len__(self) -> int:
        return len(self.detections)


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


def _decoder_threads(info) -> int:
    """Decoder threads for a pipeline feeding this model. When the model runs on the CPU of a small
    machine it already keeps every core busy; one decode thread then beats FFmpeg's auto choice
    (measured on 2 cores, 1080p H.264 + YOLOv8n: 18.1 vs 17.2 fps, docs/performance.md)."""
    providers = [str(p) for p in (getattr(info, "providers", None) or [])]
    on_cpu = not providers or all(p.startswith("CPU") for p in providers)
    return 1 if on_cpu and (os.cpu_count() or 1) <= 4 else 0


def default_streams(providers="auto", tensorrt: bool = True) -> int:
    """Model streams :func:`detect` uses when it loads the model itself: 2 when the model runs on
    the CPU (two 1-thread sessions on alternate batches out-run one 2-thread session by ~20 % on
    2 cores: docs/performance.md), else 1 (a GPU queue gains nothing from a second session)."""
    import onnxruntime as ort

    from .model.providers import runs_on_cpu

    cores = os.cpu_count() or 1
    return 2 if cores >= 2 and runs_on_cpu(providers, ort.get_available_providers(),
                                           tensorrt=tensorrt) else 1


class _Detector:
    def __init__(self, video, model, batch, sample, conf, iou, max_det, classes, profile, start, end,
                 agnostic, streams):
        from .model import Model
        from .postprocess import yolo  # noqa: F401  (fail early if missing)

        if not 0.0 <= conf <= 1.0:
            raise ValueError(f"conf={conf!r} must be within [0, 1]")
        if not 0.0 <= iou <= 1.0:
            raise ValueError(f"iou={iou!r} must be within [0, 1]")
        if isinstance(model, Model):
            self.model = model
        else:
            from .config import resolve_config

            if streams is None:
                cfg = resolve_config(profile)
                streams = cfg.streams or (default_streams(cfg.providers, cfg.tensorrt)
                                          if not str(model).endswith(".engine") else 1)
            self.model = Model(model, profile=profile, batch=batch, streams=streams)
        info = self.model.info
        if info.task not in (None, "detect"):
            raise ValueError(f"detect() needs a detection model; {info.name} is a {info.task!r} model")
        if batch is None:
            batch = max(1, int(getattr(self.model, "batch", 1) or 1))
        imgsz = info.imgsz or tuple(self.model.input_shape(batch)[-2:])
        from .preprocess import Letterbox

        self.reader = video if isinstance(video, VideoReader) else VideoReader(video, threads=_decoder_threads(info))
        self.spec = Letterbox(tuple(int(s) for s in imgsz))
        self.pipeline = Pipeline(self.reader, self.spec, batch=batch, sample=sample, start=start, end=end)
        self.kw = dict(conf=conf, iou=iou, max_det=max_det, classes=classes, agnostic=agnostic)
        self.stats = DetectStats()

    def _infer(self, b) -> tuple:
        """Inference + postprocessing of one batch on whichever model stream is free. Runs on a
        worker thread when the model has several streams (onnxruntime and the C++ decode + NMS
        release the GIL)."""
        from .postprocess import yolo

        with self.model.stream() as s:
            t1 = time.perf_counter()
            outs = s.run(b.tensor, copy=False)
            t2 = time.perf_counter()
            # One thread: the model's streams keep every other core busy, so a helper thread
            # would only preempt inference (docs/postprocess.md, threads).
            dets = yolo(outs[0], letterbox=b.letterbox, names=self.model.names, threads=1, **self.kw)
            t3 = time.perf_counter()
        if isinstance(dets, Detections):
            dets = [dets]
        return b.indices, b.pts, dets, t2 - t1, t3 - t2

    def __iter__(self) -> Iterator[FrameDetections]:
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
                    yield FrameDetections(int(indices[k]), float(pts[k]), d)
        finally:
            if pool is not None:
                for f in pending:
                    f.cancel()
                pool.shutdown(wait=True)  # no worker outlives the iterator
            st.wall_s = time.perf_counter() - t_start
            st.decode = self.pipeline.stats()
            self.pipeline.close()


def detect(video: Union[str, "os.PathLike[str]", VideoReader], model, *, batch: Optional[int] = None,
           sample: str = "all", conf: Optional[float] = None, iou: Optional[float] = None,
           max_det: int = 300, classes: Optional[Sequence[int]] = None, agnostic: bool = False,
           profile=None, start: Optional[float] = None, end: Optional[float] = None,
           stats: Optional[DetectStats] = None, streams: Optional[int] = None) -> Iterator[FrameDetections]:
    """Runs a YOLO-style detector over a video; yields one :class:`FrameDetections` per frame, in order.

    Args:
        video: a path or a :class:`VideoReader`.
        model: a path, a bare model name (``VXFAST_MODEL_DIR``, ``models/``) or a :class:`vxfast.Model`.
        batch: frames per inference call (default: the profile's batch, else the model's).
        sample, start, end: which frames (as :meth:`VideoReader.frames`).
        conf, iou: thresholds (default: the profile's, else 0.25 / 0.45).
        max_det, classes, agnostic: as :func:`vxfast.postprocess.yolo`.
        profile: a profile name or :class:`vxfast.Config`; explicit arguments override it.
        stats: a :class:`DetectStats` to fill (frames, detections, time per stage) as it runs.
        streams: model sessions running batches concurrently when ``model`` is loaded here
            (default: the profile's, else :func:`default_streams`: 2 on the CPU, 1 on a GPU); a
            given :class:`vxfast.Model` runs with its own ``streams``.
    """
    from .config import resolve_config

    cfg = resolve_config(profile)  # explicit arguments override it
    conf = float(cfg.conf_threshold) if conf is None else conf
    iou = float(cfg.iou_threshold) if iou is None else iou
    if batch is None and cfg.batch_size:
        batch = int(cfg.batch_size)
    d = _Detector(video, model, batch, sample, conf, iou, max_det, classes, profile, start, end, agnostic,
                  streams)
    if stats is not None:
        d.stats = stats
    return iter(d)
