"""``vxfast audio VIDEO --vad | --embed M | --classify M | --diarize M [--out F.jsonl|.rttm]``:
run an audio model over the audio track of a media file, times on the file's clock."""
from __future__ import annotations

import json
import sys
import time
from typing import Any

from ._detect_many import add_many_arguments


def register(sub) -> None:
    p = sub.add_parser("audio", help="voice activity, embeddings, classification or diarization "
                                     "over a file's audio track")
    p.add_argument("video", nargs="+", help="any media file with an audio stream; or (--vad, --embed) a glob, a "
                   "folder or several files, written as Parquet under --out DIR (OUT/vad, OUT/audio_embeddings)")
    task = p.add_mutually_exclusive_group(required=True)
    task.add_argument("--vad", action="store_true", help="speech segments (Silero VAD)")
    task.add_argument("--embed", metavar="MODEL", help="window embeddings with an ONNX model")
    task.add_argument("--classify", metavar="MODEL", help="per-patch classes (YAMNet-style model)")
    task.add_argument("--diarize", metavar="MODEL", help="speaker turns with a speaker-embedding model")
    p.add_argument("--out", help="write .jsonl (one object per segment/window/turn) or .rttm "
                                 "(--vad, --diarize); default: JSON lines on stdout")
    p.add_argument("--vad-model", default=None, help="Silero VAD ONNX (default: the shared one)")
    p.add_argument("--threshold", type=float, default=0.5, help="VAD speech threshold")
    p.add_argument("--frontend", default="openwakeword",
                   help="embedding front-end: openwakeword, fbank, wespeaker, whisper, raw")
    p.add_argument("--window", type=float, default=None, help="embedding window, seconds")
    p.add_argument("--hop", type=float, default=None, help="embedding hop, seconds")
    p.add_argument("--speakers", type=int, default=None, help="number of speakers (--diarize)")
    p.add_argument("--labels", default=None, help="class names file (--classify)")
    p.add_argument("--stream", type=int, default=None, help="audio stream number (default: best)")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--json", action="store_true", help="many files: print the summary as JSON")
    add_many_arguments(p, None, gpus=False)
    p.add_argument("--context-seconds", type=float, default=60.0,
                   help="many files, --vad with --segment-seconds: audio the model sees around each segment")
    p.set_defaults(func=run)


def run_many(args) -> int:
    from .. import distributed as vd
    from ._detect_many import check_many, job_args, paths_arg, print_summary

    if not (args.vad or args.embed):
        raise ValueError("over many files (--out DIR), vxfast audio runs --vad or --embed")
    check_many(args, ((args.stream, "--stream"),))
    if args.vad:
        s = vd.vad(paths_arg(args), args.out, model=args.vad_model, threshold=args.threshold,
                   context_seconds=args.context_seconds, **job_args(args))
        return print_summary(s, args, "speech segments", f"{args.out}/vad")
    frontend = None if args.frontend == "raw" else args.frontend
    s = vd.audio_embed(paths_arg(args), args.embed, args.out, frontend=frontend, window=args.window, hop=args.hop,
                       **job_args(args))
    return print_summary(s, args, "embeddings", f"{args.out}/audio_embeddings")


def _decode(path: str, stream: int | None, progress: bool) -> tuple[Any, float, float]:
    """Whole track at 16 kHz mono with a progress bar in seconds; (samples, start time, seconds)."""
    import numpy as np

    from ..audio import AudioReader
    from ..progress import Progress
    with AudioReader(path, sample_rate=16000, channels=1, stream=stream) as r:
        total = r.info.duration
        parts = []
        with Progress(int(total) if total else None, "decode", unit="s",
                      enabled=False if not progress else None) as bar:
            for c in r.chunks(60.0):
                parts.append(c.samples)
                bar.update(int(round(len(c.samples) / 16000)))
        t0 = float(r.info.start_time or 0.0)
    x = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    return x, t0, len(x) / 16000


def run(args) -> int:
    from ._detect_many import is_many

    if is_many(args):
        return run_many(args)
    if len(args.video) > 1:
        raise ValueError("several files are written as Parquet into a folder: give --out DIR")
    args.video = args.video[0]
    from .. import audio as A
    from ..progress import Progress

    if args.out and not args.out.endswith((".jsonl", ".rttm")):
        raise ValueError(f"--out must end in .jsonl or .rttm, got {args.out!r}")
    if args.out and args.out.endswith(".rttm") and not (args.vad or args.diarize):
        raise ValueError("--out .rttm is for --vad and --diarize")
    t_start = time.perf_counter()
    x, t0, seconds = _decode(args.video, args.stream, not args.no_progress)
    t_dec = time.perf_counter() - t_start

    def shift(a: Any) -> Any:
        return a + t0

    frontend = None if args.frontend == "raw" else args.frontend
    rows: list[dict] = []
    rttm: list[tuple] = []
    with Progress(1, "model", unit="pass", enabled=False if args.no_progress else None) as bar:
        if args.vad:
            segs = A.vad(x, args.vad_model, threshold=args.threshold)
            rttm = [(shift(s.start), shift(s.end), "SPEECH") for s in segs]
            rows = [{"start": round(a, 4), "end": round(b, 4)} for a, b, _ in rttm]
            what = f"{len(rows)} speech segments, {sum(b - a for a, b, _ in rttm):.1f} s of speech"
        elif args.embed:
            r = A.embed(x, args.embed, frontend=frontend, window=args.window, hop=args.hop)
            rows = [{"start": round(float(shift(a)), 4), "end": round(float(shift(b)), 4),
                     "embedding": [round(float(v), 6) for v in e]}
                    for a, b, e in zip(r.start, r.end, r.embeddings)]
            what = f"{len(rows)} embeddings of dimension {r.embeddings.shape[1]}"
        elif args.classify:
            c = A.classify(x, args.classify, labels=args.labels)
            tops = c.top(3)
            rows = [{"start": round(float(shift(a)), 4), "end": round(float(shift(b)), 4),
                     "top": [{"label": lab, "score": round(sc, 5)} for lab, sc in t]}
                    for a, b, t in zip(c.start, c.end, tops)]
            what = f"{len(rows)} patches x {c.scores.shape[1]} classes"
        else:
            turns = A.diarize(x, args.diarize, vad_model=args.vad_model, num_speakers=args.speakers,
                              frontend=frontend, window=args.window, hop=args.hop or 0.25)
            rttm = [(shift(a), shift(b), s) for a, b, s in turns]
            rows = [{"start": round(a, 4), "end": round(b, 4), "speaker": s} for a, b, s in rttm]
            what = f"{len(rows)} turns, {len({s for _, _, s in rttm})} speakers"
        bar.update()
    dt = time.perf_counter() - t_start
    if args.out and args.out.endswith(".rttm"):
        from pathlib import Path
        A.write_rttm(rttm, args.out, file_id=Path(args.video).stem.replace(" ", "_") or "audio")
    elif args.out:
        with open(args.out, "w") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
    else:
        for row in rows:
            sys.stdout.write(json.dumps(row) + "\n")
    summary = (f"{args.video}: {seconds:.1f} s of audio -> {what} in {dt:.2f} s "
               f"(decode {t_dec:.2f} s; {seconds / dt if dt > 0 else 0:.0f}x real time)"
               + (f"; wrote {args.out}" if args.out else ""))
    print(summary, file=sys.stdout if args.out else sys.stderr)
    return 0
