"""Execution-provider choice for onnxruntime sessions."""
from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ModelError

#: Preference order for ``providers="auto"``: fastest first, CPU always last.
AUTO_ORDER = ("TensorrtExecutionProvider", "CUDAExecutionProvider", "CoreMLExecutionProvider",
              "CPUExecutionProvider")

ALIASES = {
    "tensorrt": "TensorrtExecutionProvider", "trt": "TensorrtExecutionProvider",
    "cuda": "CUDAExecutionProvider", "gpu": "CUDAExecutionProvider",
    "coreml": "CoreMLExecutionProvider", "cpu": "CPUExecutionProvider",
    "dml": "DmlExecutionProvider", "directml": "DmlExecutionProvider",
    "openvino": "OpenVINOExecutionProvider", "rocm": "ROCMExecutionProvider",
}


class ProviderWarning(RuntimeWarning):
    """A requested execution provider is not available in this onnxruntime build; it was skipped."""


def normalize(name: str) -> str:
    """``"cuda"`` -> ``"CUDAExecutionProvider"``; full names pass through."""
    key = name.strip()
    return ALIASES.get(key.lower(), key)


def parse_providers(spec: str | Sequence[str] | None) -> list[str] | None:
    """``None``/``"auto"`` -> ``None`` (auto); ``"cuda,cpu"`` or a list -> full provider names."""
    if spec is None:
        return None
    if isinstance(spec, str):
        if spec.strip().lower() in ("", "auto"):
            return None
        spec = [p for p in spec.split(",") if p.strip()]
    return [normalize(p) for p in spec]


def choose_providers(spec: str | Sequence[str] | None, available: Sequence[str], *,
                     tensorrt: bool = True, model: str = "model") -> list[str]:
    """Providers to request, in order. Unavailable requested ones are dropped with a
    :class:`ProviderWarning`; CPU is appended as the last resort so a session can always be made."""
    wanted = parse_providers(spec)
    if wanted is None:
        chosen = [p for p in AUTO_ORDER if p in available]
        if not tensorrt:
            chosen = [p for p in chosen if p != "TensorrtExecutionProvider"]
    else:
        unknown = [p for p in wanted if not p.endswith("ExecutionProvider")]
        if unknown:
            raise ModelError(f"{model}: unknown execution provider(s) {unknown}; "
                             f"use one of {sorted(set(ALIASES))} or a full onnxruntime provider name")
        chosen = []
        for p in wanted:
            if p in available:
                if p not in chosen:
                    chosen.append(p)
            else:
                warnings.warn(f"{model}: execution provider {p} is not available in this onnxruntime "
                              f"(available: {', '.join(available)}); skipping it",
                              ProviderWarning, stacklevel=4)
    if "CPUExecutionProvider" not in chosen:
        chosen.append("CPUExecutionProvider")
    return chosen


def provider_options(providers: Sequence[str], *, fp16: bool, cache_dir: Path,
                     device_id: int = 0) -> list[tuple[str, dict[str, Any]]]:
    """(name, options) pairs: TensorRT caches its engines (building one takes minutes)."""
    out: list[tuple[str, dict[str, Any]]] = []
    for p in providers:
        opts: dict[str, Any] = {}
        if p == "TensorrtExecutionProvider":
            trt_dir = cache_dir / "trt"
            os.makedirs(trt_dir, exist_ok=True)
            opts = {"device_id": device_id, "trt_fp16_enable": bool(fp16),
                    "trt_engine_cache_enable": True, "trt_engine_cache_path": str(trt_dir)}
        elif p == "CUDAExecutionProvider":
            opts = {"device_id": device_id}
        out.append((p, opts))
    return out


def runs_on_cpu(spec: str | Sequence[str] | None, available: Sequence[str], *,
                tensorrt: bool = True) -> bool:
    """Whether a session asked for ``spec`` would get only the CPU provider here (no warnings)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProviderWarning)
        return choose_providers(spec, available, tensorrt=tensorrt) == ["CPUExecutionProvider"]
