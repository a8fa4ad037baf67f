"""``vxfast detect`` (and ``track``, ``audio``) over many videos: the vxfast.distributed writer
(Parquet under --out DIR), on Ray with ``--ray``, else in this process. Chosen when an input is a
glob or a folder, when --out names a folder, or when --ray is given. For detect, several files or
URLs with ``--out x.jsonl`` (or no --out) go through vxfast.Streams instead (cli/detect.py), and one
video with ``--out x.jsonl``/``.csv`` (or no --out) keeps the single-video command."""
from __future__ import annotations

import argparse
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


def add_many_arguments(p, segment_seconds: float | None, gpus: bool = True) -> None:
    """The --ray/--segment-seconds/... group of a command that also runs over many videos."""
    g = p.add_argument_group("many videos (--out DIR: Parquet per segment, docs/distributed.md)")
    g.add_argument("--ray", nargs="?", const="", default=None, metavar="auto|ADDRESS",
                   help="run on Ray Data: alone, the running or a new local Ray; 'auto' or an address joins a cluster")
    g.add_argument("--segment-seconds", type=float, default=segment_seconds,
                   help="work unit length (default: " + ("the whole file" if segment_seconds is None
                                                         else f"{segment_seconds:g}") + ")")
    g.add_argument("--concurrency", type=int, default=None, help="Ray actors (default: CPUs / cpus per actor)")
    g.add_argument("--cpus-per-actor", type=float, default=1.0)
    if gpus:
        g.add_argument("--gpus-per-actor", type=float, default=0.0)
    g.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True,
                   help="skip segments already in --out (default); --no-resume replaces them")


def check_many(args, single_only: tuple[tuple[object, str], ...]) -> None:
    """--out must be a folder; options that only make sense for one video are refused."""
    if not args.out or not _out_is_dir(args.out):
        raise ValueError(f"--out {args.out}: several videos are written as Parquet into a folder: "
                         f"give --out DIR")
    for flag, name in single_only:
        if flag is not None:
            raise ValueError(f"{name} applies to one video; over many, actors size their model to "
                             f"--cpus-per-actor/--gpus-per-actor")


def job_args(args) -> dict:
    """The keyword arguments every vxfast.distributed job takes, from the group's flags."""
    return {"segment_seconds": args.segment_seconds, "concurrency": args.concurrency,
            "num_cpus": args.cpus_per_actor, "resume": args.resume, "address": args.ray or None,
            "ray": args.ray is not None, "progress": False if args.no_progress else None}


def paths_arg(args):
    return args.video if len(args.video) > 1 else args.video[0]


def print_summary(s, args, rows: str, tables: str) -> int:
    """The job's summary (JSON with --json); exit status 3 when a segment failed."""
    d = s.as_dict()
    if args.json:
        print(json.dumps(d))
    else:
        print(f"{s.videos} videos, {s.segments} segments ({s.done} run, {s.skipped} already done, "
              f"{s.errors} failed): {s.frames} frames, {s.rows} {rows} in {s.seconds:.2f} s "
              f"({s.fps:.1f} fps{', on Ray' if s.ray else ''})", file=sys.stdout)
        if s.errors:
            print(f"  failed: {', '.join(s.error_videos)} (reasons in {args.out}/errors)")
        print(f"  written to {tables}, {args.out}/manifest.json")
    return 0 if s.errors == 0 else 3


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
    return print_summary(s, args, "detections", f"{args.out}/detections, {args.out}/frames")
