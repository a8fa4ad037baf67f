"""``vxfast.quantize``: static QDQ INT8 quantization calibrated on frames of the user's own video.

Why static QDQ: on AVX-512-VNNI CPUs onnxruntime's *dynamic* quantization of a conv net (ConvInteger)
is slower than FP32, while static QDQ with calibrated activation ranges runs on the VNNI int8 kernels.
Why keep the YOLO head's decode in float: the final Concat joins box coordinates (0..640) with class
scores (0..1); one int8 scale for both wipes the scores out. Only the head's non-Conv nodes (DFL,
Concat, Sigmoid, Mul/Add of the decode) stay float; its convolutions are still int8.

The calibration frames come from :func:`read_frames`: vxfast's own reader and fused letterbox, so
calibration sees exactly the tensors inference will see.
"""
from __future__ import annotations

import json
import os
import re
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .metadata import parse_metadata
from .resolve import resolve_model

_QUANT_OPS = {"QuantizeLinear", "DequantizeLinear", "ConvInteger", "MatMulInteger", "QLinearConv",
              "QLinearMatMul", "DynamicQuantizeLinear"}


@dataclass
class QuantizeReport:
    source: str
    output: str
    method: str
    per_channel: bool
    exclude_head: bool
    symmetric_activations: bool
    calibration_frames: list[int]
    heldout_frames: list[int]
    excluded_nodes: int
    fp32_ms: float
    int8_ms: float
    speedup: float
    max_abs_diff: float
    mean_abs_diff: float
    detection_f1: float | None
    detection_precision: float | None
    detection_recall: float | None
    slower: bool
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def read_frames(video: str | os.PathLike, indices: Sequence[int], size: int) -> np.ndarray:
    """Letterboxed float32 RGB NCHW tensors in [0, 1] of the given frame indices, made by vxfast's own
    reader and fused preprocessing, so calibration sees exactly what inference will see."""
    from ..errors import VideoError
    from ..preprocessing import Letterbox
    from ..video import VideoReader

    try:
        with VideoReader(video) as r:
            frames = r.get_frames_at([int(i) for i in indices], preprocess=Letterbox(size))
    except VideoError as e:
        raise ModelError(f"video {video}: {e}") from None
    return np.stack([f.data for f in frames])


def count_frames(video: str | os.PathLike) -> int:
    from ..video import VideoReader

    with VideoReader(video) as r:
        return int(r.info.frame_count)


def head_decode_nodes(model) -> list[str]:
    """Names of the non-Conv nodes of the last ``/model.N/`` block (the YOLO head's decode)."""
    blocks = [int(m.group(1)) for n in model.graph.node
              if (m := re.match(r"/model\.(\d+)/", n.name))]
    if not blocks:
        return []
    prefix = f"/model.{max(blocks)}/"
    return [n.name for n in model.graph.node if n.name.startswith(prefix) and n.op_type != "Conv"]


def _decode(out: np.ndarray, conf: float = 0.25, iou: float = 0.45):
    """YOLOv8 [4+nc, N] -> (xyxy, score, cls) through vxfast's own decode + class-aware NMS."""
    from ..postprocess import yolo

    d = yolo(np.ascontiguousarray(out, dtype=np.float32)[None], conf=conf, iou=iou,
             format="channels_first", nc=out.shape[0] - 4)[0]
    return d.xyxy, d.scores, d.class_ids


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    tl = np.maximum(a[:, None, :2], b[None, :, :2])
    br = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(br - tl, 0, None), axis=2)
    area = lambda x: np.prod(x[:, 2:] - x[:, :2], axis=1)  # noqa: E731
    return inter / (area(a)[:, None] + area(b)[None, :] - inter + 1e-9)


def detection_agreement(ref_outs: np.ndarray, new_outs: np.ndarray,
                        iou_thr: float = 0.5) -> tuple[float, float, float]:
    """(precision, recall, F1) of ``new`` detections against ``ref`` (greedy same-class IoU match)."""
    return match_detections([_decode(r) for r in ref_outs], [_decode(n) for n in new_outs], iou_thr)


