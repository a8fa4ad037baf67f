"""Job entry points: plan, skip what is done, run the rest (Ray Data or in-process), summarise.

>>> import tempfile, vxfast.distributed as vd
>>> from vxfast.shared_data import shared_path
>>> out = tempfile.mkdtemp()
>>> s = vd.detect(shared_path("media/vtest.avi"), shared_path("models/yolov8n.onnx"), out,
...               segment_seconds=5, sample="every:50", ray=False)  # doctest: +SKIP
>>> s.segments, s.errors  # doctest: +SKIP
(3, 0)
"""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from .planning import PathLike, Segment, plan

__all__ = ["JobSummary", "detect", "track", "quality", "embed", "vad", "audio_embed", "model_fingerprint"]


@dataclass
class JobSummary:
    """What a job did. ``segments`` counts the plan; ``skipped`` were already committed by an
    earlier run (resume); ``frames`` and ``rows`` count this run's work only; ``errors`` counts
    the segments that failed in this run (their reasons are in ``OUT/errors``)."""

    table: str
    out: str
    videos: int = 0
    segments: int = 0
    skipped: int = 0
    done: int = 0
    frames: int = 0
    rows: int = 0
    errors: int = 0
    seconds: float = 0.0
    ray: bool = False
    error_videos: list[str] = field(default_factory=list)

    @property
    def fps(self) -> float:
        """Frames per second of wall time over this run."""
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["fps"] = round(self.fps, 2)
        return d


