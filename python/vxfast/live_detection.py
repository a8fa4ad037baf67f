"""Detection over live batches for :class:`vxfast.Streams`: the model and postprocessing of
:func:`vxfast.detect` (vxfast.Model, YoloDecoder), with one letterbox per frame since sources may
differ in size."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .config import heuristics
from .postprocess import YoloDecoder

__all__: list[str] = []


class _LiveDetector:
    def __init__(self, model: Any, batch: int, preprocess: Any, conf: float, iou: float) -> None:
        from .model import Model
        from .preprocessing import Letterbox, _core_spec

        self.model = model if isinstance(model, Model) else Model(model, batch=batch)
        info = self.model.info
        if info.task not in (None, "detect"):
            raise ValueError(f"Streams(model=...) needs a detection model; {info.name} is a {info.task!r} model")
        if preprocess is None:
            hw = info.imgsz or tuple(self.model.input_shape(batch)[-2:])
            preprocess = Letterbox((int(hw[0]), int(hw[1])))
        self.spec = preprocess
        self._core_spec = _core_spec(preprocess)
        decoder = YoloDecoder(conf, iou, threads=heuristics.postprocess_threads_beside_inference())
        self.decoder = decoder.with_names(self.model.names) if self.model.names else decoder
        self.batch = batch
        self._geometry: dict[tuple[int, int], Any] = {}
        self._tensor: Optional[np.ndarray] = None

    def _letterbox(self, w: int, h: int) -> Any:
        g = self._geometry.get((w, h))
        if g is None:
            g = self._geometry[(w, h)] = self._core_spec.geometry(w, h)
        return g

    def run(self, frames: list) -> list[tuple[Any, Any]]:
        """(frame, Detections) for each frame of one batch; boxes in the frame's source pixels."""
        first = frames[0].data
        n = len(frames)
        # A fixed-batch model gets a full batch (the tail padded with the last frame's tensor).
        rows = max(n, self.batch) if self.model.input_shape(self.batch)[0] == self.batch else n
        if self._tensor is None or self._tensor.shape[0] < rows or self._tensor.shape[1:] != first.shape:
            self._tensor = np.empty((rows, *first.shape), first.dtype)
        t = self._tensor[:rows]
        for i, f in enumerate(frames):
            t[i] = f.data
        if rows > n:
            t[n:] = t[n - 1]
        with self.model.stream() as s:
            outs = s.run(t, copy=False)
        dets = self.decoder(outs[0][:n], [self._letterbox(f.width, f.height) for f in frames])
        for d, f in zip(dets, frames):
            d.pts = float(f.pts)
            d.index = int(f.seq)
        return list(zip(frames, dets))
