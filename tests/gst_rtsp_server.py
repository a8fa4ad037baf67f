"""A real RTSP server for the live-source tests: GStreamer's gst-rtsp-server serving a live H.264 test
pattern on 127.0.0.1. Run with the system python (Debian's python3-gi + gir1.2-gst-rtsp-server-1.0),
not the venv: tests/live_servers.py's RtspServer starts it as a subprocess.

    /usr/bin/python3 tests/gst_rtsp_server.py --port 8554 --path /cam

Every client gets its own pipeline (a camera's encoder per session), so a reconnecting client starts
on a keyframe. `--check` only says whether the elements exist (exit 0) or what is missing (exit 3).
"""
from __future__ import annotations

import argparse
import signal
import sys


def encoder(Gst) -> str:  # noqa: N803 - the gi module
    # openh264enc comes with gstreamer1.0-plugins-bad, which gst-rtsp-server needs anyway;
    # x264enc (-ugly) only if present.
    if Gst.ElementFactory.find("openh264enc") is not None:
        return "openh264enc gop-size={gop} complexity=low rate-control=bitrate bitrate=500000"
    if Gst.ElementFactory.find("x264enc") is not None:
        return "x264enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} bframes=0"
    raise RuntimeError("no H.264 encoder element (openh264enc or x264enc)")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8554)
    ap.add_argument("--path", default="/cam")
    ap.add_argument("--size", default="160x120")
    ap.add_argument("--rate", type=int, default=25)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    try:
        import gi

        gi.require_version("Gst", "1.0")
        gi.require_version("GstRtspServer", "1.0")
        from gi.repository import GLib, Gst, GstRtspServer
    except (ImportError, ValueError) as e:
        print(f"gst-rtsp-server unavailable: {e}", file=sys.stderr)
        return 3
    Gst.init(None)
    missing = [e for e in ("videotestsrc", "videoconvert", "rtph264pay", "rtpbin", "udpsink")
               if Gst.ElementFactory.find(e) is None]
    try:
        enc = encoder(Gst)
    except RuntimeError as e:
        missing.append(str(e))
    if missing:
        print(f"missing GStreamer elements: {', '.join(missing)}", file=sys.stderr)
        return 3
    if a.check:
        return 0
    w, h = a.size.split("x")
    launch = (f"( videotestsrc is-live=true pattern=ball ! video/x-raw,width={w},height={h},"
              f"framerate={a.rate}/1 ! videoconvert ! video/x-raw,format=I420 ! "
              f"{enc.format(gop=a.rate)} ! rtph264pay name=pay0 pt=96 config-interval=-1 )")
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(a.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)
    factory.set_shared(False)
    server.get_mount_points().add_factory(a.path, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{a.port}", file=sys.stderr)
        return 4
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    print(f"rtsp://127.0.0.1:{a.port}{a.path}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
