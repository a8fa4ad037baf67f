"""Ray Data UDFs: callable classes that hold one vxfast model per actor.

``ray.data.Dataset.map_batches(DetectUDF, fn_constructor_kwargs=..., compute=ActorPoolStrategy(size=N),
num_cpus=C, num_gpus=G)`` starts N actors; each loads its model once (sized to its C CPUs by
:func:`vxfast.config.heuristics.actor_sizing`) and is then called with batches of plan rows. For
each row it decodes the segment itself (rows are descriptors: no frame crosses the object
store), writes the segment's Parquet file(s) atomically and returns one small summary row. A
segment whose file already exists is not run again, so a task Ray retries after its worker died
costs only the segments that were not committed yet.

The same classes run the single-machine path (``ray=False``), called in-process.
Not thread-safe: Ray calls an actor's UDF once at a time.
"""
from __future__ import annotations

import os
from typing import Any, Optional, Union

import numpy as np

from .segments import SegmentResult

__all__ = ["DetectUDF", "TrackUDF", "QualityUDF", "EmbedUDF", "AudioUDF", "SUMMARY_COLUMNS"]

#: Columns of the summary rows a UDF returns (one row per plan row).
SUMMARY_COLUMNS = ("video_id", "segment", "status", "frames", "rows", "seconds")


def _rows(batch: Any) -> list[dict[str, Any]]:
    """Plan rows out of a Ray batch (dict of columns) or a list of dicts."""
    if isinstance(batch, dict):
        keys = list(batch)
        n = len(batch[keys[0]]) if keys else 0
        return [{k: (batch[k][i].item() if hasattr(batch[k][i], "item") else batch[k][i]) for k in keys}
                for i in range(n)]
    return [dict(r) for r in batch]


class _SegmentUDF:
    """Skip-if-committed, run, commit-or-record-error, summarise: the part every table shares.

    ``fault_marker`` is a testing hook: when this file exists, the next call deletes it and kills
    its own process (``os._exit``), as an OOM kill or a lost node would."""

    table = ""

    def __init__(self, out: str, fault_marker: Optional[str]) -> None:
        from .outputs import OutputDir

        self.out = OutputDir(out, self.table)
        self.fault_marker = fault_marker

    def process(self, row: dict[str, Any]) -> SegmentResult:
        raise NotImplementedError

    def _maybe_fail(self) -> None:
        m = self.fault_marker
        if m and os.path.exists(m):
            try:
                os.remove(m)
            except FileNotFoundError:  # another actor took it first
                return
            os._exit(17)

    def run_row(self, row: dict[str, Any]) -> dict[str, Any]:
        """One plan row: skipped when committed, else run, committed, or recorded as an error."""
        vid, seg = str(row["video_id"]), int(row["segment"])
        if self.out.is_done(vid, seg):
            # Committed by an earlier attempt of this task (Ray retried it after its worker died):
            # report that attempt's counts, read from the files' footers.
            frames, rows = self.out.committed_counts(vid, seg)
            return {"video_id": vid, "segment": seg, "status": "done", "frames": frames, "rows": rows,
                    "seconds": 0.0}
        self._maybe_fail()
        try:
            r = self.process(row)
        except Exception as e:  # noqa: BLE001  (any failure of one video must not stop the job)
            self.out.write_error(vid, str(row["path"]), seg, e)
            return {"video_id": vid, "segment": seg, "status": "error", "frames": 0, "rows": 0, "seconds": 0.0}
        self.out.write_segment(vid, seg, r.table, r.frames)
        return {"video_id": vid, "segment": seg, "status": "done", "frames": r.n_frames, "rows": r.n_rows,
                "seconds": r.seconds}

    def __call__(self, batch: Any) -> dict[str, np.ndarray]:
        results = [self.run_row(r) for r in _rows(batch)]
        return {k: np.asarray([r[k] for r in results]) for k in SUMMARY_COLUMNS}


def _load_model(model: str, num_cpus: float, num_gpus: Optional[float]) -> tuple[Any, Optional[int]]:
    """The actor's model, sized to its CPUs. ``num_gpus`` None (the in-process path): whatever
    providers the machine has, as :func:`vxfast.detect` would; 0 (a CPU actor): the CPU even where
    a GPU is visible."""
    from ..config import heuristics
    from ..model import Model

    on_gpu = (num_gpus or 0) > 0 if num_gpus is not None else not heuristics.config_runs_on_cpu(None)
    streams, threads, decoder_threads = heuristics.actor_sizing(num_cpus, on_gpu)
    providers = "cpu" if num_gpus is not None and not on_gpu else None
    return Model(model, providers=providers, streams=streams, threads=threads), decoder_threads


class DetectUDF(_SegmentUDF):
    """:func:`vxfast.detect` over plan rows into ``OUT/detections`` (and ``OUT/frames``).

    Args:
        model: the model's path, readable on every node (shared storage), or a bare model name.
        out: the job's output folder, on storage every node writes to.
        model_id: the ``model_id`` column (file name + hash, from the driver).
        sample, conf, iou: as :func:`vxfast.detect`.
        num_cpus, num_gpus: the actor's resources; the model's streams and threads and the decoder
            threads are sized to them, not to the node. ``num_gpus=None``: the machine's providers
            (the in-process path).
        fault_marker: testing hook (see the module).
    """

    table = "detections"

    def __init__(self, model: str, out: str, model_id: str, *, sample: str = "all", conf: float = 0.25,
                 iou: float = 0.45, num_cpus: float = 1, num_gpus: Optional[float] = 0,
                 fault_marker: Optional[str] = None) -> None:
        super().__init__(out, fault_marker)
        self.model, self.decoder_threads = _load_model(model, num_cpus, num_gpus)
        self.model_id = model_id
        self.sample, self.conf, self.iou = sample, float(conf), float(iou)

    def process(self, row: dict[str, Any]) -> SegmentResult:
        from .segments import detect_segment

        return detect_segment(self.model, self.model_id, row, sample=self.sample, conf=self.conf, iou=self.iou,
                              decoder_threads=self.decoder_threads)


