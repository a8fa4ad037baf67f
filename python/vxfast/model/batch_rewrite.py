"""Make a fixed-batch ONNX model's batch axis dynamic, in a verified, cached copy.

A default Ultralytics export is static batch 1: the graph input/output say ``1`` and the detection
head bakes the batch into Reshape shape constants (``[1, 64, -1]``). onnxruntime then rejects a
batch of 4 with "Got invalid dimensions". The rewrite makes the input/output batch dims symbolic,
drops the stale intermediate ``value_info`` (onnxruntime re-infers shapes) and turns a Reshape
constant's leading batch into ``0`` (copy the input's dim 0, which is the batch) or ``-1``. That is
a heuristic, so every rewrite is checked numerically: a batch of 2 different inputs through the
rewritten model must match two batch-1 runs of the original. The copy and the verdict are cached
under :func:`cache_dir`, keyed by the model file's SHA-256, so the check runs once per model.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelError

#: Bump when the rewrite logic changes so stale cached copies are not reused.
REWRITE_VERSION = 2
BATCH_PARAM = "batch"


@dataclass(frozen=True)
class RewriteResult:
    """Outcome of :func:`make_batch_dynamic`. ``path`` is None when the rewrite was rejected."""

    ok: bool
    path: Path | None
    max_abs_diff: float | None
    reason: str
    cached: bool = False


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _dim0(vi) -> int | str | None:
    dims = vi.type.tensor_type.shape.dim
    if not dims:
        return None
    d = dims[0]
    if d.HasField("dim_value"):
        return d.dim_value
    return d.dim_param or None


def rewrite_batch_dynamic(model, static_batch: int):
    """Rewrite an ``onnx.ModelProto`` in place; returns a list of what was changed (for messages)."""
    import onnx
    from onnx import numpy_helper

    graph = model.graph
    changes: list[str] = []
    inits = {i.name for i in graph.initializer}
    # Shapes of intermediate tensors (from the original, static model) tell whether a Reshape's
    # data input really carries the batch on axis 0.
    try:
        inferred = onnx.shape_inference.infer_shapes(model)
        shapes = {vi.name: _dim0(vi) for vi in [*inferred.graph.value_info, *inferred.graph.input,
                                                  *inferred.graph.output]}
    except Exception:  # noqa: BLE001 - shape inference is an aid, verification is the judge
        shapes = {}

    for vi in [*graph.input, *graph.output]:
        if vi.name in inits:
            continue
        dims = vi.type.tensor_type.shape.dim
        if dims and dims[0].HasField("dim_value") and dims[0].dim_value == static_batch:
            dims[0].ClearField("dim_value")
            dims[0].dim_param = BATCH_PARAM
            changes.append(f"{vi.name}: dim 0 -> {BATCH_PARAM}")
    del graph.value_info[:]

    consumers: dict[str, int] = {}
    for node in graph.node:
        for name in node.input:
            consumers[name] = consumers.get(name, 0) + 1
    const_nodes = {n.output[0]: n for n in graph.node if n.op_type == "Constant" and n.output}
    init_by_name = {i.name: i for i in graph.initializer}

    for node in graph.node:
        if node.op_type != "Reshape" or len(node.input) < 2:
            continue
        shape_name = node.input[1]
        if shape_name in init_by_name:
            value = numpy_helper.to_array(init_by_name[shape_name])
        elif shape_name in const_nodes:
            attr = next((a for a in const_nodes[shape_name].attribute if a.name == "value"), None)
            if attr is None:
                continue
            value = numpy_helper.to_array(attr.t)
        else:
            continue  # computed at run time from Shape(): already batch-agnostic
        if value.ndim != 1 or value.size == 0 or int(value[0]) != static_batch:
            continue
        data_dim0 = shapes.get(node.input[0])
        if data_dim0 is not None and data_dim0 != static_batch:
            continue  # the leading 1 is not the batch (e.g. a weight reshape)
        allowzero = next((a.i for a in node.attribute if a.name == "allowzero"), 0)
        new = value.copy()
        if not allowzero:
            new[0] = 0
        elif not np.any(value[1:] == -1):
            new[0] = -1
        else:
            continue
        tensor = numpy_helper.from_array(new.astype(value.dtype),
                                         name=f"{shape_name}__vxfast_dynbatch_{node.name or id(node)}")
        if consumers.get(shape_name, 0) > 1 or shape_name in const_nodes:
            # Shared or Constant-node shapes get a private initializer so other users keep theirs.
            graph.initializer.append(tensor)
            node.input[1] = tensor.name
        else:
            tensor.name = shape_name
            init_by_name[shape_name].CopyFrom(tensor)
        changes.append(f"{node.name or node.output[0]}: shape {value.tolist()} -> {new.tolist()}")
    # Constant nodes whose only users were rewritten Reshapes are dead now; drop them.
    used = {name for n in graph.node for name in n.input} | {o.name for o in graph.output}
    dead = [n for n in graph.node if n.op_type == "Constant" and n.output[0] not in used]
    for n in dead:
        graph.node.remove(n)
    return changes


def synthetic_samples(shape: Sequence[int], dtype=np.float32, n: int = 2) -> np.ndarray:
    """``n`` different, image-like inputs (smooth gradients plus seeded noise in [0, 1])."""
    rng = np.random.default_rng(20240607)
    per = tuple(int(d) for d in shape)
    out = np.empty((n, *per), dtype=np.float32)
    grid = np.linspace(0.0, 1.0, per[-1], dtype=np.float32)
    for i in range(n):
        noise = rng.random(per, dtype=np.float32)
        out[i] = 0.6 * noise + 0.4 * np.roll(grid, i * 7)
    return out.astype(dtype)


def verify_batch(original: Path, rewritten: Path, input_name: str, samples: np.ndarray,
                 rtol: float = 1e-4, atol: float = 1e-4) -> tuple[bool, float, str]:
    """Run ``samples`` (a batch of >= 2) through ``rewritten`` and each sample alone through
    ``original``; compare every output. Returns (ok, max_abs_diff, message)."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.log_severity_level = 3
    ref_sess = ort.InferenceSession(str(original), so, providers=["CPUExecutionProvider"])
    new_sess = ort.InferenceSession(str(rewritten), so, providers=["CPUExecutionProvider"])
    batched = new_sess.run(None, {input_name: samples})
    singles = [ref_sess.run(None, {input_name: samples[i:i + 1]}) for i in range(len(samples))]
    worst = 0.0
    for k, out in enumerate(batched):
        ref = np.concatenate([s[k] for s in singles], axis=0)
        if out.shape != ref.shape:
            return False, float("inf"), f"output {k} shape {out.shape} != reference {ref.shape}"
        diff = float(np.max(np.abs(out.astype(np.float64) - ref))) if ref.size else 0.0
        worst = max(worst, diff)
        tol = atol + rtol * float(np.max(np.abs(ref))) if ref.size else atol
        if not diff <= tol:
            return False, diff, f"output {k} differs by {diff:.3g} (tolerance {tol:.3g})"
    return True, worst, "ok"


