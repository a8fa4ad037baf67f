"""``vxfast.benchmark``: how fast a model runs here, as a service would see it.

>>> from vxfast import benchmark
>>> from vxfast.shared_data import shared_path
>>> report = benchmark.run(shared_path("models/yolov8n.onnx"), iters=2, warmup=1, providers="cpu")
>>> sorted(report.latency_ms) == ["max", "mean", "min", "p50", "p95", "p99"]
True

One *iteration* is one batch: without a video, a synthetic tensor of the model's input shape through
inference (+ YOLO postprocessing for detection models); with a video, the next batch from
:class:`vxfast.Pipeline` (decode + letterbox in a C++ thread, overlapped with inference), then
inference and postprocessing. Latency is per iteration (the batch a caller waits for) and per frame
(batch latency / frames in it); ``fps`` is frames / summed iteration time.

Stages (``report.stages``, milliseconds per frame):

- ``inference``, ``postprocess``: timed inside every iteration.
- ``wait`` (video only): how long the consumer waited for the pipeline, the part of decode and
  preprocessing that was *not* hidden behind inference.
- ``decode``, ``preprocess`` (video only): measured separately after the timed loop, one stage at a
  time on the same frames (``frames(format="yuv420p")`` then the fused YUV letterbox the pipeline
  uses). In the pipeline they overlap inference, so they do not add to the latency; they say how
  much headroom the producer has (``"overlapped": True``).
"""
from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

__all__ = ["BenchReport", "run", "compare_providers", "percentiles", "synthetic_input", "write_json",
           "machine_info", "versions"]

_KEYS = ("min", "mean", "p50", "p95", "p99", "max")


def percentiles(ms: Sequence[float] | np.ndarray) -> dict[str, float]:
    """``{min, mean, p50, p95, p99, max}`` of ``ms`` (linear interpolation, numpy's default)."""
    a = np.asarray(ms, dtype=np.float64)
    if a.size == 0:
        return {k: float("nan") for k in _KEYS}
    p50, p95, p99 = np.percentile(a, [50, 95, 99])
    return {"min": float(a.min()), "mean": float(a.mean()), "p50": float(p50), "p95": float(p95),
            "p99": float(p99), "max": float(a.max())}


@dataclass
class BenchReport:
    """The result of :func:`run`. ``to_dict()`` is the ``vxfast bench --json`` document."""

    model: str
    providers: list[str]
    batch: int
    iters: int
    warmup: int
    input_shape: list[int]
    source: str                      # "synthetic" or the video path
    frames: int                      # frames in the timed iterations
    latency_ms: dict[str, float]     # per batch (one iteration)
    latency_per_frame_ms: dict[str, float]
    fps: float
    stages: dict[str, dict[str, Any]]
    peak_rss_mb: float
    vram_mb: Optional[float] = None  # on GPU only: this process's device memory, max seen
    machine: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self, indent: Optional[int] = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, default=str)

    def meets(self, p99_ms: float) -> bool:
        """True when the per-batch p99 latency is within ``p99_ms``."""
        return self.latency_ms["p99"] <= p99_ms

    def table(self) -> str:
        """A readable summary (what ``vxfast bench`` prints)."""
        lines = [f"model {self.model}  providers {','.join(self.providers)}  batch {self.batch}  "
                 f"input {'x'.join(map(str, self.input_shape))}",
                 f"source {self.source}  {self.iters} iterations ({self.frames} frames) after "
                 f"{self.warmup} warm-up"]
        head = f"{'latency ms':<14}" + "".join(f"{k:>10}" for k in _KEYS)
        lines += ["", head]
        for label, d in (("per batch", self.latency_ms), ("per frame", self.latency_per_frame_ms)):
            lines.append(f"{label:<14}" + "".join(f"{d[k]:>10.2f}" for k in _KEYS))
        lines += ["", f"throughput     {self.fps:.2f} frames/s", "",
                  f"{'stage':<14}{'ms/frame':>10}{'share':>8}  note"]
        for name, s in self.stages.items():
            share = f"{s['share'] * 100:>7.1f}%" if s.get("share") is not None else f"{'':>8}"
            lines.append(f"{name:<14}{s['ms_per_frame']:>10.2f}{share}  {s.get('note', '')}")
        lines += ["", f"peak RSS       {self.peak_rss_mb:.0f} MB"]
        if self.vram_mb is not None:
            lines.append(f"VRAM           {self.vram_mb:.0f} MB")
        m, v = self.machine, self.versions
        lines.append(f"machine        {m.get('cpu', '?')}, {m.get('cpu_cores', '?')} cores, SIMD "
                     f"{m.get('simd', '?')}" + (f", GPU {', '.join(m['gpus'])}" if m.get("gpus") else ""))
        lines.append("versions       " + ", ".join(f"{k} {val}" for k, val in v.items()))
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


