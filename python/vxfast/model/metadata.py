"""Ultralytics export metadata from an ONNX file's ``metadata_props`` (names, imgsz, stride, task, batch).

Ultralytics writes Python literals (``"{0: 'person', ...}"``, ``"[640, 640]"``) as strings; they are
parsed with ``ast.literal_eval`` (never ``eval``) and anything unparsable is kept as the raw string.
"""
from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ModelMetadata:
    """What the exporter recorded. Every field is ``None`` when the file does not say."""

    task: str | None = None
    names: dict[int, str] | None = None
    imgsz: tuple[int, int] | None = None
    stride: int | None = None
    batch: int | None = None
    raw: dict[str, str] = field(default_factory=dict)


def _literal(value: str) -> Any:
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return value


def _names(value: Any) -> dict[int, str] | None:
    if isinstance(value, dict):
        try:
            return {int(k): str(v) for k, v in value.items()}
        except (TypeError, ValueError):
            return None
    if isinstance(value, (list, tuple)):
        return {i: str(v) for i, v in enumerate(value)}
    return None


def _imgsz(value: Any) -> tuple[int, int] | None:
    if isinstance(value, int) and value > 0:
        return (value, value)
    if isinstance(value, (list, tuple)) and len(value) in (1, 2):
        try:
            dims = [int(v) for v in value]
        except (TypeError, ValueError):
            return None
        return (dims[0], dims[-1])
    return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_metadata(props: Mapping[str, str]) -> ModelMetadata:
    """Parse a ``{key: value}`` mapping as found in ONNX ``metadata_props``."""
    raw = {str(k): str(v) for k, v in props.items()}
    task = raw.get("task")
    return ModelMetadata(
        task=task if task else None,
        names=_names(_literal(raw["names"])) if "names" in raw else None,
        imgsz=_imgsz(_literal(raw["imgsz"])) if "imgsz" in raw else None,
        stride=_int(_literal(raw["stride"])) if "stride" in raw else None,
        batch=_int(_literal(raw["batch"])) if "batch" in raw else None,
        raw=raw,
    )
