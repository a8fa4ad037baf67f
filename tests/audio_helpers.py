"""Helpers for the audio tests: references through PyAV (the same libswresample the issue names)."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def pyav_resampled(path, rate=16000, layout="mono", stream: int = 0) -> np.ndarray:
    """PyAV decode + AudioResampler(format='flt'), as faster-whisper's decode_audio does it:
    (channels, n) float32."""
    import av

    out = []
    with av.open(str(path)) as c:
        rs = av.AudioResampler(format="flt", layout=layout, rate=rate)
        for f in c.decode(c.streams.audio[stream]):
            out.extend(g.to_ndarray() for g in rs.resample(f))
        out.extend(g.to_ndarray() for g in rs.resample(None))
    ch = len(av.AudioLayout(layout).channels)
    if not out:  # libswresample gives nothing for a stream shorter than its filter
        return np.zeros((ch, 0), np.float32)
    x = np.concatenate(out, axis=1)
    return x.reshape(-1, ch).T.copy() if ch > 1 else x  # packed flt comes back (1, n * ch)


def pyav_native(path) -> tuple[np.ndarray, int]:
    """PyAV decode without conversion, scaled to float as libswresample does: ((channels, n), rate)."""
    import av

    out = []
    with av.open(str(path)) as c:
        s = c.streams.audio[0]
        for f in c.decode(s):
            a = f.to_ndarray()
            if not f.format.is_planar:
                a = a.reshape(-1, len(f.layout.channels)).T
            out.append(a)
        rate = s.sample_rate
    x = np.concatenate(out, axis=1)
    if x.dtype == np.uint8:
        return (x.astype(np.float32) - 128) / 128, rate
    if x.dtype == np.int16:
        return x.astype(np.float32) / 32768, rate
    if x.dtype == np.int32:
        return (x.astype(np.float64) / 2**31).astype(np.float32), rate
    return x.astype(np.float32), rate


_STREAM_PEAK_SCRIPT = """
import resource, sys, vxfast
threads = None if sys.argv[3] == "default" else int(sys.argv[3])
it = vxfast.AudioReader(sys.argv[1], threads=threads).chunks(float(sys.argv[2]))
n = len(next(it).samples)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
n += sum(len(c.samples) for c in it)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(n, (peak - base) / 1024)
"""


def concat_minutes(make_video, minute: Path, count: int, name: str, tmp_path: Path) -> Path:
    """``count`` copies of a one-minute audio file joined without re-encoding (ffmpeg's concat)."""
    lst = tmp_path / f"{name}.txt"
    lst.write_text("".join(f"file '{minute}'\n" for _ in range(count)))
    return make_video(name, "-c", "copy", input_args=("-f", "concat", "-safe", "0", "-i", str(lst)))


def streamed_audio_peak(path: Path, chunk_seconds: float, threads: int | None = None) -> tuple[int, float]:
    """(samples, MB of peak RSS growth) of streaming ``path`` through ``AudioReader.chunks`` in a fresh
    process (after its first chunk, so imports and the decoder's set-up are not counted)."""
    import subprocess
    import sys

    import vxfast

    env_py = str(Path(vxfast.__file__).parent.parent)
    out = subprocess.run([sys.executable, "-c", _STREAM_PEAK_SCRIPT, str(path), str(chunk_seconds),
                          "default" if threads is None else str(threads)], capture_output=True, text=True,
                         env={"PYTHONPATH": env_py, "PATH": "/usr/bin:/bin"}, check=True).stdout.split()
    return int(out[0]), float(out[1])
