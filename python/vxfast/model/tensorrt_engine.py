"""Run a serialised TensorRT engine (``.engine``) through the ``tensorrt`` and ``cuda-python`` packages.

Imported only when a ``.engine`` file is opened, so vxfast imports cleanly without either package.
Written against the TensorRT >= 8.5 tensor-name API (``num_io_tensors``, ``set_input_shape``,
``set_tensor_address``, ``execute_async_v3``). Ultralytics prefixes its engines with a 4-byte
little-endian length and a JSON metadata block; that is read as the model's metadata when present.
Device buffers are allocated once at the largest batch the engine's optimisation profile allows
(or the requested batch), host outputs are preallocated per batch size and reused.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from .specs import TensorSpec


def _import_backends(path: Path):
    try:
        import tensorrt as trt
    except ImportError as e:
        raise ModelError(f"model {path.name}: a TensorRT engine needs the 'tensorrt' package "
                         "(pip install tensorrt) and an NVIDIA GPU; use the .onnx file otherwise") from e
    try:
        from cuda.bindings import runtime as cudart  # cuda-python >= 12.6
    except ImportError:
        try:
            from cuda import cudart  # older cuda-python
        except ImportError as e:
            raise ModelError(f"model {path.name}: a TensorRT engine needs 'cuda-python' "
                             "(pip install cuda-python)") from e
    return trt, cudart


def split_ultralytics_engine(data: bytes) -> tuple[dict[str, str], bytes]:
    """(metadata, engine bytes). Plain engines (no JSON prefix) give ({}, data)."""
    if len(data) > 4:
        n = int.from_bytes(data[:4], "little", signed=True)
        if 0 < n < min(len(data) - 4, 1 << 20):
            try:
                meta = json.loads(data[4:4 + n].decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                meta = None
            if isinstance(meta, dict):
                raw = {str(k): v if isinstance(v, str) else repr(v) for k, v in meta.items()}
                return raw, data[4 + n:]
    return {}, data


class TensorRTRunner:
    """One engine, one execution context, one CUDA stream. Not thread-safe: :class:`Model` locks."""

    def __init__(self, path: Path, max_batch: int = 1) -> None:
        self._path = Path(path)
        trt, cudart = _import_backends(self._path)
        self._trt, self._cudart = trt, cudart
        self.metadata, engine_bytes = split_ultralytics_engine(self._path.read_bytes())
        self._logger = trt.Logger(trt.Logger.WARNING)
        self._runtime = trt.Runtime(self._logger)
        self._engine = self._runtime.deserialize_cuda_engine(engine_bytes)
        if self._engine is None:
            raise ModelError(f"model {self._path.name}: TensorRT could not deserialise the engine "
                             "(built by another TensorRT version or for another GPU?)")
        self._context = self._engine.create_execution_context()
        self._stream = self._check(cudart.cudaStreamCreate(), "cudaStreamCreate")
        inputs: list = []
        outputs: list = []
        for i in range(self._engine.num_io_tensors):
            name = self._engine.get_tensor_name(i)
            shape = tuple(int(d) if d >= 0 else None for d in self._engine.get_tensor_shape(name))
            spec = TensorSpec(name, shape, np.dtype(trt.nptype(self._engine.get_tensor_dtype(name))))
            is_input = self._engine.get_tensor_mode(name) == trt.TensorIOMode.INPUT
            (inputs if is_input else outputs).append(spec)
        self.inputs, self.outputs = tuple(inputs), tuple(outputs)
        self._max_batch = self._profile_max_batch(max_batch)
        self._device: dict[str, tuple[int, int]] = {}  # name -> (pointer, bytes)
        self._host_out: dict[int, list[np.ndarray]] = {}

    def _check(self, result: Any, what: str):
        err, *rest = result if isinstance(result, tuple) else (result,)
        if int(err) != 0:
            raise ModelError(f"model {self._path.name}: {what} failed with CUDA error {err}")
        return rest[0] if len(rest) == 1 else rest

    def _profile_max_batch(self, wanted: int) -> int:
        first = self.inputs[0]
        if first.shape and first.shape[0] is not None:
            return int(first.shape[0])
        try:
            _, _, max_shape = self._engine.get_tensor_profile_shape(first.name, 0)
            return max(1, int(max_shape[0]))
        except Exception:  # noqa: BLE001 - older TensorRT spells this differently
            return max(1, wanted)

    def _device_buffer(self, name: str, nbytes: int) -> int:
        ptr, size = self._device.get(name, (0, 0))
        if size < nbytes:
            if ptr:
                self._check(self._cudart.cudaFree(ptr), "cudaFree")
            ptr = self._check(self._cudart.cudaMalloc(nbytes), f"cudaMalloc({nbytes})")
            self._device[name] = (ptr, nbytes)
        return ptr

    def run(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        cudart = self._cudart
        h2d = cudart.cudaMemcpyKind.cudaMemcpyHostToDevice
        d2h = cudart.cudaMemcpyKind.cudaMemcpyDeviceToHost
        n = next(iter(feeds.values())).shape[0]
        if n > self._max_batch:
            raise ModelError(f"model {self._path.name}: batch {n} exceeds the engine's maximum "
                             f"{self._max_batch}")
        for spec in self.inputs:
            arr = feeds[spec.name]
            if spec.shape and spec.shape[0] is None:
                self._context.set_input_shape(spec.name, tuple(arr.shape))
            ptr = self._device_buffer(spec.name, arr.nbytes)
            self._check(cudart.cudaMemcpyAsync(ptr, arr.ctypes.data, arr.nbytes, h2d, self._stream),
                        "cudaMemcpyAsync(host->device)")
            self._context.set_tensor_address(spec.name, ptr)
        outs = self._host_out.get(n)
        if outs is None:
            outs = [np.empty(tuple(self._context.get_tensor_shape(o.name)), dtype=o.dtype)
                    for o in self.outputs]
            self._host_out[n] = outs
        for spec, host in zip(self.outputs, outs):
            self._context.set_tensor_address(spec.name, self._device_buffer(spec.name, host.nbytes))
        if not self._context.execute_async_v3(self._stream):
            raise ModelError(f"model {self._path.name}: TensorRT execution failed")
        for spec, host in zip(self.outputs, outs):
            ptr, _ = self._device[spec.name]
            self._check(cudart.cudaMemcpyAsync(host.ctypes.data, ptr, host.nbytes, d2h, self._stream),
                        "cudaMemcpyAsync(device->host)")
        self._check(cudart.cudaStreamSynchronize(self._stream), "cudaStreamSynchronize")
        return outs

    def close(self) -> None:
        for ptr, _ in self._device.values():
            self._cudart.cudaFree(ptr)
        self._device.clear()
        if getattr(self, "_stream", None) is not None:
            self._cudart.cudaStreamDestroy(self._stream)
            self._stream = None
        self._context = self._engine = self._runtime = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown may have torn down cudart
            pass
