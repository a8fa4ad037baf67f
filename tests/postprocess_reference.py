"""Plain numpy / OpenCV references for the postprocess tests and bench (no vxfast code inside).

- ``letterbox``: cv2.resize INTER_LINEAR + centred 114 padding, with the info vxfast needs.
- ``greedy_nms``: torchvision's greedy NMS, one box at a time, float32 IoU.
- ``yolo_numpy_cv2``: the common numpy + cv2.dnn.NMSBoxesBatched YOLOv8 decode.
- ``ultralytics_nms``: a torch-free port of Ultralytics' ``non_max_suppression`` (v8 head).
- ``retinaface_numpy``: biubug6's prior box + decode, written out in numpy.
"""
from __future__ import annotations

from math import ceil
from types import SimpleNamespace

import cv2
import numpy as np


def letterbox(img: np.ndarray, size: int = 640, pad_value: int = 114):
    h, w = img.shape[:2]
    r = min(size / h, size / w)
    nw, nh = int(round(w * r)), int(round(h * r))
    left, top = (size - nw) // 2, (size - nh) // 2
    out = np.full((size, size, img.shape[2]), pad_value, dtype=img.dtype)
    out[top:top + nh, left:left + nw] = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    info = SimpleNamespace(scale_x=nw / w, scale_y=nh / h, pad_left=left, pad_top=top,
                           src_width=w, src_height=h)
    return out, info


def unletterbox(xy: np.ndarray, info) -> np.ndarray:
    """Inverse letterbox on [..., 2k] interleaved x, y columns, float32, clipped."""
    xy = xy.astype(np.float32).copy()
    xy[..., 0::2] = np.clip((xy[..., 0::2] - np.float32(info.pad_left)) / np.float32(info.scale_x),
                            0, np.float32(info.src_width))
    xy[..., 1::2] = np.clip((xy[..., 1::2] - np.float32(info.pad_top)) / np.float32(info.scale_y),
                            0, np.float32(info.src_height))
    return xy


def greedy_nms(boxes: np.ndarray, scores: np.ndarray, thr: float, classes=None) -> np.ndarray:
    """torchvision.ops.nms (or batched_nms with classes), literally: visit by score, suppress."""
    dt = boxes.dtype
    n = len(scores)
    order = np.argsort(-scores.astype(np.float64), kind="stable")
    x1, y1, x2, y2 = (boxes[:, k] for k in range(4))
    areas = (x2 - x1) * (y2 - y1)
    suppressed = np.zeros(n, bool)
    keep = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for a in range(n):
            i = order[a]
            if suppressed[i]:
                continue
            keep.append(i)
            for b in range(a + 1, n):
                j = order[b]
                if suppressed[j] or (classes is not None and classes[j] != classes[i]):
                    continue
                w = max(dt.type(0), min(x2[i], x2[j]) - max(x1[i], x1[j]))
                h = max(dt.type(0), min(y2[i], y2[j]) - max(y1[i], y1[j]))
                inter = dt.type(w * h)
                ovr = inter / (areas[i] + areas[j] - inter)
                if float(ovr) > thr:
                    suppressed[j] = True
    return np.array(keep, dtype=np.int64)


def xywh2xyxy(x: np.ndarray) -> np.ndarray:
    y = np.empty_like(x)
    dw, dh = x[..., 2] / 2, x[..., 3] / 2
    y[..., 0], y[..., 1] = x[..., 0] - dw, x[..., 1] - dh
    y[..., 2], y[..., 3] = x[..., 0] + dw, x[..., 1] + dh
    return y


def yolo_numpy_cv2(out: np.ndarray, conf: float, iou: float, max_det: int = 300, info=None):
    """out: one image's [4+nc, N]. Returns xyxy (float32), scores, class ids."""
    pred = out.T
    scores_all = pred[:, 4:]
    cls = scores_all.argmax(1)
    score = scores_all[np.arange(len(cls)), cls]
    m = score > conf
    cls, score, box = cls[m], score[m], xywh2xyxy(pred[m, :4])
    xywh = np.concatenate([box[:, :2], box[:, 2:] - box[:, :2]], 1)
    idx = cv2.dnn.NMSBoxesBatched(xywh.tolist(), score.tolist(), cls.tolist(), conf, iou)
    idx = np.asarray(idx, dtype=np.int64).reshape(-1)[:max_det]
    box = box[idx]
    if info is not None:
        box = unletterbox(box, info)
    return box, score[idx], cls[idx].astype(np.int64)


