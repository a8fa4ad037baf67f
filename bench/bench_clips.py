"""Clip tensors: vxfast.clip_batch vs the PyAV + OpenCV way, same run, on a 1080p H.264 clip (GOP 50).

    PYTHONPATH=python python bench/bench_clips.py [--rounds 5] [--threads 0]

Videos: vtest.avi scaled to 1920x1080, libx264 GOP 50, 342 frames (13.7 s; bench/media.py), and the
same stream looped 8x without re-encoding (2736 frames, 109 s: the "long 1080p clip"); both cached
outside the repository (VXFAST_BENCH_CACHE).
Cases (all Kinetics-normalised float32, short side 224 + centre crop 224 unless said):
  x3d        one (1, 3, 16, 224, 224) clip, centre of the video
  4clips     num_clips=4, (4, 3, 16, 224, 224)
  uniform60  sample="uniform:60", TCHW (1, 60, 3, 224, 224), ImageNet norm (keyframe-importance)
Anchors, each producing the same tensor from PyAV-decoded RGB frames + cv2.resize + numpy:
  decode-all  PyAV decodes every frame in order and keeps the wanted ones (the issue's anchor);
  pyav-seek   PyAV seeks to the keyframe before each clip (or each wanted frame) and decodes forward.
Prints medians (ms) and ratios anchor / vxfast; figures go into docs/performance.md with this command.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import av
import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vxfast  # noqa: E402
from vxfast.video_clips import CLIP_NORMS, clip_indices  # noqa: E402

import media  # noqa: E402


def cv2_tensor(rgb: np.ndarray, size: int, mean, std) -> np.ndarray:
    """torchvision Resize(size) + CenterCrop(size) with cv2 bilinear, normalised, CHW float32."""
    h, w = rgb.shape[:2]
    nw, nh = (size, int(size * h / w)) if w <= h else (int(size * w / h), size)
    img = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_LINEAR)
    top, left = int(round((nh - size) / 2)), int(round((nw - size) / 2))
    x = img[top:top + size, left:left + size].astype(np.float32) * np.float32(1 / 255)
    x -= np.asarray(mean, np.float32)
    x /= np.asarray(std, np.float32)
    return x.transpose(2, 0, 1)


def anchor_decode_all(path: Path, indices: np.ndarray, norm: str, layout: str) -> np.ndarray:
    mean, std = CLIP_NORMS[norm]
    want = {}
    for k, row in enumerate(indices):
        for t, i in enumerate(row):
            want.setdefault(int(i), []).append((k, t))
    last = int(indices.max())
    out = None
    with av.open(str(path)) as c:
        c.streams.video[0].thread_type = "AUTO"
        for i, fr in enumerate(c.decode(video=0)):
            if i in want:
                x = cv2_tensor(fr.to_ndarray(format="rgb24"), 224, mean, std)
                if out is None:
                    out = np.empty(_shape(indices.shape, x.shape, layout), np.float32)
                for k, t in want[i]:
                    _put(out, k, t, x, layout)
            if i >= last:
                break
    return out


def anchor_pyav_seek(path: Path, indices: np.ndarray, norm: str, layout: str, fps: float) -> np.ndarray:
    """Per clip (or per frame when a clip's frames are far apart): seek, decode forward."""
    mean, std = CLIP_NORMS[norm]
    out = None
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        tb = float(s.time_base)
        start = s.start_time or 0
        for k, row in enumerate(indices):
            t = 0
            while t < len(row):
                target = int(row[t])
                c.seek(start + int(round(target / fps / tb)), stream=s, backward=True)
                for fr in c.decode(s):
                    i = int(round((fr.pts - start) * tb * fps))
                    while t < len(row) and int(row[t]) == i:
                        x = cv2_tensor(fr.to_ndarray(format="rgb24"), 224, mean, std)
                        if out is None:
                            out = np.empty(_shape(indices.shape, x.shape, layout), np.float32)
                        _put(out, k, t, x, layout)
                        t += 1
                    if t >= len(row) or int(row[t]) - i > 50:  # next wanted frame a GOP away: seek
                        break
    return out


def _shape(ncl_t, chw, layout):
    n, t = ncl_t
    return (n, chw[0], t) + chw[1:] if layout == "CTHW" else (n, t) + chw


def _put(out, k, t, x, layout):
    if layout == "CTHW":
        out[k, :, t] = x
    else:
        out[k, t] = x


def long_1080p() -> Path:
    """The 1080p GOP-50 clip looped 8x (2736 frames, 109 s), cached beside it."""
    out = media.cache_dir() / "vtest_1080p_h264_gop50_x8.mp4"
    if not out.exists():
        tmp = out.with_suffix(".tmp.mp4")
        src = str(media.h264_1080p_gop50())
        # -c copy: the same GOP-50 stream 8x, timestamps shifted per loop, in well under a second
        cmd = ["ffmpeg", "-v", "error", "-y", "-stream_loop", "7", "-i", src, "-c", "copy", str(tmp)]
        subprocess.run(cmd, check=True)
        tmp.rename(out)
    return out


def median_ms(fn, rounds: int, warm: bool = True) -> float:
    if warm:
        fn()  # warm-up (file cache, imports)
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def bench_video(path: Path, cases, rounds: int, threads: int) -> None:
    r = vxfast.VideoReader(path, threads)
    n, fps = len(r), r.info.fps
    print(f"\n{path.name}: {r.info.width}x{r.info.height} {r.info.codec}, {n} frames, "
          f"keyframes every {np.diff(r.keyframe_indices).max()} frames; simd {vxfast.simd_level()}")
    print(f"{'case':<10} {'clips x T':<22} {'vxfast ms':>10} {'decode-all ms':>14} {'ratio':>6} "
          f"{'pyav-seek ms':>13} {'ratio':>6}  mean|diff|")
    for name, kw, norm, layout in cases:
        def run_vx():
            return vxfast.clip_batch(path, norm=norm, layout=layout, threads=threads, **kw)

        b = run_vx()
        idx = clip_indices(n, **kw)
        assert (b.indices == idx).all()
        ref = anchor_decode_all(path, idx, norm, layout)
        seek = anchor_pyav_seek(path, idx, norm, layout, fps)
        diff = float(np.abs(b.data - ref).mean())
        assert np.array_equal(seek, ref), f"{name}: the seeking anchor decoded other frames"
        del b, ref, seek
        t_vx = median_ms(run_vx, rounds)
        t_all = median_ms(lambda: anchor_decode_all(path, idx, norm, layout), rounds, warm=False)
        t_seek = median_ms(lambda: anchor_pyav_seek(path, idx, norm, layout, fps), rounds)
        print(f"{name:<10} {str(tuple(idx.shape)):<22} {t_vx:>10.1f} {t_all:>14.1f} {t_all / t_vx:>5.1f}x "
              f"{t_seek:>13.1f} {t_seek / t_vx:>5.1f}x  {diff:.4f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="vxfast decoder threads (0: FFmpeg's choice)")
    ap.add_argument("--no-long", action="store_true", help="skip the 109 s video (its decode-all anchor "
                    "takes ~25 s a round)")
    args = ap.parse_args()
    x3d = ("x3d", dict(frames_per_clip=16, num_clips=1), "kinetics", "CTHW")
    four = ("4clips", dict(frames_per_clip=16, num_clips=4), "kinetics", "CTHW")
    uni = ("uniform60", dict(sample="uniform:60"), "imagenet", "TCHW")
    bench_video(media.h264_1080p_gop50(), [x3d, four, uni], args.rounds, args.threads)
    if not args.no_long:
        bench_video(long_1080p(), [four, uni], args.rounds, args.threads)

if __name__ == "__main__":
    main()
