"""Decode-ahead (a decoder thread per iterator): same frames, same stats, no leaked threads."""
from __future__ import annotations

import gc
import os
import warnings

import numpy as np
import pytest

import vxfast
from vxfast import _core


@pytest.fixture
def ahead_depth():
    """Sets the decode-ahead depth for iterators made inside the test; restores it afterwards."""
    old = _core.set_decode_ahead(2)
    yield lambda d: _core.set_decode_ahead(d)
    _core.set_decode_ahead(old)


def os_threads() -> int:
    return len(os.listdir("/proc/self/task"))


def run(path, depth, set_depth, preprocess=None, threads=0, **kw):
    set_depth(depth)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", vxfast.CorruptFrameWarning)
        with vxfast.VideoReader(path, threads) as r:
            it = r.frames(preprocess=preprocess, **kw) if preprocess else r.frames(format="gray", **kw)
            got = [(f.index, f.pts, f.keyframe, f.data.sum(dtype=np.float64)) for f in it]
            return got, it.stats()


@pytest.mark.parametrize("kw", [
    {}, {"sample": "every:7"}, {"sample": "fps:3"}, {"sample": "uniform:9"}, {"sample": "keyframes"},
    {"start": 3.0, "end": 5.5}, {"sample": "fps:40", "start": 1.0, "end": 1.5},
    {"sample": "uniform:5", "start": 2.0},
])
def test_same_frames_and_stats_as_the_calling_thread(vtest_avi, ahead_depth, kw):
    want = run(vtest_avi, 0, ahead_depth, **kw)
    for depth in (1, 2, 5):
        assert run(vtest_avi, depth, ahead_depth, **kw) == want, depth


def test_fused_letterbox_identical(make_video, ahead_depth):
    clip = make_video("ahead_h264.mp4", "-t", "3", "-an", "-c:v", "libx264", "-bf", "3", "-g", "30",
                      "-pix_fmt", "yuv420p", "-vf", "scale=640:360")
    spec = vxfast.Letterbox(320)
    assert run(clip, 2, ahead_depth, spec) == run(clip, 0, ahead_depth, spec)
    assert run(clip, 2, ahead_depth, spec, sample="uniform:7") == run(clip, 0, ahead_depth, spec,
                                                                       sample="uniform:7")


def test_damaged_stream_counts_survive(make_video, tmp_path, ahead_depth):
    src = make_video("ahead_damage.ts", "-t", "4", "-an", "-c:v", "libx264", "-g", "25", "-bf", "2",
                     "-pix_fmt", "yuv420p", "-vf", "scale=320:180")
    data = bytearray(src.read_bytes())
    start = (len(data) // 2) // 188 * 188
    for off in range(start, start + 30 * 188, 188):
        data[off + 4: off + 188] = bytes((k * 37 + 11) % 256 for k in range(184))
    bad = tmp_path / "damaged.ts"
    bad.write_bytes(bytes(data))
    # One decoder thread: FFmpeg's frame threads conceal damage differently from run to run.
    got, stats = run(bad, 2, ahead_depth, threads=1)
    assert (got, stats) == run(bad, 0, ahead_depth, threads=1)
    assert stats["corrupt_packets"] + stats["corrupt_frames"] + stats["decoder_errors"] > 0


def test_no_thread_outlives_its_iterator(vtest_avi, ahead_depth):
    gc.collect()
    before = os_threads()
    r = vxfast.VideoReader(vtest_avi)
    for _ in range(5):  # break out early: the decoder thread is blocked on a full queue
        for k, _f in enumerate(r.frames(format="gray")):
            if k == 3:
                break
    it = r.frames(format="gray")
    next(it)
    it.close()  # explicit close mid-stream
    it = r.frames(sample="uniform:4", format="gray")
    next(it)
    r.close()  # the reader goes; the started iterator keeps working until dropped
    assert len(list(it)) == 3
    del it, r
    gc.collect()
    assert os_threads() == before


def test_settings_are_validated(ahead_depth):
    with pytest.raises(ValueError, match="depth"):
        _core.set_decode_ahead(-1)
    with pytest.raises(ValueError, match="extra threads"):
        _core.set_decode_ahead_threads(17)
