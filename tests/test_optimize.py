"""vxfast.optimize / vxfast.validate on the real YOLOv8n and vtest.avi frames.

References: onnxruntime running the untouched original on the same letterboxed frames, and the
greedy same-class IoU matcher (whose own test lives in test_model_quantize.py)."""
from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import vxfast
from vxfast.cli import main
from vxfast.model.quantization import detection_agreement, read_frames

FRAMES = [40, 170, 300]  # busy frames of vtest.avi (people walking)


@pytest.fixture(scope="module")
def yolo(models_dir):
    return models_dir / "yolov8n.onnx"


@pytest.fixture(scope="module")
def frames(vtest_avi):
    return read_frames(vtest_avi, FRAMES, 640)


@pytest.fixture(scope="module")
def optimized_all(yolo, tmp_path_factory):
    out = tmp_path_factory.mktemp("opt") / "yolov8n-all.onnx"
    return vxfast.optimize(yolo, opt_level="all", out=out, bench_iters=1)


@pytest.fixture(scope="module")
def fp16(yolo, tmp_path_factory):
    out = tmp_path_factory.mktemp("fp16") / "yolov8n-fp16.onnx"
    return vxfast.optimize(yolo, fp16=True, out=out, bench_iters=1)


def _run(path, x):
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return np.concatenate([sess.run(None, {"images": x[i:i + 1]})[0] for i in range(len(x))])


def _meta(path):
    return {p.key: p.value for p in onnx.load(str(path)).metadata_props}


def test_opt_level_all_keeps_metadata_and_outputs(yolo, optimized_all, frames):
    r = optimized_all
    assert r.opt_level == "all" and not r.fp16 and r.nodes_after < r.nodes_before
    assert r.hardware_specific  # NCHWc ops: the report must say the file is tied to this CPU
    assert any("this machine only" in n for n in r.notes)
    src_meta = _meta(yolo)
    for key in ("names", "imgsz", "stride", "task"):
        assert _meta(r.output)[key] == src_meta[key]
    np.testing.assert_allclose(_run(r.output, frames), _run(yolo, frames), atol=1e-4, rtol=0)
    with vxfast.Model(r.output, providers="cpu", warmup=0) as m:
        assert m.info.names[0] == "person" and m.info.task == "detect"
        assert np.isfinite(m(frames[:1])[0]).all()
    saved = json.loads(open(r.output.replace(".onnx", ".json")).read())
    assert saved["speedup"] == pytest.approx(r.speedup) and saved["slower"] == (r.speedup < 1.0)


def test_basic_level_is_portable(yolo, tmp_path, frames):
    r = vxfast.optimize(yolo, opt_level="basic", out=tmp_path / "b.onnx", bench_iters=1)
    assert not r.hardware_specific
    assert {n.domain for n in onnx.load(r.output).graph.node} <= {"", "ai.onnx"}
    np.testing.assert_allclose(_run(r.output, frames[:1]), _run(yolo, frames[:1]),
                               atol=1e-4, rtol=0)


def test_fp16_is_half_inside_float_io_and_agrees(yolo, fp16, frames):
    r = fp16
    proto = onnx.load(r.output)
    inits = [t for t in proto.graph.initializer if t.dims and np.prod(t.dims) > 16]
    assert inits and all(t.data_type == onnx.TensorProto.FLOAT16 for t in inits)
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert proto.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert _meta(r.output)["names"] == _meta(yolo)["names"]
    assert r.bytes_after < 0.6 * r.bytes_before
    # The speed verdict is reported, whatever it is (FP16 is for GPU providers).
    assert any("GPU providers" in n for n in r.notes) and r.slower == (r.speedup < 1.0)
    ref, half = _run(yolo, frames), _run(r.output, frames)
    assert half.dtype == np.float32
    p, rec, f1 = detection_agreement(ref, half)
    assert f1 >= 0.9, (p, rec, f1)
    with vxfast.Model(r.output, providers="cpu", warmup=0) as m:
        assert m.info.names[0] == "person"


def test_validate_model_against_itself(yolo, vtest_avi):
    r = vxfast.validate(yolo, yolo, vtest_avi, frames=2, bench_iters=1)
    assert r.max_abs_diff == 0.0 and r.mean_abs_diff == 0.0
    assert r.detection_f1 == 1.0 and r.detections_original == r.detections_optimized > 0
    assert r.passed and len(r.frames) == 2 and r.outputs == ["output0"]


def test_validate_fp16_matches_direct_comparison(yolo, fp16, vtest_avi):
    r = vxfast.validate(yolo, fp16.output, vtest_avi, frames=3, bench_iters=1)
    x = read_frames(vtest_avi, r.frames, 640)
    ref, half = _run(yolo, x), _run(fp16.output, x)
    assert r.max_abs_diff == pytest.approx(float(np.abs(ref - half).max()), rel=1e-6)
    assert 0 < r.mean_abs_diff < r.max_abs_diff
    assert r.detection_f1 >= 0.9 and r.passed


