"""Helpers for generated test media (no fixtures here; see conftest.py)."""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np


def set_mp4_rotation(path: Path, degrees_cw: int) -> None:
    """Writes a display matrix into the first track header of an MP4, as phones do.

    FFmpeg 5.1 has no CLI option for it (-display_rotation came in 6.1), so patch the tkhd box.
    """
    data = bytearray(Path(path).read_bytes())
    p = data.find(b"tkhd")
    assert p > 0 and data[p + 4] == 0, "expected a version-0 tkhd box"
    one = 0x10000
    a, b, c, d = (v * one for v in {90: (0, 1, -1, 0), 180: (-1, 0, 0, -1), 270: (0, -1, 1, 0),
                                     0: (1, 0, 0, 1)}[degrees_cw])
    struct.pack_into(">9i", data, p + 44, a, b, 0, c, d, 0, 0, 0, 0x40000000)
    Path(path).write_bytes(bytes(data))


def pyav_frames(path, fmt: str = "rgb24"):
    """Every frame of the first video stream via PyAV (the reference), as (pts_seconds, ndarray)."""
    import av

    out = []
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        for f in c.decode(s):
            t = None if f.pts is None else float(f.pts * s.time_base)
            out.append((t, f.to_ndarray(format=fmt)))
    return out


def pyav_planes(path, index: int):
    """Y, U, V planes of frame `index` exactly as PyAV's decoder produced them (no conversion)."""
    import av

    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i == index:
                planes = []
                for p in f.planes:
                    w = p.width
                    arr = np.frombuffer(p, np.uint8).reshape(-1, p.line_size)[: p.height, :w]
                    planes.append(arr.copy())
                return planes
    raise IndexError(index)


def ffmpeg_rgb(path, index: int, width: int, height: int, fmt: str = "rgb24") -> np.ndarray:
    """Frame `index` converted by the ffmpeg CLI (same FFmpeg libraries as vxfast links)."""
    import subprocess

    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-vf", f"select=eq(n\\,{index})", "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", fmt, "-"], check=True, capture_output=True).stdout
    return np.frombuffer(out, np.uint8).reshape(height, width, 3)


def run_in_threads(work, n: int) -> dict:
    """Runs ``work(k)`` for k in range(n) on n threads at once; returns {k: result}; re-raises the
    first error a thread hit (so a failing worker fails the test instead of vanishing)."""
    import threading

    results: dict = {}
    errors: list = []

    def run(k):
        try:
            results[k] = work(k)
        except BaseException as e:  # noqa: BLE001 - re-raised below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results
