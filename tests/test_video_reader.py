"""VideoReader on the real vtest.avi: info, pixels against PyAV, seeking, buffers, threads."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import vxfast

from media_helpers import pyav_frames, pyav_planes, run_in_threads


@pytest.fixture(scope="module")
def ref_rgb(vtest_avi):
    return [a for _, a in pyav_frames(vtest_avi, "rgb24")]


def test_info_comes_from_the_stream_not_the_lying_header(vtest_avi):
    with vxfast.VideoReader(vtest_avi) as r:
        i = r.info
        assert (i.width, i.height) == (1280, 720)
        assert i.frame_count == 341 and i.frame_count_exact
        assert i.fps == pytest.approx(25.0)
        assert i.duration == pytest.approx(341 / 25)
        assert i.header_frame_count == 682 and i.header_fps == pytest.approx(50)
        assert i.codec == "h264" and i.pix_fmt == "yuv420p"
        assert i.has_audio and i.audio_sample_rate == 44100 and i.audio_channels == 2
        assert i.rotation == 0 and i.keyframe_count == 3
        assert i.bit_rate > 0
        assert len(r) == 341
        assert list(r.keyframe_indices) == [0, 128, 256]


def test_approximate_mode_trusts_the_header(vtest_avi):
    r = vxfast.VideoReader(vtest_avi, seek_mode="approximate")
    assert not r.info.frame_count_exact
    assert r.frame_pts is None


def test_all_frames_match_pyav_pixels_and_pts_increase(vtest_avi, ref_rgb):
    r = vxfast.VideoReader(vtest_avi)
    n, last_pts = 0, -1.0
    for f in r.frames(format="rgb24"):
        assert f.index == n
        assert f.pts > last_pts
        last_pts = f.pts
        if n % 17 == 0 or n == 340:
            np.testing.assert_array_equal(f.data, ref_rgb[n])
        n += 1
    assert n == 341
    assert last_pts == pytest.approx(340 / 25)


def test_bgr_and_gray_and_yuv_planes(vtest_avi, ref_rgb):
    r = vxfast.VideoReader(vtest_avi)
    bgr = r.get_frame_at(99, format="bgr24").data
    np.testing.assert_array_equal(bgr[..., ::-1], ref_rgb[99])
    yuv = r.get_frame_at(99, format="yuv420p")
    assert yuv.data.shape == (1080, 1280)
    ref = pyav_planes(vtest_avi, 99)
    for got, want in zip(yuv.planes, ref):
        np.testing.assert_array_equal(got, want)  # the decoder's own planes, untouched
    nv12 = r.get_frame_at(99, format="nv12")
    y, uv = nv12.planes
    np.testing.assert_array_equal(y, ref[0])
    np.testing.assert_array_equal(uv[..., 0], ref[1])
    np.testing.assert_array_equal(uv[..., 1], ref[2])
    gray = r.get_frame_at(99, format="gray").data
    assert gray.shape == (720, 1280)
    # gray is luma expanded from video range to 0..255, as swscale does
    expect = np.clip(np.round((ref[0].astype(np.float64) - 16) * 255 / 219), 0, 255)
    assert np.abs(gray.astype(np.float64) - expect).max() <= 2


def test_get_frames_at_is_accurate_and_ordered(vtest_avi, ref_rgb):
    r = vxfast.VideoReader(vtest_avi)
    asked = [200, 7, 340, 127, 128, 129, 7, 0, -1]
    frames = r.get_frames_at(asked)
    assert [f.index for f in frames] == [200, 7, 340, 127, 128, 129, 7, 0, 340]
    for f in frames:
        np.testing.assert_array_equal(f.data, ref_rgb[f.index])
    assert frames[1] is frames[6]  # the same frame asked twice is decoded once


@pytest.mark.parametrize("bad", [341, 1000, -342])
def test_seek_past_the_end_raises(vtest_avi, bad):
    r = vxfast.VideoReader(vtest_avi)
    with pytest.raises(vxfast.VideoError, match=r"vtest\.avi.*out of range"):
        r.get_frames_at([bad])


def test_loop_reuses_buffers_but_kept_frames_stay_valid(vtest_avi, ref_rgb):
    r = vxfast.VideoReader(vtest_avi)
    addrs = set()
    for f in r.frames(end=2.0):
        addrs.add(f.data.ctypes.data)
    assert len(addrs) <= 3  # a plain loop cycles through a couple of buffers, no per-frame allocation
    kept = list(r.frames(end=1.0))
    assert len(kept) == 25
    assert len({f.data.ctypes.data for f in kept}) == 25
    for f in kept[::6]:
        np.testing.assert_array_equal(f.data, ref_rgb[f.index])


def test_several_readers_in_several_threads(vtest_avi, ref_rgb):
    def work(k):
        with vxfast.VideoReader(vtest_avi, threads=1) as r:
            return [(f.index, int(f.data[::97, ::89].sum())) for f in r.frames(sample="every:10")]

    results = run_in_threads(work, 3)
    want = [(i, int(ref_rgb[i][::97, ::89].sum())) for i in range(0, 341, 10)]
    assert all(v == want for v in results.values())


def test_one_reader_shared_by_threads(vtest_avi, ref_rgb):
    r = vxfast.VideoReader(vtest_avi)
    out = {}

    def work(k):
        idx = [(k * 37 + j * 53) % 341 for j in range(4)]
        out[k] = [(f.index, np.array_equal(f.data, ref_rgb[f.index])) for f in r.get_frames_at(idx)]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert all(ok for v in out.values() for _, ok in v)


def test_iterator_stats_and_closed_reader(vtest_avi):
    r = vxfast.VideoReader(vtest_avi)
    it = r.frames(sample="keyframes")
    assert [f.index for f in it] == [0, 128, 256]
    s = it.stats()
    assert s["delivered"] == 3 and s["corrupt_packets"] == 0
    r.close()
    with pytest.raises(vxfast.VideoError, match="closed"):
        r.frames()


def test_one_iterator_shared_by_threads(vtest_avi, ref_rgb):
    """Two threads pulling from one iterator get distinct, intact frames (no slot handed out twice)."""
    it = vxfast.VideoReader(vtest_avi).frames(end=4.0)
    got: list = []
    lock = threading.Lock()

    def work():
        for f in it:
            ok = np.array_equal(f.data[::50, ::50], ref_rgb[f.index][::50, ::50])
            with lock:
                got.append((f.index, ok))

    threads = [threading.Thread(target=work) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(i for i, _ in got) == list(range(100))
    assert all(ok for _, ok in got)
