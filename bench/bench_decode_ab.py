"""Interleaved A/B of the fused decode + letterbox path against PyAV decoding alone, made for a
shared, noisy machine: variants run in a shuffled order every round, and each run also records how
much CPU *other* processes used meanwhile (from /proc/stat), so rounds where nobody else ran can be
picked out; the "quiet" table uses only those.

    PYTHONPATH=python python bench/bench_decode_ab.py [--rounds 30] [--quiet 0.25] VARIANT...

VARIANT: ``pyav`` (decode only, thread_type="AUTO", the anchor); ``fused:T`` (Letterbox(640)
float32 CHW through ``frames(preprocess=...)`` with VideoReader threads T, 0 = vxfast's choice,
cores+1 = FFmpeg's), optionally ``:gather`` (AVX-512 taps by gathers, not VBMI) and/or
``:temporal`` (no streaming stores); ``yuv:T`` / ``rgb:T`` (plain frames in that format).
Default: pyav fused:0 fused:<cores+1>.

Per variant: median fps, CPU per frame (user+sys of this process, all threads), cores used, and
the median over rounds of the paired ratio (anchor time / variant time in the same round: >1 =
faster than PyAV).
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vxfast  # noqa: E402
from bench_decode import pyav_decode_only  # noqa: E402
from vxfast import _core  # noqa: E402

# Builds from before vxfast._core had submodules keep everything at its top (A/B against them).
_prep_core = getattr(_core, "preprocess", _core)

from media import h264_1080p  # noqa: E402


def own_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def machine_busy() -> float:
    """CPU seconds all processes have used (every core), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def vx(path, kind, threads, flags):
    spec = vxfast.Letterbox(640)

    def run():
        _prep_core.set_avx512_vbmi("gather" not in flags)
        _prep_core.set_avx512_streaming("temporal" not in flags)
        try:
            n = 0
            with vxfast.VideoReader(path, threads) as r:
                it = r.frames(preprocess=spec) if kind == "fused" else r.frames(format=kind)
                for _ in it:
                    n += 1
            return n
        finally:
            _prep_core.set_avx512_vbmi(True)
            _prep_core.set_avx512_streaming(True)
    return run


def make(name, path):
    if name == "pyav":
        return pyav_decode_only(path)
    parts = name.split(":")
    kind = {"fused": "fused", "yuv": "yuv420p", "rgb": "rgb24"}[parts[0]]
    return vx(path, kind, int(parts[1]), set(parts[2:]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("variants", nargs="*", default=["pyav", "fused:0", f"fused:{(os.cpu_count() or 1) + 1}"])
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--quiet", type=float, default=0.25,
                    help="a round is quiet when other processes used less than this many cores during each run")
    args = ap.parse_args(argv)
    clip = h264_1080p()
    names = args.variants if "pyav" in args.variants else ["pyav", *args.variants]
    runs = {k: make(k, clip) for k in names}
    wall = {k: [] for k in names}
    cpu = {k: [] for k in names}
    other = {k: [] for k in names}
    frames = {}
    order = random.Random(1)
    for _ in range(args.rounds):
        ks = list(names)
        order.shuffle(ks)
        for k in ks:
            b0, c0, t0 = machine_busy(), own_cpu(), time.perf_counter()
            frames[k] = runs[k]()
            t1, c1, b1 = time.perf_counter(), own_cpu(), machine_busy()
            wall[k].append(t1 - t0)
            cpu[k].append(c1 - c0)
            other[k].append(max(0.0, (b1 - b0) - (c1 - c0)) / (t1 - t0))

    def table(rounds, title):
        print(title)
        for k in names:
            n = frames[k]
            t = statistics.median(wall[k][r] for r in rounds)
            c = statistics.median(cpu[k][r] for r in rounds)
            ratio = statistics.median(wall["pyav"][r] / wall[k][r] for r in rounds)
            print(f"  {k:<24} {n / t:7.1f} fps  cpu {c / n * 1e3:6.3f} ms/frame ({c / t:4.2f} cores)"
                  f"  vs PyAV decode-only {ratio:5.3f}x")

    print(f"1080p H.264, {frames['pyav']} frames, {args.rounds} rounds, load average {os.getloadavg()[0]:.1f}")
    table(range(args.rounds), "all rounds (medians):")
    quiet = [r for r in range(args.rounds) if all(other[k][r] < args.quiet for k in names)]
    print("other processes' cores per round (max over variants): "
          + " ".join(f"{max(other[k][r] for k in names):.2f}" for r in range(args.rounds)))
    if quiet:
        table(quiet, f"quiet rounds only ({len(quiet)} of {args.rounds}; others < {args.quiet} cores):")
    else:
        print("no quiet round: the figures above are CPU-bound by other processes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