def model_fingerprint(path: Union[str, os.PathLike[str]]) -> str:
    """SHA-256 of the model file (hex): the manifest's model hash and the resume key."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _check_sample(sample: str) -> None:
    from .segments import SEGMENT_SAMPLES

    if not isinstance(sample, str) or not any(sample == s or (s.endswith(":") and sample.startswith(s))
                                              for s in SEGMENT_SAMPLES):
        raise ValueError(f"sample={sample!r}: a segmented job takes 'all', 'keyframes', 'every:N' or "
                         f"'fps:X' ('uniform:N' has no meaning per segment)")


def _check_number(name: str, v: Any, lo: float, hi: Optional[float] = None) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not (lo <= v and (hi is None or v <= hi)):
        raise ValueError(f"{name}={v!r} must be a number in [{lo}, {hi if hi is not None else 'inf'}]")
    return float(v)


def _use_ray(flag: Optional[bool], address: Optional[str]) -> bool:
    if flag is not None:
        return bool(flag)
    if address is not None:
        return True
    import sys

    ray_mod = sys.modules.get("ray")  # only if the caller already imported Ray
    return bool(ray_mod is not None and ray_mod.is_initialized())


def _connect(address: Optional[str]) -> Any:
    try:
        import ray
    except ImportError as e:  # pragma: no cover - depends on the installed extras
        raise ImportError("vxfast.distributed on Ray needs the ray extra: pip install 'vxfast[ray]'") from e
    if not ray.is_initialized():
        ray.init(address=None if address in (None, "local") else address, include_dashboard=False,
                 log_to_driver=False)
    return ray


def _run_ray(udf_cls: Any, rows: list[Segment], udf_kwargs: dict[str, Any], concurrency: Optional[int],
             num_cpus: float, num_gpus: float, address: Optional[str]) -> list[dict[str, Any]]:
    ray = _connect(address)
    if concurrency is None:
        res = ray.cluster_resources()
        if num_gpus > 0:
            concurrency = max(1, int(res.get("GPU", 0) // num_gpus))
        else:
            concurrency = max(1, int(res.get("CPU", 1) // max(num_cpus, 1e-9)))
    concurrency = max(1, min(int(concurrency), len(rows)))
    ds = ray.data.from_items([r.to_dict() for r in rows], override_num_blocks=len(rows))
    # One row per call: a segment is seconds to minutes of work, and a retried task then redoes at
    # most one uncommitted segment. A fixed-size actor pool (ActorPoolStrategy exists in every
    # Ray >= 2.9; ``concurrency=`` is deprecated since 2.51); actors Ray restarts after a node loss
    # come back on the nodes left.
    ds = ds.map_batches(udf_cls, batch_size=1, compute=ray.data.ActorPoolStrategy(size=concurrency),
                        num_cpus=num_cpus, num_gpus=num_gpus or None, fn_constructor_kwargs=udf_kwargs)
    return list(ds.take_all())


def _run_local(udf_cls: Any, rows: list[Segment], udf_kwargs: dict[str, Any],
               progress: Optional[bool]) -> list[dict[str, Any]]:
    from ..progress import Progress

    udf = udf_cls(**udf_kwargs)
    out = []
    with Progress(len(rows), "segments", unit="segment", enabled=progress) as bar:
        for r in rows:
            out.append(udf.run_row(r.to_dict()))
            bar.update()
    return out


def _check_resources(concurrency: Any, num_cpus: Any, num_gpus: Any) -> tuple[float, float]:
    if concurrency is not None and (isinstance(concurrency, bool) or not isinstance(concurrency, int)
                                    or concurrency < 1):
        raise ValueError(f"concurrency={concurrency!r} must be None or an int >= 1")
    return _check_number("num_cpus", num_cpus, 0.0), _check_number("num_gpus", num_gpus, 0.0)


def _model(model: Union[str, os.PathLike[str]]) -> tuple[Path, str, str]:
    """(resolved path, sha256, model_id) of a model named by the caller."""
    from ..model.resolve import resolve_model

    path = resolve_model(model).resolve()
    digest = model_fingerprint(path)
    return path, digest, f"{path.name}:{digest[:12]}"


def _run_job(table: str, udf_cls: Any, paths: Any, out: Union[str, os.PathLike[str]],
             segment_seconds: Optional[float],
             model_entry: Optional[dict[str, Any]], parameters: dict[str, Any], udf_kwargs: dict[str, Any], *,
             concurrency: Optional[int], num_cpus: float, num_gpus: float, resume: bool, address: Optional[str],
             ray: Optional[bool], progress: Optional[bool], fault_marker: Optional[str]) -> JobSummary:
    """Plan, record the manifest entry, skip committed segments, run the rest, summarise."""
    from .. import __version__
    from .outputs import OutputDir

    t0 = time.perf_counter()
    rows = plan(paths, segment_seconds)
    od = OutputDir(out, table)
    entry: dict[str, Any] = {"vxfast_version": __version__,
                             "parameters": {"segment_seconds": None if segment_seconds is None
                                            else float(segment_seconds), **parameters}}
    if model_entry is not None:
        entry["model"] = model_entry
    od.prepare(entry, resume)
    todo = [r for r in rows if not od.is_done(r.video_id, r.segment)]
    use_ray = _use_ray(ray, address)
    summary = JobSummary(table, str(out), videos=len({r.video_id for r in rows}), segments=len(rows),
                         skipped=len(rows) - len(todo), ray=use_ray)
    kwargs = {**udf_kwargs, "out": str(Path(out).resolve()), "fault_marker": fault_marker, "num_gpus": num_gpus}
    if todo:
        if use_ray:
            results = _run_ray(udf_cls, todo, {**kwargs, "num_cpus": max(num_cpus, 1)}, concurrency, num_cpus,
                               num_gpus, address)
        else:
            from ..config.hardware import cpu_cores

            # The whole machine, and its GPU if it has one unless the caller asked for GPUs per actor.
            results = _run_local(udf_cls, todo, {**kwargs, "num_cpus": cpu_cores(),
                                                 "num_gpus": num_gpus if num_gpus > 0 else None}, progress)
        paths_of = {r.video_id: r.path for r in todo}
        for r in results:
            summary.frames += int(r["frames"])
            summary.rows += int(r["rows"])
            if str(r["status"]) == "done":
                summary.done += 1
            else:
                summary.errors += 1
                p = paths_of[str(r["video_id"])]
                if p not in summary.error_videos:
                    summary.error_videos.append(p)
        od.sweep_temp()  # what a worker killed mid-write left (its segment was redone by a retry)
    summary.seconds = time.perf_counter() - t0
    return summary


_COMMON_ARGS = """
        segment_seconds: length of a work unit (:func:`vxfast.distributed.plan`).
        concurrency: Ray actors (default: the cluster's CPUs / ``num_cpus``, or GPUs / ``num_gpus``).
        num_cpus, num_gpus: resources per actor; the model and decoder are sized to them.
        resume: skip segments already committed under ``out`` by a run with the same model and
            parameters (a run with others is refused); False deletes this table's files first.
        address: a Ray cluster to join (``"auto"``, ``"ray://host:10001"``, ``"host:6379"``);
            implies ``ray=True``.
        ray: True runs on Ray Data (joining ``address``, or what ``ray.init()`` finds or starts),
            False in this process; None (default): Ray when ``address`` is given or Ray is already
            initialised in this process.
        progress: a progress bar over segments for the in-process path (None: when stderr is a
            terminal); Ray shows its own.
"""


def detect(paths: Union[PathLike, Sequence[PathLike]], model: Union[str, os.PathLike[str]],
           out: Union[str, os.PathLike[str]], *, segment_seconds: float = 60, sample: str = "all",
           conf: float = 0.25, iou: float = 0.45, concurrency: Optional[int] = None, num_cpus: float = 1,
           num_gpus: float = 0, resume: bool = True, address: Optional[str] = None,
           ray: Optional[bool] = None, progress: Optional[bool] = False,
           _fault_marker: Optional[str] = None) -> JobSummary:
    """Detections over many videos into ``OUT/detections/*.parquet`` and ``OUT/frames/*.parquet``
    (docs/distributed.md); returns after every segment is committed or recorded as an error.

    Args:
        paths: a path, glob (``"videos/**/*.mp4"``), folder, URL, or a sequence of them
            (:func:`vxfast.distributed.plan`). Workers open them by the same name: on a cluster
            they must be on shared storage or URLs.
        model: the detector's file (on shared storage for a cluster) or bare name.
        out: the output folder (shared storage for a cluster).
        sample, conf, iou: as :func:`vxfast.detect` (``sample``: ``"all"``, ``"keyframes"``, or
            ``"every:N"``/``"fps:X"``, whose grid restarts at each segment).
    {common}
    Raises:
        ValueError: a bad argument, a glob matching nothing, or an ``out`` holding another
            model's or parameters' results while ``resume`` is True.
    """
    from .udfs import DetectUDF

    _check_sample(sample)
    conf = _check_number("conf", conf, 0.0, 1.0)
    iou = _check_number("iou", iou, 0.0, 1.0)
    num_cpus, num_gpus = _check_resources(concurrency, num_cpus, num_gpus)
    path, digest, model_id = _model(model)
    return _run_job("detections", DetectUDF, paths, out, segment_seconds, {"name": path.name, "sha256": digest},
                    {"sample": sample, "conf": conf, "iou": iou},
                    {"model": str(path), "model_id": model_id, "sample": sample, "conf": conf, "iou": iou},
                    concurrency=concurrency, num_cpus=num_cpus, num_gpus=num_gpus, resume=resume, address=address,
                    ray=ray, progress=progress, fault_marker=_fault_marker)


def quality(paths: Union[PathLike, Sequence[PathLike]], out: Union[str, os.PathLike[str]], *,
            segment_seconds: float = 60, sample: str = "fps:1", features: Optional[Sequence[str]] = None,
            concurrency: Optional[int] = None, num_cpus: float = 1, resume: bool = True,
            address: Optional[str] = None, ray: Optional[bool] = None,
            progress: Optional[bool] = False, _fault_marker: Optional[str] = None) -> JobSummary:
    """Frame features (:func:`vxfast.features.quality`) over many videos into
    ``OUT/quality/*.parquet``: one row per sampled frame, one float64 column per feature.

    Args:
        paths, out: as :func:`detect`.
        sample: ``"all"``, ``"keyframes"``, ``"every:N"`` or ``"fps:X"`` (grid restarting at each
            segment).
        features: feature names to keep (default all, :data:`vxfast.features.FEATURE_NAMES`).
    {common}"""
    from ..features import _feature_columns
    from .udfs import QualityUDF

    _check_sample(sample)
    names = list(_feature_columns(features)[0])
    num_cpus, _ = _check_resources(concurrency, num_cpus, 0)
    return _run_job("quality", QualityUDF, paths, out, segment_seconds, None,
                    {"sample": sample, "features": names}, {"sample": sample, "features": names},
                    concurrency=concurrency, num_cpus=num_cpus, num_gpus=0, resume=resume, address=address,
                    ray=ray, progress=progress, fault_marker=_fault_marker)


def embed(paths: Union[PathLike, Sequence[PathLike]], model: Union[str, os.PathLike[str]],
          out: Union[str, os.PathLike[str]], *, segment_seconds: float = 60, sample: str = "fps:1",
          normalize: bool = False, output: Union[int, str] = 0, batch_size: int = 16,
          concurrency: Optional[int] = None, num_cpus: float = 1, num_gpus: float = 0, resume: bool = True,
          address: Optional[str] = None, ray: Optional[bool] = None, progress: Optional[bool] = False,
          _fault_marker: Optional[str] = None) -> JobSummary:
    """Per-frame embeddings (:func:`vxfast.embed`) over many videos into
    ``OUT/embeddings/*.parquet``: one row per sampled frame, the vector as ``list<float32>``.

    Args:
        paths, model, out: as :func:`detect` (``model``: an image encoder, e.g. CLIP's).
        sample: as :func:`quality`.
        normalize, output, batch_size: as :func:`vxfast.embed`.
    {common}"""
    from .udfs import EmbedUDF

    _check_sample(sample)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size={batch_size!r} must be an int >= 1")
    num_cpus, num_gpus = _check_resources(concurrency, num_cpus, num_gpus)
    path, digest, model_id = _model(model)
    params = {"sample": sample, "normalize": bool(normalize), "output": output}
    return _run_job("embeddings", EmbedUDF, paths, out, segment_seconds, {"name": path.name, "sha256": digest},
                    params, {"model": str(path), "model_id": model_id, "batch_size": batch_size, **params},
                    concurrency=concurrency, num_cpus=num_cpus, num_gpus=num_gpus, resume=resume, address=address,
                    ray=ray, progress=progress, fault_marker=_fault_marker)


def _model_entry(model: Union[str, os.PathLike[str]]) -> tuple[dict[str, Any], str, str]:
    path, digest, model_id = _model(model)
    return {"name": path.name, "sha256": digest}, str(path), model_id


def track(paths: Union[PathLike, Sequence[PathLike]], model: Union[str, os.PathLike[str]],
          out: Union[str, os.PathLike[str]], *, tracker: str = "bytetrack",
          tracker_params: Optional[dict[str, Any]] = None, segment_seconds: Optional[float] = None,
          warmup_seconds: float = 10.0, sample: str = "all", conf: float = 0.25, iou: float = 0.45,
          concurrency: Optional[int] = None, num_cpus: float = 1, num_gpus: float = 0, resume: bool = True,
          address: Optional[str] = None, ray: Optional[bool] = None, progress: Optional[bool] = False,
          _fault_marker: Optional[str] = None) -> JobSummary:
    """Detections with track IDs (:func:`vxfast.track`) over many videos into ``OUT/tracks/*.parquet``:
    the detections schema plus ``track_id`` (-1: no confirmed track).

    A tracker's state runs through a video, so by default (``segment_seconds=None``) a video is one
    segment and ``track_id`` is exactly :func:`vxfast.track`'s over the whole file. With
    ``segment_seconds``, each segment's tracker starts ``warmup_seconds`` before it and only the
    segment's own frames are written: the rows (frames, boxes) are the whole-file run's, and the
    IDs are unique within (``video_id``, ``segment``); the same object has unrelated IDs in two
    segments (equal to the whole-file IDs only when the warm-up reaches the video's start).

    Args:
        paths, model, out, sample, conf, iou: as :func:`detect` (``segment_seconds`` default None).
        tracker, tracker_params: ``"bytetrack"`` or ``"ocsort"`` and its parameters (:class:`vxfast.Tracker`).
        warmup_seconds: frames the tracker sees before a segment's start (>= 0; unused for whole videos).
    {common}"""
    from ..tracking import TRACKERS, Tracker
    from .udfs import TrackUDF

    _check_sample(sample)
    if tracker not in TRACKERS:
        raise ValueError(f"tracker={tracker!r} must be one of {list(TRACKERS)}")
    params = dict(tracker_params or {})
    Tracker(tracker, **params)  # checks the parameters here, not in every actor
    warmup_seconds = _check_number("warmup_seconds", warmup_seconds, 0.0)
    conf = _check_number("conf", conf, 0.0, 1.0)
    iou = _check_number("iou", iou, 0.0, 1.0)
    num_cpus, num_gpus = _check_resources(concurrency, num_cpus, num_gpus)
    entry, path, model_id = _model_entry(model)
    job = {"sample": sample, "conf": conf, "iou": iou, "tracker": tracker, "tracker_params": params,
           "warmup_seconds": warmup_seconds}
    return _run_job("tracks", TrackUDF, paths, out, segment_seconds, entry, job,
                    {"model": path, "model_id": model_id, **job},
                    concurrency=concurrency, num_cpus=num_cpus, num_gpus=num_gpus, resume=resume, address=address,
                    ray=ray, progress=progress, fault_marker=_fault_marker)


def vad(paths: Union[PathLike, Sequence[PathLike]], out: Union[str, os.PathLike[str]], *,
        model: Optional[Union[str, os.PathLike[str]]] = None, threshold: float = 0.5, min_speech_ms: float = 250,
        min_silence_ms: float = 100, speech_pad_ms: float = 30, neg_threshold: Optional[float] = None,
        max_speech_s: float = float("inf"), segment_seconds: Optional[float] = None,
        context_seconds: float = 60.0, concurrency: Optional[int] = None, num_cpus: float = 1,
        resume: bool = True, address: Optional[str] = None, ray: Optional[bool] = None,
        progress: Optional[bool] = False, _fault_marker: Optional[str] = None) -> JobSummary:
    """Speech segments (:func:`vxfast.audio.vad`, Silero) over many files into ``OUT/vad/*.parquet``:
    one row per speech segment, ``start``/``end`` seconds on the stream's clock (the video's pts).

    Silero's state runs through the track, so by default (``segment_seconds=None``) a file is one
    segment and the rows are exactly :func:`vxfast.audio.vad`'s. With ``segment_seconds``, a speech
    segment belongs to the plan segment holding its start; each worker runs the model from
    ``context_seconds`` before its segment to ``context_seconds`` after it, which is the whole-file
    run when that reaches the track's ends (otherwise a boundary can move by a window or two where
    the warmed state still differs, and a speech segment longer than the context after ``end`` is cut).

    Args:
        paths, out: as :func:`detect` (files with an audio stream).
        model: Silero VAD ONNX (default: the shared ``models/silero_vad.onnx``).
        threshold, min_speech_ms, min_silence_ms, speech_pad_ms, neg_threshold, max_speech_s: as
            :func:`vxfast.audio.vad`.
        context_seconds: audio the model sees on each side of a segment (>= 0).
    {common}"""
    from .udfs import AudioUDF

    if model is None:
        from ..shared_data import shared_path

        model = shared_path("models/silero_vad.onnx")
    threshold = _check_number("threshold", threshold, 0.0, 1.0)
    if neg_threshold is not None:
        neg_threshold = _check_number("neg_threshold", neg_threshold, 0.0, 1.0)
    params: dict[str, Any] = {"threshold": threshold, "neg_threshold": neg_threshold,
                              "min_speech_ms": _check_number("min_speech_ms", min_speech_ms, 0.0),
                              "min_silence_ms": _check_number("min_silence_ms", min_silence_ms, 0.0),
                              "speech_pad_ms": _check_number("speech_pad_ms", speech_pad_ms, 0.0),
                              "max_speech_s": _check_number("max_speech_s", max_speech_s, 0.0),
                              "context_seconds": _check_number("context_seconds", context_seconds, 0.0)}
    num_cpus, _ = _check_resources(concurrency, num_cpus, 0)
    entry, path, model_id = _model_entry(model)
    return _run_job("vad", AudioUDF, paths, out, segment_seconds, entry, params,
                    {"task": "vad", "model": path, "model_id": model_id, "params": params},
                    concurrency=concurrency, num_cpus=num_cpus, num_gpus=0, resume=resume, address=address,
                    ray=ray, progress=progress, fault_marker=_fault_marker)


def audio_embed(paths: Union[PathLike, Sequence[PathLike]], model: Union[str, os.PathLike[str]],
                out: Union[str, os.PathLike[str]], *, frontend: Optional[str] = "openwakeword",
                window: Optional[float] = None, hop: Optional[float] = None, batch: int = 64,
                segment_seconds: Optional[float] = None, concurrency: Optional[int] = None, num_cpus: float = 1,
                resume: bool = True, address: Optional[str] = None, ray: Optional[bool] = None,
                progress: Optional[bool] = False, _fault_marker: Optional[str] = None) -> JobSummary:
    """Audio window embeddings (:func:`vxfast.audio.embed`) over many files into
    ``OUT/audio_embeddings/*.parquet``: one row per window (``start``/``end`` seconds on the
    stream's clock), the vector as ``list<float32>``.

    Windows are on the whole file's grid (every ``hop`` from the track's first sample); a window
    belongs to the segment holding its start, and each worker decodes exactly the samples its
    windows cover, so any ``segment_seconds`` gives the whole-file run's windows (values to the
    float rounding of another batch split and of AAC decoding after a seek, ~1e-5).

    Args:
        paths, out: as :func:`detect` (files with an audio stream).
        model: an audio embedding ONNX model (e.g. the shared ``models/speech_embedding.onnx``).
        frontend: a preset of :func:`vxfast.audio.embed` (``"openwakeword"``, ``"fbank"``,
            ``"wespeaker"``, ``"whisper"``) or None (raw samples).
        window, hop, batch: as :func:`vxfast.audio.embed` (no ``segments``: windows cover the track).
    {common}"""
    from ..audio._windowing import resolve_frontend
    from .udfs import AudioUDF

    if frontend is not None and not isinstance(frontend, str):
        raise ValueError(f"frontend={frontend!r}: a distributed job takes a preset name or None")
    fe = resolve_frontend(frontend)  # checks the name here
    if fe is not None and fe.origin_s != 0.0 and segment_seconds is not None:
        # a centred STFT reflect-pads at the cut, so a segment's edge frames would not be the
        # whole file's: only whole files give vxfast.audio.embed's values
        raise ValueError(f"frontend={frontend!r} is centred (its frames reach before the input); "
                         f"use segment_seconds=None with it")
    for name, v in (("window", window), ("hop", hop)):
        if v is not None:
            _check_number(name, v, 1e-6)
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch={batch!r} must be an int >= 1")
    num_cpus, _ = _check_resources(concurrency, num_cpus, 0)
    entry, path, model_id = _model_entry(model)
    params: dict[str, Any] = {"frontend": frontend, "window": window, "hop": hop}
    return _run_job("audio_embeddings", AudioUDF, paths, out, segment_seconds, entry, params,
                    {"task": "embed", "model": path, "model_id": model_id, "params": {**params, "batch": batch}},
                    concurrency=concurrency, num_cpus=num_cpus, num_gpus=0, resume=resume, address=address,
                    ray=ray, progress=progress, fault_marker=_fault_marker)


for _f in (detect, track, quality, embed, vad, audio_embed):
    _f.__doc__ = (_f.__doc__ or "").replace("    {common}", _COMMON_ARGS.rstrip("\n"))
