"""vxfast.Source pulling RTSP from a real server: GStreamer's gst-rtsp-server (tests/gst_rtsp_server.py,
on the system python's python3-gi) started by the test on 127.0.0.1 and a free port, over TCP
(interleaved) and UDP transport: frames in order, one reconnect with a new epoch after the server is
killed and restarted, a SIGSTOPped server detected as a stall, close() prompt while stalled."""
from __future__ import annotations

import time

import pytest

from live_servers import RtspServer, free_port, poll, rtsp_server_unavailable
from vxfast import Backoff, Source

TRANSPORTS = ("tcp", "udp")


@pytest.fixture(scope="module")
def gst_ok() -> None:
    why = rtsp_server_unavailable()
    if why is not None:
        pytest.skip(why)


@pytest.fixture
def rtsp(gst_ok):
    servers: list[RtspServer] = []

    def start(port: int | None = None) -> RtspServer:
        s = RtspServer(port or free_port())
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.kill()


def _increasing(xs: list[float]) -> bool:
    return all(b > a for a, b in zip(xs, xs[1:]))


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_rtsp_pull_yields_frames_in_order(rtsp, transport):
    srv = rtsp()
    with Source(srv.url, name="cam", policy="queue", max_queue=64, options={"rtsp_transport": transport},
                open_timeout=10) as s:
        frames = [s.read(timeout=10) for _ in range(12)]
        assert all(f is not None for f in frames), s.stats()
        st = s.stats()
    assert [f.seq for f in frames] == list(range(12))  # "queue" with room: nothing dropped
    assert _increasing([f.pts for f in frames])
    assert _increasing([f.recv_time for f in frames])
    assert {f.epoch for f in frames} == {1}
    assert {(f.width, f.height, f.data.shape) for f in frames} == {(160, 120, (120, 160, 3))}
    assert st["state"] == "live" and st["reconnects"] == 0 and st["last_error"] is None


@pytest.mark.slow
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_rtsp_server_killed_and_restarted_reconnects_once(rtsp, transport):
    port = free_port()
    srv = rtsp(port)
    with Source(srv.url, policy="queue", max_queue=64, options={"rtsp_transport": transport}, open_timeout=10,
                read_timeout=1.5, reconnect=Backoff(initial=0.1, max=0.5, jitter=0.1)) as s:
        first = [s.read(timeout=10) for _ in range(5)]
        assert all(f is not None and f.epoch == 1 for f in first), s.stats()
        srv.kill()
        assert poll(lambda: s.state in ("reconnecting", "stalled", "connecting"), timeout=10), s.stats()
        rtsp(port)  # the same port
        later = []
        while not later or later[-1].epoch == 1:
            f = s.read(timeout=15)
            assert f is not None, s.stats()
            later.append(f)
        more = [s.read(timeout=10) for _ in range(5)]
        assert all(f is not None and f.epoch == 2 for f in more), s.stats()
        st = s.stats()
    seqs = [f.seq for f in first + later + more]
    assert _increasing(seqs)
    assert _increasing([f.pts for f in later[-1:] + more])  # a new clock, increasing again
    assert st["epoch"] == 2 and st["reconnects"] == 1 and st["state"] == "live"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_rtsp_sigstop_is_a_stall_and_close_is_prompt(rtsp, transport):
    srv = rtsp()
    read_timeout = 1.0
    with Source(srv.url, options={"rtsp_transport": transport}, open_timeout=10, read_timeout=read_timeout,
                reconnect=Backoff(initial=30, max=30, jitter=0)) as s:
        assert s.read(timeout=10) is not None, s.stats()
        srv.stop()
        # drain what was in flight, then time the silence
        while s.read(timeout=0.05) is not None:
            pass
        t0 = time.monotonic()
        assert poll(lambda: s.stats()["stalls"] >= 1, timeout=5), s.stats()
        assert time.monotonic() - t0 <= read_timeout + 0.5
        assert s.state in ("stalled", "reconnecting")
        assert "timed out" in s.stats()["last_error"]
        t0 = time.monotonic()
        s.close()  # waiting 30 s to reconnect to a frozen server: close() must not wait with it
        assert time.monotonic() - t0 < 1.0
        assert s.state == "closed"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_rtsp_close_while_a_read_is_blocked_is_prompt(rtsp, transport):
    srv = rtsp()
    s = Source(srv.url, options={"rtsp_transport": transport}, open_timeout=10, read_timeout=60)
    try:
        assert s.read(timeout=10) is not None, s.stats()
        srv.stop()
        while s.read(timeout=0.2) is not None:
            pass
        assert s.state == "live"  # the decode thread sits in FFmpeg's read, 60 s from its deadline
        t0 = time.monotonic()
        s.close()
        assert time.monotonic() - t0 < 1.0
        assert s.state == "closed" and s.stats()["stalls"] == 0
    finally:
        s.close()
