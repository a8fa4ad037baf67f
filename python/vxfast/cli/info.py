"""``vxfast info VIDEO``: what the reader sees (header claims beside what plays)."""
from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser("info", help="print a video's stream information")
    p.add_argument("video")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--approximate", action="store_true", help="trust the container header (no packet scan)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..video import VideoReader

    with VideoReader(args.video, seek_mode="approximate" if args.approximate else "exact") as r:
        d = r.info.to_dict()
    if args.json:
        print(json.dumps(d, indent=2))
        return 0
    width = max(len(k) for k in d)
    for k, v in d.items():
        if isinstance(v, float):
            v = f"{v:.6g}"
        print(f"{k:<{width}}  {v}")
    if d["frame_count_exact"] and (d["header_frame_count"] not in (0, d["frame_count"])
                                   or abs(d["header_fps"] - d["fps"]) > 0.01 * max(d["fps"], 1)):
        print(f"note: the container header claims {d['header_frame_count']} frames at "
              f"{d['header_fps']:.6g} fps; the stream plays {d['frame_count']} at {d['fps']:.6g} fps")
    return 0
