"""The batched pipeline: C++ threads decode and preprocess into a ring of preallocated batch tensors
while the caller runs its model. Use it to embed vxfast's fast path under your own session::

    import vxfast
    from vxfast.shared_data import shared_path

    with vxfast.Pipeline(shared_path("media/vtest.avi"), vxfast.Letterbox(640), batch=4) as p:
        for b in p:
            b.tensor      # (count, 3, 640, 640) float32, a view of a ring slot
            b.indices, b.pts, b.letterbox   # where the frames came from; boxes map back via letterbox
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Optional, Union

from . import _core
from ._core.pipeline import Batch
from .video import VideoReader, _check_time

__all__ = ["Pipeline", "Batch"]


class Pipeline:
    """Yields :class:`Batch` objects of model-ready tensors from a video.

    Args:
        video: a path or an open :class:`VideoReader` (its index is reused).
        preprocess: a preprocessing spec (default ``vxfast.Letterbox(640)``).
        batch: frames per batch; the last batch may be shorter (``batch.count``).
        sample, start, end: as :meth:`VideoReader.frames`.
        prefetch: batches prepared ahead of the consumer (backpressure beyond that); default: about
            8 frames' worth, so the producer can use any CPU time the model leaves it.
        threads: decoder threads when ``video`` is a path, as :class:`VideoReader` (None: vxfast's
            choice, :mod:`vxfast.config.heuristics`; 0: FFmpeg's choice).

    The producer runs in a C++ thread without the GIL. Stopping early (``break``, an exception,
    ``close()``, garbage collection) stops and joins it; an error in the producer is raised in the
    consumer. A batch's tensor stays valid while you hold it; dropped batches' slots are reused.
    """

    def __init__(self, video: Union[str, os.PathLike[str], VideoReader], preprocess=None, *,
                 batch: int = 8, sample: str = "all", start: Optional[float] = None,
                 end: Optional[float] = None, prefetch: Optional[int] = None, threads: Optional[int] = None) -> None:
        from .preprocessing import Letterbox, _core_spec

        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise ValueError(f"batch={batch!r} must be an int >= 1")
        if prefetch is None:
            prefetch = max(2, -(-8 // batch))
        if isinstance(prefetch, bool) or not isinstance(prefetch, int) or prefetch < 1:
            raise ValueError(f"prefetch={prefetch!r} must be an int >= 1")
        self.reader = video if isinstance(video, VideoReader) else VideoReader(video, threads=threads)
        spec = _core_spec(preprocess if preprocess is not None else Letterbox(640))
        info = self.reader.info
        self.letterbox = spec.geometry(info.width, info.height)
        self.batch = batch
        s, e = _check_time("start", start), _check_time("end", end)
        self._core: Optional[_core.pipeline.BatchPipeline] = _core.pipeline.BatchPipeline(
            self.reader._live().source(), sample, s, e, spec, batch, prefetch, 1, self.letterbox)

    def __iter__(self) -> Iterator[Batch]:
        if self._core is None:
            raise RuntimeError("pipeline is closed")
        return self._core

    def stats(self) -> dict:
        return self._core.stats() if self._core is not None else {}

    def close(self) -> None:
        if self._core is not None:
            self._core.close()

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
