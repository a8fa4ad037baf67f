"""Other codecs, odd sizes, rotation, VFR and images: generated with FFmpeg, compared with PyAV."""
from __future__ import annotations

import numpy as np
import pytest

import vxfast

from media_helpers import ffmpeg_rgb, pyav_frames, pyav_planes, set_mp4_rotation

PATTERN = ("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "1.2")

CODECS = {
    "h264.mp4": ("-c:v", "libx264", "-bf", "2", "-g", "12", "-pix_fmt", "yuv420p"),
    "hevc.mp4": ("-c:v", "libx265", "-x265-params", "log-level=error:keyint=12", "-pix_fmt", "yuv420p"),
    "vp9.webm": ("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-g", "12"),
    "mpeg4.avi": ("-c:v", "mpeg4", "-bf", "1", "-g", "12", "-q:v", "5"),
    "mjpeg.mkv": ("-c:v", "mjpeg", "-q:v", "4"),
}


@pytest.mark.parametrize("name", list(CODECS))
def test_codecs_match_pyav(make_video, name):
    path = make_video(name, "-t", "1.2", *CODECS[name], input_args=PATTERN[:4])
    ref = pyav_frames(path, "rgb24")
    with vxfast.VideoReader(path) as r:
        assert r.info.frame_count == len(ref) == 30
        assert r.info.fps == pytest.approx(25, rel=1e-3)
        frames = list(r.frames(format="rgb24"))
        assert [f.index for f in frames] == list(range(30))
        for f, (_, want) in zip(frames, ref):
            d = np.abs(f.data.astype(np.int16) - want)
            assert d.max() <= 2 and d.mean() < 0.05, (name, f.index, d.max(), d.mean())
        # random access lands on the same pixels as sequential decoding
        for f in r.get_frames_at([29, 13, 1, 12]):
            np.testing.assert_array_equal(f.data, frames[f.index].data)
        y = r.get_frame_at(17, format="yuv420p").planes[0]
        np.testing.assert_array_equal(y, pyav_planes(path, 17)[0])


def test_odd_size(make_video):
    path = make_video("odd.mkv", "-t", "0.4", "-vf", "scale=641:359", "-c:v", "mjpeg", "-q:v", "3",
                      input_args=("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25"))
    with vxfast.VideoReader(path) as r:
        assert (r.info.width, r.info.height) == (641, 359)
        f = r.get_frame_at(3)
        assert f.data.shape == (359, 641, 3)
        # odd widths leave swscale's unscaled fast path: compare with the ffmpeg CLI's own conversion
        np.testing.assert_array_equal(f.data, ffmpeg_rgb(path, 3, 641, 359))
        yuv = r.get_frame_at(3, format="yuv420p")
        y, u, v = yuv.planes
        assert yuv.data.ndim == 1 and yuv.data.size == 641 * 359 + 2 * 321 * 180
        assert y.shape == (359, 641) and u.shape == (180, 321) and v.shape == (180, 321)
        ry, ru, rv = pyav_planes(path, 3)
        np.testing.assert_array_equal(y, ry)
        np.testing.assert_array_equal(u, ru)


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_rotation_applied_or_reported(make_video, video_dir, degrees):
    base = make_video("upright.mp4", "-t", "0.4", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                      input_args=("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25"))
    path = video_dir / f"rot{degrees}.mp4"
    path.write_bytes(base.read_bytes())
    set_mp4_rotation(path, degrees)
    upright = vxfast.VideoReader(base).get_frame_at(2).data
    r = vxfast.VideoReader(path)
    assert r.info.rotation == degrees and r.info.rotation_applied
    f = r.get_frame_at(2)
    np.testing.assert_array_equal(f.data, np.rot90(upright, k=-degrees // 90))
    assert (r.info.width, r.info.height) == ((240, 320) if degrees != 180 else (320, 240))
    g = r.get_frame_at(2, format="yuv420p")
    assert g.planes[0].shape == f.data.shape[:2]
    raw = vxfast.VideoReader(path, rotation="report")
    assert raw.info.rotation == degrees and not raw.info.rotation_applied
    np.testing.assert_array_equal(raw.get_frame_at(2).data, upright)


def test_portrait(make_video):
    path = make_video("portrait.mp4", "-t", "0.4", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                      input_args=("-f", "lavfi", "-i", "testsrc2=size=180x320:rate=25"))
    with vxfast.VideoReader(path) as r:
        assert (r.info.width, r.info.height) == (180, 320)
        assert r.get_frame_at(0).data.shape == (320, 180, 3)


def test_variable_frame_rate(make_video):
    # keep 6 of every 10 frames with their original timestamps: gaps of 5 frame periods
    path = make_video("vfr.mkv", "-t", "2", "-vf", "select='lt(mod(n\\,10)\\,6)'", "-vsync", "vfr",
                      "-c:v", "libx264", "-pix_fmt", "yuv420p",
                      input_args=("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25"))
    ref = pyav_frames(path, "gray")
    ref_pts = np.array([t for t, _ in ref])  # on the stream's clock, as vxfast's pts
    with vxfast.VideoReader(path) as r:
        assert r.info.frame_count == len(ref) == 30
        got = list(r.frames(format="gray"))
        pts = np.array([f.pts for f in got])
        np.testing.assert_allclose(pts, ref_pts, atol=1e-6)
        assert np.all(np.diff(pts) > 0)
        # fps:5 -> the frame on screen at t0, t0 + 0.2, t0 + 0.4, ... (t0: the first frame's pts)
        shown = [f.index for f in r.frames(sample="fps:5", format="gray")]
        want = [int(np.searchsorted(ref_pts, ref_pts[0] + k * 0.2 + 1e-9, side="right") - 1)
                for k in range(len(shown))]
        assert shown == want
        assert len(shown) >= 9


def test_image_file_is_a_one_frame_video(media_dir):
    import cv2

    with vxfast.VideoReader(media_dir / "bus.jpg") as r:
        assert r.info.frame_count == 1 and (r.info.width, r.info.height) == (810, 1080)
        frames = list(r.frames(format="bgr24"))
        assert len(frames) == 1
        ref = cv2.imread(str(media_dir / "bus.jpg"))
        assert np.abs(frames[0].data.astype(int) - ref).mean() < 2.5  # different JPEG IDCTs