# ------------------------------------------------------------------------------------- environment

def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (``getrusage``), MB."""
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / (1 << 20) if sys.platform == "darwin" else r / 1024.0  # macOS: bytes, Linux: KiB


def _process_vram_mb() -> Optional[float]:
    """This process's device memory from nvidia-smi (onnxruntime's CUDA arena does not report it)."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=5, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    pid, total, seen = os.getpid(), 0.0, False
    for line in out.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) == 2 and parts[0] == str(pid):
            try:
                total += float(parts[1])
                seen = True
            except ValueError:
                continue
    return total if seen else None


def machine_info() -> dict[str, Any]:
    """CPU, cores, SIMD level, GPUs, OS: enough to tell two benchmark machines apart."""
    from .config.hardware import cpu_cores, nvidia_gpus, simd_level

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "arch": platform.machine(), "cpu_cores": cpu_cores(), "simd": simd_level(),
            "gpus": [f"{g.name} ({g.memory_mb} MB)" for g in nvidia_gpus()],
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version()}


def versions() -> dict[str, str]:
    from . import __version__
    out = {"vxfast": __version__, "numpy": np.__version__, "python": platform.python_version()}
    try:
        import onnxruntime
        out["onnxruntime"] = onnxruntime.__version__
    except ImportError:
        pass
    return out


# ------------------------------------------------------------------------------------------ the run

