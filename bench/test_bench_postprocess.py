"""YOLOv8n decode + NMS on real [1, 84, 8400] outputs of vtest.avi frames: vxfast vs numpy +
cv2.dnn.NMSBoxesBatched vs a numpy port of Ultralytics' non_max_suppression; and bare NMS on the
candidate boxes: vxfast.nms vs the vectorised numpy greedy loop."""
from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

import vxfast
from vxfast.postprocess import yolo

from postprocess_reference import _numpy_nms, letterbox, ultralytics_nms, xywh2xyxy, yolo_numpy_cv2

FRAMES = 4


@pytest.fixture(scope="module")
def outputs(vtest_avi, yolov8n):
    import cv2
    sess = ort.InferenceSession(str(yolov8n), providers=["CPUExecutionProvider"])
    cap = cv2.VideoCapture(str(vtest_avi))
    outs, infos = [], []
    for i in range(FRAMES * 40):
        ok, frame = cap.read()
        if not ok:
            break
        if i % 40 == 0:
            img, info = letterbox(frame)
            x = img[:, :, ::-1].transpose(2, 0, 1)[None].astype(np.float32) / 255
            outs.append(sess.run(None, {sess.get_inputs()[0].name: x})[0])
            infos.append(info)
    cap.release()
    return outs, infos


METHODS = {
    "vxfast": lambda out, info: yolo(out, 0.25, 0.45, letterbox=info)[0],
    "numpy+cv2.dnn": lambda out, info: yolo_numpy_cv2(out[0], 0.25, 0.45, info=info),
    "ultralytics-numpy": lambda out, info: ultralytics_nms(out, 0.25, 0.45)[0],
}


@pytest.mark.benchmark(group="postprocess yolov8n [1,84,8400] conf 0.25, 4 frames")
@pytest.mark.parametrize("name", list(METHODS))
def test_yolo_decode_nms(timed, outputs, name):
    outs, infos = outputs
    fn = METHODS[name]
    counts = timed(lambda: [len(fn(o, i)) if name != "numpy+cv2.dnn" else len(fn(o, i)[0])
                            for o, i in zip(outs, infos)], scale=10)
    assert sum(counts) > 0


@pytest.mark.benchmark(group="nms on yolov8n candidates (conf 0.01), 4 frames")
@pytest.mark.parametrize("name", ["vxfast", "numpy"])
def test_nms(timed, outputs, name):
    cands = []
    for out in outputs[0]:
        pred = out[0].T
        score = pred[:, 4:].max(1)
        m = score > 0.01
        cands.append((np.ascontiguousarray(xywh2xyxy(pred[m, :4])), np.ascontiguousarray(score[m])))
    if name == "vxfast":
        fn = lambda: [len(vxfast.postprocess.nms(b, s, 0.45)) for b, s in cands]  # noqa: E731
    else:
        fn = lambda: [len(_numpy_nms(b, s, 0.45)) for b, s in cands]  # noqa: E731
    kept = timed(fn, scale=10)
    assert kept == [len(_numpy_nms(b, s, 0.45)) for b, s in cands]
