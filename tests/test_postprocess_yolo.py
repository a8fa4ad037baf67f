"""vxfast.postprocess.yolo on real yolov8n outputs (frames of vtest.avi through onnxruntime) against
numpy + cv2.dnn.NMSBoxesBatched and a numpy port of Ultralytics' non_max_suppression; the other head
layouts, SIMD paths, keypoints and input validation."""
from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vxfast
from vxfast import _core
from vxfast.postprocess import names_from_metadata, yolo, yolo_pose

from postprocess_reference import greedy_nms, letterbox, ultralytics_nms, unletterbox, yolo_numpy_cv2

FRAMES = (0, 60, 170, 300)


def _cpu_level() -> str:
    """The best postprocess kernel level this CPU runs (no NEON kernels: scalar there)."""
    import vxfast
    cpu = vxfast.simd_info()["cpu"]
    return "scalar" if cpu == "neon" else cpu


@pytest.fixture(scope="session")
def yolov8n(models_dir, vtest_avi):
    """yolov8n outputs on a few vtest frames, computed once per session (~110 ms per frame)."""
    ort = pytest.importorskip("onnxruntime")
    sess = ort.InferenceSession(str(models_dir / "yolov8n.onnx"), providers=["CPUExecutionProvider"])
    cap = cv2.VideoCapture(str(vtest_avi))
    outs, infos, i = [], [], 0
    while len(outs) < len(FRAMES):
        ok, frame = cap.read()
        assert ok, f"vtest.avi ended before frame {FRAMES[len(outs)]}"
        if i in FRAMES:
            img, info = letterbox(frame)
            x = img[:, :, ::-1].transpose(2, 0, 1)[None].astype(np.float32) / 255
            outs.append(sess.run(None, {sess.get_inputs()[0].name: x})[0][0])
            infos.append(info)
        i += 1
    cap.release()
    return SimpleNamespace(out=np.stack(outs), infos=infos, names=names_from_metadata(sess))


def assert_same(det, ref, atol=1e-3):
    box, score, cls = ref
    assert len(det) == len(score)
    np.testing.assert_array_equal(det.class_ids, cls)
    np.testing.assert_allclose(det.scores, score, rtol=0, atol=0)
    np.testing.assert_allclose(det.xyxy, box, rtol=0, atol=atol)


@pytest.mark.parametrize("conf", [0.25, 0.001])
def test_yolov8n_matches_numpy_opencv(yolov8n, conf):
    for out, info in zip(yolov8n.out, yolov8n.infos):
        det = yolo(out[None], conf=conf, iou=0.45, letterbox=info, names=yolov8n.names)[0]
        assert_same(det, yolo_numpy_cv2(out, conf, 0.45, 300, info))
        assert det.xyxy.dtype == np.float32
        if conf == 0.25:
            assert 0 < len(det) < 100 and "person" in set(det.class_names)
        else:
            assert len(det) > len(yolo(out[None], conf=0.25)[0])
        assert (det.xyxy[:, 0::2] <= info.src_width).all() and (det.xyxy >= 0).all()


@pytest.mark.parametrize("conf", [0.25, 0.001])
def test_yolov8n_matches_ultralytics_port(yolov8n, conf):
    ref = ultralytics_nms(yolov8n.out.copy(), conf, 0.7)
    got = yolo(yolov8n.out, conf=conf, iou=0.7)
    for d, r in zip(got, ref):
        # Ultralytics offsets boxes by class * 7680 in float32, which can move a borderline IoU by
        # an ulp; allow a near-total match rather than bit-identity.
        assert abs(len(d) - len(r)) <= 2
        n = min(len(d), len(r), 250)
        assert np.mean(d.class_ids[:n] == r[:n, 5]) > 0.98
        np.testing.assert_allclose(d.scores[:n], r[:n, 4], atol=1e-3)


def test_batch_equals_single_and_letterbox_forms(yolov8n):
    singles = [yolo(o[None], letterbox=i)[0] for o, i in zip(yolov8n.out, yolov8n.infos)]
    batch = yolo(yolov8n.out, letterbox=yolov8n.infos)
    assert all(a == b for a, b in zip(singles, batch))
    assert isinstance(singles[0], vxfast.Detections)  # 2-D input -> one Detections
    # A single letterbox broadcasts over the batch (all frames share the geometry).
    assert all(a == b for a, b in zip(batch, yolo(yolov8n.out, letterbox=yolov8n.infos[0])))
    # Without letterbox the boxes stay in model-input pixels; mapping them by hand agrees.
    raw = yolo(yolov8n.out[:1])[0]
    np.testing.assert_allclose(unletterbox(raw.xyxy, yolov8n.infos[0]), singles[0].xyxy, atol=1e-4)


