"""vxfast.Source / vxfast.Streams on loopback servers: deadlines, reconnection with epochs, policies,
batching that a stalled source cannot block, and no resource growth over many reconnections."""
from __future__ import annotations

import io
import os
import time

import pytest

import vxfast
from live_servers import BytesServer, FFmpegTcpServer, SilentServer, free_port, poll
from native_threads import HAVE_PROC_TASKS, native_thread_count, wait_for_thread_count
from vxfast import Backoff, Source, Streams, VideoError


def ts_clip(make_video, rate: int = 25, seconds: float = 2.0, name: str = ""):
    return make_video(name or f"live_{rate}fps_{seconds}s.ts", "-c:v", "libx264", "-g", str(rate), "-bf", "0",
                      "-pix_fmt", "yuv420p", "-f", "mpegts",
                      input_args=("-f", "lavfi", "-i", f"testsrc2=size=160x120:rate={rate}:duration={seconds}"))


FAST = Backoff(initial=0.05, max=0.2, jitter=0.1)


def test_file_source_ends_at_eof_with_every_frame_in_order(make_video):
    clip = ts_clip(make_video)
    n = vxfast.VideoReader(clip).info.frame_count
    with Source(clip, policy="queue", max_queue=2) as s:
        frames = list(s)
        assert s.state == "ended"
        st = s.stats()
    assert [f.seq for f in frames] == list(range(n))  # backpressure: nothing dropped
    assert {f.epoch for f in frames} == {1}
    assert st["frames_dropped"] == 0 and st["max_queued"] <= 2
    assert all(b.pts > a.pts for a, b in zip(frames, frames[1:]))


def test_in_memory_source_matches_the_reader(make_video):
    clip = ts_clip(make_video)
    ref = [f.pts for f in vxfast.VideoReader(clip).frames()]
    for src in (clip.read_bytes(), io.BytesIO(clip.read_bytes())):
        with Source(src, policy="queue") as s:
            assert [f.pts for f in s] == pytest.approx(ref)


def test_unused_port_fails_with_a_clear_error():
    port = free_port()
    with Source(f"tcp://127.0.0.1:{port}", open_timeout=1, reconnect=Backoff(initial=0.05, max_attempts=2)) as s:
        with pytest.raises(VideoError, match="gave up.*(refused|Connection)"):
            list(s)
        st = s.stats()
    assert st["state"] == "failed" and st["attempts"] == 3 and st["epoch"] == 0


def test_server_that_never_sends_times_out_and_close_is_prompt():
    srv = SilentServer()
    try:
        t0 = time.monotonic()
        with Source(srv.url, open_timeout=0.5, reconnect=Backoff(max_attempts=0)) as s:
            with pytest.raises(VideoError, match="timed out"):
                list(s)
        assert time.monotonic() - t0 < 0.5 + 3  # ended by its deadline, not a hang
        s2 = Source(srv.url, open_timeout=30)
        assert poll(lambda: srv.accepted >= 2)
        t0 = time.monotonic()
        s2.close()  # blocked inside FFmpeg's open: the interrupt callback ends it
        assert time.monotonic() - t0 < 1.0
        assert s2.state == "closed"
    finally:
        srv.close()


def test_kill_and_restart_reconnects_once_with_a_new_epoch(make_video):
    clip = ts_clip(make_video, seconds=20.0, name="live_long.ts")
    port = free_port()
    srv = FFmpegTcpServer(clip, port)
    try:
        with Source(srv.url, policy="queue", max_queue=64, read_timeout=2,
                    reconnect=Backoff(initial=0.05, max=0.3, jitter=0.1)) as s:
            first = [s.read(timeout=10) for _ in range(5)]
            assert all(f is not None and f.epoch == 1 for f in first)
            srv.kill()
            assert poll(lambda: s.state in ("reconnecting", "stalled"), timeout=5)
            srv = FFmpegTcpServer(clip, port)
            later = []
            while not later or later[-1].epoch == 1:
                f = s.read(timeout=10)
                assert f is not None, s.stats()
                later.append(f)
            st = s.stats()
            seqs = [f.seq for f in first + later]
            assert all(b > a for a, b in zip(seqs, seqs[1:]))
            assert later[-1].epoch == 2 and st["reconnects"] == 1 and st["state"] == "live"
    finally:
        srv.kill()


