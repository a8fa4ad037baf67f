"""vxfast.distributed.detect on Ray Data vs the single-machine path, same videos, same run.

    PYTHONPATH=python python bench/bench_distributed.py [--videos 20] [--seconds 1] [--rounds 2]
        [--model models/yolov8n.onnx] [--segment-seconds 60]

Makes ``--videos`` short clips from vtest.avi (768x576, 25 fps, GOP 25), then alternates, round by
round, a fresh output folder with (a) the in-process path (``ray=False``: one model, streams and
threads sized to the machine) and (b) Ray Data on a local Ray (``ray.init(num_cpus=cores)``,
started once, not timed) with ``concurrency`` actors of ``cores / concurrency`` CPUs each, for each
``--concurrency`` given. Prints per configuration the median wall time and fps, the ratio to the
in-process path and the per-segment overhead ``(t_ray - t_local) / segments``. A job's time counts
planning, the manifest, actor start-up (model load) and every Parquet write.

On a shared machine wall time swings with the neighbours' load, so each run also records the CPU
time (user + system) of this process and every process under it — Ray's GCS, raylet, agents and
worker processes included (sampled every 0.1 s, :class:`TreeCpu`) — per frame.
``cpu_ratio`` = local CPU per frame / this configuration's: what the throughput ratio would be on
an otherwise idle machine where both keep every core busy.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_clips(d: Path, n: int, seconds: float) -> list[Path]:
    from vxfast.shared_data import shared_path

    src = shared_path("media/vtest.avi")
    out = []
    # vtest.avi plays 13.6 s. Distinct starts give distinct files: plan() runs identical content once.
    span = 13.0 - seconds
    for i in range(n):
        p = d / f"clip{i:03d}.mp4"
        start = i * span / max(n - 1, 1)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", f"{start:.2f}", "-i", str(src), "-t", str(seconds),
                        "-an", "-c:v", "libx264", "-g", "25", "-preset", "veryfast", "-pix_fmt", "yuv420p", str(p)],
                       check=True)
        out.append(p)
    return out


class TreeCpu:
    """CPU seconds (user + system) of this process and all its descendants over a run, sampled every
    0.1 s: Ray's worker processes exit when their actor pool shuts down and nobody reaps them into a
    parent's children times, so each process's last sample is kept (at most 0.1 s of its CPU lost)."""

    def __init__(self) -> None:
        import threading

        self._seen: dict[tuple[int, float], float] = {}
        self._base = self._sample()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _sample(self) -> dict[tuple[int, float], float]:
        import psutil

        me = psutil.Process()
        for p in [me, *me.children(recursive=True)]:
            try:
                t = p.cpu_times()
                self._seen[(p.pid, p.create_time())] = t.user + t.system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return dict(self._seen)

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self._sample()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self._sample()
        return sum(v - self._base.get(k, 0.0) for k, v in self._seen.items())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--videos", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--model", default=None, help="default: the shared yolov8n.onnx")
    ap.add_argument("--segment-seconds", type=float, default=60.0)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[2])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import ray

    import vxfast.distributed as vd
    from vxfast.config.hardware import cpu_cores
    from vxfast.shared_data import shared_path

    model = args.model or str(shared_path("models/yolov8n.onnx"))
    cores = cpu_cores()
    with tempfile.TemporaryDirectory() as tmp:
        clips = make_clips(Path(tmp), args.videos, args.seconds)
        t = time.perf_counter()
        ray.init(num_cpus=cores, include_dashboard=False, log_to_driver=False, configure_logging=False,
                 runtime_env={"env_vars": {"PYTHONPATH": os.environ.get("PYTHONPATH", "")}})
        ray.data.DataContext.get_current().enable_progress_bars = False
        ray_init_s = time.perf_counter() - t
        configs = [("local", None)] + [(f"ray x{c}", c) for c in args.concurrency]
        times: dict[str, list[float]] = {name: [] for name, _ in configs}
        cpus: dict[str, list[float]] = {name: [] for name, _ in configs}
        frames = segments = 0
        for r in range(args.rounds):
            for name, conc in configs:
                out = Path(tmp) / f"out-{r}-{name.replace(' ', '')}"
                meter = TreeCpu()
                if conc is None:
                    s = vd.detect([str(c) for c in clips], model, out, segment_seconds=args.segment_seconds,
                                  ray=False)
                else:
                    s = vd.detect([str(c) for c in clips], model, out, segment_seconds=args.segment_seconds,
                                  ray=True, concurrency=conc, num_cpus=max(1, cores // conc))
                assert s.errors == 0 and s.done == s.segments, s
                frames, segments = s.frames, s.segments
                times[name].append(s.seconds)
                cpus[name].append(meter.stop())
                print(f"round {r} {name}: {s.seconds:.2f} s, {s.fps:.1f} fps, cpu {cpus[name][-1]:.1f} s",
                      file=sys.stderr)
        ray.shutdown()
    base = statistics.median(times["local"])
    base_cpu = statistics.median(cpus["local"])
    res = {"videos": args.videos, "frames": frames, "segments": segments, "cores": cores,
           "ray_init_s": round(ray_init_s, 2), "configs": {}}
    for name, _ in configs:
        m = statistics.median(times[name])
        res["configs"][name] = {"median_s": round(m, 3), "fps": round(frames / m, 2), "ratio": round(base / m, 3),
                                "overhead_per_segment_ms": round((m - base) / max(segments, 1) * 1000, 1),
                                "cpu_ms_per_frame": round(statistics.median(cpus[name]) / max(frames, 1) * 1000, 1),
                                "cpu_ratio": round(base_cpu / statistics.median(cpus[name]), 3),
                                "runs_s": [round(x, 2) for x in times[name]]}
    if args.json:
        print(json.dumps(res))
    else:
        print(f"{args.videos} videos, {frames} frames, {segments} segments, {cores} cores "
              f"(ray.init {ray_init_s:.1f} s, not counted)")
        for name, c in res["configs"].items():
            print(f"  {name:8s} median {c['median_s']:.2f} s  {c['fps']:.1f} fps  x{c['ratio']:.3f} of local  "
                  f"overhead {c['overhead_per_segment_ms']:+.1f} ms/segment  cpu {c['cpu_ms_per_frame']} ms/frame "
                  f"(x{c['cpu_ratio']:.3f})  runs {c['runs_s']}")


if __name__ == "__main__":
    main()
