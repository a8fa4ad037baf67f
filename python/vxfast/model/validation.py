"""``vxfast.validate``: does an optimised / converted model still give the original's answers?

Both models see the same frames, drawn across the video by vxfast's own reader and fused letterbox
(:func:`.quantization.read_frames`), i.e. exactly what inference sees. Raw outputs are compared
element-wise; detections are decoded by :func:`vxfast.postprocess.yolo` (the decoder vxfast users
run) and matched at IoU 0.5 with the same class; speed is the median of interleaved batch-1 runs of
both in the same process.
"""
from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .metadata import parse_metadata
from .optimization import input_feed, interleaved_median_ms, load_onnx
from .quantization import count_frames, match_detections, read_frames


@dataclass
class ValidationReport:
    original: str
    optimized: str
    video: str
    frames: list[int]
    outputs: list[str]
    max_abs_diff: float
    mean_abs_diff: float
    detection_precision: float | None
    detection_recall: float | None
    detection_f1: float | None
    detections_original: int | None
    detections_optimized: int | None
    original_ms: float
    optimized_ms: float
    speedup: float
    min_f1: float
    passed: bool  #: detection F1 >= min_f1 (no detect head: outputs finite and same shapes)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def _session(path: Path, providers: Sequence[str]):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), so, providers=list(providers))
    except Exception as e:  # noqa: BLE001 - onnxruntime's Fail/InvalidGraph/NotImplemented
        raise ModelError(f"model {path}: onnxruntime cannot load it ({str(e).splitlines()[0]})") \
            from None


def _detections(outs: np.ndarray, conf: float, iou: float) -> list[tuple]:
    from ..postprocess import yolo

    dets = yolo(np.ascontiguousarray(outs, dtype=np.float32), conf=conf, iou=iou)
    assert isinstance(dets, list)  # a 3-D batch always decodes to one Detections per image
    return [(d.xyxy, d.scores, d.class_ids) for d in dets]


def validate(original: str | os.PathLike, optimized: str | os.PathLike, video: str | os.PathLike,
             *, frames: int = 8, bench_iters: int = 5, min_f1: float = 0.9, conf: float = 0.25,
             iou: float = 0.45, match_iou: float = 0.5,
             providers: Sequence[str] = ("CPUExecutionProvider",),
             report_path: str | os.PathLike | None = None) -> ValidationReport:
    """Run ``original`` and ``optimized`` on ``frames`` frames spread over ``video``; compare them.

    Returns max/mean absolute difference over every output, detection precision/recall/F1 of the
    optimised model's detections against the original's (detect models: conf ``conf``, NMS ``iou``,
    matched at ``match_iou`` with the same class), the median batch-1 ms of each on ``providers``
    (same run, interleaved), and ``passed`` = F1 >= ``min_f1``. Writes the JSON report to
    ``report_path`` when given. Raises ModelError (naming the file) for an unreadable model or
    models whose inputs/outputs do not correspond.
    """
    if frames < 1:
        raise ValueError(f"frames: must be >= 1, got {frames}")
    if not 0.0 <= min_f1 <= 1.0:
        raise ValueError(f"min_f1: must be in [0, 1], got {min_f1}")
    src, proto = load_onnx(original)
    opt_path, _ = load_onnx(optimized)
    meta = parse_metadata({p.key: p.value for p in proto.metadata_props})
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    size = meta.imgsz[0] if meta.imgsz else (dims[2].dim_value if len(dims) == 4 and
                                             dims[2].dim_value > 0 else 640)
    ref_s, new_s = _session(src, providers), _session(opt_path, providers)
    ref_out, new_out = [o.name for o in ref_s.get_outputs()], [o.name for o in new_s.get_outputs()]
    if len(ref_out) != len(new_out):
        raise ModelError(f"model {opt_path}: {len(new_out)} outputs, the original {src} has "
                         f"{len(ref_out)}; they are not the same model")

    total = count_frames(video)
    if total < 1:
        raise ModelError(f"video {video}: no frames")
    idx = np.unique(np.linspace(0, total - 1, min(frames, total)).round().astype(int))
    x = read_frames(video, idx.tolist(), size)
    ref_feeds = [input_feed(ref_s, x[i:i + 1]) for i in range(len(x))]
    new_feeds = [input_feed(new_s, x[i:i + 1]) for i in range(len(x))]
    try:
        ref = [ref_s.run(None, f) for f in ref_feeds]
        new = [new_s.run(None, f) for f in new_feeds]
    except Exception as e:  # noqa: BLE001 - onnxruntime reports a shape/type mismatch this way
        raise ModelError(f"model {opt_path}: could not run on the frames the original "
                         f"{src} takes ({str(e).splitlines()[0]})") from None
    notes: list[str] = []
    max_d, sum_d, count = 0.0, 0.0, 0
    for r_frame, n_frame in zip(ref, new):
        for k, (a, b) in enumerate(zip(r_frame, n_frame)):
            if a.shape != b.shape:
                raise ModelError(f"model {opt_path}: output {new_out[k]!r} has shape {b.shape}, "
                                 f"the original's {ref_out[k]!r} {a.shape}")
            d = np.abs(a.astype(np.float64) - b.astype(np.float64))
            max_d, sum_d, count = max(max_d, float(d.max())), sum_d + float(d.sum()), count + d.size
    finite = all(np.isfinite(o).all() for frame in new for o in frame)
    if not finite:
        notes.append("the optimised model produced NaN/inf")

    p = r = f1 = None
    n_ref = n_new = None
    first_ref = np.concatenate([f[0] for f in ref])
    is_yolo = first_ref.ndim == 3 and 5 <= first_ref.shape[1] < first_ref.shape[2]
    if meta.task in ("detect", None) and is_yolo:
        ref_d = _detections(first_ref, conf, iou)
        new_d = _detections(np.concatenate([f[0] for f in new]), conf, iou)
        p, r, f1 = match_detections(ref_d, new_d, match_iou)
        n_ref, n_new = sum(len(d[0]) for d in ref_d), sum(len(d[0]) for d in new_d)
        if n_ref == 0:
            notes.append("the original found no detections on these frames: F1 says little; "
                         "pick a busier video or more frames")
    else:
        notes.append("no YOLO detection output: compared raw outputs only")

    ref_ms, new_ms = interleaved_median_ms([ref_s, new_s], [ref_feeds, new_feeds], bench_iters)
    speedup = ref_ms / new_ms
    if speedup < 1.0:
        notes.append(f"the optimised model is SLOWER here ({speedup:.2f}x, {', '.join(providers)}, "
                     f"median of {max(1, bench_iters)} interleaved runs; a few % is noise)")
    passed = finite and (f1 is None or f1 >= min_f1)
    report = ValidationReport(
        original=str(src), optimized=str(opt_path), video=str(video), frames=[int(i) for i in idx],
        outputs=ref_out, max_abs_diff=max_d, mean_abs_diff=sum_d / max(count, 1),
        detection_precision=p, detection_recall=r, detection_f1=f1, detections_original=n_ref,
        detections_optimized=n_new, original_ms=ref_ms, optimized_ms=new_ms, speedup=speedup,
        min_f1=min_f1, passed=passed, notes=notes)
    if report_path:
        Path(report_path).write_text(report.to_json() + "\n")
    return report
