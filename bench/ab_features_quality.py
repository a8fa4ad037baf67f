"""quality(sample="all") / decode-only throughput of two builds (e.g. before/after a change), each in
its own process, alternated round by round so that load changes hit both alike.

    python bench/ab_features_quality.py OLD_PYTHONPATH NEW_PYTHONPATH [--rounds 4] [--frames 150]

Each PYTHONPATH is a checkout's `python/` with its in-place build (`-DVXFAST_INPLACE=ON`). Every
round runs one process per build, which times decode-only (yuv420p) and quality interleaved twice;
prints per build the median ratio, CPU (user+sys, all threads) per frame and fps.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r'''
import json, resource, sys, time
import vxfast
from vxfast import features
clip = sys.argv[1]
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
def decode_only():
    with vxfast.VideoReader(clip) as r:
        for f in r.frames(sample="all", format="yuv420p"):
            f.planes[0]
def quality():
    features.quality(clip, sample="all")
decode_only()
out = {"dec": [], "q": []}
for _ in range(2):
    for k, fn in (("dec", decode_only), ("q", quality)):
        c0, t0 = cpu(), time.perf_counter()
        fn()
        out[k].append((time.perf_counter() - t0, cpu() - c0))
print(json.dumps(out))
'''


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--frames", type=int, default=150)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "vtest_1080p.mp4"
        src = subprocess.run([sys.executable, "-c", "from vxfast.shared_data import shared_path; "
                              "print(shared_path('media/vtest.avi'))"], env={**os.environ, "PYTHONPATH": args.new},
                             capture_output=True, text=True, check=True).stdout.strip()
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", src, "-frames:v", str(args.frames), "-vf",
                        "scale=1920:1080", "-c:v", "libx264", "-g", "50", "-preset", "veryfast", str(clip)], check=True)
        res = {"old": [], "new": []}
        for _ in range(args.rounds):
            for name in ("old", "new"):
                path = getattr(args, name)
                out = subprocess.run([sys.executable, "-c", _CHILD, str(clip)], env={**os.environ, "PYTHONPATH": path},
                                     capture_output=True, text=True, check=True)
                d = json.loads(out.stdout)
                for (dw, dc), (qw, qc) in zip(d["dec"], d["q"]):
                    res[name].append((dw / qw, dc, qc, dw, qw))
    n = args.frames
    print(f"load average now {os.getloadavg()[0]:.1f}; {args.rounds} rounds x 2, {n} frames of 1080p H.264 (GOP 50)")
    for name, v in res.items():
        med = lambda i: statistics.median(x[i] for x in v)  # noqa: E731
        print(f"{name}: quality / decode-only {med(0):.3f} (min {min(x[0] for x in v):.3f}, max "
              f"{max(x[0] for x in v):.3f}); cpu ms/frame decode {med(1) / n * 1e3:.2f}, quality "
              f"{med(2) / n * 1e3:.2f}; fps decode {n / med(3):.1f}, quality {n / med(4):.1f}")


if __name__ == "__main__":
    main()
