"""Plain descriptions of a model's tensors and of the loaded model (``Model.info``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import numpy as np

Dim = Union[int, str, None]  # int: fixed; str: symbolic name; None: unknown

_ORT_DTYPES = {
    "tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(double)": np.float64,
    "tensor(uint8)": np.uint8, "tensor(int8)": np.int8, "tensor(int32)": np.int32,
    "tensor(int64)": np.int64, "tensor(bool)": np.bool_, "tensor(uint16)": np.uint16,
    "tensor(int16)": np.int16,
}


def ort_dtype(type_str: str) -> np.dtype:
    try:
        return np.dtype(_ORT_DTYPES[type_str])
    except KeyError:
        raise TypeError(f"unsupported tensor type {type_str}") from None


@dataclass(frozen=True)
class TensorSpec:
    name: str
    shape: tuple[Dim, ...]
    dtype: np.dtype

    @property
    def batch_dynamic(self) -> bool:
        return bool(self.shape) and not isinstance(self.shape[0], int)

    def shape_for_batch(self, batch: int) -> tuple[int, ...] | None:
        """Concrete shape with the batch filled in, or None if another dim is not fixed."""
        if not self.shape:
            return ()
        rest = self.shape[1:]
        if not all(isinstance(d, int) and d >= 0 for d in rest):
            return None
        return (batch, *rest)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ModelInfo:
    """What :class:`vxfast.Model` loaded and how it will run.

    ``batch_mode`` says how the requested ``batch`` is served:

    - ``"dynamic"``: the file has a dynamic batch axis;
    - ``"static"``: the file's fixed batch equals the requested one;
    - ``"rewritten"``: the fixed batch axis was made dynamic in a cached, verified copy (``path``);
    - ``"split"``: the rewrite was not possible or not verified; batches run one fixed-size piece at
      a time (slower, same results). ``batch_note`` says why.
    """

    name: str
    source_path: Path
    path: Path
    backend: str
    task: str | None
    names: dict[int, str] | None
    imgsz: tuple[int, int] | None
    stride: int | None
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    static_batch: int | None
    batch: int
    batch_mode: str
    batch_note: str
    providers: tuple[str, ...]
    metadata: dict[str, str] = field(default_factory=dict)
    streams: int = 1                 #: sessions that can run at once (``Model(streams=...)``)

    @property
    def input(self) -> TensorSpec:
        return self.inputs[0]

    @property
    def input_name(self) -> str:
        return self.inputs[0].name

    @property
    def input_dtype(self) -> np.dtype:
        return self.inputs[0].dtype

    @property
    def input_size(self) -> tuple[int, int] | None:
        """(height, width) the model takes: from the metadata, else the input's fixed dims."""
        if self.imgsz:
            return self.imgsz
        shape = self.inputs[0].shape
        if len(shape) == 4 and isinstance(shape[2], int) and isinstance(shape[3], int):
            return (shape[2], shape[3])
        return None

    @property
    def batch_dynamic(self) -> bool:
        """Whether the model file itself has a dynamic batch axis."""
        return self.static_batch is None

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.outputs)

    def summary(self) -> str:
        """A few human-readable lines (used by ``vxfast model-info``)."""
        lines = [f"model      {self.name}  ({self.source_path})",
                 f"backend    {self.backend}; providers: {', '.join(self.providers)}",
                 f"task       {self.task or '?'}; {len(self.names or {})} classes; "
                 f"imgsz {self.imgsz}; stride {self.stride}"]
        for t in self.inputs:
            lines.append(f"input      {t.name} {list(t.shape)} {t.dtype}")
        for t in self.outputs:
            lines.append(f"output     {t.name} {list(t.shape)} {t.dtype}")
        batch_kind = "dynamic" if self.static_batch is None else f"static {self.static_batch}"
        lines.append(f"batch      {self.batch} ({self.batch_mode}; file batch {batch_kind})"
                     + (f": {self.batch_note}" if self.batch_note else ""))
        if self.path != self.source_path:
            lines.append(f"running    {self.path}")
        return "\n".join(lines)
