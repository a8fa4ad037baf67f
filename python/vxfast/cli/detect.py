"""``vxfast detect VIDEO --model M``: detections over a video, with a progress bar and a summary."""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("detect", help="run a YOLO detector over a video, over many into Parquet, or over "
                       "several live sources at once")
    p.add_argument("video", nargs="+", help="a video; a glob (\"videos/**/*.mp4\") or a folder, written as Parquet "
                   "under --out DIR (docs/distributed.md); or several sources (files, rtsp://, tcp://, udp://, "
                   "http(s):// URLs) through vxfast.Streams, batched by deadline (docs/sources.md)")
    p.add_argument("--seconds", type=float, default=None, help="several sources: stop after this long")
    p.add_argument("--tracker", default=None, choices=["bytetrack", "ocsort"],
                   help="sources through vxfast.Streams (several, a URL, or one file): one tracker per source; "
                        "--out lines get the track ids (docs/sources.md)")
    p.add_argument("--model", required=True, help="model file or bare name (VXFAST_MODEL_DIR, models/)")
    p.add_argument("--batch", type=int, default=None)
    p.add_argument("--sample", default="all", help="all, keyframes, every:N, fps:X, uniform:N")
    p.add_argument("--conf", type=float, default=None)
    p.add_argument("--iou", type=float, default=None)
    p.add_argument("--max-det", type=int, default=None, help="per frame (default: the profile's max_det, 300)")
    p.add_argument("--classes", default=None, help="comma-separated class ids to keep")
    p.add_argument("--start", type=float, default=None)
    p.add_argument("--end", type=float, default=None)
    p.add_argument("--out", default=None, help="write detections to a .jsonl or .csv file")
    p.add_argument("--profile", default=None, help="dev_pi, prod_rtx3090, debug, or a JSON file")
    p.add_argument("--streams", type=int, default=None,
                   help="model sessions running batches at once (default: 2 on the CPU, 1 on a GPU)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    g = p.add_argument_group("many videos (--out DIR: Parquet per segment, docs/distributed.md)")
    g.add_argument("--ray", nargs="?", const="", default=None, metavar="auto|ADDRESS",
                   help="run on Ray Data: alone, the running or a new local Ray; 'auto' or an address joins a cluster")
    g.add_argument("--segment-seconds", type=float, default=60.0, help="work unit length (default 60)")
    g.add_argument("--concurrency", type=int, default=None, help="Ray actors (default: CPUs / cpus per actor)")
    g.add_argument("--cpus-per-actor", type=float, default=1.0)
    g.add_argument("--gpus-per-actor", type=float, default=0.0)
    g.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True,
                   help="skip segments already in --out (default); --no-resume replaces them")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=run)


class _Writer:
    def __init__(self, path: str | None):
        self.path = Path(path) if path else None
        self.f = None
        self.csv = None
        if self.path is None:
            return
        if self.path.suffix not in (".jsonl", ".csv"):
            raise ValueError(f"--out {path}: expected a .jsonl or .csv file name")
        self.f = open(self.path, "w", newline="")
        if self.path.suffix == ".csv":
            self.csv = csv.writer(self.f)
            self.csv.writerow(["frame", "pts", "x1", "y1", "x2", "y2", "score", "class_id", "class_name"])

    def write(self, r) -> None:
        if self.f is None:
            return
        names = r.class_names.tolist()
        if self.csv is not None:
            for (x1, y1, x2, y2), s, c, n in zip(r.xyxy.tolist(), r.scores.tolist(), r.class_ids.tolist(), names):
                self.csv.writerow([r.index, f"{r.pts:.6f}", f"{x1:.2f}", f"{y1:.2f}", f"{x2:.2f}", f"{y2:.2f}",
                                   f"{s:.5f}", c, n])
        else:
            self.f.write(json.dumps({"frame": r.index, "pts": round(r.pts, 6),
                                     "boxes": [[round(v, 2) for v in b] for b in r.xyxy.tolist()],
                                     "scores": [round(s, 5) for s in r.scores.tolist()],
                                     "class_ids": r.class_ids.tolist(), "class_names": names}) + "\n")

    def close(self) -> None:
        if self.f is not None:
            self.f.close()


def _profile(profile: str | None):
    """--profile: a built-in name, a JSON file (Config.save), or None (VXFAST_PROFILE / defaults)."""
    from ..config import Config, resolve_config

    if profile is not None and profile.endswith(".json"):
        return Config.load(profile).with_env()
    return resolve_config(profile)


def _is_url(s: str) -> bool:
    return "://" in s and not s.startswith("file:")