def make_batch_dynamic(path: str | os.PathLike, cache: str | os.PathLike, *, input_name: str,
                       static_batch: int = 1, samples: np.ndarray | None = None,
                       force: bool = False) -> RewriteResult:
    """Return a verified dynamic-batch copy of ``path`` (cached), or why it could not be made.

    ``samples``: a batch of >= 2 different inputs to verify with (real frames are best); default
    :func:`synthetic_samples` of the input's shape. ``force`` ignores a cached verdict.
    """
    import onnx

    src = Path(path)
    key = f"{file_sha256(src)[:24]}-dynbatch-v{REWRITE_VERSION}"
    cache = Path(cache)
    out_path = cache / f"{src.stem}-{key}.onnx"
    verdict_path = cache / f"{src.stem}-{key}.json"
    if not force and verdict_path.is_file():
        try:
            v = json.loads(verdict_path.read_text())
            if not v["ok"] or out_path.is_file():
                return RewriteResult(bool(v["ok"]), out_path if v["ok"] else None,
                                     v.get("max_abs_diff"), v.get("reason", ""), cached=True)
        except (ValueError, KeyError, OSError):
            pass  # a damaged verdict is simply redone

    try:
        model = onnx.load(str(src))
    except Exception as e:  # noqa: BLE001
        raise ModelError(f"model {src}: cannot be read as ONNX ({e})") from e
    changes = rewrite_batch_dynamic(model, static_batch)
    os.makedirs(cache, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".onnx", dir=cache)
    os.close(fd)
    try:
        onnx.save(model, tmp)
        input_vi = next((i for i in model.graph.input if i.name == input_name), None)
        if samples is None:
            if input_vi is None:
                raise ModelError(f"model {src}: no input named {input_name!r}")
            dims = [d.dim_value for d in input_vi.type.tensor_type.shape.dim][1:]
            if any(d <= 0 for d in dims):
                raise ModelError(f"model {src}: non-batch input dims {dims} must be static to verify")
            samples = synthetic_samples(dims)
        samples = np.ascontiguousarray(samples)
        if samples.shape[0] < 2:
            raise ValueError(f"samples: need a batch of >= 2 to verify, got shape {samples.shape}")
        try:
            ok, diff, msg = verify_batch(src, Path(tmp), input_name, samples)
        except Exception as e:  # noqa: BLE001 - any failure of the rewritten graph means "rejected"
            ok, diff, msg = False, None, f"rewritten model failed to run: {str(e).splitlines()[0]}"
        if ok:
            os.replace(tmp, out_path)
        reason = (f"rewrote {len(changes)} item(s); batch-2 vs 2x batch-1 max abs diff {diff:.3g}"
                  if ok else msg)
        verdict = {"ok": ok, "max_abs_diff": diff, "reason": reason, "source": str(src),
                   "changes": changes}
        fd, vtmp = tempfile.mkstemp(suffix=".json", dir=cache)
        with os.fdopen(fd, "w") as f:
            json.dump(verdict, f, indent=1)
        os.replace(vtmp, verdict_path)
        return RewriteResult(ok, out_path if ok else None, diff, reason)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
