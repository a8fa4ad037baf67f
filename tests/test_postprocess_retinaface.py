"""RetinaFace end to end: faces.jpg -> letterbox -> onnxruntime -> vxfast.postprocess.retinaface,
against biubug6's decode written out in numpy (tests/postprocess_reference.retinaface_numpy)."""
from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from vxfast import _core
from vxfast.postprocess import retinaface

from postprocess_reference import letterbox, retinaface_numpy


@pytest.fixture(scope="session")
def faces(models_dir, media_dir):
    ort = pytest.importorskip("onnxruntime")
    sess = ort.InferenceSession(str(models_dir / "retinaface-mnet025.onnx"),
                                providers=["CPUExecutionProvider"])
    img = cv2.imread(str(media_dir / "faces.jpg"))
    assert img is not None
    lb, info = letterbox(img)
    x = (lb.astype(np.float32) - np.array([104, 117, 123], np.float32)).transpose(2, 0, 1)[None]
    out = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    return SimpleNamespace(img=img, out=out, info=info)


@pytest.mark.parametrize("conf", [0.5, 0.02])
def test_matches_numpy_decode(faces, conf):
    det = retinaface(faces.out, conf=conf, iou=0.4, letterbox=faces.info)[0]
    box, score, lm = retinaface_numpy(faces.out[0], 640, 640, conf, 0.4, 750, faces.info)
    assert len(det) == len(score) > 0
    np.testing.assert_allclose(det.scores, score, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(det.xyxy, box, atol=1e-2)
    np.testing.assert_allclose(det.keypoints, lm, atol=1e-2)
    assert set(det.class_names) == {"face"}


def test_faces_found_where_they_are(faces):
    det = retinaface(faces.out, conf=0.5, letterbox=faces.info)[0]
    h, w = faces.img.shape[:2]
    assert len(det) >= 5  # a group photo
    assert (det.xyxy[:, [0, 2]] <= w).all() and (det.xyxy[:, [1, 3]] <= h).all()
    bw, bh = det.xyxy[:, 2] - det.xyxy[:, 0], det.xyxy[:, 3] - det.xyxy[:, 1]
    assert (bw > 10).all() and (bh > 10).all() and (bh / bw > 0.8).all() and (bh / bw < 2.5).all()
    # Landmarks sit inside their face box, eyes above the mouth, left eye left of right eye.
    kp = det.keypoints
    inside = ((kp[..., 0] >= det.xyxy[:, None, 0] - 2) & (kp[..., 0] <= det.xyxy[:, None, 2] + 2)
              & (kp[..., 1] >= det.xyxy[:, None, 1] - 2) & (kp[..., 1] <= det.xyxy[:, None, 3] + 2))
    assert inside.all()
    assert (kp[:, 0, 1] < kp[:, 3, 1]).all() and (kp[:, 1, 1] < kp[:, 4, 1]).all()
    assert (kp[:, 0, 0] < kp[:, 1, 0]).all()
    # Skin-ish: the face crops are brighter on average than a solid dark background would be and
    # not uniform (real texture), i.e. the boxes landed on the image content, not on the padding.
    for x1, y1, x2, y2 in det.xyxy.astype(int):
        crop = faces.img[y1:y2, x1:x2]
        assert crop.size and crop.std() > 10


def test_probability_and_logit_exports_agree(faces):
    logits = faces.out[0, :, 4:6]
    e = np.exp(logits - logits.max(1, keepdims=True))
    probs = faces.out.copy()
    probs[0, :, 4:6] = e / e.sum(1, keepdims=True)
    a = retinaface(faces.out, letterbox=faces.info)[0]
    b = retinaface(probs, letterbox=faces.info)[0]  # auto: detected as probabilities
    assert len(a) == len(b)
    np.testing.assert_allclose(a.scores, b.scores, atol=1e-6)
    np.testing.assert_allclose(a.xyxy, b.xyxy)
    assert len(retinaface(probs, scores="probabilities")[0]) == len(b)


def test_invalid_input(faces):
    with pytest.raises(ValueError, match="16"):
        retinaface(faces.out[..., :10])
    with pytest.raises(ValueError, match="no square RetinaFace input"):
        retinaface(faces.out[:, :1000])
    with pytest.raises(ValueError, match="priors"):
        retinaface(faces.out, input_size=(320, 320))
    with pytest.raises(ValueError, match="conf must be in"):
        retinaface(faces.out, conf=2)
    with pytest.raises(ValueError, match="scores must be"):
        retinaface(faces.out, scores="softmax")
    x = faces.out.copy()
    x[0, 123, 5] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite face score"):
        retinaface(x)
    assert _core.postprocess.retinaface_prior_count(640, 640) == 16800
    assert retinaface(faces.out[:0]) == []