def test_transposed_and_onnxruntime_list_input(yolov8n):
    ref = yolo(yolov8n.out, conf=0.1, names=yolov8n.names)
    t = np.ascontiguousarray(yolov8n.out.transpose(0, 2, 1))
    assert all(a == b for a, b in zip(ref, yolo(t, conf=0.1, names=yolov8n.names)))
    assert all(a == b for a, b in zip(ref, yolo(t, conf=0.1, format="yolov8-transposed")))
    assert all(a == b for a, b in zip(ref, yolo([yolov8n.out], conf=0.1)))


def test_objectness_layout(yolov8n):
    """YOLOv5/YOLOX: score = objectness * class score; build such a head from real v8 outputs."""
    rng = np.random.default_rng(0)
    v8 = yolov8n.out[1].T  # [N, 84]
    obj = rng.uniform(0.2, 1.0, (len(v8), 1)).astype(np.float32)
    v5 = np.concatenate([v8[:, :4], obj, v8[:, 4:]], 1)
    det = yolo(v5[None], conf=0.2, iou=0.5, nc=80)[0]
    assert det == yolo(v5[None], conf=0.2, iou=0.5, format="yolov5")[0]
    keep_obj = v5[:, 4] > 0.2
    prod = v5[:, 5:] * v5[:, 4:5]
    cls, score = prod.argmax(1), prod.max(1)
    m = keep_obj & (score > 0.2)
    from postprocess_reference import xywh2xyxy
    boxes = xywh2xyxy(v5[m, :4])
    keep = greedy_nms(boxes, score[m], 0.5, cls[m])[:300]
    assert len(keep) > 0
    np.testing.assert_array_equal(det.class_ids, cls[m][keep])
    np.testing.assert_array_equal(det.scores, score[m][keep])
    np.testing.assert_allclose(det.xyxy, boxes[keep], atol=1e-4)


def test_end2end_export(yolov8n):
    """An end-to-end export already holds (x1, y1, x2, y2, score, class) after NMS."""
    info = yolov8n.infos[2]
    ref = yolo(yolov8n.out[2:3], conf=0.25)[0]
    e2e = np.zeros((1, 300, 6), np.float32)
    e2e[0, :len(ref), :4], e2e[0, :len(ref), 4], e2e[0, :len(ref), 5] = ref.xyxy, ref.scores, ref.class_ids
    got = yolo(e2e, conf=0.25, letterbox=info, format="end2end")[0]
    assert got == yolo(yolov8n.out[2:3], conf=0.25, letterbox=info)[0]
    assert yolo(e2e, conf=0.25, nc=80, max_det=3)[0] == ref[:3]  # [N, 6] with 80 names -> end2end
    sub = yolo(e2e, conf=0.25, format="end2end", classes=[0])[0]
    assert len(sub) and (sub.class_ids == 0).all() and len(sub) == int((ref.class_ids == 0).sum())


def test_classes_filter_and_agnostic(yolov8n):
    out = yolov8n.out[0]
    full = yolo(out[None], conf=0.05)[0]
    only = yolo(out[None], conf=0.05, classes=[0, 2])[0]
    assert set(only.class_ids) <= {0, 2}
    assert len(yolo(out[None], conf=0.05, classes=[])[0]) == 0  # an empty filter keeps nothing
    # Class-aware NMS is per class, so filtering classes keeps exactly those classes' boxes.
    assert only == full[np.isin(full.class_ids, [0, 2])]
    # Agnostic: one NMS over all candidates, against the numpy decode + reference greedy NMS.
    ag = yolo(out[None], conf=0.05, agnostic=True)[0]
    from postprocess_reference import xywh2xyxy
    scores = out[4:]
    best, cls = scores.max(0), scores.argmax(0)
    m = best > np.float32(0.05)
    boxes = xywh2xyxy(out[:4].T[m])
    keep = greedy_nms(boxes, best[m], 0.45)[:300]
    assert len(ag) < len(full)
    np.testing.assert_array_equal(ag.scores, best[m][keep])
    np.testing.assert_array_equal(ag.class_ids, cls[m][keep])
    np.testing.assert_array_equal(ag.xyxy, boxes[keep])


