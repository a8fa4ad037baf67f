"""Same-run A/B of two builds on whole-video calls: decoding the 1080p clip (48 frames with open,
all frames as yuv420p, all frames through the fused letterbox), ``clip_batch`` (the bench_clips.py
cases) and ``features.quality`` on the 1080p GOP-50 clip. Each
build runs in its own process, alternated round by round so load changes hit both alike.

    python bench/ab_video_calls.py OLD_PYTHONPATH NEW_PYTHONPATH [--rounds 4] [-k SUBSTRING]

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
import itertools, json, sys, time
import vxfast
from vxfast import features
clip, clip_1080p, keyword = sys.argv[1], sys.argv[2], sys.argv[3]
def first_48():
    with vxfast.VideoReader(clip_1080p, seek_mode="approximate") as r:
        return sum(1 for _ in itertools.islice(r.frames(format="yuv420p"), 48))
def all_frames(**kw):
    with vxfast.VideoReader(clip_1080p) as r:
        return sum(1 for _ in r.frames(**kw))
calls = {
    "decode 48 frames + open (approximate)": first_48,
    "decode all frames yuv420p": lambda: all_frames(format="yuv420p"),
    "decode all frames + fused letterbox": lambda: all_frames(preprocess=vxfast.Letterbox(640)),
    # bench_clips.py's cases, each build's default threads
    "clip_batch x3d (16 frames, 1 clip)": lambda: vxfast.clip_batch(clip, frames_per_clip=16, num_clips=1),
    "clip_batch 4 clips x 16 frames": lambda: vxfast.clip_batch(clip, frames_per_clip=16, num_clips=4),
    "clip_batch uniform:60 imagenet TCHW": lambda: vxfast.clip_batch(clip, sample="uniform:60", norm="imagenet",
                                                                     layout="TCHW"),
    "features.quality(sample='all')": lambda: features.quality(clip, sample="all"),
}
out = {}
for name, fn in calls.items():
    if keyword not in name:
        continue
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
    ap.add_argument("-k", dest="keyword", default="", help="only calls whose name contains this")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    import media

    clip, clip_1080p = str(media.h264_1080p_gop50()), str(media.h264_1080p())
    runs: dict[str, dict[str, list[float]]] = {"old": {}, "new": {}}
    for r in range(args.rounds):
        for which in (("old", "new") if r % 2 == 0 else ("new", "old")):
            env = dict(os.environ, PYTHONPATH=getattr(args, which))
            res = json.loads(subprocess.run([sys.executable, "-c", _CHILD, clip, clip_1080p, args.keyword],
                                            env=env, check=True, capture_output=True, text=True).stdout)
            for k, v in res.items():
                runs[which].setdefault(k, []).append(v)
    print(f"{'call':40s} {'old ms':>9s} {'new ms':>9s} {'new/old':>8s}")
    for k in runs["old"]:
        a, b = (statistics.median(runs[w][k]) * 1e3 for w in ("old", "new"))
        print(f"{k:40s} {a:9.1f} {b:9.1f} {b / a:8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
