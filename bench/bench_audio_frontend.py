"""Audio front-ends: vxfast.audio against each reference on the same samples, in the same run.

    PYTHONPATH=python python bench/bench_audio_frontend.py [--minutes 10] [--rounds 5]

Rows (medians of --rounds, methods interleaved round by round in a shuffled order):

* Whisper log-mel (80 mels) of the whole input: faster-whisper's numpy ``FeatureExtractor`` vs
  ``vxfast.audio.log_mel`` (threads auto, threads=1, and threads=1 with the scalar kernels).
* Kaldi fbank (povey, 80 bins, dither 0) vs kaldi-native-fbank (``OnlineFbank``: accept the whole
  waveform, then its frames; also its compute alone, before the per-frame read-out).
* General mel spectrogram (librosa's defaults at 16 kHz: n_fft 2048, hop 512, 128 Slaney mels) vs
  ``librosa.feature.melspectrogram``.

The input is speech-band noise with tones (the front-end's cost does not depend on content).
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Callable

import numpy as np

import vxfast
import vxfast.audio as va


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    import kaldi_native_fbank as knf
    import librosa
    from faster_whisper.feature_extractor import FeatureExtractor

    sr = 16000
    n = int(args.minutes * 60 * sr)
    t = np.arange(n) / sr
    rng = np.random.default_rng(0)
    x = (0.05 * rng.standard_normal(n) + 0.2 * np.sin(2 * np.pi * 220 * t) * (np.sin(t) > 0)).astype(np.float32)
    x16 = x * np.float32(32768)
    fw = FeatureExtractor()

    def knf_run(read_out: bool) -> None:
        o = knf.FbankOptions()
        o.frame_opts.dither = 0.0
        o.mel_opts.num_bins = 80
        f = knf.OnlineFbank(o)
        f.accept_waveform(sr, x16)
        f.input_finished()
        if read_out:
            np.stack([f.get_frame(i) for i in range(f.num_frames_ready)])

    def scalar_log_mel() -> None:
        vxfast.set_simd_level("scalar")
        try:
            va.log_mel(x, threads=1)
        finally:
            vxfast.set_simd_level("native")

    groups: dict[str, dict[str, Callable[[], object]]] = {
        "whisper log-mel": {
            "faster-whisper FeatureExtractor": lambda: fw(x),
            "vxfast log_mel": lambda: va.log_mel(x),
            "vxfast log_mel threads=1": lambda: va.log_mel(x, threads=1),
            "vxfast log_mel threads=1 scalar": scalar_log_mel,
        },
        "kaldi fbank": {
            "kaldi-native-fbank (+ frames read-out)": lambda: knf_run(True),
            "kaldi-native-fbank compute only": lambda: knf_run(False),
            "vxfast fbank": lambda: va.fbank(x16),
            "vxfast fbank threads=1": lambda: va.fbank(x16, threads=1),
        },
        "mel spectrogram (librosa defaults)": {
            "librosa.feature.melspectrogram": lambda: librosa.feature.melspectrogram(y=x, sr=sr),
            "vxfast melspectrogram": lambda: va.melspectrogram(x, sr),
            "vxfast melspectrogram threads=1": lambda: va.melspectrogram(x, sr, threads=1),
        },
    }
    for fns in groups.values():  # warm-up (filterbank caches, librosa's first-call imports, pools)
        for fn in fns.values():
            fn()
    times: dict[str, list[float]] = {k: [] for fns in groups.values() for k in fns}
    for _ in range(args.rounds):
        for fns in groups.values():
            order = list(fns.items())
            random.shuffle(order)
            for name, fn in order:
                times[name].append(timed(fn))
    level = vxfast.simd_info()["areas"]["audio_frontend"]
    print(f"{args.minutes:g} min of 16 kHz audio, {args.rounds} rounds, simd {level}")
    for g, fns in groups.items():
        names = list(fns)
        anchor = statistics.median(times[names[0]])
        print(f"\n{g}")
        for name in names:
            med = statistics.median(times[name])
            per_s = med / (args.minutes * 60) * 1e3
            print(f"  {name:42s} {med * 1e3:9.1f} ms  ({per_s:6.3f} ms per s of audio)  x{anchor / med:6.2f}")


if __name__ == "__main__":
    main()
