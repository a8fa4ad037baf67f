"""``vxfast decode VIDEO``: decode throughput, no model (how fast frames can be fed)."""
from __future__ import annotations

import json
import time


def register(sub) -> None:
    p = sub.add_parser("decode", help="decode a video and report throughput")
    p.add_argument("video")
    p.add_argument("--format", default="rgb24", help="rgb24, bgr24, gray, yuv420p, nv12")
    p.add_argument("--sample", default="all", help="all, keyframes, every:N, fps:X, uniform:N")
    p.add_argument("--threads", type=int, default=None,
                   help="decoder threads (default: vxfast's choice, vxfast.config.heuristics; "
                        "0 = FFmpeg's choice)")
    p.add_argument("--start", type=float, default=None)
    p.add_argument("--end", type=float, default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..progress import Progress
    from ..video import VideoReader

    t0 = time.perf_counter()
    with VideoReader(args.video, threads=args.threads) as r:
        t_open = time.perf_counter() - t0
        n = 0
        it = r.frames(sample=args.sample, start=args.start, end=args.end, format=args.format)
        total = r.info.frame_count if args.sample == "all" else None
        t1 = time.perf_counter()
        with Progress(total, "decode", enabled=False if args.no_progress else None) as bar:
            for _ in it:
                n += 1
                bar.update()
        dt = time.perf_counter() - t1
        stats = it.stats()
    out = {"video": args.video, "format": args.format, "sample": args.sample, "frames": n,
           "seconds": round(dt, 4), "fps": round(n / dt, 2) if dt > 0 else None,
           "open_seconds": round(t_open, 4), "width": r.info.width, "height": r.info.height, **stats}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"decoded {n} frames ({r.info.width}x{r.info.height} -> {args.format}, sample={args.sample}) "
              f"in {dt:.3f} s: {out['fps']} fps (open + index {t_open * 1000:.1f} ms); "
              f"corrupt packets {stats['corrupt_packets']}, damaged frames {stats['corrupt_frames']}")
    return 0