def ultralytics_nms(prediction: np.ndarray, conf_thres: float = 0.25, iou_thres: float = 0.45,
                    agnostic: bool = False, max_det: int = 300, max_nms: int = 30000,
                    max_wh: int = 7680) -> list[np.ndarray]:
    """Ultralytics ``ops.non_max_suppression`` for a [B, 4+nc, N] head, torch replaced by numpy
    (torchvision.ops.nms by the usual vectorised numpy greedy loop). Returns [n, 6] per image."""
    bs, nc = prediction.shape[0], prediction.shape[1] - 4
    mi = 4 + nc
    xc = prediction[:, 4:mi].max(1) > conf_thres
    prediction = prediction.transpose(0, 2, 1)
    prediction = np.concatenate([xywh2xyxy(prediction[..., :4]), prediction[..., 4:]], -1)
    output = [np.zeros((0, 6), np.float32)] * bs
    for xi, x in enumerate(prediction):
        x = x[xc[xi]]
        if not x.shape[0]:
            continue
        box, cls = x[:, :4], x[:, 4:mi]
        j = cls.argmax(1)
        conf = cls[np.arange(len(j)), j]
        x = np.concatenate([box, conf[:, None], j[:, None].astype(np.float32)], 1)[conf > conf_thres]
        n = x.shape[0]
        if not n:
            continue
        if n > max_nms:
            x = x[np.argsort(-x[:, 4], kind="stable")[:max_nms]]
        c = x[:, 5:6] * (0 if agnostic else max_wh)
        i = _numpy_nms(x[:, :4] + c, x[:, 4], iou_thres)[:max_det]
        output[xi] = x[i]
    return output


def _numpy_nms(boxes: np.ndarray, scores: np.ndarray, thr: float) -> np.ndarray:
    x1, y1, x2, y2 = boxes.T
    areas = (x2 - x1) * (y2 - y1)
    order = np.argsort(-scores, kind="stable")
    keep = []
    while order.size:
        i = order[0]
        keep.append(i)
        rest = order[1:]
        w = np.maximum(0, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]))
        h = np.maximum(0, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]))
        inter = w * h
        ovr = inter / (areas[i] + areas[rest] - inter)
        order = rest[ovr <= thr]
    return np.array(keep, dtype=np.int64)


def retinaface_priors(w: int, h: int, steps=(8, 16, 32),
                      min_sizes=((16, 32), (64, 128), (256, 512))) -> np.ndarray:
    anchors = []
    for step, sizes in zip(steps, min_sizes):
        for i in range(ceil(h / step)):
            for j in range(ceil(w / step)):
                for ms in sizes:
                    anchors += [(j + 0.5) * step / w, (i + 0.5) * step / h, ms / w, ms / h]
    return np.array(anchors, dtype=np.float32).reshape(-1, 4)


def retinaface_numpy(out: np.ndarray, w: int, h: int, conf: float, iou: float, max_det: int,
                     info=None, variances=(0.1, 0.2), logits=True):
    """biubug6 detect.py's decode on one image's [priors, 16], NMS by greedy_nms."""
    pri = retinaface_priors(w, h)
    v0, v1 = np.float32(variances[0]), np.float32(variances[1])
    loc, landm = out[:, :4], out[:, 6:16]
    logit = out[:, 4:6]
    if logits:
        e = np.exp(logit - logit.max(1, keepdims=True))
        score = e[:, 1] / (e[:, 0] + e[:, 1])
    else:
        score = logit[:, 1]
    cxcy = pri[:, :2] + loc[:, :2] * v0 * pri[:, 2:]
    wh = pri[:, 2:] * np.exp(loc[:, 2:] * v1)
    x1y1 = cxcy - wh / 2
    boxes = np.concatenate([x1y1, wh + x1y1], 1) * np.array([w, h, w, h], np.float32)
    lm = np.concatenate([pri[:, :2] + landm[:, 2 * k:2 * k + 2] * v0 * pri[:, 2:] for k in range(5)], 1)
    lm = lm * np.tile(np.array([w, h], np.float32), 5)
    m = score > conf
    boxes, score, lm = boxes[m], score[m], lm[m]
    keep = greedy_nms(boxes, score, iou)[:max_det]
    boxes, score, lm = boxes[keep], score[keep], lm[keep]
    if info is not None:
        boxes, lm = unletterbox(boxes, info), unletterbox(lm, info)
    return boxes, score, lm.reshape(-1, 5, 2)
