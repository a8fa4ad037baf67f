"""Tiny synthetic ONNX graphs for shape/error tests of the audio model functions."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def pooled_linear(path: Path, input_shape: list, reduce_axes: list[int], d: int, seed: int = 0,
                  softmax: bool = False, metadata: dict | None = None, name: str = "feats") -> Path:
    """``name`` of ``input_shape`` (str dims are free) -> mean over ``reduce_axes`` -> flatten ->
    MatMul [k, d] (+ softmax) -> ``out`` [B, d]. k is the product of the remaining static dims."""
    import onnx
    from onnx import helper, numpy_helper
    keep = [s for i, s in enumerate(input_shape) if i > 0 and i not in reduce_axes]
    k = int(np.prod(keep)) if keep else 1
    w = np.random.default_rng(seed).normal(0, 1, (k, d)).astype(np.float32)
    nodes = ([helper.make_node("ReduceMean", [name], ["m"], axes=reduce_axes, keepdims=0)] if reduce_axes
             else [helper.make_node("Identity", [name], ["m"])])
    nodes += [helper.make_node("Flatten", ["m"], ["f"], axis=1),
             helper.make_node("MatMul", ["f", "W"], ["y" if softmax else "out"])]
    if softmax:
        nodes.append(helper.make_node("Softmax", ["y"], ["out"], axis=1))
    g = helper.make_graph(nodes, "tiny", [helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, input_shape)],
                          [helper.make_tensor_value_info("out", onnx.TensorProto.FLOAT, [input_shape[0], d])],
                          initializer=[numpy_helper.from_array(w, "W")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    for key, v in (metadata or {}).items():
        m.metadata_props.add(key=key, value=v)
    onnx.save(m, str(path))
    return path


def waveform_classifier(path: Path, classes: int, hop: int = 7680, seed: int = 0) -> Path:
    """YAMNet-like interface: ``waveform`` [samples] -> ``scores`` [patches, classes] with one row
    per ``hop`` samples (Reshape [-1, hop] -> MatMul -> Softmax)."""
    import onnx
    from onnx import helper, numpy_helper
    w = np.random.default_rng(seed).normal(0, 1, (hop, classes)).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("Reshape", ["waveform", "shape"], ["r"]),
         helper.make_node("MatMul", ["r", "W"], ["y"]),
         helper.make_node("Softmax", ["y"], ["scores"], axis=1)], "wave",
        [helper.make_tensor_value_info("waveform", onnx.TensorProto.FLOAT, ["n"])],
        [helper.make_tensor_value_info("scores", onnx.TensorProto.FLOAT, ["p", classes])],
        initializer=[numpy_helper.from_array(w, "W"), numpy_helper.from_array(np.array([-1, hop], np.int64), "shape")])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    return path


def mean_mel(path: Path) -> Path:
    """A stand-in speaker embedding over openWakeWord's front-end: the mean of each mel bin over the
    window ([B, 76, 32, 1] -> [B, 32]). It separates the fixture's two voices; the shared
    openWakeWord embedding (a keyword model) does not."""
    import onnx
    from onnx import helper
    g = helper.make_graph([helper.make_node("ReduceMean", ["input_1"], ["m"], axes=[1], keepdims=0),
                           helper.make_node("Flatten", ["m"], ["out"], axis=1)], "meanmel",
                          [helper.make_tensor_value_info("input_1", onnx.TensorProto.FLOAT, ["b", 76, 32, 1])],
                          [helper.make_tensor_value_info("out", onnx.TensorProto.FLOAT, ["b", 32])])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    return path
