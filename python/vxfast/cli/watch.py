"""``vxfast watch SOURCES...``: a live table of each source's state and frame rate (no model)."""
from __future__ import annotations

import json
import sys
import threading
import time


def register(sub) -> None:
    p = sub.add_parser("watch", help="watch live sources: per-source state, fps, reconnects, latency")
    p.add_argument("sources", nargs="+", help="URLs (rtsp://, tcp://, udp://, http(s)://...), devices or files")
    p.add_argument("--seconds", type=float, default=None, help="stop after this long (default: until all end)")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between table refreshes")
    p.add_argument("--open-timeout", type=float, default=5.0)
    p.add_argument("--read-timeout", type=float, default=5.0)
    p.add_argument("--max-attempts", type=int, default=None, help="reconnect attempts before giving up")
    p.add_argument("--json", action="store_true", help="print one JSON line of stats per refresh")
    p.set_defaults(func=run)


def _row(s: dict, fps: float) -> str:
    age = "-" if s["latency_p95"] is None else f"{s['latency_p95'] * 1000:.0f}"
    err = (s["last_error"] or "")[-48:]
    return (f"{s['name'][-32:]:<32} {s['state']:<12} {fps:>6.1f} {s['epoch']:>5} {s['reconnects']:>5} "
            f"{s['frames_delivered']:>8} {s['frames_dropped']:>7} {age:>7}  {err}")


def run(args) -> int:
    from ..live_sources import Backoff, Source, Streams

    backoff = Backoff(max_attempts=args.max_attempts)
    sources = [Source(u, open_timeout=args.open_timeout, read_timeout=args.read_timeout, reconnect=backoff,
                      format="gray") for u in args.sources]
    streams = Streams(sources, max_wait_ms=20)
    done = threading.Event()

    def drain() -> None:  # frames are taken and dropped: watch measures the sources, not a model
        try:
            for _ in streams:
                if done.is_set():
                    return
        finally:
            done.set()

    t = threading.Thread(target=drain, name="vxfast-watch", daemon=True)
    t.start()
    start = time.monotonic()
    last = {s.name: 0 for s in sources}
    last_t = start
    header = (f"{'source':<32} {'state':<12} {'fps':>6} {'epoch':>5} {'recon':>5} {'frames':>8} {'dropped':>7} "
              f"{'p95 ms':>7}  last error")
    try:
        while True:
            done.wait(args.interval)
            now = time.monotonic()
            stats = streams.stats()
            dt = max(now - last_t, 1e-9)
            fps = {s["name"]: (s["frames_delivered"] - last[s["name"]]) / dt for s in stats}
            last = {s["name"]: s["frames_delivered"] for s in stats}
            last_t = now
            if args.json:
                print(json.dumps([{**s, "fps": round(fps[s["name"]], 2)} for s in stats]), flush=True)
            else:
                lines = [header] + [_row(s, fps[s["name"]]) for s in stats]
                if sys.stdout.isatty():
                    print("\x1b[H\x1b[2J", end="")
                print("\n".join(lines), flush=True)
            if done.is_set() or (args.seconds is not None and now - start >= args.seconds):
                break
    except KeyboardInterrupt:
        pass
    finally:
        done.set()
        streams.close()
        t.join(2)
    stats = streams.stats()
    total = sum(s["frames_delivered"] for s in stats)
    print(f"{len(stats)} sources, {total} frames in {time.monotonic() - start:.1f} s; states: "
          + ", ".join(f"{s['name']}={s['state']}" for s in stats))
    return 0