def match_detections(ref: Sequence[tuple], new: Sequence[tuple],
                     iou_thr: float = 0.5) -> tuple[float, float, float]:
    """(precision, recall, F1) of ``new`` against ``ref``, each one ``(xyxy, scores, class_ids)`` per
    image: highest-scoring new boxes first, each matched to the unmatched same-class reference box of
    highest IoU when that IoU is >= ``iou_thr``. Nothing on either side counts as perfect agreement."""
    tp = fp = fn = 0
    for (rb, _, rc), (nb, ns, nc) in zip(ref, new):
        rb, rc, nb, ns, nc = (np.asarray(a) for a in (rb, rc, nb, ns, nc))
        matched = np.zeros(len(rb), bool)
        for j in np.argsort(-ns):
            if len(rb):
                ious = _iou(nb[j:j + 1], rb)[0]
                ious[(rc != nc[j]) | matched] = 0
                k = int(ious.argmax())
                if ious[k] >= iou_thr:
                    matched[k] = True
                    tp += 1
                    continue
            fp += 1
        fn += int((~matched).sum())
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _median_ms(sess, name: str, x: np.ndarray, iters: int) -> float:
    sess.run(None, {name: x[:1]})
    times = []
    for i in range(iters):
        t = time.perf_counter()
        sess.run(None, {name: x[i % len(x):i % len(x) + 1]})
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def quantize(model: str | os.PathLike, calibrate: str | os.PathLike,
             output: str | os.PathLike | None = None, *, frames: int = 24, heldout: int = 8,
             method: str = "percentile", per_channel: bool = True, exclude_head: bool = True,
             symmetric_activations: bool = False, bench_iters: int = 10,
             report_path: str | os.PathLike | None = None) -> QuantizeReport:
    """Static QDQ INT8 quantization of ``model`` calibrated on ``frames`` frames spread over
    ``calibrate``; measures speed vs the original and agreement on ``heldout`` other frames.

    Refuses (``ModelError``) an already-quantized model. Never hides a slowdown: ``report.slower``
    is set and a note added when the INT8 model is not faster. Writes ``output`` (default
    ``<model>-int8.onnx`` beside it) and the JSON report (default ``<output>.json``).
    """
    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    src = resolve_model(model)
    if src.suffix != ".onnx":
        raise ModelError(f"model {src.name}: only ONNX models can be quantized")
    methods = {"minmax": CalibrationMethod.MinMax, "entropy": CalibrationMethod.Entropy,
               "percentile": CalibrationMethod.Percentile}
    if method not in methods:
        raise ValueError(f"method: {method!r} is not one of {sorted(methods)}")
    if frames < 1 or heldout < 1:
        raise ValueError(f"frames and heldout must be >= 1, got {frames} and {heldout}")
    proto = onnx.load(str(src))
    quant_nodes = sorted({n.op_type for n in proto.graph.node if n.op_type in _QUANT_OPS})
    if quant_nodes:
        raise ModelError(f"model {src.name}: already quantized (has {', '.join(quant_nodes)}); "
                         "quantize the FP32 original instead")
    input_vi = proto.graph.input[0]
    dims = [d.dim_value for d in input_vi.type.tensor_type.shape.dim]
    meta = parse_metadata({p.key: p.value for p in proto.metadata_props})
    size = meta.imgsz[0] if meta.imgsz else (dims[2] if len(dims) == 4 and dims[2] > 0 else 640)

    total = count_frames(calibrate)
    if total < frames + heldout:
        raise ModelError(f"calibration video {calibrate}: {total} frames, need {frames + heldout}")
    spread = np.linspace(0, total - 1, frames + heldout).round().astype(int)
    held_idx = spread[1::max(1, (frames + heldout) // heldout)][:heldout]
    calib_idx = np.array([i for i in spread if i not in set(held_idx)])[:frames]
    calib = read_frames(calibrate, calib_idx.tolist(), size)
    held = read_frames(calibrate, held_idx.tolist(), size)

    out_path = Path(output) if output else src.with_name(f"{src.stem}-int8.onnx")
    excluded = head_decode_nodes(proto) if exclude_head else []
    notes: list[str] = []

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._it = iter(calib)

        def get_next(self):
            x = next(self._it, None)
            return None if x is None else {input_vi.name: x[None]}

    with tempfile.TemporaryDirectory() as tmp:
        prep = Path(tmp) / "prep.onnx"
        try:
            quant_pre_process(str(src), str(prep), skip_symbolic_shape=True)
        except Exception as e:  # noqa: BLE001 - optional step; quantize the original instead
            notes.append(f"pre-processing skipped: {str(e).splitlines()[0]}")
            prep = src
        quantize_static(str(prep), str(out_path), Reader(), quant_format=QuantFormat.QDQ,
                        per_channel=per_channel, activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8, nodes_to_exclude=excluded,
                        calibrate_method=methods[method],
                        extra_options={"ActivationSymmetric": symmetric_activations})
    # Keep the Ultralytics metadata so the quantized file reads like the original.
    qproto = onnx.load(str(out_path))
    del qproto.metadata_props[:]
    for p in proto.metadata_props:
        qproto.metadata_props.add(key=p.key, value=p.value)
    onnx.save(qproto, str(out_path))

    so = ort.SessionOptions()
    so.log_severity_level = 3
    fp32 = ort.InferenceSession(str(src), so, providers=["CPUExecutionProvider"])
    int8 = ort.InferenceSession(str(out_path), so, providers=["CPUExecutionProvider"])
    name = input_vi.name
    ref = np.concatenate([fp32.run(None, {name: held[i:i + 1]})[0] for i in range(len(held))])
    new = np.concatenate([int8.run(None, {name: held[i:i + 1]})[0] for i in range(len(held))])
    diff = np.abs(ref.astype(np.float64) - new)
    f1 = prec = rec = None
    if meta.task == "detect" and ref.ndim == 3 and ref.shape[1] >= 5:
        prec, rec, f1 = detection_agreement(ref, new)
    fp32_ms = _median_ms(fp32, name, held, bench_iters)
    int8_ms = _median_ms(int8, name, held, bench_iters)
    speedup = fp32_ms / int8_ms
    if speedup <= 1.0:
        notes.append(f"INT8 is SLOWER than FP32 here ({speedup:.2f}x); keep the original")
    report = QuantizeReport(
        source=str(src), output=str(out_path), method=method, per_channel=per_channel,
        exclude_head=exclude_head, symmetric_activations=symmetric_activations,
        calibration_frames=[int(i) for i in calib_idx], heldout_frames=[int(i) for i in held_idx],
        excluded_nodes=len(excluded), fp32_ms=fp32_ms, int8_ms=int8_ms, speedup=speedup,
        max_abs_diff=float(diff.max()), mean_abs_diff=float(diff.mean()), detection_f1=f1,
        detection_precision=prec, detection_recall=rec, slower=speedup <= 1.0, notes=notes)
    rp = Path(report_path) if report_path else out_path.with_suffix(".json")
    rp.write_text(report.to_json() + "\n")
    return report
