"""End to end on the first 8 frames of vtest.avi with yolov8n (CPU): ``vxfast.detect`` (C++ decode +
letterbox thread, IOBinding, C++ NMS) vs OpenCV decode + letterbox, bare onnxruntime
``session.run`` and numpy + cv2.dnn NMS, one frame at a time as such scripts are written. Both get
the same session options; sessions are made outside the timed part. Also the bare inference call:
``vxfast.Model.run`` vs ``session.run`` on the same tensor."""
from __future__ import annotations

import cv2
import numpy as np
import onnxruntime as ort
import pytest

import vxfast

from postprocess_reference import letterbox, yolo_numpy_cv2

N = 8


@pytest.fixture(scope="module")
def model(yolov8n):
    with vxfast.Model(yolov8n, providers="cpu", warmup=1) as m:
        yield m


@pytest.fixture(scope="module")
def session(yolov8n):
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(yolov8n), so, providers=["CPUExecutionProvider"])


def anchor(session, path):
    name = session.get_inputs()[0].name
    cap = cv2.VideoCapture(str(path))
    dets = 0
    for _ in range(N):
        ok, frame = cap.read()
        if not ok:
            break
        img, info = letterbox(frame)
        x = np.ascontiguousarray(img[:, :, ::-1].transpose(2, 0, 1)[None], dtype=np.float32) / 255
        out = session.run(None, {name: x})[0]
        dets += len(yolo_numpy_cv2(out[0], 0.25, 0.45, info=info)[0])
    cap.release()
    return dets


@pytest.mark.benchmark(group="end-to-end yolov8n CPU, vtest.avi 8 frames")
@pytest.mark.parametrize("name", ["vxfast.detect", "opencv+onnxruntime+numpy"])
def test_detect(timed, model, session, vtest_avi, name):
    if name == "vxfast.detect":
        end = N / vxfast.VideoReader(vtest_avi).info.fps - 1e-3
        fn = lambda: sum(len(r) for r in vxfast.detect(vtest_avi, model, batch=1, end=end))  # noqa: E731
    else:
        fn = lambda: anchor(session, vtest_avi)  # noqa: E731
    assert timed(fn) > 0


@pytest.mark.benchmark(group="inference yolov8n CPU, batch 1")
@pytest.mark.parametrize("name", ["vxfast.Model.run", "onnxruntime session.run"])
def test_inference(timed, model, session, name):
    x = np.random.default_rng(0).random((1, 3, 640, 640), dtype=np.float32)
    if name == "vxfast.Model.run":
        fn = lambda: model.run(x, copy=False)[0]  # noqa: E731
    else:
        fn = lambda: session.run(None, {session.get_inputs()[0].name: x})[0]  # noqa: E731
    assert timed(fn).shape == (1, 84, 8400)
