"""``vxfast track VIDEO --model M``: detection + tracking over a video, MOTChallenge or JSONL output,
a progress bar and a summary (tracks, mean track length, IDs issued)."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Optional, TextIO

from ._detect_many import add_many_arguments


def register(sub) -> None:
    p = sub.add_parser("track", help="detect and track objects over a video (ByteTrack, OC-SORT)")
    p.add_argument("video", nargs="+", help="a video; or a glob (\"videos/**/*.mp4\"), a folder or several videos, "
                   "written as Parquet under --out DIR (OUT/tracks, docs/distributed.md)")
    p.add_argument("--model", required=True, help="model file or bare name (VXFAST_MODEL_DIR, models/)")
    p.add_argument("--tracker", default="bytetrack", choices=["bytetrack", "ocsort"], help="bytetrack or ocsort")
    p.add_argument("--batch", type=int, default=None)
    p.add_argument("--sample", default="all", help="all, keyframes, every:N, fps:X, uniform:N")
    p.add_argument("--conf", type=float, default=None,
                   help="detector threshold (default: the profile's; ByteTrack's second stage uses boxes "
                        "from 0.1, so --conf 0.1 lets it work as designed)")
    p.add_argument("--iou", type=float, default=None)
    p.add_argument("--classes", default=None, help="comma-separated class ids to keep")
    p.add_argument("--start", type=float, default=None)
    p.add_argument("--end", type=float, default=None)
    p.add_argument("--out", default=None,
                   help="tracks.txt (MOTChallenge: frame,id,x,y,w,h,score,-1,-1,-1; frames from 1) or .jsonl")
    p.add_argument("--profile", default=None, help="dev_pi, prod_rtx3090, debug, or a JSON file")
    p.add_argument("--streams", type=int, default=None)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--no-progress", action="store_true")
    add_many_arguments(p, None)
    p.add_argument("--warmup-seconds", type=float, default=10.0,
                   help="many videos with --segment-seconds: frames the tracker sees before each segment")
    p.set_defaults(func=run)


def run_many(args) -> int:
    from .. import distributed as vd
    from ._detect_many import check_many, job_args, paths_arg, print_summary

    check_many(args, ((args.batch, "--batch"), (args.classes, "--classes"), (args.start, "--start"),
                      (args.end, "--end"), (args.profile, "--profile"), (args.streams, "--streams")))
    s = vd.track(paths_arg(args), args.model, args.out, tracker=args.tracker, warmup_seconds=args.warmup_seconds,
                 sample=args.sample, conf=0.25 if args.conf is None else args.conf,
                 iou=0.45 if args.iou is None else args.iou, num_gpus=args.gpus_per_actor, **job_args(args))
    return print_summary(s, args, "tracked boxes", f"{args.out}/tracks")


class _TrackWriter:
    def __init__(self, path: Optional[str]) -> None:
        self.f: Optional[TextIO] = None
        self.jsonl = False
        if path is None:
            return
        suffix = Path(path).suffix
        if suffix not in (".txt", ".jsonl"):
            raise ValueError(f"--out {path}: expected a .txt (MOTChallenge) or .jsonl file name")
        self.jsonl = suffix == ".jsonl"
        self.f = open(path, "w")

    def write(self, d: Any) -> None:
        if self.f is None:
            return
        if d.tracker_id is None:
            return
        keep = d.tracker_id >= 0
        ids = d.tracker_id[keep].tolist()
        boxes = d.xyxy[keep].tolist()
        scores = d.scores[keep].tolist()
        if self.jsonl:
            names = d.class_names[keep].tolist()
            self.f.write(json.dumps({"frame": d.index, "pts": round(d.pts, 6), "ids": ids,
                                     "boxes": [[round(v, 2) for v in b] for b in boxes],
                                     "scores": [round(s, 5) for s in scores],
                                     "class_ids": d.class_ids[keep].tolist(), "class_names": names}) + "\n")
            return
        for i, (x1, y1, x2, y2), s in zip(ids, boxes, scores):
            self.f.write(f"{d.index + 1},{i},{x1:.2f},{y1:.2f},{x2 - x1:.2f},{y2 - y1:.2f},{s:.5f},-1,-1,-1\n")

    def close(self) -> None:
        if self.f is not None:
            self.f.close()


def run(args) -> int:
    from ._detect_many import is_many

    if is_many(args):
        return run_many(args)
    if len(args.video) > 1:
        raise ValueError("several videos are written as Parquet into a folder: give --out DIR")
    args.video = args.video[0]
    from ..config import heuristics
    from ..detection import DetectStats
    from ..progress import Progress
    from ..tracking import Tracker, track
    from ..video import VideoReader
    from .detect import _profile

    classes = [int(c) for c in args.classes.split(",")] if args.classes else None
    cfg = _profile(args.profile)
    on_cpu = heuristics.config_runs_on_cpu(cfg.providers, cfg.tensorrt)
    reader = VideoReader(args.video, threads=heuristics.decoder_threads_for_model(on_cpu))
    fps = reader.info.fps if reader.info.fps and reader.info.fps > 0 else 30.0
    tracker = Tracker(args.tracker, frame_rate=fps)
    stats = DetectStats()
    total = reader.info.frame_count if args.sample == "all" and args.start is None and args.end is None else None
    lengths: Counter[int] = Counter()
    out = _TrackWriter(args.out)
    try:
        frames = track(reader, args.model, tracker, batch=args.batch, sample=args.sample, conf=args.conf,
                       iou=args.iou, classes=classes, profile=cfg, start=args.start, end=args.end,
                       stats=stats, streams=args.streams)
        with Progress(total, "track", enabled=False if args.no_progress else None) as bar:
            for d in frames:
                ids = d.tracker_id if d.tracker_id is not None else ()
                lengths.update(int(i) for i in ids if i >= 0)
                out.write(d)
                bar.update()
    finally:
        out.close()
    mean_len = sum(lengths.values()) / len(lengths) if lengths else 0.0
    summary = {"video": args.video, "model": str(args.model), "tracker": args.tracker, "frames": stats.frames,
               "detections": stats.detections, "tracks": len(lengths), "mean_track_length": round(mean_len, 2),
               "ids_issued": tracker.ids_issued, "fps": round(stats.fps, 2), "wall_s": round(stats.wall_s, 3),
               "out": args.out}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{stats.frames} frames, {stats.detections} detections, {len(lengths)} tracks "
              f"(mean length {mean_len:.1f} frames, {tracker.ids_issued} IDs issued) in {stats.wall_s:.2f} s "
              f"({stats.fps:.1f} fps)")
        if args.out:
            print(f"  tracks written to {args.out}")
    return 0
