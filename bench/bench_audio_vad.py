"""vxfast.audio.vad vs bare onnxruntime over ready windows and vs the silero-vad package, same run.

    PYTHONPATH=python:tests python bench/bench_audio_vad.py [--minutes 5] [--repeats 3] [--threads 1]

Audio: the espeak-ng conversation of tests/speech_media.py (6 utterances, 3 voices, ~28 s) repeated
with random gains up to --minutes, 16 kHz mono float32, in memory (decode is not timed). Cases:
- vxfast: ``vad(x, VadModel(threads=T))`` (split encoder/decoder run + segment rules);
- bare ORT split: the same two graphs over ready windows (frames built before the clock starts),
  no segment rules: the floor for vxfast's way of running the model;
- bare ORT sequential: the shipped model once per ready window with its state carried, as every
  correct user of the model must run it (the anchor of issue 14's ">= 0.9x");
- silero-vad: the package's ``get_speech_timestamps`` with its ``OnnxWrapper`` on the same model
  (1 intra-op thread, its own choice).
Prints medians and ratios (anchor / vxfast). Segment counts are printed as a cross-check.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from vxfast.audio import VadModel, vad
from vxfast.shared_data import shared_path

MODEL = shared_path("models/silero_vad.onnx")


def build_audio(minutes: float) -> np.ndarray:
    from speech_media import conversation
    with tempfile.TemporaryDirectory() as d:
        x, _ = conversation(Path(d), [("A", 0), ("B", 1), ("A", 2), ("B", 3), ("C", 4), ("A", 5)],
                            [0.8, 0.5, 1.2, 0.3, 0.9])
    rng = np.random.default_rng(0)
    reps = int(np.ceil(minutes * 60 * 16000 / len(x)))
    return np.concatenate([x * g for g in rng.uniform(0.3, 1.5, reps)]).astype(np.float32)[:int(minutes * 60 * 16000)]


def ready_windows(x: np.ndarray) -> np.ndarray:
    n = -(-len(x) // 512)
    xp = np.zeros(64 + n * 512, np.float32)
    xp[64:64 + len(x)] = x
    return np.lib.stride_tricks.as_strided(xp, (n, 576), (2048, 4)).copy()


def session(model, threads):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    x = build_audio(args.minutes)
    frames = ready_windows(x)
    n_win = len(frames)
    print(f"audio {len(x) / 16000:.0f} s, {n_win} windows; threads={args.threads}")

    vm = VadModel(MODEL, threads=args.threads)
    vad(x[:16000 * 5], vm)  # builds the split sessions (once per model and rate)

    from vxfast.audio._silero_split import split_silero
    enc_b, dec_b = split_silero(MODEL, 16000)
    enc, dec = session(enc_b, args.threads), session(dec_b, 1)
    full = session(str(MODEL), args.threads)
    sr = np.array(16000, np.int64)

    def bare_split():
        h = c = np.zeros((1, 1, 128), np.float32)
        out = []
        for lo in range(0, n_win, 4096):
            f = enc.run(None, {"input": frames[lo:lo + 4096]})[0]
            p, h, c = dec.run(None, {"features": f.reshape(len(f), 1, -1), "h0": h, "c0": c})
            out.append(p)
        return np.concatenate(out)

    def bare_sequential():
        state = np.zeros((2, 1, 128), np.float32)
        out = np.empty(n_win, np.float32)
        for i in range(n_win):
            p, state = full.run(None, {"input": frames[i:i + 1], "state": state, "sr": sr})
            out[i] = p[0, 0]
        return out

    def package():
        import torch
        from silero_vad.utils_vad import OnnxWrapper, get_speech_timestamps
        return get_speech_timestamps(torch.from_numpy(x), OnnxWrapper(str(MODEL), force_onnx_cpu=True))

    cases = {"vxfast vad()": lambda: vad(x, vm),
             "bare ORT, split graphs, ready windows": bare_split,
             "bare ORT, shipped model per window, ready windows": bare_sequential,
             "silero-vad get_speech_timestamps (ONNX)": package}
    times: dict[str, list[float]] = {k: [] for k in cases}
    results = {}
    for _ in range(args.repeats):  # interleaved so load drifts hit every case alike
        for name, fn in cases.items():
            t0 = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    base = med["vxfast vad()"]
    for k, v in med.items():
        per_hour = v * 3600 / (len(x) / 16000)
        print(f"{k:52s} {v * 1000:9.1f} ms  ({per_hour:7.1f} s per hour of audio)  "
              f"ratio {v / base:5.2f}")
    print(f"segments: vxfast {len(results['vxfast vad()'])}, "
          f"package {len(results['silero-vad get_speech_timestamps (ONNX)'])}")
    split = results["bare ORT, split graphs, ready windows"]
    seq = results["bare ORT, shipped model per window, ready windows"]
    print(f"probabilities split vs sequential max |diff| {np.abs(split - seq).max():.2e}")


if __name__ == "__main__":
    main()
