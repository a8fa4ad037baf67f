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
    from ..errors import VideoError
    from ..video import VideoReader

    audio = _audio_streams(args.video)
    try:
        with VideoReader(args.video, seek_mode="approximate" if args.approximate else "exact") as r:
            d = r.info.to_dict()
    except VideoError:
        if not audio:
            raise
        d = None  # an audio-only file: show its audio streams
    if args.json:
        print(json.dumps({**(d or {}), "audio_streams": audio}, indent=2))
        return 0
    if d is None:
        _print_audio(audio)
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
    _print_audio(audio)
    return 0


def _audio_streams(path: str) -> list:
    """Every audio stream's facts (vxfast.AudioReader at the source's own rate/channels)."""
    from ..audio import AudioReader
    from ..errors import VideoError

    try:
        with AudioReader(path, sample_rate=None, channels=None) as a:
            count = a.info.audio_stream_count
    except (VideoError, ValueError):
        return []
    out = []
    for k in range(count):
        with AudioReader(path, sample_rate=None, channels=None, stream=k) as a:
            out.append(a.info.to_dict())
    return out


def _print_audio(audio: list) -> None:
    for k, a in enumerate(audio):
        print(f"audio {k} (stream {a['stream_index']}): {a['codec']} {a['sample_rate']} Hz "
              f"{a['channels']} ch {a['layout'] or '?'}, {a['duration']:.6g} s from {a['start_time']:.6g} s")
