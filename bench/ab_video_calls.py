"""Same-run A/B of two builds on the whole-video calls the pytest-benchmark suite does not cover:
``clip_batch`` (the bench_clips.py cases) and ``features.quality`` on the 1080p GOP-50 clip. Each
build runs in its own process, alternated round by round so load changes hit both alike.

    python bench/ab_video_calls.py OLD_PYTHONPATH NEW_PYTHONPATH [--rounds 4]

Prints per call the median ms of each build and the ratio new/old (> 1: the new build is slower).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

_CHILD = r'''
import json, sys, time
import vxfast
from vxfast import features
clip = sys.argv[1]
calls = {  # bench_clips.py's cases, each build's default threads
    "clip_batch x3d (16 frames, 1 clip)": lambda: vxfast.clip_batch(clip, frames_per_clip=16, num_clips=1),
    "clip_batch 4 clips x 16 frames": lambda: vxfast.clip_batch(clip, frames_per_clip=16, num_clips=4),
    "clip_batch uniform:60 imagenet TCHW": lambda: vxfast.clip_batch(clip, sample="uniform:60", norm="imagenet",
                                                                     layout="TCHW"),
    "features.quality(sample='all')": lambda: features.quality(clip, sample="all"),
}
out = {}
for name, fn in calls.items():
    fn()  # warm-up (page cache, model of the file)
    ts = []
    for _ in range(2):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    out[name] = min(ts)
print(json.dumps(out))
'''


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old", help="PYTHONPATH of the old build")
    ap.add_argument("new", help="PYTHONPATH of the new build")
    ap.add_argument("--rounds", type=int, default=4)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    import media

    clip = str(media.h264_1080p_gop50())
    runs: dict[str, dict[str, list[float]]] = {"old": {}, "new": {}}
    for r in range(args.rounds):
        for which in (("old", "new") if r % 2 == 0 else ("new", "old")):
            env = dict(os.environ, PYTHONPATH=getattr(args, which))
            res = json.loads(subprocess.run([sys.executable, "-c", _CHILD, clip], env=env, check=True,
                                            capture_output=True, text=True).stdout)
            for k, v in res.items():
                runs[which].setdefault(k, []).append(v)
    print(f"{'call':40s} {'old ms':>9s} {'new ms':>9s} {'new/old':>8s}")
    for k in runs["old"]:
        a, b = (statistics.median(runs[w][k]) * 1e3 for w in ("old", "new"))
        print(f"{k:40s} {a:9.1f} {b:9.1f} {b / a:8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
