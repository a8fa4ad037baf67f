"""Frame pts on the stream's own clock, and time-based seeking, on streams whose first pts is not 0.

Reference: PyAV's decoded frame list (``frame.time``) on the same file. A time t must land on the
first frame with pts >= t, for frames(start=), end=, every sampling mode and get_frame_at_time.
"""
from __future__ import annotations

import numpy as np
import pytest

import vxfast

LAVFI = ("-f", "lavfi", "-i", "testsrc2=size=160x96:rate=25")
X264 = ("-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "25", "-bf", "2")


@pytest.fixture(scope="module")
def offset_videos(make_video):
    """name -> path of files whose pts do not start at 0 (or that use an edit list)."""
    src = make_video("ts_src.mp4", "-t", "6", *X264, input_args=LAVFI)
    return {
        # FFmpeg's TS muxer starts at 1.4 s plus the B-frame delay.
        "mpegts": make_video("offset.ts", "-t", "6", *X264, input_args=LAVFI),
        # Stream copy from a non-keyframe time: the MP4 gets an edit list, and the packets before
        # the cut are kept (flagged discard) because the frames after it reference them.
        "mp4_edit_list": make_video("edit_list.mp4", "-c", "copy", input_args=("-ss", "2.3", "-i", str(src))),
        # MPEG-2 in TS: another parser, keyframes every 12 frames, open GOPs.
        "mpeg2_ts": make_video("offset_mpeg2.ts", "-t", "6", "-c:v", "mpeg2video", "-g", "12", "-bf", "2",
                               input_args=LAVFI),
        "mp4_late_start": make_video("late.mp4", "-t", "4", *X264, "-output_ts_offset", "5",
                                     input_args=LAVFI),
        # -t on the input: as an output option it would cut at 4 s of the shifted clock.
        "mkv_setpts": make_video("late.mkv", *X264, "-vf", "setpts=PTS+7.5/TB",
                                 input_args=("-t", "4", *LAVFI)),
    }


def pyav_times(path) -> np.ndarray:
    import av

    with av.open(str(path)) as c:
        return np.array([f.time for f in c.decode(c.streams.video[0])])


def pyav_gray(path, k: int) -> np.ndarray:
    import av

    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(c.streams.video[0])):
            if i == k:
                return f.to_ndarray(format="gray")
    raise IndexError(k)


def first_at_or_after(ref: np.ndarray, t: float) -> int:
    return int(np.searchsorted(ref, t - 1e-9, side="left"))


def probe_times(ref: np.ndarray) -> list:
    """Before the first frame, on frames, between frames, mid-GOP after a keyframe, near the end."""
    step = float(np.median(np.diff(ref)))
    mid = ref[len(ref) // 2]
    return [0.0, max(0.0, ref[0] - 0.5), ref[0], ref[0] + step / 3, mid, mid + step / 2, ref[0] + 1.37,
            ref[-1] - step / 2, ref[-1]]


CASES = ["mpegts", "mpeg2_ts", "mp4_edit_list", "mp4_late_start", "mkv_setpts"]


@pytest.mark.parametrize("case", CASES)
def test_pts_and_start_time_match_pyav(offset_videos, case):
    path = offset_videos[case]
    ref = pyav_times(path)
    with vxfast.VideoReader(path) as r:
        assert r.info.frame_count == len(ref)
        assert r.info.start_time == pytest.approx(ref[0], abs=1e-9)
        np.testing.assert_allclose(np.asarray(r.frame_pts), ref, rtol=0, atol=1e-9)
        got = np.array([f.pts for f in r.frames(format="gray")])
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9)
    if case != "mp4_edit_list":
        assert ref[0] > 1.0  # the fixture really starts late


@pytest.mark.parametrize("case", CASES)
def test_start_lands_on_first_frame_at_or_after_t(offset_videos, case):
    path = offset_videos[case]
    ref = pyav_times(path)
    with vxfast.VideoReader(path) as r:
        for t in probe_times(ref):
            want = first_at_or_after(ref, t)
            got = [(f.index, f.pts) for f in r.frames(start=t, format="gray")]
            assert got, f"start={t}"
            assert got[0][0] == want and got[0][1] == pytest.approx(ref[want], abs=1e-9), f"start={t}"
            assert [i for i, _ in got] == list(range(want, len(ref))), f"start={t}"