def test_letterbox_as_named_tuple(yolov8n):
    """LetterboxInfo may be a NamedTuple: its attributes count, not its tuple-ness."""
    from typing import NamedTuple

    class LetterboxInfo(NamedTuple):
        scale_x: float
        scale_y: float
        pad_left: float
        pad_top: float
        src_width: int
        src_height: int

    info = yolov8n.infos[1]
    nt = LetterboxInfo(info.scale_x, info.scale_y, info.pad_left, info.pad_top, info.src_width,
                       info.src_height)
    assert yolo(yolov8n.out[1:2], letterbox=nt)[0] == yolo(yolov8n.out[1:2], letterbox=info)[0]
    assert yolo(yolov8n.out[:2], letterbox=[nt, nt])[1] == yolo(yolov8n.out[1:2], letterbox=info)[0]


@pytest.mark.parametrize("level", ["scalar", "avx2", "avx512"])
def test_simd_levels_equal_scalar(yolov8n, level):
    if ["scalar", "avx2", "avx512"].index(level) > ["scalar", "avx2", "avx512"].index(
            _cpu_level()):
        pytest.skip(f"CPU lacks {level}")
    t = np.ascontiguousarray(yolov8n.out.transpose(0, 2, 1))
    for out, fmt in ((yolov8n.out, "channels_first"), (t, "channels_last")):
        args = (fmt, 80, 0.001, 0.45, 300, False, [], None, 0)
        a = _core.postprocess.yolo_decode(out, *args, simd="scalar")
        b = _core.postprocess.yolo_decode(out, *args, simd=level)
        for x, y in zip(a, b):
            for u, v in zip(x, y):
                np.testing.assert_array_equal(u, v)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 200), st.integers(1, 40), st.integers(1, 5), st.integers(0, 2**32 - 1),
       st.sampled_from(["scalar", "avx2", "avx512"]), st.booleans(), st.booleans())
def test_class_scan_kernels_vs_numpy(n, nc, levels, seed, level, transposed, negative):
    """Best class (first maximum on ties) and strict > conf, both layouts, on odd sizes, heavily
    tied and (raw logits) partly negative scores."""
    if ["scalar", "avx2", "avx512"].index(level) > ["scalar", "avx2", "avx512"].index(
            _cpu_level()):
        level = _cpu_level()
    rng = np.random.default_rng(seed)
    out = np.empty((1, 4 + nc, n), np.float32)
    out[0, :2] = rng.uniform(0, 640, (2, n))
    out[0, 2:4] = rng.uniform(1, 50, (2, n))
    out[0, 4:] = rng.integers(0, levels + 1, (nc, n)) / levels - (0.5 if negative else 0.0)
    conf = float(rng.choice([0.0, 0.5, 1.0 / levels, 0.999]))
    if transposed:
        got = _core.postprocess.yolo_decode(np.ascontiguousarray(out.transpose(0, 2, 1)), "channels_last", nc,
                                conf, 1.0, -1, True, [], None, 0, simd=level)[0]
    else:
        got = _core.postprocess.yolo_decode(out, "channels_first", nc, conf, 1.0, -1, True, [], None, 0,
                                simd=level)[0]
    boxes, scores, cls, _ = got
    s = out[0, 4:]
    best, arg = s.max(0), s.argmax(0)
    m = best > np.float32(conf)
    # IoU threshold 1.0 suppresses nothing, so survivors are all candidates, by score then anchor.
    order = np.lexsort((np.flatnonzero(m), -best[m]))
    np.testing.assert_array_equal(scores, best[m][order])
    np.testing.assert_array_equal(cls, arg[m][order])


def test_pose_keypoints_mapped(yolov8n):
    """A YOLOv8-pose head: [4 + 1 + 17*3, N]; keypoints are mapped like boxes, visibility kept."""
    rng = np.random.default_rng(3)
    v8 = yolov8n.out[0]
    n = v8.shape[1]
    kpts = np.empty((17, 3, n), np.float32)
    kpts[:, 0] = v8[0] + rng.uniform(-20, 20, (17, n))
    kpts[:, 1] = v8[1] + rng.uniform(-40, 40, (17, n))
    kpts[:, 2] = rng.random((17, n))
    head = np.concatenate([v8[:5], kpts.reshape(51, n)], 0)  # box + person score + keypoints
    info = yolov8n.infos[0]
    det = yolo_pose(head[None], conf=0.25, iou=0.7, letterbox=info, names={0: "person"})[0]
    ref = yolo(v8[None, :5], conf=0.25, iou=0.7, letterbox=info)[0]
    assert len(det) > 0 and det.keypoints.shape == (len(det), 17, 3)
    np.testing.assert_array_equal(det.xyxy, ref.xyxy)
    plain = yolo_pose(head[None], conf=0.25, iou=0.7)[0]  # model-input pixels: find each box's anchor
    cx = (plain.xyxy[:, 0] + plain.xyxy[:, 2]) / 2
    anchors = [int(np.flatnonzero((v8[4] == s) & (np.abs(v8[0] - x) < 1e-3))[0])
               for s, x in zip(plain.scores, cx)]
    raw = kpts[:, :, anchors].transpose(2, 0, 1)  # [n, 17, 3]
    np.testing.assert_allclose(det.keypoints[..., :2], unletterbox(raw[..., :2], info), atol=1e-4)
    np.testing.assert_array_equal(det.keypoints[..., 2], raw[..., 2])
    assert list(det.class_names) == ["person"] * len(det)


