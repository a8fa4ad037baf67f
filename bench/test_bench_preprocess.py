"""1080p frame -> 640x640 float32 CHW letterbox: vxfast vs the Ultralytics-style OpenCV + numpy
chain, from BGR and from YUV420P (vxfast's fused kernel vs cvtColor + the same chain)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

import vxfast

from bench_preprocess import ultralytics  # the anchor, one definition for script and suite

SPEC = vxfast.Letterbox(640)




@pytest.mark.benchmark(group="preprocess 1080p BGR -> 640 letterbox f32 CHW")
@pytest.mark.parametrize("name", ["vxfast", "opencv+numpy"])
def test_letterbox_bgr(timed, frame_1080p_bgr, name):
    out = np.empty((3, 640, 640), np.float32)
    if name == "vxfast":
        fn = lambda: vxfast.preprocess(frame_1080p_bgr, SPEC, out, input_order="bgr")[0]  # noqa: E731
    else:
        fn = lambda: ultralytics(frame_1080p_bgr)  # noqa: E731
    t = timed(fn, scale=10)
    # same picture either way (bilinear details differ by a few levels)
    assert np.abs(t - ultralytics(frame_1080p_bgr)).mean() < 0.02


@pytest.mark.benchmark(group="preprocess 1080p YUV420P -> 640 letterbox f32 CHW")
@pytest.mark.parametrize("name", ["vxfast fused", "opencv cvtColor+numpy"])
def test_letterbox_yuv(timed, frame_1080p_bgr, name):
    i420 = cv2.cvtColor(frame_1080p_bgr, cv2.COLOR_BGR2YUV_I420)
    h, w = frame_1080p_bgr.shape[:2]
    y, u, v = i420[:h], i420[h:h + h // 4].reshape(h // 2, w // 2), i420[h + h // 4:].reshape(h // 2, w // 2)
    out = np.empty((3, 640, 640), np.float32)
    if name == "vxfast fused":
        fn = lambda: vxfast.preprocess_yuv420(y, u, v, SPEC, out=out)[0]  # noqa: E731
    else:
        fn = lambda: ultralytics(cv2.cvtColor(i420, cv2.COLOR_YUV2BGR_I420))  # noqa: E731
    t = timed(fn, scale=10)
    assert t.shape == (3, 640, 640)
