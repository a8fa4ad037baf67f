"""Preprocessing benchmark: vxfast's fused letterbox against OpenCV+numpy pipelines, in one run.

    PYTHONPATH=python python bench/bench_preprocess.py [--repeat 30] [--threads 0]

Anchors (same frame, same process, medians, ratio = anchor / vxfast):
  * ultralytics: cv2.resize + cv2.copyMakeBorder + [..., ::-1].transpose + ascontiguousarray + /255
    (what Ultralytics' LetterBox + preprocess do per image).
  * letterbox+blob: the same letterbox, then cv2.dnn.blobFromImage(swapRB, 1/255).
  * blobFromImage: cv2.dnn.blobFromImage alone (stretch resize, no letterbox: less work, all C++).
  * yuv: cv2.cvtColor(I420 -> RGB) + the ultralytics pipeline vs vxfast.preprocess_yuv420 (fused).
  * decode: PyAV decode of a 1080p H.264 clip alone vs decode + fused letterbox from the frame's own
    planes (the VideoReader(preprocess=...) path, measured from Python).
Also prints a memory bandwidth probe (numpy copy of 256 MiB) and the resulting bytes-moved floor.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

import vxfast
from vxfast.shared_data import shared_path


def median_ms(fn, repeat: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1e3


def ultralytics(bgr: np.ndarray, size: int = 640) -> np.ndarray:
    h, w = bgr.shape[:2]
    r = min(size / h, size / w)
    nw, nh = int(round(w * r)), int(round(h * r))
    dw, dh = (size - nw) / 2, (size - nh) / 2
    im = cv2.resize(bgr, (nw, nh), interpolation=cv2.INTER_LINEAR)
    top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
    left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
    im = cv2.copyMakeBorder(im, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(114, 114, 114))
    im = np.ascontiguousarray(im[..., ::-1].transpose(2, 0, 1))
    return im.astype(np.float32) / 255.0


def letterbox_blob(bgr: np.ndarray, size: int = 640) -> np.ndarray:
    h, w = bgr.shape[:2]
    r = min(size / h, size / w)
    nw, nh = int(round(w * r)), int(round(h * r))
    im = cv2.resize(bgr, (nw, nh), interpolation=cv2.INTER_LINEAR)
    dw, dh = (size - nw) / 2, (size - nh) / 2
    top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
    left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
    im = cv2.copyMakeBorder(im, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(114, 114, 114))
    return cv2.dnn.blobFromImage(im, 1 / 255.0, swapRB=True)


def bandwidth_gbs() -> float:
    a = np.ones(256 << 20, np.uint8)
    b = np.empty_like(a)
    t = median_ms(lambda: np.copyto(b, a), 5, 1)
    return 2 * a.nbytes / (t / 1e3) / 1e9  # read + write


def bench_frames(repeat: int, threads: int, bw: float) -> None:
    base = cv2.imread(str(shared_path("media/zidane.jpg")))
    for name, (w, h) in (("1080p", (1920, 1080)), ("4K", (3840, 2160))):
        bgr = np.ascontiguousarray(cv2.resize(base, (w, h), interpolation=cv2.INTER_CUBIC))
        spec = vxfast.Letterbox(640)
        out = np.empty((3, 640, 640), np.float32)
        rep = repeat if name == "1080p" else max(5, repeat // 3)
        t_vx = median_ms(lambda: vxfast.preprocess(bgr, spec, out, input_order="bgr", threads=threads), rep)
        t_vx1 = median_ms(lambda: vxfast.preprocess(bgr, spec, out, input_order="bgr", threads=1), rep)
        t_ul = median_ms(lambda: ultralytics(bgr), rep)
        t_lb = median_ms(lambda: letterbox_blob(bgr), rep)
        t_blob = median_ms(lambda: cv2.dnn.blobFromImage(bgr, 1 / 255.0, (640, 640), swapRB=True), rep)
        # bytes moved: the source rows the bilinear taps touch (2 per tensor row, at most all) + tensor
        content_rows = round(h * min(640 / h, 640 / w))
        read = min(h, 2 * content_rows) * w * 3
        written = out.nbytes
        floor = (read + written) / (bw * 1e9) * 1e3
        print(f"{name} BGR -> letterbox 640 float32 CHW  [simd={vxfast.simd_level()}]")
        print(f"  vxfast threads={threads or 'auto'}: {t_vx:7.3f} ms | threads=1: {t_vx1:7.3f} ms | "
              f"floor {floor:.3f} ms ({(read + written) / 1e6:.1f} MB at {bw:.1f} GB/s)")
        print(f"  ultralytics     {t_ul:7.3f} ms  ratio {t_ul / t_vx:5.1f}x (threads=1: {t_ul / t_vx1:5.1f}x)")
        print(f"  letterbox+blob  {t_lb:7.3f} ms  ratio {t_lb / t_vx:5.1f}x (threads=1: {t_lb / t_vx1:5.1f}x)")
        print(f"  blobFromImage   {t_blob:7.3f} ms  ratio {t_blob / t_vx:5.1f}x (threads=1: {t_blob / t_vx1:5.1f}x)")

        # fused YUV path vs cvtColor + ultralytics
        i420 = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)
        y = i420[:h]
        u = i420[h:h + h // 4].reshape(h // 2, w // 2)
        v = i420[h + h // 4:].reshape(h // 2, w // 2)
        t_yuv = median_ms(lambda: vxfast.preprocess_yuv420(y, u, v, spec, out=out, threads=threads), rep)
        t_ref = median_ms(lambda: ultralytics(cv2.cvtColor(i420, cv2.COLOR_YUV2BGR_I420)), rep)
        print(f"  YUV420P fused   {t_yuv:7.3f} ms vs cvtColor+ultralytics {t_ref:7.3f} ms  "
              f"ratio {t_ref / t_yuv:5.1f}x")


def bench_decode(frames: int, threads: int) -> None:
    try:
        import av
    except ImportError:
        print("decode: PyAV not installed, skipped")
        return
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        print("decode: ffmpeg not found, skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "1080p.mp4"
        subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-i",
                        str(shared_path("media/vtest.avi")), "-frames:v", str(frames), "-an",
                        "-vf", "scale=1920:1080", "-c:v", "libx264", "-preset", "veryfast",
                        "-pix_fmt", "yuv420p", str(clip)], check=True)
        spec = vxfast.Letterbox(640)
        out = np.empty((3, 640, 640), np.float32)

        def decode(pre: bool) -> float:
            t0 = time.perf_counter()
            with av.open(str(clip)) as c:
                for f in c.decode(video=0):
                    if pre:
                        p = f.planes
                        h, w = f.height, f.width
                        y = np.frombuffer(p[0], np.uint8).reshape(h, p[0].line_size)[:, :w]
                        u = np.frombuffer(p[1], np.uint8).reshape(h // 2, p[1].line_size)[:, :w // 2]
                        v = np.frombuffer(p[2], np.uint8).reshape(h // 2, p[2].line_size)[:, :w // 2]
                        vxfast.preprocess_yuv420(y, u, v, spec, out=out, threads=threads)
            return time.perf_counter() - t0

        decode(False)
        alone = statistics.median(decode(False) for _ in range(3))
        fused = statistics.median(decode(True) for _ in range(3))
        print(f"decode 1080p H.264 ({frames} frames): PyAV alone {alone / frames * 1e3:.2f} ms/frame, "
              f"+ fused letterbox {fused / frames * 1e3:.2f} ms/frame, ratio {alone / fused:.2f}x")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--threads", type=int, default=0, help="vxfast threads per image (0 = auto)")
    ap.add_argument("--decode-frames", type=int, default=60)
    args = ap.parse_args(argv)
    print(f"vxfast {vxfast.__version__}, OpenCV {cv2.__version__}, numpy {np.__version__}, "
          f"cv2 threads {cv2.getNumThreads()}")
    bw = bandwidth_gbs()
    bench_frames(args.repeat, args.threads, bw)
    if args.decode_frames > 0:
        bench_decode(args.decode_frames, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