def test_sigstop_is_a_stall_detected_within_read_timeout(make_video):
    clip = ts_clip(make_video, seconds=20.0, name="live_long.ts")
    srv = FFmpegTcpServer(clip, free_port())
    try:
        with Source(srv.url, read_timeout=1.0, reconnect=Backoff(initial=5, max=5, jitter=0)) as s:
            assert s.read(timeout=10) is not None
            srv.stop()
            # drain what was in flight, then time the silence
            while s.read(timeout=0.05) is not None:
                pass
            t0 = time.monotonic()
            assert poll(lambda: s.stats()["stalls"] >= 1, timeout=5)
            assert time.monotonic() - t0 <= 1.0 + 0.5
            assert s.state in ("stalled", "reconnecting")
            assert "timed out" in s.stats()["last_error"]
            t0 = time.monotonic()
            s.close()
            assert time.monotonic() - t0 < 1.0
    finally:
        srv.kill()


def test_latest_policy_keeps_frame_age_low_under_a_slow_consumer(make_video):
    clip = ts_clip(make_video, seconds=20.0, name="live_long.ts")
    srv = FFmpegTcpServer(clip, free_port())
    period = 0.1  # a "model" at 10 fps over a 25 fps stream
    try:
        with Source(srv.url, policy="latest") as s:
            for _ in range(15):
                assert s.read(timeout=10) is not None
                time.sleep(period)
            st = s.stats()
        assert st["frames_dropped"] > 0
        assert st["latency_p95"] <= 2 * period
    finally:
        srv.kill()


def test_queue_policy_never_exceeds_max_queue(make_video):
    clip = ts_clip(make_video)
    srv = BytesServer(clip.read_bytes())  # bursts the whole clip: a live source faster than us
    try:
        with Source(srv.url, policy="queue", max_queue=4, reconnect=Backoff(max_attempts=0)) as s:
            assert poll(lambda: s.stats()["frames_decoded"] >= 20)
            got = []
            with pytest.raises(VideoError, match="stream ended"):  # EOF of a live stream, no retries left
                while (f := s.read(timeout=2)) is not None:
                    got.append(f.seq)
            st = s.stats()
        assert st["max_queued"] <= 4 and st["frames_dropped"] > 0
        assert all(b > a for a, b in zip(got, got[1:]))
    finally:
        srv.close()


def test_streams_keep_flowing_past_a_stalled_source(make_video):
    rates = (10, 15, 25, 30)
    clips = [ts_clip(make_video, rate=r, seconds=1.5) for r in rates]
    expected = [vxfast.VideoReader(c).info.frame_count for c in clips]
    servers = [BytesServer(c.read_bytes()) for c in clips]
    silent = SilentServer()
    try:
        srcs = [Source(s.url, name=f"cam{i}", policy="queue", max_queue=256, reconnect=Backoff(max_attempts=0))
                for i, s in enumerate(servers)]
        srcs.append(Source(silent.url, name="stalled", open_timeout=30))
        got: dict[str, list[int]] = {f"cam{i}": [] for i in range(4)}
        with Streams(srcs, batch=4, max_wait_ms=20) as st:
            while any(len(got[k]) < n for k, n in zip(got, expected)):
                batch = st.next_batch(timeout=10)
                assert batch, st.stats()
                assert len(batch) <= 4
                for f in batch:
                    got[f.source].append(f.seq)
            stats = {s["name"]: s for s in st.stats()}
        for k, n in zip(got, expected):
            assert got[k] == list(range(n)), k  # monotonic, nothing lost under "queue"
        assert stats["stalled"]["state"] in ("closed", "connecting")
        assert stats["stalled"]["frames_decoded"] == 0
    finally:
        for s in servers:
            s.close()
        silent.close()


def test_argument_checks():
    with pytest.raises(ValueError, match="policy"):
        Source("x.mp4", policy="newest")
    with pytest.raises(ValueError, match="max_queue"):
        Source("x.mp4", max_queue=0)
    with pytest.raises(ValueError, match="open_timeout"):
        Source("x.mp4", open_timeout=0)
    with pytest.raises(ValueError, match="max_attempts"):
        Backoff(max_attempts=-1)
    with pytest.raises(TypeError, match="source must be"):
        Source(3.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sources"):
        Streams([])


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_PROC_TASKS, reason="needs /proc")
def test_100_reconnect_cycles_leak_no_threads_fds_or_memory(make_video):
    clip = ts_clip(make_video, rate=25, seconds=0.4, name="live_short.ts")
    srv = BytesServer(clip.read_bytes())

    def rss_mb() -> float:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    def run(cycles: int) -> None:
        with Source(srv.url, policy="latest", reconnect=Backoff(initial=0.001, max=0.005, jitter=0)) as s:
            assert poll(lambda: s.stats()["epoch"] > cycles, timeout=120), s.stats()
            while s.read(timeout=0) is not None:
                pass

    try:
        run(5)  # warm-up: FFmpeg's one-time allocations
        threads, fds, rss = native_thread_count(), len(os.listdir("/proc/self/fd")), rss_mb()
        run(100)
        assert wait_for_thread_count(threads) <= threads
        assert len(os.listdir("/proc/self/fd")) <= fds
        assert rss_mb() - rss < 20
    finally:
        srv.close()


