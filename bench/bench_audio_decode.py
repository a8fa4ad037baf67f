"""Decode + resample to 16 kHz mono float32 over a long AAC track: vxfast.AudioReader vs PyAV
decode + AudioResampler (what faster-whisper's decode_audio does) vs librosa.load(sr=16000), in one
process, alternated round by round; medians of wall time and of CPU time (user + sys, this process
and its children: librosa decodes through an ffmpeg subprocess), reported as ratios.

    python bench/bench_audio_decode.py [--minutes 20] [--rounds 3] [--no-librosa]

The track: stereo 44.1 kHz AAC 128 kb/s (a tone plus noise, so the coder has work), made with the
ffmpeg CLI as one encoded minute concatenated by stream copy. Floor: FFmpeg's AAC decoder alone
(`vxfast` at the native rate/channels, and `ffmpeg -f null`) per second of audio.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def make_track(tmp: Path, minutes: int) -> Path:
    minute = tmp / "minute.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "aevalsrc='0.3*sin(2*PI*440*t)+0.05*(random(0)-0.5)|0.3*sin(2*PI*660*t)+0.05*(random(1)-0.5)'"
                    ":s=44100:d=60", "-c:a", "aac", "-b:a", "128k", str(minute)], check=True)
    lst = tmp / "list.txt"
    lst.write_text("".join(f"file '{minute}'\n" for _ in range(minutes)))
    out = tmp / "long.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(lst), "-c", "copy",
                    str(out)], check=True)
    return out


def vxfast_read(path):
    import vxfast

    with vxfast.AudioReader(path) as r:
        return r.read()


def vxfast_read_parallel(path):
    import vxfast

    with vxfast.AudioReader(path, threads=0) as r:
        return r.read()


def vxfast_chunks(path):
    import vxfast

    n = 0
    with vxfast.AudioReader(path) as r:
        for c in r.chunks(30.0):
            n += len(c.samples)
    return n


def vxfast_native(path):
    import vxfast

    n = 0
    with vxfast.AudioReader(path, sample_rate=None, channels=None) as r:
        for c in r.chunks(30.0):
            n += c.samples.shape[-1]
    return n


def pyav_resample(path):
    import av
    import numpy as np

    out = []
    with av.open(str(path)) as c:
        rs = av.AudioResampler(format="flt", layout="mono", rate=16000)
        for f in c.decode(audio=0):
            out.extend(g.to_ndarray() for g in rs.resample(f))
        out.extend(g.to_ndarray() for g in rs.resample(None))
    return np.concatenate(out, axis=1)[0]


def librosa_load(path):
    import warnings

    import librosa

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return librosa.load(str(path), sr=16000)[0]


def ffmpeg_null(path):
    subprocess.run(["ffmpeg", "-v", "error", "-threads", "1", "-i", str(path), "-f", "null", "-"], check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-librosa", action="store_true")
    args = ap.parse_args()
    fns = {"vxfast read": vxfast_read, "vxfast read(threads=0, parallel AAC)": vxfast_read_parallel,
           "vxfast chunks(30 s)": vxfast_chunks, "PyAV + AudioResampler": pyav_resample,
           "vxfast chunks, native 44.1 kHz stereo (decode floor)": vxfast_native,
           "ffmpeg -f null (decode floor)": ffmpeg_null}
    if not args.no_librosa:
        fns["librosa.load(sr=16000)"] = librosa_load
    with tempfile.TemporaryDirectory() as tmp:
        path = make_track(Path(tmp), args.minutes)
        seconds = args.minutes * 60.0
        short = Path(tmp) / "minute.m4a"
        for fn in fns.values():  # warm-up: imports, librosa's first-call compiles
            fn(short)
        wall: dict[str, list[float]] = {k: [] for k in fns}
        cpus: dict[str, list[float]] = {k: [] for k in fns}
        for rnd in range(args.rounds):
            for k, fn in fns.items():
                c0, t0 = cpu(), time.perf_counter()
                fn(path)
                wall[k].append(time.perf_counter() - t0)
                cpus[k].append(cpu() - c0)
            print(f"round {rnd + 1}/{args.rounds} done", file=sys.stderr)
    base_w = statistics.median(wall["vxfast read"])
    base_c = statistics.median(cpus["vxfast read"])
    print(f"{args.minutes} min stereo 44.1 kHz AAC -> 16 kHz mono float32, median of {args.rounds} rounds")
    print("| what | wall s | CPU s | CPU ms per s of audio | wall ratio vs vxfast read | CPU ratio |")
    print("|---|---|---|---|---|---|")
    for k in fns:
        w, c = statistics.median(wall[k]), statistics.median(cpus[k])
        print(f"| {k} | {w:.3f} | {c:.3f} | {1000 * c / seconds:.3f} | {w / base_w:.2f} | {c / base_c:.2f} |")


if __name__ == "__main__":
    main()
