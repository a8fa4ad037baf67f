"""Helpers for the audio tests: references through PyAV (the same libswresample the issue names)."""
from __future__ import annotations

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
    x = np.concatenate(out, axis=1)
    ch = len(av.AudioLayout(layout).channels)
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
