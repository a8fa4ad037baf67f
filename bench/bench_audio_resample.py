"""vxfast's own resampling kernel against libswresample on the same samples: 44.1 kHz mono float ->
16 kHz (libswresample's default filter, which vxfast learns from it), in one process, alternated
round by round; medians, as a ratio.

    python bench/bench_audio_resample.py [--minutes 30] [--rounds 5]

- vxfast: the kernel AudioReader runs (``_core.audio._resample_kernel``, every SIMD level this CPU
  runs), over the whole signal in one call;
- libswresample through PyAV's ``AudioResampler`` (format flt, mono, 16 kHz), fed in frames of
  2^20 samples so that Python's per-frame cost stays below 0.1 %.
The two agree to float rounding (tests/test_audio_resample.py).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def swr_pyav(x: np.ndarray, rate: int = 44100) -> np.ndarray:
    import av

    rs = av.AudioResampler(format="flt", layout="mono", rate=16000)
    out = []
    step = 1 << 20
    for i in range(0, len(x), step):
        f = av.AudioFrame.from_ndarray(x[None, i:i + step], format="flt", layout="mono")
        f.sample_rate = rate
        out.extend(g.to_ndarray() for g in rs.resample(f))
    out.extend(g.to_ndarray() for g in rs.resample(None))
    return np.concatenate(out, axis=1)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    import vxfast
    from vxfast import _core

    n = int(args.minutes * 60 * 44100)
    x = (np.random.default_rng(0).standard_normal(n) * 0.2).astype(np.float32)
    f = _core.audio._swr_filter(44100, 16000)
    P, Q, off, taps = f["P"], f["Q"], f["offset"], f["taps"]
    m0 = (-off * Q + P - 1) // P + 1
    m1 = ((n - taps - off + 1) * Q - 1) // P  # last output whose window fits
    count = m1 - m0

    levels = [lv for lv in ("scalar", "avx2", "avx512") if lv in vxfast.simd_info()["runnable"]]
    fns = {f"vxfast kernel ({lv})": (lambda lv=lv: _core.audio._resample_kernel(44100, 16000, x, m0, count, lv))
           for lv in levels}
    fns["libswresample (PyAV AudioResampler)"] = lambda: swr_pyav(x)
    ref = swr_pyav(x)
    for k, fn in fns.items():
        if k.startswith("vxfast"):
            got = fn()
            assert np.abs(got - ref[m0:m0 + count]).max() < 1e-5, k
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(args.rounds):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    base = statistics.median(times["libswresample (PyAV AudioResampler)"])
    print(f"{args.minutes:g} min of 44.1 kHz mono float -> 16 kHz ({taps} taps, {Q} phases), "
          f"median of {args.rounds} rounds")
    print("| what | s | ms per s of audio | libswresample / it |")
    print("|---|---|---|---|")
    for k in fns:
        t = statistics.median(times[k])
        print(f"| {k} | {t:.3f} | {t / (args.minutes * 60) * 1e3:.3f} | {base / t:.2f}x |")


if __name__ == "__main__":
    main()
