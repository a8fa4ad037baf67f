"""Benchmark media: derived clips made once from the shared footage with FFmpeg, cached outside the
repository (VXFAST_BENCH_CACHE, default ~/.cache/vxfast/bench)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from vxfast.shared_data import shared_path


def cache_dir() -> Path:
    d = Path(os.environ.get("VXFAST_BENCH_CACHE", Path.home() / ".cache" / "vxfast" / "bench"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def derived(name: str, *out_args: str) -> Path:
    out = cache_dir() / name
    if not out.exists():
        tmp = out.with_suffix(".tmp" + out.suffix)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(shared_path("media/vtest.avi")), "-an",
                        *out_args, str(tmp)], check=True)
        tmp.rename(out)
    return out


def h264_1080p() -> Path:
    """vtest.avi upscaled to 1920x1080 H.264 High (x264 defaults: B-frames, GOP 250), 341 frames."""
    return derived("vtest_1080p_h264.mp4", "-vf", "scale=1920:1080", "-c:v", "libx264", "-preset", "fast",
                   "-crf", "20", "-pix_fmt", "yuv420p")


def h264_1080p_gop50() -> Path:
    """Same at GOP 50 (keyframe-only decoding benchmark)."""
    return derived("vtest_1080p_h264_gop50.mp4", "-vf", "scale=1920:1080", "-c:v", "libx264", "-preset",
                   "fast", "-crf", "20", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0",
                   "-pix_fmt", "yuv420p")