@pytest.mark.parametrize("case", CASES)
def test_seeked_pixels_match_pyav(offset_videos, case):
    path = offset_videos[case]
    ref = pyav_times(path)
    t = ref[len(ref) * 2 // 3] + 0.01  # mid-GOP: a seek to the keyframe before, then decode on
    want = first_at_or_after(ref, t)
    with vxfast.VideoReader(path) as r:
        f = next(iter(r.frames(start=t, format="gray")))
        g = r.get_frame_at_time(t, format="gray")
    assert f.index == g.index == want
    np.testing.assert_array_equal(f.data, pyav_gray(path, want))
    np.testing.assert_array_equal(g.data, f.data)


@pytest.mark.parametrize("case", CASES)
def test_end_excludes_frames_at_or_after_t(offset_videos, case):
    path = offset_videos[case]
    ref = pyav_times(path)
    s, e = ref[3] + 0.01, ref[len(ref) // 2] + 0.01
    with vxfast.VideoReader(path) as r:
        got = [f.index for f in r.frames(start=s, end=e, format="gray")]
    assert got == list(range(first_at_or_after(ref, s), first_at_or_after(ref, e)))


@pytest.mark.parametrize("case", CASES)
def test_sampling_modes_stay_within_start_end(offset_videos, case):
    path = offset_videos[case]
    ref = pyav_times(path)
    s, e = ref[5] + 0.013, ref[-4] + 0.001
    i0, i1 = first_at_or_after(ref, s), first_at_or_after(ref, e)
    with vxfast.VideoReader(path) as r:
        every = [f.index for f in r.frames(sample="every:4", start=s, end=e, format="gray")]
        assert every == list(range(i0, i1, 4))
        uni = [f.index for f in r.frames(sample="uniform:5", start=s, end=e, format="gray")]
        assert uni[0] == i0 and uni[-1] == i1 - 1 and len(uni) == 5
        # fps:X: the frame shown at each t0 + k/X, t0 = pts of the first frame at or after start
        fps = [(f.index, f.pts) for f in r.frames(sample="fps:3", start=s, end=e, format="gray")]
        t0 = ref[i0]
        want = []
        for k in range(1000):
            t = t0 + k / 3
            if t >= min(e, ref[-1] + 0.04) - 1e-9:
                break
            want.append(int(np.searchsorted(ref, t + 1e-9, side="right") - 1))
        assert [i for i, _ in fps] == want
        assert all(s <= p < e for _, p in fps)
        keys = [f.pts for f in r.frames(sample="keyframes", start=s, end=e, format="gray")]
        assert keys and all(s - 1e-9 <= p < e for p in keys)


@pytest.mark.parametrize("case", CASES)
def test_get_frames_at_times(offset_videos, case):
    path = offset_videos[case]
    ref = pyav_times(path)
    times = probe_times(ref)
    with vxfast.VideoReader(path) as r:
        frames = r.get_frames_at_times(times, format="gray")
        assert [f.index for f in frames] == [first_at_or_after(ref, t) for t in times]
        assert [f.pts for f in frames] == pytest.approx([ref[first_at_or_after(ref, t)] for t in times])
        idx = [f.index for f in r.get_frames_at([first_at_or_after(ref, t) for t in times], format="gray")]
        assert idx == [f.index for f in frames]
        with pytest.raises(vxfast.VideoError, match="after the last frame"):
            r.get_frame_at_time(ref[-1] + 0.001)
        with pytest.raises(ValueError, match="time"):
            r.get_frame_at_time(float("nan"))


def test_start_past_the_end_names_the_time_range(offset_videos):
    path = offset_videos["mpegts"]
    ref = pyav_times(path)
    with vxfast.VideoReader(path) as r:
        with pytest.raises(vxfast.VideoError, match="past the end"):
            r.frames(start=ref[-1] + 1.0)
        # a start inside [start_time, start_time + duration) that lies past duration alone is fine
        assert r.info.duration < ref[-1]
        assert [f.index for f in r.frames(start=r.info.duration, format="gray")][0] == \
            first_at_or_after(ref, r.info.duration)


def test_approximate_mode_pts_are_on_the_stream_clock(offset_videos):
    path = offset_videos["mpegts"]
    ref = pyav_times(path)
    with vxfast.VideoReader(path, seek_mode="approximate") as r:
        assert r.info.start_time == pytest.approx(ref[0], abs=0.1)  # container start, a guess
        got = np.array([f.pts for f in r.frames(format="gray")])
        np.testing.assert_allclose(got, ref, atol=1e-9)
        t = ref[100] + 0.01
        first = next(iter(r.frames(start=t, format="gray")))
        assert first.pts == pytest.approx(ref[101], abs=1e-9)
