"""``vxfast.optimize``: write onnxruntime's optimised graph and/or a float16 copy of a model.

Why write the optimised graph at all when onnxruntime optimises at every load anyway: the run-time
speed is the same, but a pre-optimised file loads faster and can be inspected; the report measures
both so nobody expects a run-time gain that is not there. Level "all" adds NCHWc layout transforms
specific to this CPU's vector width: such a file belongs to this machine (onnxruntime warns so too).

Why float16 is applied AFTER an optimisation capped at "basic": extended/all fuse nodes into CPU
contrib ops (FusedConv, NCHWc) that GPU providers do not all run, and a float16 graph optimised on
the CPU provider would get Casts to float inserted where the CPU has no fp16 kernel. FP16 is for GPU
providers; on CPU onnxruntime wraps its convolutions in those Casts and runs them in float32, so it
is no faster here (measured 0.96-1.05x on yolov8n, docs/performance-history.md); the report measures it and
says so.
"""
from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .resolve import resolve_model

OPT_LEVELS = ("none", "basic", "extended", "all")
_ORT_LEVELS = {"none": "ORT_DISABLE_ALL", "basic": "ORT_ENABLE_BASIC",
               "extended": "ORT_ENABLE_EXTENDED", "all": "ORT_ENABLE_ALL"}
_QUANT_OPS = {"QuantizeLinear", "DequantizeLinear", "ConvInteger", "MatMulInteger", "QLinearConv",
              "QLinearMatMul", "DynamicQuantizeLinear"}
_FLOAT16 = 10  # onnx.TensorProto.FLOAT16


@dataclass
class OptimizeReport:
    source: str
    output: str
    fp16: bool
    opt_level: str
    nodes_before: int
    nodes_after: int
    bytes_before: int
    bytes_after: int
    hardware_specific: bool  #: level "all": NCHWc transforms tied to this CPU
    original_ms: float       #: CPU median batch-1 run, original loaded with onnxruntime's defaults
    optimized_ms: float
    speedup: float           #: original_ms / optimized_ms; < 1 means slower on this CPU
    original_load_ms: float  #: one InferenceSession creation each, same run
    optimized_load_ms: float
    max_abs_diff: float      #: on one fixed random input; use ``vxfast.validate`` for real frames
    slower: bool
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def load_onnx(path: str | os.PathLike):
    """``resolve_model`` + ``onnx.load`` with every failure as a ModelError naming the file."""
    import onnx

    src = resolve_model(path)
    if src.suffix != ".onnx":
        raise ModelError(f"model {src}: not an ONNX file (only .onnx models can be optimised)")
    try:
        proto = onnx.load(str(src))
    except Exception as e:  # noqa: BLE001 - protobuf raises assorted types for a damaged file
        raise ModelError(f"model {src}: not a readable ONNX model ({type(e).__name__}: "
                         f"{str(e).splitlines()[0] if str(e) else 'parse error'})") from None
    if not proto.graph.node:
        raise ModelError(f"model {src}: not a readable ONNX model (empty graph)")
    return src, proto


def is_float16(proto) -> bool:
    """True when the graph already computes in float16 (fp16 weights or fp16 tensors)."""
    if any(t.data_type == _FLOAT16 for t in proto.graph.initializer):
        return True
    vis = list(proto.graph.input) + list(proto.graph.output) + list(proto.graph.value_info)
    return any(v.type.tensor_type.elem_type == _FLOAT16 for v in vis)


def _copy_metadata(dst_path: Path, src_proto) -> None:
    """Rewrite ``dst_path`` with exactly the source's metadata_props (names, imgsz, task...)."""
    import onnx

    proto = onnx.load(str(dst_path))
    del proto.metadata_props[:]
    for p in src_proto.metadata_props:
        proto.metadata_props.add(key=p.key, value=p.value)
    onnx.save(proto, str(dst_path))


def _ort_optimize(src: Path, dst: Path, level: str) -> None:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.log_severity_level = 3  # the "hardware specific" warning for level all goes into the report
    so.graph_optimization_level = getattr(ort.GraphOptimizationLevel, _ORT_LEVELS[level])
    so.optimized_model_filepath = str(dst)
    try:
        ort.InferenceSession(str(src), so, providers=["CPUExecutionProvider"])
    except Exception as e:  # noqa: BLE001 - onnxruntime's Fail/InvalidGraph etc.
        raise ModelError(f"model {src}: onnxruntime could not load it to optimise "
                         f"({str(e).splitlines()[0]})") from None


def input_feed(sess, batch: np.ndarray) -> dict[str, np.ndarray]:
    """One input feed, cast to the session input's dtype (float16 IO models take float16)."""
    inp = sess.get_inputs()[0]
    dtype = np.float16 if inp.type == "tensor(float16)" else np.float32
    return {inp.name: np.ascontiguousarray(batch, dtype=dtype)}


def _fixed_input(sess, size: int) -> np.ndarray:
    shape = [d if isinstance(d, int) and d > 0 else (1 if i == 0 else size)
             for i, d in enumerate(sess.get_inputs()[0].shape)]
    return np.random.default_rng(0).random(shape, dtype=np.float32)


def interleaved_median_ms(sessions: list, feeds: list[list[dict]], iters: int) -> list[float]:
    """Median ms per session, one warm-up each, then the sessions take turns so that machine load
    swings hit every contender alike (this machine is shared)."""
    for s, f in zip(sessions, feeds):
        s.run(None, f[0])
    times: list[list[float]] = [[] for _ in sessions]
    for i in range(max(1, iters)):
        for k, (s, f) in enumerate(zip(sessions, feeds)):
            t = time.perf_counter()
            s.run(None, f[i % len(f)])
            times[k].append(time.perf_counter() - t)
    return [statistics.median(t) * 1e3 for t in times]


