"""YOLOv8n decode + NMS: vxfast vs numpy + cv2.dnn.NMSBoxesBatched vs a numpy port of Ultralytics'
non_max_suppression, on real yolov8n outputs of vtest.avi frames, at conf 0.25 and 0.001.

The model runs once per frame up front (onnxruntime, ~110 ms a frame); the timed part is only the
postprocessing, from the raw [1, 84, 8400] output to boxes in source pixels. Methods are interleaved
round by round in a shuffled order so neighbours' noise and cache effects hit them alike; figures are medians per frame.

Cache state matters (the output is 2.8 MB and reading it is most of vxfast's time): by default each
timed call gets a fresh copy of the output made just before it, i.e. in cache as if the model had
just written it, as in a pipeline. --cold times on the stored arrays instead, which other methods'
temporaries have evicted in between (read from DRAM). Same treatment for every method.

    PYTHONPATH=python:tests python bench/bench_postprocess.py [--frames 8] [--rounds 30] [--cold]

"vxfast" is ``postprocess.yolo`` with its defaults (threads=0: the class scan split over all cores
for an output this size); "vxfast threads=1" the same on the calling thread only. The pool line
says how much the helper threads actually did: on a machine whose other cores are busy they stand
aside and the auto figure falls back to the one-thread one (docs/postprocess.md, "Threads").

--floor instead compares the raw decode with numpy's ``out.max()`` (a pure read of the same array,
the floor for any best-class pass) with the output in cache (same buffer each call) and not
(cycling through the frames).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import vxfast  # noqa: E402
from vxfast import _core  # noqa: E402

# Builds from before vxfast._core had submodules keep everything at its top (A/B against them).
_post_core = getattr(_core, "postprocess", _core)
from vxfast.postprocess import names_from_metadata, yolo  # noqa: E402
from vxfast.shared_data import shared_path  # noqa: E402

from postprocess_reference import letterbox, ultralytics_nms, unletterbox, yolo_numpy_cv2  # noqa: E402


def model_outputs(n_frames: int):
    import onnxruntime as ort
    sess = ort.InferenceSession(str(shared_path("models/yolov8n.onnx")),
                                providers=["CPUExecutionProvider"])
    cap = cv2.VideoCapture(str(shared_path("media/vtest.avi")))
    outs, infos, i = [], [], 0
    step = 300 // n_frames
    while len(outs) < n_frames:
        ok, frame = cap.read()
        if not ok:
            break
        if i % step == 0:
            img, info = letterbox(frame)
            x = img[:, :, ::-1].transpose(2, 0, 1)[None].astype(np.float32) / 255
            outs.append(sess.run(None, {sess.get_inputs()[0].name: x})[0])
            infos.append(info)
        i += 1
    return outs, infos, names_from_metadata(sess)


def cpu_level() -> str:
    """Best postprocess kernel level of this CPU (builds before vxfast.simd_info: their own call)."""
    if hasattr(vxfast, "simd_info"):
        cpu = vxfast.simd_info()["cpu"]
        return "scalar" if cpu == "neon" else cpu
    return _core.postprocess_cpu_simd_level()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--cold", action="store_true", help="time on stored outputs (not in cache)")
    ap.add_argument("--floor", action="store_true", help="raw decode vs out.max() read floor")
    args = ap.parse_args()
    outs, infos, names = model_outputs(args.frames)
    print(f"vxfast {vxfast.__version__}, postprocess SIMD: {sys.modules['vxfast.postprocess'].simd_level()}, "
          f"{len(outs)} frames x {args.rounds} rounds, output {outs[0].shape}, "
          f"{'cold (stored outputs)' if args.cold else 'warm (fresh copy per call, as just written by the model)'}")

    if args.floor:
        floor(outs, args.rounds)
        return

    lbs = {id(i): vxfast.LetterboxInfo(i.scale_x, i.scale_y, i.pad_left, i.pad_top, i.src_width,
                                       i.src_height) for i in infos}

    def ultralytics(out, conf, info):
        r = ultralytics_nms(out, conf, 0.45)[0]
        return unletterbox(r[:, :4], info), r[:, 4], r[:, 5]

    for conf in (0.25, 0.001):
        methods = {
            "vxfast": lambda o, i: yolo(o, conf=conf, iou=0.45, letterbox=i, names=names),
            "vxfast threads=1": lambda o, i: yolo(o, conf=conf, iou=0.45, letterbox=i, names=names,
                                                  threads=1),
            # The letterbox as vxfast's own type (what a Batch carries): read natively by the decoder.
            "vxfast LetterboxInfo": lambda o, i: yolo(o, conf=conf, iou=0.45, letterbox=lbs[id(i)],
                                                      names=names, threads=1),
            "numpy+cv2": lambda o, i: yolo_numpy_cv2(o[0], conf, 0.45, 300, i),
            "ultralytics-numpy": lambda o, i: ultralytics(o, conf, i),
        }
        if hasattr(vxfast.postprocess, "YoloDecoder"):  # detect()'s per-batch path (prepared once)
            dec = vxfast.postprocess.YoloDecoder(conf, 0.45, names=names, threads=1)
            methods["vxfast prepared decoder"] = (lambda d: lambda o, i: d(o, lbs[id(i)]))(dec)
        for lvl in ("scalar", "avx2", "avx512"):
            if ["scalar", "avx2", "avx512"].index(lvl) <= ["scalar", "avx2", "avx512"].index(
                    cpu_level()):
                methods[f"raw[{lvl}]"] = (lambda lv: lambda o, i: _post_core.yolo_decode(
                    o, "channels_first", 80, conf, 0.45, 300, False, [], None, 0, simd=lv))(lvl)
        methods["raw[auto threads]"] = lambda o, i: _post_core.yolo_decode(
            o, "channels_first", 80, conf, 0.45, 300, False, [], None, 0, threads=0)
        pool0 = _post_core.postprocess_pool_stats()
        times: dict[str, list[float]] = {k: [] for k in methods}
        rng = random.Random(0)
        for _ in range(args.rounds):
            # A new method order every round, so no method always follows the cache-thrashing ones.
            order = list(methods.items())
            rng.shuffle(order)
            for name, fn in order:
                for o, i in zip(outs, infos):
                    if not args.cold:
                        o = o.copy()
                    t0 = time.perf_counter()
                    fn(o, i)
                    times[name].append(time.perf_counter() - t0)
        pool = {k: v - pool0[k] if k != "helpers" else v
                for k, v in _post_core.postprocess_pool_stats().items()}
        n_det = statistics.mean(len(yolo(o, conf=conf)[0]) for o in outs)
        med = {k: statistics.median(v) * 1e6 for k, v in times.items()}
        print(f"\nconf={conf}  (mean {n_det:.0f} detections per frame)")
        for k, v in med.items():
            if k.startswith("vxfast"):
                extra = "" if k == "vxfast" else f"   ({v / med['vxfast']:.2f}x the auto-threads time)"
            elif k.startswith("raw"):
                extra = "   (raw _core decode, no letterbox; one thread unless named)"
            else:
                extra = (f"   vxfast is {v / med['vxfast']:.1f}x faster"
                         f" ({v / med['vxfast threads=1']:.1f}x with threads=1)")
            print(f"  {k:20s} {v:9.1f} us/frame{extra}")
        shared = pool["calls"] + pool["inline_calls"]
        print(f"  pool: {pool['helpers']} helper thread(s); of {shared} multi-thread calls "
              f"{pool['inline_calls']} ran inline (helpers had found the other cores busy); "
              f"helpers ran {pool['helper_tasks']} of {pool['tasks']} tasks of the shared ones "
              f"and had to be woken in {pool['woken']} of them")


def floor(outs, rounds: int) -> None:
    def med(fn, bufs):
        ts = []
        for _ in range(rounds):
            for o in bufs:
                t0 = time.perf_counter()
                fn(o)
                ts.append(time.perf_counter() - t0)
        return statistics.median(ts) * 1e6

    for label, bufs in (("same buffer", [outs[0]] * len(outs)), ("cycling frames", outs)):
        print(f"\n{label}:")
        print(f"  out.max() (read floor)  {med(lambda o: o.max(), bufs):7.1f} us")
        for conf in (0.25, 0.001):
            t = med(lambda o: _post_core.yolo_decode(o, "channels_first", 80, conf, 0.45, 300, False, [],
                                                None, 0), bufs)
            print(f"  decode conf={conf:<6}     {t:7.1f} us")


if __name__ == "__main__":
    main()
