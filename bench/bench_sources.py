"""Sources benchmarks (issue 16), each against its anchor in the same run, medians of per-round ratios.

    python bench/bench_sources.py memory [--rounds 7] [--json out.json]

memory: decoding a video from memory (bytes, io.BytesIO, a non-seekable stream; custom AVIO
context) vs decoding the same file from disk (FFmpeg's file protocol). Target >= 0.95x. Variants are
interleaved within each round so machine noise hits all alike; each round's ratio is in-memory time
over the file's time in that round, and the table shows the median ratio.
"""
from __future__ import annotations

import argparse
import io
import json
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
    frames = {}
    variants["file"]()  # warm the page cache and the decoder's first-use costs
    for _ in range(rounds):
        for k, run in variants.items():
            t0 = time.perf_counter()
            frames[k] = run()
            times[k].append(time.perf_counter() - t0)
    assert len(set(frames.values())) == 1, frames
    out = {"clip": path.name, "frames": frames["file"], "format": fmt, "rounds": rounds,
           "median_s": {k: statistics.median(v) for k, v in times.items()},
           "ratio_vs_file": {k: statistics.median(f / t for f, t in zip(times["file"], v))
                             for k, v in times.items() if k != "file"}}
    print(f"{path.name}: {frames['file']} frames, format={fmt}, median of {rounds} rounds")
    print(f"{'variant':<14}{'median s':>10}{'fps':>9}{'x file':>9}")
    for k, v in out["median_s"].items():
        ratio = out["ratio_vs_file"].get(k, 1.0)
        print(f"{k:<14}{v:>10.3f}{frames[k] / v:>9.1f}{ratio:>9.3f}")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["memory"])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--format", default="yuv420p")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    result = bench_memory(args.rounds, args.format)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