@pytest.fixture
def http_dir(tmp_path):
    """`python -m http.server` on 127.0.0.1 serving tmp_path; yields the base URL."""
    import subprocess
    import sys
    import urllib.request

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            urllib.request.urlopen(base + "/", timeout=0.5).close()
            return True
        except OSError:
            return False

    try:
        assert poll(up, timeout=20)
        yield tmp_path, base
    finally:
        proc.kill()
        proc.wait(10)


def test_hls_over_http(make_video, http_dir):
    from conftest import ffmpeg

    d, base = http_dir
    clip = ts_clip(make_video)
    ffmpeg("-i", str(clip), "-c", "copy", "-f", "hls", "-hls_time", "0.5", "-hls_list_size", "0",
           str(d / "index.m3u8"))
    ref = [f.pts for f in vxfast.VideoReader(clip).frames()]
    with Source(f"{base}/index.m3u8", policy="queue", live=False, open_timeout=10) as s:
        got = [f.pts for f in s]
    assert got == pytest.approx(ref)


def test_udp_stream_then_silence_is_a_stall(make_video):
    import shutil
    import subprocess

    clip = ts_clip(make_video, seconds=20.0, name="live_long.ts")
    port = free_port()
    url = f"udp://127.0.0.1:{port}"
    with Source(url, read_timeout=1.0, open_timeout=20, reconnect=Backoff(initial=5, max=5, jitter=0)) as s:
        sender = subprocess.Popen([shutil.which("ffmpeg") or "ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
                                   "-i", str(clip), "-c", "copy", "-f", "mpegts", f"{url}?pkt_size=1316"],
                                  stdin=subprocess.DEVNULL)
        try:
            frames = [s.read(timeout=15) for _ in range(10)]
            assert all(f is not None for f in frames)
            seqs = [f.seq for f in frames]
            assert all(b > a for a, b in zip(seqs, seqs[1:]))
        finally:
            sender.kill()
            sender.wait(10)
        assert poll(lambda: s.stats()["stalls"] >= 1, timeout=10)


@pytest.mark.slow
def test_streams_with_a_model_match_detect(vtest_avi, models_dir, make_video):
    import numpy as np

    clip = make_video("live_vtest_short.mp4", "-t", "0.4", "-c:v", "libx264", "-pix_fmt", "yuv420p")
    model = vxfast.Model(models_dir / "yolov8n-dynamic.onnx", batch=2)
    ref = {d.index: d for d in vxfast.detect(clip, model, batch=2)}
    seen: dict[str, list[int]] = {}
    with Streams([clip, clip.read_bytes()], model=model, batch=2) as st:
        for batch in st:
            for frame, dets in batch:
                seen.setdefault(frame.source, []).append(frame.seq)
                r = ref[frame.seq]
                np.testing.assert_allclose(dets.xyxy, r.xyxy, atol=0.05)
                np.testing.assert_array_equal(dets.class_ids, r.class_ids)
        inferred = [s["frames_inferred"] for s in st.stats()]
    assert sorted(len(v) for v in seen.values()) == [len(ref), len(ref)]
    assert inferred == [len(ref), len(ref)]


def test_cli_watch_prints_states_and_ends(make_video, capsys):
    from vxfast.cli import main

    clip = ts_clip(make_video)
    assert main(["watch", str(clip), str(clip), "--interval", "0.2", "--json"]) == 0
    out = capsys.readouterr().out
    assert "ended" in out and "2 sources" in out


def test_source_index_is_the_position_in_streams_and_none_for_a_lone_source(make_video):
    clips = [ts_clip(make_video, rate=r, seconds=0.4) for r in (10, 25)]
    lone = Source(clips[0], name="a", policy="queue")
    f = lone.read(timeout=10)
    assert f is not None and f.source_index is None  # a lone Source belongs to no list
    srcs = [lone, Source(clips[1], name="b", policy="queue"), Source(clips[1], name="c", policy="queue")]
    seen: dict[str, set] = {}
    with Streams(srcs, batch=2, max_wait_ms=5) as st:
        for batch in st:
            for fr in batch:
                seen.setdefault(fr.source, set()).add(fr.source_index)
    # the same Source object, now batched: its frames carry its position in the list
    assert seen == {"a": {0}, "b": {1}, "c": {2}}
