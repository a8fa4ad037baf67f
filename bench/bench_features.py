"""Frame features: vxfast.features.compute vs the numpy + OpenCV (+ scipy) way, same run, and
quality(sample="all") vs decode-only throughput on a 1080p clip.

    PYTHONPATH=python python bench/bench_features.py [--rounds 15] [--frames 120] [--video-rounds 5] [--no-video]

The 1080p frame is vtest.avi's frame 100 luma plane resized to 1920x1080 (cv2.INTER_CUBIC); the
1080p clip is vtest.avi scaled to 1080p and encoded with libx264 (GOP 50) into a temp dir. Prints
medians and ratios (anchor / vxfast); figures go into docs/performance.md with this command.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

import vxfast
from vxfast import features
from vxfast.shared_data import shared_path

try:  # the anchor uses scipy's DCT when it is there, as a Python user would
    from scipy.fft import dctn
except ImportError:  # pragma: no cover - depends on the environment
    dctn = None


def _dct_matrix() -> np.ndarray:
    k = np.arange(8)
    d = np.cos((2 * k[None, :] + 1) * k[:, None] * np.pi / 16) * np.sqrt(2 / 8)
    d[0] /= np.sqrt(2)
    return d


_D = _dct_matrix()
_BAND = np.add.outer(np.arange(8), np.arange(8))


def numpy_opencv_features(y: np.ndarray, cv2) -> dict:
    """The same feature set the usual Python way (OpenCV filters, numpy reductions)."""
    lap = cv2.Laplacian(y, cv2.CV_64F, ksize=1)
    gx = cv2.Sobel(y, cv2.CV_64F, 1, 0, ksize=3)
    gy = cv2.Sobel(y, cv2.CV_64F, 0, 1, ksize=3)
    g2 = gx * gx + gy * gy
    yi = y.astype(np.int32)
    out = {"laplacian_var": lap.var(), "tenengrad": g2.mean(), "gradient_mean": np.sqrt(g2).mean(),
           "brenner": ((yi[:, 2:] - yi[:, :-2]) ** 2).mean(),
           "noise_residual": np.abs(yi - cv2.medianBlur(y, 3)).mean()}
    h, w = y.shape
    blocks = y[:h // 8 * 8, :w // 8 * 8].astype(np.float64).reshape(h // 8, 8, w // 8, 8).transpose(0, 2, 1, 3)
    coef = dctn(blocks, type=2, norm="ortho", axes=(-2, -1)) if dctn else _D @ blocks @ _D.T
    sq = coef ** 2
    low = sq[..., (_BAND >= 1) & (_BAND <= 3)].sum(-1).mean()
    mid = sq[..., (_BAND >= 4) & (_BAND <= 7)].sum(-1).mean()
    high = sq[..., _BAND >= 8].sum(-1).mean()
    out.update(dct_dc_mean=coef[..., 0, 0].mean(), dct_low=low, dct_mid=mid, dct_high=high,
               dct_hf_ratio=high / (low + mid + high))
    dh = np.abs(np.diff(yi, axis=1))
    dv = np.abs(np.diff(yi, axis=0))
    bh = np.arange(w - 1) % 8 == 7
    bv = np.arange(h - 1) % 8 == 7
    out["blockiness"] = (dh[:, bh].mean() / dh[:, ~bh].mean() + dv[bv].mean() / dv[~bv].mean()) / 2
    return out


def frame_1080p(cv2) -> np.ndarray:
    cap = cv2.VideoCapture(str(shared_path("media/vtest.avi")))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 100)
    ok, bgr = cap.read()
    assert ok, "could not read vtest.avi"
    y = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    return cv2.resize(y, (1920, 1080), interpolation=cv2.INTER_CUBIC)


def bench_frame(rounds: int) -> None:
    """Anchor and variants interleaved round by round, so a noisy neighbour slows both alike; the
    ratio is the median over rounds of anchor / variant (each variant timed 5x per round)."""
    import cv2

    y = frame_1080p(cv2)
    ref = numpy_opencv_features(y, cv2)
    got = features.compute(y)
    worst = max(abs(got[k] - ref[k]) / abs(ref[k]) for k in ref)
    variants = [("numpy+OpenCV", lambda: numpy_opencv_features(y, cv2), 1)]
    levels = features.simd_levels()
    # The double-precision reference is "reference" (builds before one SIMD layer: "scalar", whose
    # portable row pass was "baseline").
    slow = "reference" if "reference" in levels else "scalar"
    for level in levels:
        for threads in ((1,) if level == slow else (1, 0)):
            name = f"vxfast {level}, threads={'auto' if threads == 0 else threads}"
            variants.append((name,
                             lambda level=level, threads=threads: features.compute(y, simd=level, threads=threads),
                             1 if level == slow else 5))
    times = {name: [] for name, _, _ in variants}
    for _name, fn, _ in variants:
        fn()  # warm-up
    for _ in range(rounds):
        for name, fn, reps in variants:
            t = []
            for _ in range(reps):
                t0 = time.perf_counter()
                fn()
                t.append(time.perf_counter() - t0)
            times[name].append(statistics.median(t) * 1e3)
    anchor = times["numpy+OpenCV"]
    print(f"1080p frame, max relative difference vs anchor {worst:.1e}; anchor = numpy + OpenCV"
          f"{' + scipy.fft' if dctn else ' (numpy DCT matmul, scipy not installed)'}; {rounds} rounds")
    print(f"{'variant':30s} {'median ms':>10s} {'anchor/variant (median of rounds)':>34s}")
    for name, _, _ in variants:
        ratio = statistics.median(a / v for a, v in zip(anchor, times[name]))
        print(f"{name:30s} {statistics.median(times[name]):10.2f} {ratio:34.2f}")


def bench_video(frames: int, rounds: int = 5) -> None:
    if shutil.which("ffmpeg") is None:
        print("ffmpeg not installed: skipping the clip benchmark")
        return
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "vtest_1080p.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(shared_path("media/vtest.avi")),
                        "-frames:v", str(frames), "-vf", "scale=1920:1080", "-c:v", "libx264", "-g", "50",
                        "-preset", "veryfast", str(clip)], check=True)

        def decode_only():
            with vxfast.VideoReader(clip) as r:
                for f in r.frames(sample="all", format="yuv420p"):
                    f.planes[0]

        variants = [("decode only (yuv420p)", decode_only),
                    ("quality(sample='all')", lambda: features.quality(clip, sample="all")),
                    ("quality(..., threads=0 auto)", lambda: features.quality(clip, sample="all", threads=0))]
        decode_only()  # warm the page cache
        wall = {name: [] for name, _ in variants}
        cpu = {name: [] for name, _ in variants}
        for _ in range(rounds):  # interleaved, as in bench_frame
            for name, fn in variants:
                r0, t0 = _cpu_seconds(), time.perf_counter()
                fn()
                wall[name].append(time.perf_counter() - t0)
                cpu[name].append(_cpu_seconds() - r0)
        dec = wall[variants[0][0]]
        print(f"\n1080p clip, {frames} frames (libx264, GOP 50), {rounds} rounds; cpu = user+sys of all "
              f"threads (repeatable under load), ratio = median over rounds of decode-only / variant wall")
        print(f"{'variant':28s} {'median ms':>10s} {'fps':>7s} {'cpu ms/frame':>13s} {'x decode-only':>14s}")
        for name, _ in variants:
            ratio = statistics.median(d / x for d, x in zip(dec, wall[name]))
            wm = statistics.median(wall[name])
            print(f"{name:28s} {wm * 1e3:10.1f} {frames / wm:7.1f} {statistics.median(cpu[name]) / frames * 1e3:13.2f} "
                  f"{ratio:14.2f}")


def _cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--video-rounds", type=int, default=5)
    ap.add_argument("--no-video", action="store_true")
    ap.add_argument("--save-frame", metavar="PATH", help="also write the 1080p luma frame as raw uint8 "
                    "(input of bench/bench_features_kernels.cpp)")
    args = ap.parse_args()
    print(f"vxfast features SIMD level: {features.simd_level()} (available: {', '.join(features.simd_levels())})")
    if args.save_frame:
        import cv2

        frame_1080p(cv2).tofile(args.save_frame)
    bench_frame(args.rounds)
    if not args.no_video:
        bench_video(args.frames, args.video_rounds)


if __name__ == "__main__":
    main()
