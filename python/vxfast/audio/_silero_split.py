"""Splits a Silero VAD ONNX graph into its state-free encoder and its LSTM decoder.

Silero VAD (v5/v6) is STFT -> 4 conv blocks (the encoder: >95 % of the work, no state) -> one
LSTM cell carried from window to window -> ReLU -> 1x1 conv -> sigmoid. The reference runs the whole
graph once per window. Cut at the encoder output, the encoder runs over every window of a file as a
few large batches, and the decoder becomes one ONNX ``LSTM`` over the whole sequence of windows (its
loop is inside onnxruntime): the same arithmetic, in a different order, so the probabilities equal
the sequential run's to float rounding. Anything that does not look like that graph raises
``ValueError`` and the caller falls back to running the whole model window by window.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

__all__: list[str] = []


def split_silero(path: Path, sample_rate: int) -> tuple[bytes, bytes]:
    """(encoder model bytes, decoder model bytes) for ``sample_rate`` (16000 or 8000).

    encoder: ``input`` [N, context+window] -> ``features`` [N, 128, 1]
    decoder: ``features`` [T, 1, 128], ``h0``/``c0`` [1, 1, 128] -> ``prob`` [T], ``h``, ``c``
    """
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    branch = _rate_branch(model.graph, sample_rate)
    producers = {o: n for n in branch.node for o in n.output}
    lstm = [n for n in branch.node if n.op_type == "LSTM"]
    conv_ids = [n for n in branch.node if n.op_type == "Conv" and "encoder" in n.output[0]]
    if not conv_ids:
        raise ValueError("no encoder convolutions")
    enc_out = _first_output(branch, lambda n: n.op_type == "Relu" and n.input[0] == conv_ids[-1].output[0])
    sig = _first_output(branch, lambda n: n.op_type == "Sigmoid")
    head = producers[producers[sig].input[0]]                      # the 1x1 conv before the sigmoid
    if head.op_type != "Conv" or producers[head.input[0]].op_type != "Relu":
        raise ValueError("unexpected decoder head")
    # The LSTM sits in a nested If: find it and its weight inputs there.
    cell = None
    for n in branch.node:
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                for m in a.g.node:
                    if m.op_type == "LSTM" and cell is None:
                        cell = (a.g, m)
    if cell is None and lstm:
        cell = (branch, lstm[0])
    if cell is None:
        raise ValueError("no LSTM in the decoder")
    sub, lstm_node = cell
    hidden = next(a.i for a in lstm_node.attribute if a.name == "hidden_size")
    consts = {**_constants(branch), **_constants(sub)}
    W, R, B = (_evaluate([branch, sub], name, consts) for name in lstm_node.input[1:4])
    k = _evaluate([branch], head.input[1], consts).reshape(1, -1)   # [1, hidden, 1] -> [1, hidden]
    kb = _evaluate([branch], head.input[2], consts).reshape(1)

    enc_nodes = _ancestors(branch, [enc_out])
    enc_graph = helper.make_graph(
        enc_nodes + [helper.make_node("Identity", [enc_out], ["features"])], "silero_encoder",
        [helper.make_tensor_value_info("input", onnx.TensorProto.FLOAT, ["n", "samples"])],
        [helper.make_tensor_value_info("features", onnx.TensorProto.FLOAT, None)])
    enc = helper.make_model(enc_graph, opset_imports=list(model.opset_import))

    f = onnx.TensorProto.FLOAT
    inits = [numpy_helper.from_array(np.asarray(a, np.float32), n) for a, n in
             ((W, "W"), (R, "R"), (B, "B"), (k.T.copy(), "K"), (kb, "Kb"))]
    inits.append(numpy_helper.from_array(np.array([1, 2], np.int64), "sq_axes"))
    dec_nodes = [
        helper.make_node("LSTM", ["features", "W", "R", "B", "", "h0", "c0"], ["Y", "h", "c"],
                         hidden_size=hidden),
        helper.make_node("Squeeze", ["Y", "sq_axes"], ["Y2"]),
        helper.make_node("Relu", ["Y2"], ["Yr"]),
        helper.make_node("MatMul", ["Yr", "K"], ["logit0"]),
        helper.make_node("Add", ["logit0", "Kb"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["prob2"]),
        helper.make_node("Flatten", ["prob2"], ["prob3"], axis=0),
        helper.make_node("Squeeze", ["prob3", "zero"], ["prob"]),
    ]
    inits.append(numpy_helper.from_array(np.array([0], np.int64), "zero"))
    dec_graph = helper.make_graph(
        dec_nodes, "silero_decoder",
        [helper.make_tensor_value_info("features", f, ["T", 1, hidden]),
         helper.make_tensor_value_info("h0", f, [1, 1, hidden]),
         helper.make_tensor_value_info("c0", f, [1, 1, hidden])],
        [helper.make_tensor_value_info("prob", f, ["T"]),
         helper.make_tensor_value_info("h", f, [1, 1, hidden]),
         helper.make_tensor_value_info("c", f, [1, 1, hidden])], initializer=inits)
    dec = helper.make_model(dec_graph, opset_imports=list(model.opset_import))
    return enc.SerializeToString(), dec.SerializeToString()


def _rate_branch(graph: Any, sample_rate: int) -> Any:
    """The body the top-level ``If(sr == <const>)`` runs for ``sample_rate``."""
    from onnx import numpy_helper
    consts = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in graph.node
              if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value"}
    eq = [n for n in graph.node if n.op_type == "Equal" and "sr" in n.input]
    ifs = [n for n in graph.node if n.op_type == "If"]
    if len(eq) != 1 or len(ifs) != 1 or ifs[0].input[0] != eq[0].output[0]:
        raise ValueError("no top-level If on the sample rate")
    other = [i for i in eq[0].input if i != "sr"][0]
    rate = int(np.asarray(consts[other]).reshape(-1)[0])
    want = "then_branch" if sample_rate == rate else "else_branch"
    return next(a.g for a in ifs[0].attribute if a.name == want)


def _first_output(graph: Any, pred: Any) -> str:
    for n in graph.node:
        if pred(n):
            return str(n.output[0])
    raise ValueError("expected node not found")


def _constants(graph: Any) -> dict[str, np.ndarray]:
    from onnx import numpy_helper
    out = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    for n in graph.node:
        if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value":
            out[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    return out


def _ancestors(graph: Any, names: list[str], nodes: list[Any] | None = None) -> list[Any]:
    all_nodes = list(graph.node) if nodes is None else nodes
    producers = {o: n for n in all_nodes for o in n.output}
    keep: dict[int, Any] = {}
    stack = list(names)
    while stack:
        name = stack.pop()
        node = producers.get(name)
        if node is None or id(node) in keep:
            continue
        keep[id(node)] = node
        stack.extend(i for i in node.input if i)
    return [n for n in all_nodes if id(n) in keep]  # original (topological) order


def _evaluate(graphs: list[Any], name: str, consts: dict[str, np.ndarray]) -> np.ndarray:
    """Value of a tensor computed only from constants (weight slicing/concatenation), by running
    the nodes that produce it."""
    if name in consts:
        return consts[name]
    import onnx
    import onnxruntime as ort
    from onnx import helper
    nodes = _ancestors(graphs[0], [name], [n for g in graphs for n in g.node])  # outer scope first
    graph = helper.make_graph(nodes, "eval", [], [helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None)])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    return np.asarray(sess.run(None, {})[0])
