"""vxfast.detect end to end on the real model and footage, against a plain onnxruntime + OpenCV run."""
from __future__ import annotations

import json
import threading

import cv2
import numpy as np
import pytest

import vxfast


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(-1)
    area = lambda x: (x[:, 2:] - x[:, :2]).prod(-1)  # noqa: E731
    return inter / (area(a)[:, None] + area(b)[None, :] - inter)


def reference_detections(model_path, rgb, conf=0.25, iou=0.45):
    """The way people do it today: cv2 letterbox, onnxruntime, numpy decode, cv2 NMS."""
    import onnxruntime as ort

    h, w = rgb.shape[:2]
    r = min(640 / h, 640 / w)
    nw, nh = round(w * r), round(h * r)
    top, left = (640 - nh) // 2, (640 - nw) // 2
    canvas = np.full((640, 640, 3), 114, np.uint8)
    canvas[top:top + nh, left:left + nw] = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_LINEAR)
    x = canvas.transpose(2, 0, 1)[None].astype(np.float32) / 255
    sess = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    out = sess.run(None, {sess.get_inputs()[0].name: x})[0][0].T  # (8400, 84)
    scores = out[:, 4:].max(1)
    cls = out[:, 4:].argmax(1)
    keep = scores > conf
    b, s, c = out[keep, :4], scores[keep], cls[keep]
    xyxy = np.c_[b[:, :2] - b[:, 2:] / 2, b[:, :2] + b[:, 2:] / 2]
    idx = cv2.dnn.NMSBoxesBatched(np.c_[xyxy[:, :2], xyxy[:, 2:] - xyxy[:, :2]].tolist(), s.tolist(),
                                  c.tolist(), conf, iou)
    idx = np.asarray(idx).reshape(-1)
    xyxy = (xyxy[idx] - [left, top, left, top]) / r
    return np.clip(xyxy, 0, [w, h, w, h]), s[idx], c[idx]


@pytest.fixture(scope="module")
def model(models_dir):
    return vxfast.Model(models_dir / "yolov8n.onnx")


def precision_recall(got, ref, iou_thr=0.5):
    """Greedy one-to-one matching of same-class boxes at IoU >= iou_thr."""
    gx, gc = got
    rx, rc = ref
    if len(gx) == 0 or len(rx) == 0:
        return (1.0 if len(gx) == len(rx) else 0.0,) * 2
    m = iou_matrix(gx, rx)
    m[gc[:, None] != rc[None, :]] = 0
    used = set()
    tp = 0
    for i in np.argsort(-m.max(1)):
        j = int(np.argmax(np.where([k not in used for k in range(len(rx))], m[i], -1)))
        if m[i, j] >= iou_thr and j not in used:
            used.add(j)
            tp += 1
    return tp / len(gx), tp / len(rx)


def test_detect_agrees_with_ultralytics_style_reference(vtest_avi, models_dir, model):
    """Ultralytics predict semantics without torch: letterbox 640 (centre, pad 114), conf 0.25,
    IoU 0.45, class-aware NMS. Precision and recall of matched boxes >= 0.97 over 8 frames."""
    results = list(vxfast.detect(vtest_avi, model, sample="uniform:8", conf=0.25, iou=0.45))
    assert [r.index for r in results] == [round(j * 340 / 7) for j in range(8)]
    reader = vxfast.VideoReader(vtest_avi)
    tp_p = tp_r = n_got = n_ref = 0.0
    for r in results:
        ref_xyxy, _, ref_c = reference_detections(models_dir / "yolov8n.onnx", reader.get_frame_at(r.index).data)
        assert len(r) > 5 and "person" in r.class_names
        p, rc = precision_recall((r.xyxy, r.class_ids), (ref_xyxy.astype(np.float32), ref_c))
        tp_p += p * len(r)
        tp_r += rc * len(ref_xyxy)
        n_got += len(r)
        n_ref += len(ref_xyxy)
    precision, recall = tp_p / n_got, tp_r / n_ref
    assert precision >= 0.97 and recall >= 0.97, (precision, recall)


@pytest.mark.parametrize("name", ["yolov8n.onnx", "yolov8n-dynamic.onnx"])
def test_batch_8_equals_batch_1(vtest_avi, models_dir, name):
    """Static (rewritten to a dynamic batch) and dynamic models: batch 8 == batch 1."""
    m8 = vxfast.Model(models_dir / name, batch=8)
    a = list(vxfast.detect(vtest_avi, m8, batch=8, sample="every:34"))
    m1 = vxfast.Model(models_dir / name, batch=1)
    b = list(vxfast.detect(vtest_avi, m1, batch=1, sample="every:34"))
    assert [x.index for x in a] == [x.index for x in b] == list(range(0, 341, 34))
    for x, y in zip(a, b):
        assert len(x) == len(y)
        np.testing.assert_array_equal(x.class_ids, y.class_ids)
        np.testing.assert_allclose(x.xyxy, y.xyxy, atol=0.05)


def test_detect_cli_writes_jsonl(vtest_avi, models_dir, tmp_path, capsys):
    from vxfast.cli import main

    out = tmp_path / "d.jsonl"
    assert main(["detect", str(vtest_avi), "--model", str(models_dir / "yolov8n.onnx"), "--sample", "uniform:2",
                 "--out", str(out), "--no-progress", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["frames"] == 2 and summary["detections"] > 0
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["frame"] for x in lines] == [0, 340]
    assert len(lines[0]["boxes"]) == len(lines[0]["scores"]) == len(lines[0]["class_names"])


def test_detect_bad_arguments(vtest_avi, models_dir, model):
    with pytest.raises(ValueError, match="conf"):
        vxfast.detect(vtest_avi, model, conf=1.5)
    with pytest.raises(vxfast.VideoError, match="no such file"):
        vxfast.detect(vtest_avi.parent / "missing.mp4", model)


def test_detect_streams_give_the_same_detections_in_order(vtest_avi, models_dir):
    """Two model streams run alternate batches on worker threads; results come back in frame
    order and equal the one-stream run."""
    stats = vxfast.DetectStats()
    two = list(vxfast.detect(vtest_avi, models_dir / "yolov8n.onnx", sample="every:40", streams=2,
                             stats=stats))
    assert stats.streams == 2 and stats.frames == len(two)
    one = list(vxfast.detect(vtest_avi, models_dir / "yolov8n.onnx", sample="every:40", streams=1))
    assert [r.index for r in two] == [r.index for r in one] == list(range(0, 341, 40))
    for x, y in zip(two, one):
        np.testing.assert_array_equal(x.class_ids, y.class_ids)
        np.testing.assert_array_equal(x.xyxy, y.xyxy)


def test_detect_streams_stop_cleanly_on_break(vtest_avi, models_dir):
    before = threading.active_count()
    for i, _ in enumerate(vxfast.detect(vtest_avi, models_dir / "yolov8n.onnx", streams=2, batch=2)):
        if i == 2:
            break
    import gc

    gc.collect()
    assert threading.active_count() == before