def run_sources(args) -> int:
    """Several sources (or one URL): vxfast.Streams with the model, one JSON line per frame with --out."""
    import time

    from ..live_sources import Streams
    from ..progress import Progress

    if args.out and not args.out.endswith(".jsonl"):
        raise ValueError(f"--out {args.out}: several sources write .jsonl (one line per frame, with its source)")
    cfg = _profile(args.profile)
    conf = cfg.conf_threshold if args.conf is None else args.conf
    iou = cfg.iou_threshold if args.iou is None else args.iou
    f = open(args.out, "w") if args.out else None
    frames = dets = 0
    t0 = time.monotonic()
    tracks: dict[str, set[int]] = {}  # --tracker: the ids each source's tracker gave out
    try:
        with Streams(args.video, model=args.model, batch=args.batch, conf=conf, iou=iou,
                     tracker=args.tracker) as st, \
                Progress(None, "detect", enabled=False if args.no_progress else None) as bar:
            for batch in st:
                for frame, r in batch:
                    frames += 1
                    dets += len(r)
                    line = {"source": frame.source, "seq": frame.seq, "epoch": frame.epoch,
                            "pts": round(frame.pts, 6), "recv_time": round(frame.recv_time, 6),
                            "boxes": [[round(v, 2) for v in b] for b in r.xyxy.tolist()],
                            "scores": [round(s, 5) for s in r.scores.tolist()],
                            "class_ids": r.class_ids.tolist()}
                    if args.tracker is not None:
                        ids = r.tracker_id.tolist()  # one per box; -1: a detection no track took
                        line["ids"] = ids
                        tracks.setdefault(frame.source, set()).update(i for i in ids if i >= 0)
                    if f is not None:
                        f.write(json.dumps(line) + "\n")
                    bar.update()
                if args.seconds is not None and time.monotonic() - t0 >= args.seconds:
                    break
            stats = st.stats()
    finally:
        if f is not None:
            f.close()
    wall = time.monotonic() - t0
    if args.tracker is not None:
        for s in stats:
            s["tracks"] = len(tracks.get(s["name"], ()))
    summary = {"sources": stats, "frames": frames, "detections": dets, "wall_s": round(wall, 3),
               "fps": round(frames / max(wall, 1e-9), 2), "tracker": args.tracker, "out": args.out}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{len(stats)} sources, {frames} frames, {dets} detections in {wall:.2f} s "
              f"({frames / max(wall, 1e-9):.1f} fps)")
        for s in stats:
            p95 = "-" if s["latency_p95"] is None else f"{s['latency_p95'] * 1000:.0f} ms"
            trk = f", {s['tracks']} tracks" if "tracks" in s else ""
            print(f"  {s['name']}: {s['state']}, {s['frames_delivered']} frames, {s['frames_dropped']} dropped, "
                  f"{s['reconnects']} reconnects, latency p95 {p95}{trk}")
    return 0


def run(args) -> int:
    from ._detect_many import is_many, run_many

    if is_many(args):
        return run_many(args)
    if len(args.video) > 1 or _is_url(args.video[0]) or args.tracker is not None:
        return run_sources(args)
    args.video = args.video[0]
    from ..config import heuristics
    from ..detection import DetectStats, detect
    from ..progress import Progress
    from ..video import VideoReader

    classes = [int(c) for c in args.classes.split(",")] if args.classes else None
    cfg = _profile(args.profile)  # resolved once, passed down
    # Opened here (the progress bar needs the frame count) with the decoder threads detect() would
    # pick itself: the same heuristic, on the providers the profile will load.
    on_cpu = heuristics.config_runs_on_cpu(cfg.providers, cfg.tensorrt)
    reader = VideoReader(args.video, threads=heuristics.decoder_threads_for_model(on_cpu))
    stats = DetectStats()
    total = reader.info.frame_count if args.sample == "all" and args.start is None and args.end is None else None
    out = _Writer(args.out)
    try:
        results = detect(reader, args.model, batch=args.batch, sample=args.sample, conf=args.conf,
                         iou=args.iou, max_det=args.max_det, classes=classes, profile=cfg,
                         start=args.start, end=args.end, stats=stats, streams=args.streams)
        with Progress(total, "detect", enabled=False if args.no_progress else None) as bar:
            for r in results:
                out.write(r)
                bar.update()
    finally:
        out.close()
    summary = {
        "video": args.video, "model": str(args.model), "frames": stats.frames, "detections": stats.detections,
        "fps": round(stats.fps, 2), "wall_s": round(stats.wall_s, 3), "streams": stats.streams,
        "stages_s": {"wait_for_decode_preprocess": round(stats.wait_s, 3), "inference": round(stats.inference_s, 3),
                     "postprocess": round(stats.postprocess_s, 3)},
        "decode": stats.decode, "out": args.out,
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{stats.frames} frames, {stats.detections} detections in {stats.wall_s:.2f} s "
              f"({stats.fps:.1f} fps)", file=sys.stdout)
        per = 1000.0 / max(stats.frames, 1)
        print(f"  per frame ({stats.streams} model stream{'s' if stats.streams > 1 else ''} at once): "
              f"inference {stats.inference_s * per:.1f} ms, postprocess "
              f"{stats.postprocess_s * per:.2f} ms, waiting for decode+preprocess {stats.wait_s * per:.2f} ms "
              f"(decode and preprocessing run in a C++ thread behind inference)")
        if args.out:
            print(f"  detections written to {args.out}")
    return 0
