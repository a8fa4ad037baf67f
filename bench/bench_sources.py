"""Sources benchmarks (issue 16), each against its anchor in the same run, medians of per-round ratios.

    python bench/bench_sources.py memory [--rounds 7] [--json out.json]
    python bench/bench_sources.py streams [--sources 8] [--seconds 4] [--rounds 3] [--model M]

memory: decoding a video from memory (bytes, io.BytesIO, a non-seekable stream; custom AVIO
context) vs decoding the same file from disk (FFmpeg's file protocol). Target >= 0.95x. Variants are
interleaved within each round, each round starting one variant later, so machine noise hits all
alike; each round's ratio is the file's time over the in-memory time in that round (a throughput
ratio: > 1 is faster than the file), and the table shows the median ratio.

streams: N loopback TCP sources (a 720p25 H.264 MPEG-TS clip served per connection by a local socket
server, read with backpressure so every frame is inferred) into one YOLOv8n through vxfast.Streams,
vs vxfast.detect over the same N files one after another, same model and batch, the two alternating
which goes first each round. Target total fps >= 0.9x; Streams' per-frame latency p95 (decode ->
batch) is reported. Both print the 1-min load average per round (the machine may be shared).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vxfast  # noqa: E402

from media import h264_1080p  # noqa: E402


class _Pipe(io.RawIOBase):
    """Non-seekable, like a socket or a subprocess pipe."""

    def __init__(self, data: bytes) -> None:
        self._src = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        return self._src.readinto(b)


def _decode(make_src, fmt: str):
    def run() -> int:
        n = 0
        with vxfast.VideoReader(make_src()) as r:
            for _ in r.frames(format=fmt):
                n += 1
        return n
    return run


def _faststart(src: Path) -> Path:
    """The same stream remuxed with the moov atom first (a non-seekable reader needs it up front)."""
    out = src.with_name(src.stem + "_faststart.mp4")
    if not out.exists():
        tmp = out.with_suffix(".tmp.mp4")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(src), "-c", "copy", "-movflags", "+faststart",
                        str(tmp)], check=True)
        tmp.rename(out)
    return out


def bench_memory(rounds: int, fmt: str) -> dict:
    path = _faststart(h264_1080p())
    data = path.read_bytes()
    variants = {
        "file": _decode(lambda: path, fmt),
        "bytes": _decode(lambda: data, fmt),
        "BytesIO": _decode(lambda: io.BytesIO(data), fmt),
        "non-seekable": _decode(lambda: _Pipe(data), fmt),
    }
    times: dict[str, list[float]] = {k: [] for k in variants}
    cpu: dict[str, list[float]] = {k: [] for k in variants}  # all threads' CPU seconds: less load-bound
    frames = {}
    loads = []  # 1-min load average at each round's start: the machine is shared
    variants["file"]()  # warm the page cache and the decoder's first-use costs
    names = list(variants)
    for r in range(rounds):
        loads.append(os.getloadavg()[0])
        for k in names[r % len(names):] + names[:r % len(names)]:  # each round starts one variant later
            run = variants[k]
            t0, c0 = time.perf_counter(), time.process_time()
            frames[k] = run()
            times[k].append(time.perf_counter() - t0)
            cpu[k].append(time.process_time() - c0)
    assert len(set(frames.values())) == 1, frames
    out = {"clip": path.name, "frames": frames["file"], "format": fmt, "rounds": rounds, "load": loads,
           "times_s": times, "median_s": {k: statistics.median(v) for k, v in times.items()},
           "ratio_vs_file": {k: statistics.median(f / t for f, t in zip(times["file"], v))
                             for k, v in times.items() if k != "file"},
           "cpu_s": cpu, "cpu_ratio_vs_file": {k: statistics.median(f / t for f, t in zip(cpu["file"], v))
                                               for k, v in cpu.items() if k != "file"}}
    print(f"{path.name}: {frames['file']} frames, format={fmt}, median of {rounds} rounds, "
          f"load average {min(loads):.1f}-{max(loads):.1f}")
    print(f"{'variant':<14}{'median s':>10}{'fps':>9}{'x file':>9}{'CPU s':>9}{'CPU x file':>12}")
    for k, v in out["median_s"].items():
        ratio = out["ratio_vs_file"].get(k, 1.0)
        cr = out["cpu_ratio_vs_file"].get(k, 1.0)
        print(f"{k:<14}{v:>10.3f}{frames[k] / v:>9.1f}{ratio:>9.3f}{statistics.median(cpu[k]):>9.3f}{cr:>12.3f}")
    return out


def _clip_720p(seconds: float) -> Path:
    from media import derived

    return derived(f"vtest_720p25_{seconds:g}s.ts", "-t", f"{seconds:g}", "-vf", "scale=1280:720,fps=25",
                   "-c:v", "libx264", "-preset", "fast", "-crf", "23", "-g", "25", "-pix_fmt", "yuv420p",
                   "-f", "mpegts")


def bench_streams(n_sources: int, seconds: float, rounds: int, model_path: str) -> dict:
    import socket
    import threading

    clip = _clip_720p(seconds)
    data = clip.read_bytes()
    model = vxfast.Model(model_path, batch=n_sources)

    def serve() -> tuple[socket.socket, str]:
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(4)

        def run() -> None:
            while True:
                try:
                    c, _ = srv.accept()
                except OSError:
                    return
                try:
                    c.sendall(data)
                except OSError:
                    pass
                c.close()
        threading.Thread(target=run, daemon=True).start()
        return srv, f"tcp://127.0.0.1:{srv.getsockname()[1]}"

    def streams_run() -> tuple[int, float, float]:
        servers = [serve() for _ in range(n_sources)]
        try:
            srcs = [vxfast.Source(url, name=f"cam{i}", policy="queue", max_queue=2, live=False,
                                  preprocess=vxfast.Letterbox(640)) for i, (_, url) in enumerate(servers)]
            t0 = time.perf_counter()
            n = 0
            with vxfast.Streams(srcs, model=model, batch=n_sources, max_wait_ms=40) as st:
                for batch in st:
                    n += len(batch)
                wall = time.perf_counter() - t0
                p95 = max((s["latency_p95"] or 0) for s in st.stats())
            return n, wall, p95
        finally:
            for s, _ in servers:
                s.close()

    def detect_run() -> tuple[int, float, float]:
        t0 = time.perf_counter()
        n = 0
        for _ in range(n_sources):
            for _d in vxfast.detect(clip, model, batch=n_sources):
                n += 1
        return n, time.perf_counter() - t0, 0.0

    res: dict[str, list] = {"streams": [], "detect": []}
    loads = []
    for r in range(rounds):
        loads.append(os.getloadavg()[0])
        # alternate which goes first, so a load that rises or falls over a round hits both alike
        for k in (("detect", "streams") if r % 2 == 0 else ("streams", "detect")):
            c0 = time.process_time()  # all threads: the work each way costs, whatever the load
            res[k].append((*(detect_run() if k == "detect" else streams_run()), time.process_time() - c0))
        d, s = res["detect"][-1], res["streams"][-1]
        print(f"  round {r + 1}: load {loads[-1]:.1f}, detect {d[0] / d[1]:.2f} fps, Streams {s[0] / s[1]:.2f} fps "
              f"({s[0] / s[1] / (d[0] / d[1]):.3f}x), p95 {s[2] * 1000:.0f} ms; CPU per frame detect "
              f"{d[3] / d[0] * 1000:.0f} ms, Streams {s[3] / s[0] * 1000:.0f} ms", flush=True)
    fps = {k: statistics.median(r[0] / r[1] for r in v) for k, v in res.items()}
    ratio = statistics.median(s[0] / s[1] / (d[0] / d[1]) for s, d in zip(res["streams"], res["detect"]))
    p95 = statistics.median(r[2] for r in res["streams"])
    cpu = {k: statistics.median(r[3] / r[0] for r in v) for k, v in res.items()}  # s per frame
    frames = {k: v[0][0] for k, v in res.items()}
    print(f"{n_sources} loopback sources x {clip.name} ({frames['detect'] // n_sources} frames each), "
          f"{Path(model_path).name} batch {n_sources}, median of {rounds} rounds")
    print(f"vxfast.detect over the files: {fps['detect']:.1f} fps; Streams: {fps['streams']:.1f} fps "
          f"({ratio:.3f}x); Streams latency p95 {p95 * 1000:.0f} ms; CPU per frame: detect "
          f"{cpu['detect'] * 1000:.0f} ms, Streams {cpu['streams'] * 1000:.0f} ms")
    return {"sources": n_sources, "clip": clip.name, "frames": frames, "fps": fps, "ratio": ratio,
            "latency_p95_s": p95, "cpu_per_frame_s": cpu, "rounds": rounds, "load": loads,
            "per_round": {k: [list(x) for x in v] for k, v in res.items()}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["memory", "streams"])
    ap.add_argument("--sources", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--model", default=None, help="default: the shared yolov8n-dynamic.onnx")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--format", default="yuv420p")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    if args.what == "memory":
        result = bench_memory(args.rounds, args.format)
    else:
        from vxfast.shared_data import shared_path

        model = args.model or str(shared_path("models/yolov8n-dynamic.onnx"))
        result = bench_streams(args.sources, args.seconds, args.rounds, model)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