def _timed_session(path: Path):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.log_severity_level = 3
    t = time.perf_counter()
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    return sess, (time.perf_counter() - t) * 1e3


def optimize(model: str | os.PathLike, fp16: bool = False, opt_level: str | None = None,
             out: str | os.PathLike | None = None, *, bench_iters: int = 5,
             report_path: str | os.PathLike | None = None) -> OptimizeReport:
    """Write an optimised copy of ``model`` and measure it against the original on this CPU.

    ``opt_level`` ("none" | "basic" | "extended" | "all"; default "all", or "basic" with ``fp16``)
    saves onnxruntime's optimised graph at that level. ``fp16`` then converts weights and compute to
    float16 with float32 inputs/outputs (onnxruntime's converter, ``keep_io_types=True``): for GPU
    providers; on CPU it is usually slower, and the report says so (``slower``, ``notes``).
    The Ultralytics metadata (names, imgsz, stride, task) is kept in the written file.

    Raises ModelError (naming the file) for a missing, non-ONNX or unreadable model, fp16 of a model
    that is already float16 or quantized, and a request that changes nothing. ``out`` defaults to
    ``<model>-fp16.onnx`` / ``<model>-opt.onnx`` beside the model; the JSON report to
    ``<out>.json``.
    """
    level = opt_level if opt_level is not None else ("basic" if fp16 else "all")
    if level not in OPT_LEVELS:
        raise ValueError(f"opt_level: {level!r} is not one of {list(OPT_LEVELS)}")
    src, proto = load_onnx(model)
    if fp16 and level in ("extended", "all"):
        raise ValueError(f"opt_level: {level!r} with fp16 would bake CPU-only fused ops into a "
                         "model meant for GPU providers; use 'basic' or 'none' (the GPU session "
                         "optimises the rest when it loads)")
    if not fp16 and level == "none":
        raise ModelError(f"model {src}: nothing to do (opt_level 'none' without fp16 would only "
                         "copy the file)")
    if fp16:
        if is_float16(proto):
            raise ModelError(f"model {src}: already float16; converting it again cannot help")
        quant = sorted({n.op_type for n in proto.graph.node if n.op_type in _QUANT_OPS})
        if quant:
            raise ModelError(f"model {src}: quantized ({', '.join(quant)}); float16 applies to a "
                             "float32 model, convert the original instead")
    out_path = Path(out) if out else src.with_name(f"{src.stem}-{'fp16' if fp16 else 'opt'}.onnx")
    if out_path.resolve() == src.resolve():
        raise ValueError(f"out: {out_path} is the model itself; write the optimised copy elsewhere")
    notes: list[str] = []

    with tempfile.TemporaryDirectory() as tmp:
        stage = src
        if level != "none":
            stage = Path(tmp) / "opt.onnx"
            _ort_optimize(src, stage, level)
        if fp16:
            import onnx
            from onnxruntime.transformers.float16 import convert_float_to_float16

            half = convert_float_to_float16(onnx.load(str(stage)), keep_io_types=True)
            onnx.save(half, str(out_path))
        else:
            out_path.write_bytes(stage.read_bytes())
    _copy_metadata(out_path, proto)

    import onnx

    new_proto = onnx.load(str(out_path))
    hw = any(n.domain == "com.microsoft.nchwc" for n in new_proto.graph.node)
    if hw:
        notes.append("level 'all' wrote NCHWc layout ops tuned to this CPU: use the file on this "
                     "machine only (or write it with --opt-level extended to share it)")
    if len(new_proto.graph.node) == len(proto.graph.node) and not fp16:
        notes.append("the graph has as many nodes as before: it was probably optimised already")

    from .metadata import parse_metadata

    meta = parse_metadata({p.key: p.value for p in proto.metadata_props})
    size = meta.imgsz[0] if meta.imgsz else 640
    orig, orig_load = _timed_session(src)
    opt, opt_load = _timed_session(out_path)
    x = _fixed_input(orig, size)
    ref = orig.run(None, input_feed(orig, x))
    new = opt.run(None, input_feed(opt, x))
    diff = max(float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max())
               for a, b in zip(ref, new))
    orig_ms, opt_ms = interleaved_median_ms(
        [orig, opt], [[input_feed(orig, x)], [input_feed(opt, x)]], bench_iters)
    speedup = orig_ms / opt_ms
    if fp16:
        notes.append(f"FP16 is for GPU providers (CUDA, TensorRT, DirectML); on this CPU it ran "
                     f"{speedup:.2f}x the original's speed ({opt_ms:.1f} ms vs {orig_ms:.1f} ms)")
    if speedup < 1.0:
        notes.append(f"SLOWER than the original on this CPU ({speedup:.2f}x, median of "
                     f"{max(1, bench_iters)} interleaved runs; a few % either way is noise)")
    if not fp16:
        notes.append("onnxruntime optimises the original at load time too: expect the same run "
                     "speed; the gain is load time")
    report = OptimizeReport(
        source=str(src), output=str(out_path), fp16=fp16, opt_level=level,
        nodes_before=len(proto.graph.node), nodes_after=len(new_proto.graph.node),
        bytes_before=src.stat().st_size, bytes_after=out_path.stat().st_size,
        hardware_specific=hw, original_ms=orig_ms, optimized_ms=opt_ms, speedup=speedup,
        original_load_ms=orig_load, optimized_load_ms=opt_load, max_abs_diff=diff,
        slower=speedup < 1.0, notes=notes)
    rp = Path(report_path) if report_path else out_path.with_suffix(".json")
    rp.write_text(report.to_json() + "\n")
    return report
