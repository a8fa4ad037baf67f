"""vxfast.quantize: static QDQ INT8 of the real YOLOv8n, calibrated on vtest.avi frames."""
from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import vxfast
from vxfast.model.quantization import detection_agreement, read_frames


def test_already_quantized_model_is_refused(models_dir, vtest_avi, tmp_path):
    with pytest.raises(vxfast.ModelError, match="already quantized.*ConvInteger"):
        vxfast.quantize(models_dir / "yolov8n-int8-dynamicquant.onnx", vtest_avi, tmp_path / "q.onnx")


def test_detection_agreement_counts_matches(models_dir, vtest_avi):
    sess = ort.InferenceSession(str(models_dir / "yolov8n.onnx"), providers=["CPUExecutionProvider"])
    x = read_frames(vtest_avi, [30], 640)
    (out,) = sess.run(None, {"images": x})
    assert detection_agreement(out, out) == (1.0, 1.0, 1.0)
    # Shift every box by far more than its size: nothing matches any more.
    moved = out.copy()
    moved[:, 0] += 300.0
    p, r, f1 = detection_agreement(out, moved)
    assert r < 0.5 and f1 < 0.6


def test_quantize_writes_qdq_model_and_report(models_dir, vtest_avi, tmp_path):
    out = tmp_path / "yolov8n-int8.onnx"
    r = vxfast.quantize(models_dir / "yolov8n.onnx", vtest_avi, out, frames=6, heldout=3,
                        bench_iters=2)
    q = onnx.load(str(out))
    ops = {n.op_type for n in q.graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops and "ConvInteger" not in ops
    assert {p.key: p.value for p in q.metadata_props}["task"] == "detect"
    assert r.excluded_nodes > 0 and not set(r.calibration_frames) & set(r.heldout_frames)
    saved = json.loads(out.with_suffix(".json").read_text())
    assert saved["speedup"] == pytest.approx(r.speedup) and saved["output"] == str(out)
    assert r.detection_f1 is not None and r.detection_f1 > 0.5  # loose: 6 calibration frames only
    assert r.slower == (r.speedup <= 1.0)
    # The INT8 file is a normal vxfast model.
    with vxfast.Model(out, providers="cpu", warmup=0) as m:
        assert m.info.names[0] == "person"
        assert np.isfinite(m(read_frames(vtest_avi, [5], 640))[0]).all()
