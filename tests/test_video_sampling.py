"""Sampling modes, start/end, and keyframe-only decoding."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vxfast


@pytest.fixture(scope="module")
def reader(vtest_avi):
    return vxfast.VideoReader(vtest_avi)


def indices(it):
    return [f.index for f in it]


def test_every_n(reader):
    assert indices(reader.frames(sample="every:50", format="gray")) == list(range(0, 341, 50))


def test_fps_picks_the_frame_shown_at_each_instant(reader):
    got = [(f.index, f.pts) for f in reader.frames(sample="fps:2", format="gray")]
    pts = np.asarray(reader.frame_pts)
    want = [int(np.searchsorted(pts, k / 2, side="right") - 1) for k in range(int(13.64 * 2) + 1)
            if k / 2 < 13.64]
    assert [i for i, _ in got] == want
    assert all(p <= k / 2 + 1e-9 for k, (_, p) in enumerate(got))


def test_fps_above_native_rate_repeats_frames(reader):
    got = indices(reader.frames(sample="fps:50", end=1.0, format="gray"))
    assert len(got) == 50
    assert got[:4] == [0, 0, 1, 1]


def test_uniform_includes_first_and_last(reader):
    got = indices(reader.frames(sample="uniform:60", format="gray"))
    assert len(got) == 60 and got[0] == 0 and got[-1] == 340
    assert got == sorted(got)
    want = [round(j * 340 / 59) for j in range(60)]
    assert got == want


def test_uniform_more_than_frames_repeats(reader):
    got = indices(reader.frames(sample="uniform:10", start=1.0, end=1.2, format="gray"))
    assert len(got) == 10 and set(got) == {25, 26, 27, 28, 29}


def test_start_end_seconds(reader):
    got = [(f.index, f.pts) for f in reader.frames(start=5.0, end=6.0, format="gray")]
    assert [i for i, _ in got] == list(range(125, 150))
    assert all(5.0 <= p < 6.0 for _, p in got)


def test_keyframes_only_does_not_decode_the_rest(reader):
    it = reader.frames(sample="keyframes", format="gray")
    frames = [(f.index, f.keyframe) for f in it]
    assert frames == [(0, True), (128, True), (256, True)]
    assert it.stats()["decoded_frames"] == 3
    assert indices(reader.frames(sample="keyframes", start=6.0, format="gray")) == [256]


def test_keyframes_match_pyav_key_frames(vtest_avi, reader):
    import av

    with av.open(str(vtest_avi)) as c:
        keys = [i for i, f in enumerate(c.decode(video=0)) if f.key_frame]
    assert list(reader.keyframe_indices) == keys


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 340), min_size=1, max_size=6))
def test_random_access_equals_sequential(reader, idx):
    seq = reader.get_frames_at(sorted(set(idx)), format="gray")
    ref = {f.index: f.data for f in seq}
    for f in reader.get_frames_at(idx, format="gray"):
        np.testing.assert_array_equal(f.data, ref[f.index])


@pytest.mark.parametrize("bad", ["sometimes", "every:0", "every:1.5", "fps:-1", "fps:x", "uniform:",
                                 "all:3", "every"])
def test_invalid_sample_strings(reader, bad):
    with pytest.raises(ValueError, match="sample"):
        reader.frames(sample=bad)


def test_invalid_arguments(reader, vtest_avi):
    with pytest.raises(ValueError, match="format"):
        reader.frames(format="rgba")
    with pytest.raises(ValueError, match="start"):
        reader.frames(start=-1)
    with pytest.raises(ValueError, match="end"):
        reader.frames(start=3, end=2)
    with pytest.raises(vxfast.VideoError, match="past the end"):
        reader.frames(start=100)
    with pytest.raises(ValueError, match="threads"):
        vxfast.VideoReader(vtest_avi, threads=-2)
    with pytest.raises(TypeError):
        reader.get_frames_at(["a"])


def test_approximate_mode_on_an_honest_header(make_video):
    path = make_video("honest.mp4", "-t", "2", "-c:v", "libx264", "-g", "10", "-pix_fmt", "yuv420p",
                      input_args=("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25"))
    exact = vxfast.VideoReader(path)
    approx = vxfast.VideoReader(path, seek_mode="approximate")
    assert not approx.info.frame_count_exact
    assert approx.info.frame_count == exact.info.frame_count == 50
    assert approx.info.fps == pytest.approx(25)
    seq = [(f.index, f.pts) for f in approx.frames(format="gray")]
    assert [i for i, _ in seq] == list(range(50))
    assert all(b > a for (_, a), (_, b) in zip(seq, seq[1:]))
    want = {f.index: f.data for f in exact.get_frames_at([3, 27, 49], format="gray")}
    for f in approx.get_frames_at([27, 3, 49], format="gray"):
        np.testing.assert_array_equal(f.data, want[f.index])
    assert [f.index for f in approx.frames(sample="every:20", format="gray")] == [0, 20, 40]


def test_file_url(vtest_avi):
    r = vxfast.VideoReader(vtest_avi.resolve().as_uri())
    assert r.info.frame_count == 341
    assert r.get_frame_at(5).index == 5