class QualityUDF(_SegmentUDF):
    """:func:`vxfast.features.quality` over plan rows into ``OUT/quality`` (no model; one
    feature thread, the decoder on the actor's other CPUs)."""

    table = "quality"

    def __init__(self, out: str, *, sample: str = "fps:1", features: Optional[list[str]] = None,
                 num_cpus: float = 1, num_gpus: Optional[float] = 0, fault_marker: Optional[str] = None) -> None:
        super().__init__(out, fault_marker)
        self.sample, self.features = sample, list(features) if features else None

    def process(self, row: dict[str, Any]) -> SegmentResult:
        from .segments import quality_segment

        return quality_segment(row, sample=self.sample, features=self.features)


class EmbedUDF(_SegmentUDF):
    """:func:`vxfast.embed` over plan rows into ``OUT/embeddings``, one model per actor."""

    table = "embeddings"

    def __init__(self, model: str, out: str, model_id: str, *, sample: str = "fps:1", normalize: bool = False,
                 output: Union[int, str] = 0, batch_size: int = 16, num_cpus: float = 1,
                 num_gpus: Optional[float] = 0,
                 fault_marker: Optional[str] = None) -> None:
        super().__init__(out, fault_marker)
        self.model, self.decoder_threads = _load_model(model, num_cpus, num_gpus)
        self.model_id = model_id
        self.sample, self.normalize, self.output, self.batch_size = sample, bool(normalize), output, int(batch_size)

    def process(self, row: dict[str, Any]) -> SegmentResult:
        from .segments import embed_segment

        return embed_segment(self.model, self.model_id, row, sample=self.sample, normalize=self.normalize,
                             output=self.output, batch_size=self.batch_size, decoder_threads=self.decoder_threads)


class TrackUDF(DetectUDF):
    """:func:`vxfast.track` over plan rows into ``OUT/tracks`` (detections + ``track_id``).

    Args:
        tracker, tracker_params: as :func:`vxfast.track`.
        warmup_seconds: the tracker starts this long before the segment (docs/distributed.md: what
            IDs mean across segments).
        model, out, model_id, sample, conf, iou, num_cpus, num_gpus, fault_marker: as :class:`DetectUDF`.
    """

    table = "tracks"

    def __init__(self, model: str, out: str, model_id: str, *, tracker: str = "bytetrack",
                 tracker_params: Optional[dict[str, Any]] = None, warmup_seconds: float = 10.0,
                 sample: str = "all", conf: float = 0.25, iou: float = 0.45, num_cpus: float = 1,
                 num_gpus: Optional[float] = 0, fault_marker: Optional[str] = None) -> None:
        super().__init__(model, out, model_id, sample=sample, conf=conf, iou=iou, num_cpus=num_cpus,
                         num_gpus=num_gpus, fault_marker=fault_marker)
        self.tracker, self.tracker_params = tracker, dict(tracker_params or {})
        self.warmup_seconds = float(warmup_seconds)

    def process(self, row: dict[str, Any]) -> SegmentResult:
        from .segments import track_segment

        return track_segment(self.model, self.model_id, row, tracker=self.tracker,
                             tracker_params=self.tracker_params, warmup_seconds=self.warmup_seconds,
                             sample=self.sample, conf=self.conf, iou=self.iou, decoder_threads=self.decoder_threads)


class AudioUDF(_SegmentUDF):
    """An audio model over plan rows, on the audio clock (:mod:`vxfast.distributed.audio_segments`):
    ``task="vad"`` (Silero, :func:`vxfast.audio.vad`) into ``OUT/vad``, ``task="embed"``
    (:func:`vxfast.audio.embed`) into ``OUT/audio_embeddings``. CPU only; onnxruntime's threads are
    the actor's CPUs.

    Args:
        task: ``"vad"`` or ``"embed"``.
        model: the ONNX file (Silero VAD; an audio embedding model).
        params: ``vad``: ``context_seconds`` and :func:`vxfast.audio.vad`'s thresholds; ``embed``:
            ``frontend`` (a preset name or None), ``window``, ``hop``, ``batch``.
    """

    tables = {"vad": "vad", "embed": "audio_embeddings"}

    def __init__(self, task: str, model: str, out: str, model_id: str, *, params: dict[str, Any],
                 num_cpus: float = 1, num_gpus: Optional[float] = 0, fault_marker: Optional[str] = None) -> None:
        self.table = self.tables[task]
        super().__init__(out, fault_marker)
        self.task, self.model_id, self.params = task, model_id, dict(params)
        threads = max(1, int(num_cpus))
        if task == "vad":
            from ..audio import VadModel

            self.model: Any = VadModel(model, threads=threads)
            self.frontend = None
        else:
            from ..audio._windowing import resolve_frontend
            from ..model import Model

            self.model = Model(model, providers="cpu", threads=threads, warmup=0)
            self.frontend = resolve_frontend(self.params.pop("frontend"))

    def process(self, row: dict[str, Any]) -> SegmentResult:
        from .audio_segments import audio_embed_segment, vad_segment

        if self.task == "vad":
            p = dict(self.params)
            context = p.pop("context_seconds")
            return vad_segment(self.model, self.model_id, row, context_seconds=context, params=p)
        return audio_embed_segment(self.model, self.model_id, row, frontend=self.frontend, **self.params)
