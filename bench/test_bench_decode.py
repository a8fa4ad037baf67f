"""Decoding the first 48 frames of a 1080p H.264 clip to packed RGB: vxfast vs PyAV vs OpenCV.

vxfast opens with ``seek_mode="approximate"``: the default ``"exact"`` demuxes the whole file once at
open to index it (frame counts, accurate seeks), which the anchors do not do and which a 48-frame
read would pay for all 341 frames."""
from __future__ import annotations

import itertools

import pytest

import vxfast

N = 48


def vxfast_rgb(path):
    with vxfast.VideoReader(path, seek_mode="approximate") as r:
        return sum(1 for _ in itertools.islice(r.frames(format="rgb24"), N))


def pyav_rgb(path):
    import av
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"  # PyAV's fastest setting; its default is slice threading only
        return sum(1 for f in itertools.islice(c.decode(s), N) if f.to_ndarray(format="rgb24") is not None)


def opencv_bgr(path):
    import cv2
    cap = cv2.VideoCapture(str(path))
    n = 0
    while n < N and cap.read()[0]:
        n += 1
    cap.release()
    return n


@pytest.mark.benchmark(group="decode 1080p H.264 -> RGB, 48 frames")
@pytest.mark.parametrize("name", ["vxfast", "pyav", "opencv"])
def test_decode_1080p(timed, clip_1080p, name):
    fn = {"vxfast": vxfast_rgb, "pyav": pyav_rgb, "opencv": opencv_bgr}[name]
    assert timed(lambda: fn(clip_1080p)) == N


@pytest.mark.benchmark(group="decode 1080p H.264 -> YUV420P planes, 48 frames")
@pytest.mark.parametrize("name", ["vxfast", "pyav"])
def test_decode_1080p_yuv(timed, clip_1080p, name):
    def vx():
        with vxfast.VideoReader(clip_1080p, seek_mode="approximate") as r:
            return sum(1 for _ in itertools.islice(r.frames(format="yuv420p"), N))

    def pyav():
        import av
        with av.open(str(clip_1080p)) as c:
            s = c.streams.video[0]
            s.thread_type = "AUTO"
            return sum(1 for f in itertools.islice(c.decode(s), N) if f.to_ndarray() is not None)

    assert timed(vx if name == "vxfast" else pyav) == N