def test_detections_api(yolov8n):
    det = yolo(yolov8n.out[:1], conf=0.25, names=yolov8n.names, letterbox=yolov8n.infos[0])[0]
    assert len(det) == len(det.scores) == len(list(det))
    first = next(iter(det))
    assert first.name == yolov8n.names[first.class_id] and first.score == det.scores[0]
    assert len(det[0]) == 1 and len(det[:3]) == 3 and len(det[det.scores > 0.5]) == int((det.scores > 0.5).sum())
    assert det[[2, 0]].scores[1] == det.scores[0]
    assert (det.area > 0).all()
    assert "Detections(n=" in repr(det)
    assert len(vxfast.Detections.empty()) == 0
    try:
        import supervision  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="supervision"):
            det.to_supervision()
    else:
        sv = det.to_supervision()
        np.testing.assert_array_equal(sv.xyxy, det.xyxy)
        assert list(sv.data["class_name"]) == list(det.class_names)


def test_names_come_from_metadata(yolov8n):
    assert yolov8n.names[0] == "person" and len(yolov8n.names) == 80
    assert names_from_metadata({"names": "['a', 'b']"}) == {0: "a", 1: "b"}
    with pytest.raises(ValueError, match="names"):
        names_from_metadata({})


def test_invalid_input(yolov8n):
    out = yolov8n.out[:1]
    with pytest.raises(ValueError, match="rank"):
        yolo(out[0, 0])
    # One return type: a batch in, a list out; one image's [C, N] is refused with a hint.
    with pytest.raises(ValueError, match=r"output\[None\]"):
        yolo(out[0])
    with pytest.raises(ValueError, match="conf must be in"):
        yolo(out, conf=1.5)
    with pytest.raises(ValueError, match="conf must be in"):
        yolo(out, conf=-0.1)
    with pytest.raises(ValueError, match="iou must be in"):
        yolo(out, iou=float("nan"))
    with pytest.raises(ValueError, match="cannot hold 90 classes"):
        yolo(out, format="yolov8", nc=90)
    with pytest.raises(ValueError, match="cannot tell the layout"):
        yolo(np.zeros((1, 8400, 84), np.float32))
    with pytest.raises(ValueError, match="format must be"):
        yolo(out, format="yolov9000")
    with pytest.raises(ValueError, match="float array"):
        yolo(out.astype(np.int32))
    with pytest.raises(ValueError, match="letterbox"):
        yolo(out, letterbox=object())
    with pytest.raises(ValueError, match="letterbox gives 2 entries"):
        yolo(out, letterbox=yolov8n.infos[:2])
    with pytest.raises(ValueError, match="scale_x"):
        yolo(out, letterbox=SimpleNamespace(scale_x=0, scale_y=1, pad_left=0, pad_top=0,
                                            src_width=1, src_height=1))
    for bad in (np.nan, np.inf, -np.inf):
        x = out.copy()
        x[0, 40, 1234] = bad
        with pytest.raises(ValueError, match="NaN or infinite class scores"):
            yolo(x)
        with pytest.raises(ValueError, match="NaN or infinite class scores"):
            yolo(np.ascontiguousarray(x.transpose(0, 2, 1)), format="yolov8-transposed")
    x = out.copy()
    x[0, 4, :] = 0.9
    x[0, 2, 7] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite box"):
        yolo(x)
    # Empty outputs give empty results, not errors.
    for empty in (np.zeros((1, 84, 0), np.float32), np.zeros((0, 84, 8400), np.float32)):
        assert all(len(d) == 0 for d in yolo(empty))
    assert len(yolo(np.zeros((1, 84, 0), np.float32))[0]) == 0
    assert len(yolo(np.zeros((1, 300, 6), np.float32), format="end2end")[0]) == 0
    # conf = 1 keeps nothing (strictly greater), conf = 0 keeps any positive score.
    assert len(yolo(out, conf=1.0)[0]) == 0
    assert len(yolo(out, conf=0.0, max_det=5)[0]) == 5
