"""Ray Data UDFs: callable classes that hold one vxfast model per actor.

``ray.data.Dataset.map_batches(DetectUDF, fn_constructor_kwargs=..., concurrency=N, num_cpus=C,
num_gpus=G)`` starts N actors; each loads the model once (sized to its C CPUs by
:func:`vxfast.config.heuristics.actor_sizing`) and is then called with batches of plan rows. For
each row it decodes the segment itself (rows are descriptors: no frame crosses the object
store), writes the segment's Parquet file(s) atomically and returns one small summary row. A
segment whose file already exists is not run again, so a task Ray retries after its worker died
costs only the segments that were not committed yet.

The same class runs the single-machine path (:func:`vxfast.distributed.detect` without Ray),
called in-process.
"""
from __future__ import annotations

import os
from typing import Any, Optional

import numpy as np

__all__ = ["DetectUDF", "SUMMARY_COLUMNS"]

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


class DetectUDF:
    """Runs :func:`vxfast.detect` over plan rows, one model per instance.

    Args:
        model: the model's path, readable on every node (shared storage), or a bare model name.
        out: the job's output folder, on storage every node writes to.
        model_id: the model's id for the ``model_id`` column (name + hash, from the driver).
        sample, conf, iou: as :func:`vxfast.detect`.
        num_cpus, num_gpus: the actor's resources; the model's streams and threads and the decoder
            threads are sized to them, not to the node.
        fault_marker: testing hook: when this file exists the call deletes it and kills its own
            process (``os._exit``), as a node or OOM failure would.

    Not thread-safe: Ray calls an actor's UDF once at a time.
    """

    def __init__(self, model: str, out: str, model_id: str, *, sample: str = "all", conf: float = 0.25,
                 iou: float = 0.45, num_cpus: float = 1, num_gpus: float = 0,
                 fault_marker: Optional[str] = None) -> None:
        from ..config import heuristics
        from ..model import Model
        from .outputs import OutputDir

        on_gpu = num_gpus > 0
        streams, threads, self.decoder_threads = heuristics.actor_sizing(num_cpus, on_gpu)
        self.model = Model(model, providers=None if on_gpu else "cpu", streams=streams, threads=threads)
        self.model_id = model_id
        self.out = OutputDir(out, "detections")
        self.sample, self.conf, self.iou = sample, float(conf), float(iou)
        self.fault_marker = fault_marker

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
        from .segments import detect_segment

        vid, seg = str(row["video_id"]), int(row["segment"])
        if self.out.is_done(vid, seg):
            # Committed by an earlier attempt of this task (Ray retried it after its worker died):
            # report that attempt's counts, read from the files' footers.
            frames, rows = self.out.committed_counts(vid, seg)
            return {"video_id": vid, "segment": seg, "status": "done", "frames": frames, "rows": rows,
                    "seconds": 0.0}
        self._maybe_fail()
        try:
            r = detect_segment(self.model, self.model_id, row, sample=self.sample, conf=self.conf,
                               iou=self.iou, decoder_threads=self.decoder_threads)
        except Exception as e:  # noqa: BLE001  (any failure of one video must not stop the job)
            self.out.write_error(vid, str(row["path"]), seg, e)
            return {"video_id": vid, "segment": seg, "status": "error", "frames": 0, "rows": 0, "seconds": 0.0}
        self.out.write_segment(vid, seg, r.table, r.frames)
        return {"video_id": vid, "segment": seg, "status": "done", "frames": r.n_frames, "rows": r.n_rows,
                "seconds": r.seconds}

    def __call__(self, batch: Any) -> dict[str, np.ndarray]:
        results = [self.run_row(r) for r in _rows(batch)]
        return {k: np.asarray([r[k] for r in results]) for k in SUMMARY_COLUMNS}