def test_validate_min_f1_fails_on_a_different_model(yolo, models_dir, vtest_avi, tmp_path):
    # A deliberately broken "optimisation": every box shifted far beyond its size.
    proto = onnx.load(str(yolo))
    out_name = proto.graph.output[0].name
    shift = onnx.helper.make_tensor("shift", onnx.TensorProto.FLOAT, [1, 84, 1],
                                    [300.0] + [0.0] * 83)
    proto.graph.initializer.append(shift)
    for n in proto.graph.node:
        for i, o in enumerate(n.output):
            if o == out_name:
                n.output[i] = "pre_shift"
    proto.graph.node.append(onnx.helper.make_node("Add", ["pre_shift", "shift"], [out_name]))
    bad = tmp_path / "shifted.onnx"
    onnx.save(proto, str(bad))
    js = tmp_path / "v.json"
    rc = main(["validate", str(yolo), str(bad), "--video", str(vtest_avi), "--frames", "2",
               "--iters", "1", "--json", str(js)])
    report = json.loads(js.read_text())
    assert rc == 3 and not report["passed"] and report["detection_f1"] < 0.9
    assert report["max_abs_diff"] == pytest.approx(300.0, rel=1e-3)


def test_validate_cli_json_keys(yolo, vtest_avi, tmp_path, capsys):
    js = tmp_path / "v.json"
    rc = main(["validate", str(yolo), str(yolo), "--video", str(vtest_avi), "--frames", "1",
               "--iters", "1", "--json", str(js)])
    assert rc == 0 and "F1 1.000" in capsys.readouterr().out
    report = json.loads(js.read_text())
    assert {"original", "optimized", "video", "frames", "outputs", "max_abs_diff", "mean_abs_diff",
            "detection_precision", "detection_recall", "detection_f1", "original_ms",
            "optimized_ms", "speedup", "min_f1", "passed", "notes"} <= set(report)
    assert report["passed"] is True and report["max_abs_diff"] == 0.0


def test_optimize_cli(yolo, tmp_path, capsys):
    out = tmp_path / "o.onnx"
    rc = main(["optimize", str(yolo), "--opt-level", "extended", "-o", str(out), "--iters", "1"])
    text = capsys.readouterr().out
    assert rc == 0 and out.is_file() and "opt-level extended" in text
    assert json.loads(out.with_suffix(".json").read_text())["opt_level"] == "extended"


def test_fp16_of_fp16_model_is_refused(fp16, tmp_path):
    with pytest.raises(vxfast.ModelError, match=r"yolov8n-fp16\.onnx.*already float16"):
        vxfast.optimize(fp16.output, fp16=True, out=tmp_path / "x.onnx")


def test_fp16_of_quantized_model_is_refused(models_dir, tmp_path):
    with pytest.raises(vxfast.ModelError, match=r"int8-dynamicquant\.onnx.*quantized.*ConvInteger"):
        vxfast.optimize(models_dir / "yolov8n-int8-dynamicquant.onnx", fp16=True,
                        out=tmp_path / "x.onnx")


def test_unreadable_and_non_onnx_files_are_refused(tmp_path, yolo, vtest_avi):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x00not a protobuf at all" * 10)
    with pytest.raises(vxfast.ModelError, match=r"junk\.onnx.*not a readable ONNX model"):
        vxfast.optimize(junk, out=tmp_path / "o.onnx")
    with pytest.raises(vxfast.ModelError, match=r"junk\.onnx"):
        vxfast.validate(yolo, junk, vtest_avi, frames=1)
    with pytest.raises(vxfast.ModelError, match=r"vtest\.avi.*not an ONNX file"):
        vxfast.optimize(vtest_avi, out=tmp_path / "o.onnx")
    with pytest.raises(vxfast.ModelError, match="not found"):
        vxfast.optimize(tmp_path / "missing.onnx")
    assert main(["optimize", str(junk), "-o", str(tmp_path / "o.onnx")]) == 1


def test_requests_that_cannot_help_are_refused(yolo, tmp_path):
    with pytest.raises(vxfast.ModelError, match=r"yolov8n\.onnx.*nothing to do"):
        vxfast.optimize(yolo, opt_level="none", out=tmp_path / "o.onnx")
    with pytest.raises(ValueError, match="opt_level: 'all' with fp16"):
        vxfast.optimize(yolo, fp16=True, opt_level="all", out=tmp_path / "o.onnx")
    with pytest.raises(ValueError, match="opt_level: 'max'"):
        vxfast.optimize(yolo, opt_level="max", out=tmp_path / "o.onnx")
    with pytest.raises(ValueError, match="is the model itself"):
        vxfast.optimize(yolo, out=yolo)
    assert not (tmp_path / "o.onnx").exists()
