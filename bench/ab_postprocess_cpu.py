"""A/B of the YOLO postprocess paths against another build: per-call *thread CPU time* (which leaves
out the time other processes hold a shared machine's cores) on stored yolov8n outputs, medians.

Save the outputs once (PYTHONPATH=python:tests), then run each build in turn, several alternations:

    python -c "import sys, numpy as np; sys.path.insert(0, 'bench'); import bench_postprocess as bp; \
o, i, n = bp.model_outputs(8); np.savez('/tmp/outs.npz', outs=np.stack(o), names=np.array(n, dtype=object), \
infos=np.array([[x.scale_x, x.scale_y, x.pad_left, x.pad_top, x.src_width, x.src_height] for x in i]))"
    PYTHONPATH=/path/to/baseline python bench/ab_postprocess_cpu.py /tmp/outs.npz > A_1.txt
    PYTHONPATH=python python bench/ab_postprocess_cpu.py /tmp/outs.npz > B_1.txt

Prints ``conf<TAB>path<TAB>median us``. The prepared-decoder line needs a build with
``vxfast.postprocess.YoloDecoder``.
"""
import random
import statistics
import sys
import time
import types

import numpy as np

import vxfast
from vxfast.postprocess import yolo

# Builds from before vxfast._core had submodules keep everything at its top (A/B against them).
post_core = getattr(vxfast._core, "postprocess", vxfast._core)
FIELDS = ("scale_x", "scale_y", "pad_left", "pad_top", "src_width", "src_height")


def main() -> None:
    d = np.load(sys.argv[1] if len(sys.argv) > 1 else "/tmp/outs.npz", allow_pickle=True)
    outs, rows, names = list(d["outs"]), list(d["infos"]), d["names"].item()
    ns = [types.SimpleNamespace(**dict(zip(FIELDS, r))) for r in rows]  # a foreign letterbox object
    li = [vxfast.LetterboxInfo(*(float(v) for v in r[:4]), int(r[4]), int(r[5])) for r in rows]
    res: dict = {}
    for conf in (0.25, 0.001):
        cases = {
            "yolo threads=1, foreign letterbox":
                lambda o, k: yolo(o, conf=conf, iou=0.45, letterbox=ns[k], names=names, threads=1),
            "yolo threads=1, LetterboxInfo":
                lambda o, k: yolo(o, conf=conf, iou=0.45, letterbox=li[k], names=names, threads=1),
            "raw _core.yolo_decode":
                lambda o, k: post_core.yolo_decode(o, "channels_first", 80, conf, 0.45, 300, False, [],
                                                   None, 0, threads=1),
        }
        if hasattr(vxfast.postprocess, "YoloDecoder"):
            dec = vxfast.postprocess.YoloDecoder(conf, 0.45, names=names, threads=1)
            cases["prepared YoloDecoder (detect path)"] = lambda o, k: dec(o, li[k])
        for name in cases:
            res[(conf, name)] = []
        rng = random.Random(1)
        for _ in range(15):
            order = list(cases.items())
            rng.shuffle(order)  # no path always runs right after another
            for name, fn in order:
                for k, o in enumerate(outs):
                    o = o.copy()  # in cache, as just written by the model
                    t0 = time.thread_time_ns()
                    fn(o, k)
                    res[(conf, name)].append((time.thread_time_ns() - t0) / 1e3)
    for (conf, name), v in res.items():
        print(f"{conf}\t{name}\t{statistics.median(v):.2f}")


if __name__ == "__main__":
    main()
