"""vxfast.distributed.detect on Ray Data vs the single-machine path, same videos, same run.

    PYTHONPATH=python python bench/bench_distributed.py [--videos 20] [--seconds 1] [--rounds 2]
        [--model models/yolov8n.onnx] [--segment-seconds 60]

Makes ``--videos`` short clips from vtest.avi (768x576, 25 fps, GOP 25), then alternates, round by
round, a fresh output folder with (a) the in-process path (``ray=False``: one model, streams and
threads sized to the machine) and (b) Ray Data on a local Ray (``ray.init(num_cpus=cores)``,
started once, not timed, then one one-clip Ray job that creates Ray Data's singleton actors, timed
apart) with ``concurrency`` actors of ``cores / concurrency`` CPUs each, for each
``--concurrency`` given. Prints per configuration the median wall time and fps, the ratio to the
in-process path and the per-segment overhead ``(t_ray - t_local) / segments``. A job's time counts
planning, the manifest, actor start-up (model load) and every Parquet write.

On a shared machine wall time swings with the neighbours' load, so each run also records the CPU
time (user + system) of this process and every process under it — Ray's GCS, raylet, agents and
worker processes included (sampled every 0.1 s, :class:`TreeCpu`) — per frame.
``cpu_ratio`` = local CPU per frame / this configuration's: what the throughput ratio would be on
an otherwise idle machine where both keep every core busy.

``--mode cli`` measures the command line itself, as on a cluster where Ray already runs: ``ray start
--head`` on 127.0.0.1 once before the rounds (its time printed, not counted), then per round
``python -m vxfast.cli detect CLIPS --out DIR`` against ``... --ray 127.0.0.1:PORT`` as
subprocesses, each timed from launch to exit (interpreter, imports and joining the cluster
included). CPU is counted over this process tree plus the Ray daemons ``ray start`` left and
their workers. ``--fine S`` adds the local and ``ray x1`` jobs again with ``--segment-seconds S``:
the per-segment overhead is then the slope ``((ray - local) at S - (ray - local) whole) /
(segments at S - segments whole)``, apart from the fixed per-job start-up.
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
from typing import Optional


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


def process_trees(roots) -> list:
    """The live processes under each root pid (roots included; gone ones skipped)."""
    import psutil

    procs = []
    for pid in roots:
        try:
            root = psutil.Process(pid)
            procs += [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
    return procs


class TreeCpu:
    """CPU seconds (user + system) of this process and all its descendants over a run, sampled every
    0.1 s: Ray's worker processes exit when their actor pool shuts down and nobody reaps them into a
    parent's children times, so each process's last sample is kept (at most 0.1 s of its CPU lost)."""

    def __init__(self, roots: tuple[int, ...] = ()) -> None:
        import threading

        self._roots = roots
        self._seen: dict[tuple[int, float], float] = {}
        self._base = self._sample()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _sample(self) -> dict[tuple[int, float], float]:
        import psutil

        procs = process_trees((os.getpid(), *self._roots))
        for p in procs:
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


def start_ray_head(cores: int) -> tuple[str, tuple[int, ...], float]:
    """``ray start --head`` on 127.0.0.1 (a free port): (address, daemon pids, seconds it took)."""
    import socket

    import psutil

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    before = set(psutil.pids())
    t = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("ray")), "start", "--head", "--node-ip-address=127.0.0.1",
                    f"--port={port}", f"--num-cpus={cores}", "--include-dashboard=false", "--disable-usage-stats"],
                   check=True, capture_output=True, env=ENV)
    seconds = time.perf_counter() - t
    me = psutil.Process().username()
    roots = []
    for pid in set(psutil.pids()) - before:
        try:
            p = psutil.Process(pid)
            if p.username() == me and p.ppid() not in set(psutil.pids()) - before:
                roots.append(pid)
        except psutil.NoSuchProcess:
            continue
    return f"127.0.0.1:{port}", tuple(roots), seconds


def stop_ray_head(roots: tuple[int, ...], address: Optional[str]) -> None:
    """Stops the daemons ``start_ray_head`` started, by pid (not ``ray stop``: other Ray instances
    on the machine are not ours), and drops the cluster file ``ray start`` wrote when it names this
    cluster (a later ``ray.init()`` would try to join the dead one)."""
    import psutil

    procs = process_trees(roots)
    for p in procs:
        try:
            p.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(procs, timeout=10)
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    current = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"
    port = (address or "").rsplit(":", 1)[-1]
    try:
        if port and current.read_text().strip().endswith(":" + port):
            current.unlink()
    except OSError:
        pass


# Ray >= 2.5x enables token authentication for a cluster `ray start` makes when a token exists
# (~/.ray/auth_token); its clients must then ask for it too.
ENV = {**os.environ, "RAY_AUTH_MODE": os.environ.get("RAY_AUTH_MODE", "token")}


def run_cli(clips: list[Path], out: Path, segment_seconds: float, address: Optional[str],
            conc: Optional[int], cores: int) -> dict:
    cmd = [sys.executable, "-m", "vxfast.cli", "detect", *map(str, clips), "--model", MODEL[0], "--out", str(out),
           "--segment-seconds", str(segment_seconds), "--json", "--no-progress"]
    if address is not None:
        cmd += ["--ray", address, "--concurrency", str(conc), "--cpus-per-actor", str(max(1, cores // (conc or 1)))]
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(r.stderr[-3000:])
    s = json.loads(r.stdout.strip().splitlines()[-1])
    s["wall"] = wall
    return s


MODEL: list[str] = []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--videos", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--model", default=None, help="default: the shared yolov8n.onnx")
    ap.add_argument("--segment-seconds", type=float, default=60.0)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[2])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--mode", choices=["api", "cli"], default="api",
                    help="api: vd.detect in this process after ray.init; cli: the vxfast command against "
                         "a `ray start --head` cluster")
    ap.add_argument("--fine", type=float, default=None,
                    help="also run local and ray x1 with this segment length (per-segment overhead)")
    args = ap.parse_args()

    import ray

    import vxfast.distributed as vd
    from vxfast.config.hardware import cpu_cores
    from vxfast.shared_data import shared_path

    model = args.model or str(shared_path("models/yolov8n.onnx"))
    MODEL.append(model)
    cores = cpu_cores()
    address: Optional[str] = None
    roots: tuple[int, ...] = ()
    with tempfile.TemporaryDirectory() as tmp:
        clips = make_clips(Path(tmp), args.videos, args.seconds)
        t = time.perf_counter()
        if args.mode == "cli":
            address, roots, _ = start_ray_head(cores)
        else:
            ray.init(address="local", num_cpus=cores, include_dashboard=False, log_to_driver=False,
                     configure_logging=False,
                     runtime_env={"env_vars": {"PYTHONPATH": os.environ.get("PYTHONPATH", "")}})
            ray.data.DataContext.get_current().enable_progress_bars = False
        ray_init_s = time.perf_counter() - t
        # The first Ray Data job on a cluster also creates Ray Data's own singleton actors (stats,
        # autoscaling coordinator, actor locations: a Python worker each); on a running cluster
        # they already exist. One small job, timed apart, so that no round pays for them.
        t = time.perf_counter()
        warm = Path(tmp) / "out-warmup"
        if args.mode == "cli":
            run_cli(clips[:1], warm, args.segment_seconds, address, 1, cores)
        else:
            vd.detect([str(clips[0])], model, warm, segment_seconds=args.segment_seconds, ray=True, concurrency=1,
                      num_cpus=cores)
        first_job_s = time.perf_counter() - t
        configs: list[tuple[str, Optional[int], float]] = [("local", None, args.segment_seconds)]
        configs += [(f"ray x{c}", c, args.segment_seconds) for c in args.concurrency]
        if args.fine is not None:
            configs += [("local fine", None, args.fine), ("ray x1 fine", 1, args.fine)]
        times: dict[str, list[float]] = {name: [] for name, _, _ in configs}
        cpus: dict[str, list[float]] = {name: [] for name, _, _ in configs}
        frames: dict[str, int] = {}
        segments: dict[str, int] = {}
        try:
            for r in range(args.rounds):
                for name, conc, seg in configs:
                    out = Path(tmp) / f"out-{r}-{name.replace(' ', '')}"
                    meter = TreeCpu(roots)
                    if args.mode == "cli":
                        d = run_cli(clips, out, seg, None if conc is None else address, conc, cores)
                        wall, n_frames, n_segments = d["wall"], d["frames"], d["segments"]
                        assert d["errors"] == 0 and d["done"] == d["segments"], d
                    else:
                        if conc is None:
                            s = vd.detect([str(c) for c in clips], model, out, segment_seconds=seg, ray=False)
                        else:
                            s = vd.detect([str(c) for c in clips], model, out, segment_seconds=seg,
                                          ray=True, concurrency=conc, num_cpus=max(1, cores // conc))
                        assert s.errors == 0 and s.done == s.segments, s
                        wall, n_frames, n_segments = s.seconds, s.frames, s.segments
                    frames[name], segments[name] = n_frames, n_segments
                    times[name].append(wall)
                    cpus[name].append(meter.stop())
                    load = os.getloadavg()[0]
                    print(f"round {r} {name}: {wall:.2f} s, {n_frames / wall:.1f} fps, cpu {cpus[name][-1]:.1f} s, "
                          f"load {load:.1f}", file=sys.stderr, flush=True)
        finally:
            if args.mode == "cli":
                stop_ray_head(roots, address)
            else:
                ray.shutdown()
    base = statistics.median(times["local"])
    base_cpu = statistics.median(cpus["local"])
    res = {"mode": args.mode, "videos": args.videos, "frames": frames["local"], "segments": segments["local"],
           "cores": cores, "ray_start_s": round(ray_init_s, 2), "first_job_s": round(first_job_s, 2),
           "configs": {}}
    for name, _, _ in configs:
        ref = "local fine" if name.endswith("fine") else "local"
        m, mb = statistics.median(times[name]), statistics.median(times[ref])
        # per-round ratios: the two runs of a round saw about the same neighbours
        per_round = [b / x for b, x in zip(times[ref], times[name])]
        res["configs"][name] = {"median_s": round(m, 3), "fps": round(frames[name] / m, 2),
                                "ratio": round(mb / m, 3),
                                "median_round_ratio": round(statistics.median(per_round), 3),
                                "segments": segments[name],
                                "overhead_per_segment_ms": round((m - mb) / max(segments[name], 1) * 1000, 1),
                                "cpu_ms_per_frame": round(statistics.median(cpus[name]) / max(frames[name], 1) * 1000,
                                                          1),
                                "cpu_ratio": round(statistics.median(cpus[ref]) / statistics.median(cpus[name]), 3),
                                "runs_s": [round(x, 2) for x in times[name]]}
    if args.fine is not None:
        c = res["configs"]
        extra = (c["ray x1 fine"]["median_s"] - c["local fine"]["median_s"]) - (c["ray x1"]["median_s"] - base)
        res["slope_overhead_per_segment_ms"] = round(
            extra / max(segments["ray x1 fine"] - segments["ray x1"], 1) * 1000, 1)
    _ = base_cpu
    if args.json:
        print(json.dumps(res))
    else:
        print(f"{args.videos} videos, {res['frames']} frames, {res['segments']} segments, {cores} cores "
              f"({'ray start --head' if args.mode == 'cli' else 'ray.init'} {ray_init_s:.1f} s and a first one-clip "
              f"Ray job {first_job_s:.1f} s, not counted)")
        for name, c in res["configs"].items():
            print(f"  {name:11s} median {c['median_s']:.2f} s  {c['fps']:.1f} fps  x{c['ratio']:.3f} of local "
                  f"(per round x{c['median_round_ratio']:.3f})  {c['segments']} segments  "
                  f"overhead {c['overhead_per_segment_ms']:+.1f} ms/segment  cpu {c['cpu_ms_per_frame']} ms/frame "
                  f"(x{c['cpu_ratio']:.3f})  runs {c['runs_s']}")
        if "slope_overhead_per_segment_ms" in res:
            print(f"  per-segment overhead of Ray (slope, fixed start-up removed): "
                  f"{res['slope_overhead_per_segment_ms']:+.1f} ms/segment")


if __name__ == "__main__":
    main()
