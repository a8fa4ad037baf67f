"""Whisper's input end to end: decode + resample to 16 kHz mono + Whisper log-mel (80 bins) over a long
AAC track, in one process, alternated round by round; medians of wall and CPU time, as ratios.

    python bench/bench_audio_whisper.py [--minutes 60] [--rounds 3]

- vxfast: ``AudioReader(path).read()`` + ``vxfast.audio.log_mel`` (threads: auto, and 1), and with the
  parallel AAC decode (``AudioReader(path, threads=0)``: one decoder per core);
- PyAV decode + ``AudioResampler`` (faster-whisper's ``decode_audio``) + faster-whisper's numpy
  ``FeatureExtractor`` (what faster-whisper's ``transcribe`` runs before the model);
- ``librosa.load(sr=16000)`` + ``librosa.feature.melspectrogram`` with Whisper's parameters (n_fft 400,
  hop 160, periodic Hann, reflect-centred, Slaney mels 0-8 kHz, power 2) and Whisper's log10 clamp.
Issue 14's targets: >= 6x librosa and >= 3x PyAV + FeatureExtractor (wall). The track is
bench_audio_decode.py's (stereo 44.1 kHz AAC 128 kb/s).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_audio_decode import cpu, librosa_load, make_track, pyav_resample


def vxfast_whisper(path, threads: int = 0, decode_threads=None):
    import vxfast

    with vxfast.AudioReader(path, threads=decode_threads) as r:
        return vxfast.audio.log_mel(r.read(), threads=threads)


def faster_whisper_features(path):
    from faster_whisper.feature_extractor import FeatureExtractor

    return FeatureExtractor(feature_size=80)(pyav_resample(path), padding=160)


def librosa_whisper(path):
    import librosa
    import numpy as np

    x = librosa_load(path)
    mel = librosa.feature.melspectrogram(y=np.concatenate([x, np.zeros(160, np.float32)]), sr=16000, n_fft=400,
                                         hop_length=160, window="hann", center=True, pad_mode="reflect",
                                         power=2.0, n_mels=80, fmin=0.0, fmax=8000.0, htk=False, norm="slaney")
    mel = mel[:, :-1]
    log = np.log10(np.maximum(mel, 1e-10))
    return (np.maximum(log, log.max() - 8.0) + 4.0) / 4.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    fns = {"vxfast read + log_mel": vxfast_whisper,
           "vxfast read + log_mel(threads=1)": lambda p: vxfast_whisper(p, threads=1),
           "vxfast read(threads=0, parallel AAC) + log_mel": lambda p: vxfast_whisper(p, decode_threads=0),
           "PyAV + AudioResampler + faster-whisper FeatureExtractor": faster_whisper_features,
           "librosa.load + librosa.feature.melspectrogram (Whisper's parameters)": librosa_whisper}
    with tempfile.TemporaryDirectory() as tmp:
        path = make_track(Path(tmp), args.minutes)
        short = Path(tmp) / "minute.m4a"
        ref = faster_whisper_features(short)
        for k, fn in fns.items():  # warm-up, and the same frames as the reference on one minute
            out = fn(short)
            assert out.shape == ref.shape, (k, out.shape, ref.shape)
        wall: dict[str, list[float]] = {k: [] for k in fns}
        cpus: dict[str, list[float]] = {k: [] for k in fns}
        for rnd in range(args.rounds):
            for k, fn in fns.items():
                c0, t0 = cpu(), time.perf_counter()
                fn(path)
                wall[k].append(time.perf_counter() - t0)
                cpus[k].append(cpu() - c0)
            print(f"round {rnd + 1}/{args.rounds} done", file=sys.stderr)
    base = "vxfast read + log_mel"
    bw, bc = statistics.median(wall[base]), statistics.median(cpus[base])
    print(f"{args.minutes} min stereo 44.1 kHz AAC -> Whisper log-mel (80 x frames), median of {args.rounds} rounds")
    print("| what | wall s | CPU s | wall / vxfast | CPU / vxfast |")
    print("|---|---|---|---|---|")
    for k in fns:
        w, c = statistics.median(wall[k]), statistics.median(cpus[k])
        print(f"| {k} | {w:.2f} | {c:.2f} | {w / bw:.2f}x | {c / bc:.2f}x |")


if __name__ == "__main__":
    main()
