"""``vxfast detect`` over many videos: the vxfast.distributed writer (Parquet under --out DIR),
on Ray with ``--ray``, else in this process. Chosen when an input is a glob or a folder, when --out
names a folder, or when --ray is given. Several files or URLs with ``--out x.jsonl`` (or no --out)
go through vxfast.Streams instead (cli/detect.py), and one video with ``--out x.jsonl``/``.csv`` (or
no --out) keeps the single-video command."""
from __future__ import annotations

import json
import os
import sys


def _out_is_dir(out: str | None) -> bool:
    if out is None:
        return False
    return os.path.isdir(out) or out.endswith(("/", os.sep)) or os.path.splitext(out)[1] == ""


def is_many(args) -> bool:
    v = args.video
    return (args.ray is not None or _out_is_dir(args.out)
            or any(any(c in x for c in "*?[") or os.path.isdir(x) for x in v))


def run_many(args) -> int:
    from .. import distributed as vd

    if not args.out or not _out_is_dir(args.out):
        raise ValueError(f"--out {args.out}: several videos are written as Parquet into a folder: "
                         f"give --out DIR")
    for flag, name in ((args.batch, "--batch"), (args.max_det, "--max-det"), (args.classes, "--classes"),
                       (args.start, "--start"), (args.end, "--end"), (args.profile, "--profile"),
                       (args.streams, "--streams")):
        if flag is not None:
            raise ValueError(f"{name} applies to one video; over many, actors size their model to "
                             f"--cpus-per-actor/--gpus-per-actor")
    if args.tracker is not None:
        raise ValueError("--tracker: the Parquet output (--out DIR, globs, --ray) has no tracks; give the files or "
                         "URLs with --out x.jsonl (vxfast.Streams, one tracker per source) or use `vxfast track`")
    use_ray = args.ray is not None
    address = args.ray or None
    s = vd.detect(args.video if len(args.video) > 1 else args.video[0], args.model, args.out,
                  segment_seconds=args.segment_seconds, sample=args.sample,
                  conf=0.25 if args.conf is None else args.conf, iou=0.45 if args.iou is None else args.iou,
                  concurrency=args.concurrency, num_cpus=args.cpus_per_actor, num_gpus=args.gpus_per_actor,
                  resume=args.resume, address=address, ray=use_ray,
                  progress=False if args.no_progress else None)
    d = s.as_dict()
    if args.json:
        print(json.dumps(d))
    else:
        print(f"{s.videos} videos, {s.segments} segments ({s.done} run, {s.skipped} already done, "
              f"{s.errors} failed): {s.frames} frames, {s.rows} detections in {s.seconds:.2f} s "
              f"({s.fps:.1f} fps{', on Ray' if s.ray else ''})", file=sys.stdout)
        if s.errors:
            print(f"  failed: {', '.join(s.error_videos)} (reasons in {args.out}/errors)")
        print(f"  written to {args.out}/detections, {args.out}/frames, {args.out}/manifest.json")
    return 0 if s.errors == 0 else 3