def _check_int(name: str, value: Any, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
        raise ValueError(f"{name}={value!r} must be an int >= {lo}")
    return int(value)


def _wants_yolo(model, postprocess: Union[bool, str, None]) -> bool:
    if postprocess in (False, None, "none"):
        return False
    if postprocess in ("yolo", True):
        return True
    if postprocess != "auto":
        raise ValueError(f"postprocess={postprocess!r} must be 'auto', 'yolo' or 'none'")
    outs = model.info.outputs
    # A YOLO detection head is one [B, 4+nc, N] output; anything else is left alone.
    return (model.info.task in ("detect", None) and len(outs) == 1 and len(outs[0].shape) == 3)


def _stage(ms_total: float, frames: int, wall_ms: float, note: str, overlapped: bool) -> dict[str, Any]:
    per = ms_total / max(frames, 1)
    return {"ms_per_frame": per, "total_ms": ms_total,
            "share": (ms_total / wall_ms) if (wall_ms > 0 and not overlapped) else None,
            "overlapped": overlapped, "note": note}


def run(model: Any, *, video: Union[str, os.PathLike[str], None] = None, batch: Optional[int] = None,
        iters: int = 20, warmup: int = 2, providers: Union[str, Sequence[str], None] = None,
        profile: Any = None, threads: Optional[int] = None, postprocess: Union[str, bool] = "auto",
        stage_frames: int = 8, seed: int = 0) -> BenchReport:
    """Benchmark ``model`` on this machine.

    Args:
        model: a path, a bare model name or an open :class:`vxfast.Model` (used as it is:
            ``providers``, ``profile`` and ``threads`` must then be left out).
        video: frames to run on (through :class:`vxfast.Pipeline`, looping over the file when it is
            shorter than ``warmup + iters`` batches); ``None`` = synthetic uniform [0, 1) tensors of
            the model's input shape.
        batch: frames per iteration (default: the profile's batch, else the model's).
        iters, warmup: timed iterations (>= 1) and untimed ones before them (>= 0).
        providers, profile, threads: as :class:`vxfast.Model`.
        postprocess: ``"auto"`` (YOLO decode + NMS when the model has a single 3-D detection
            output), ``"yolo"`` or ``"none"``.
        stage_frames: frames for the separate decode / preprocess timing (video only; 0 skips it).

    Raises:
        ValueError: a bad count. ``ModelError`` / ``VideoError``: the model or video cannot be used.
    """
    from .model import Model

    iters = _check_int("iters", iters, 1)
    warmup = _check_int("warmup", warmup, 0)
    stage_frames = _check_int("stage_frames", stage_frames, 0)
    if batch is not None:
        batch = _check_int("batch", batch, 1)
    own = not isinstance(model, Model)
    if not own:
        given = [k for k, v in (("providers", providers), ("profile", profile), ("threads", threads))
                 if v is not None]
        if given:
            raise ValueError(f"{', '.join(given)}: an open Model keeps its own session settings; pass a "
                             "model path to benchmark other ones")
    m = Model(model, providers=providers, profile=profile, batch=batch, threads=threads,
              warmup=0) if own else model
    try:
        return _run(m, video, batch or max(1, int(m.batch or 1)), iters, warmup, postprocess,
                    stage_frames, seed)
    finally:
        if own:
            m.close()


def synthetic_input(model: Any, batch: int, seed: int = 0) -> np.ndarray:
    """A seeded batch of ``model``'s input shape and dtype: uniform [0, 1) for float inputs (a
    normalised image), uniform 0..255 for integer ones (raw pixels)."""
    shape = model.input_shape(batch)
    dtype = np.dtype(model.info.input_dtype or np.float32)
    rng = np.random.default_rng(seed)
    if dtype.kind in "ui":
        return rng.integers(0, 256, shape).astype(dtype)
    return rng.random(shape, dtype=np.float32).astype(dtype, copy=False)


def _run(m, video, batch: int, iters: int, warmup: int, postprocess, stage_frames: int,
         seed: int) -> BenchReport:
    from .postprocess import yolo

    yolo_on = _wants_yolo(m, postprocess)
    info = m.info
    vram = [_process_vram_mb()] if _uses_gpu(info.providers) else []
    lat, inf, post, wait, counts = [], [], [], [], []
    notes: list[str] = []

    if video is None:
        x = synthetic_input(m, batch, seed)
        shape = x.shape
        for i in range(warmup + iters):
            t0 = time.perf_counter()
            outs = m.run(x, copy=False)
            t1 = time.perf_counter()
            if yolo_on:
                yolo(outs[0], names=m.names)
            t2 = time.perf_counter()
            if i >= warmup:
                lat.append(t2 - t0)
                inf.append(t1 - t0)
                post.append(t2 - t1)
                counts.append(batch)
        source = "synthetic"
        input_shape = list(shape)
    else:
        input_shape = []
        for i, (b, t_wait) in enumerate(_batches(m, video, batch, warmup + iters)):
            t1 = time.perf_counter()
            outs = m.run(b.tensor, copy=False)
            t2 = time.perf_counter()
            if yolo_on:
                yolo(outs[0], letterbox=b.letterbox, names=m.names)
            t3 = time.perf_counter()
            input_shape = list(b.tensor.shape)
            if i >= warmup:
                lat.append(t3 - t1 + t_wait)
                wait.append(t_wait)
                inf.append(t2 - t1)
                post.append(t3 - t2)
                counts.append(int(b.count))
            del b, outs
        source = os.fspath(video)
    if _uses_gpu(info.providers):
        vram.append(_process_vram_mb())

    frames = int(sum(counts))
    ms = np.asarray(lat) * 1e3
    wall_ms = float(ms.sum())
    stages: dict[str, dict[str, Any]] = {}
    if video is not None:
        dec, pre, n = _decode_preprocess_times(video, m, stage_frames) if stage_frames else (0.0, 0.0, 0)
        if n:
            note = f"timed alone on {n} frames; overlaps inference in the pipeline"
            stages["decode"] = _stage(dec * 1e3 / n * frames, frames, wall_ms, note, True)
            stages["preprocess"] = _stage(pre * 1e3 / n * frames, frames, wall_ms, note, True)
        stages["wait"] = _stage(float(np.sum(wait)) * 1e3, frames, wall_ms,
                                "waiting for the pipeline (decode+preprocess not hidden)", False)
    else:
        notes.append("synthetic input: no decode or preprocess stage")
    if iters < 100:
        notes.append(f"p99 of {iters} iterations is interpolated near the slowest one; "
                     "use 100 or more iterations for a p99 to quote")
    stages["inference"] = _stage(float(np.sum(inf)) * 1e3, frames, wall_ms, ", ".join(info.providers), False)
    stages["postprocess"] = _stage(float(np.sum(post)) * 1e3, frames, wall_ms,
                                   "YOLO decode + NMS" if yolo_on else
                                   ("off" if postprocess in (False, None, "none")
                                    else "none: not a single-output detection model"), False)
    per_frame = ms / np.asarray(counts, dtype=np.float64)
    seen = [v for v in vram if v is not None]
    return BenchReport(
        model=str(info.source_path), providers=list(info.providers), batch=batch, iters=iters,
        warmup=warmup, input_shape=input_shape, source=source, frames=frames,
        latency_ms=percentiles(ms), latency_per_frame_ms=percentiles(per_frame),
        fps=frames / (wall_ms / 1e3) if wall_ms > 0 else 0.0, stages=stages, peak_rss_mb=peak_rss_mb(),
        vram_mb=max(seen) if seen else None, machine=machine_info(), versions=versions(), notes=notes)


def _uses_gpu(providers: Sequence[str]) -> bool:
    return any(p in ("CUDAExecutionProvider", "TensorrtExecutionProvider") for p in providers)


def _batches(m, video, batch: int, n: int):
    """Yields ``(batch, seconds waited for it)`` ``n`` times, reopening the pipeline at the end of
    the video (the reader and its index are reused)."""
    from .pipeline import Pipeline
    from .preprocessing import Letterbox
    from .video import VideoReader

    imgsz = m.info.imgsz or tuple(m.input_shape(batch)[-2:])
    spec = Letterbox((int(imgsz[0]), int(imgsz[1])))
    with VideoReader(video) as reader:
        done = 0
        while done < n:
            got = 0
            with Pipeline(reader, spec, batch=batch) as p:
                it = iter(p)
                while done < n:
                    t0 = time.perf_counter()
                    try:
                        b = next(it)
                    except StopIteration:
                        break
                    got += 1
                    done += 1
                    yield b, time.perf_counter() - t0
                    del b
            if got == 0:
                raise ValueError(f"video={os.fspath(video)!r}: no frames could be read")


def _decode_preprocess_times(video, m, n: int) -> tuple:
    """Seconds to decode ``n`` frames to YUV420P and to letterbox them (the pipeline's fused YUV
    kernel), each timed alone, one frame at a time."""
    from .preprocessing import Letterbox, preprocess_yuv420
    from .video import VideoReader

    imgsz = m.info.imgsz or tuple(m.input_shape(1)[-2:])
    spec = Letterbox((int(imgsz[0]), int(imgsz[1])))
    dec = pre = 0.0
    got = 0
    with VideoReader(video) as reader:
        it = iter(reader.frames(format="yuv420p"))
        while got < n:
            t0 = time.perf_counter()
            try:
                f = next(it)
            except StopIteration:
                break
            t1 = time.perf_counter()
            y, u, v = f.planes
            preprocess_yuv420(y, u, v, spec)
            t2 = time.perf_counter()
            dec += t1 - t0
            pre += t2 - t1
            got += 1
    return dec, pre, got


def compare_providers(model: Any, providers: Optional[Sequence[str]] = None, **kwargs: Any) -> list[BenchReport]:
    """:func:`run` once per execution provider (default: every one this onnxruntime has that
    vxfast can use), each alone with CPU as the fallback. Returns the reports in that order."""
    from .model.providers import AUTO_ORDER

    if providers is None:
        import onnxruntime
        avail = onnxruntime.get_available_providers()
        providers = [p for p in AUTO_ORDER if p in avail]
    reports = []
    for p in providers:
        reports.append(run(model, providers=p, **kwargs))
    return reports


def write_json(obj: Union[BenchReport, list[BenchReport]], path: Union[str, os.PathLike[str]]) -> Path:
    """Writes a report (or a list, as ``{"runs": [...]}``) as JSON; returns the path."""
    p = Path(path)
    doc = obj.to_dict() if isinstance(obj, BenchReport) else {"runs": [r.to_dict() for r in obj]}
    p.write_text(json.dumps(doc, indent=2, default=str) + "\n")
    return p
