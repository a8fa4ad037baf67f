"""Turns the ``source`` argument of the audio model functions into mono float32 samples.

A numpy array is taken as it is (with the caller's ``sample_rate``); a path or an open
``vxfast.AudioReader`` is decoded by the reader at the asked rate. The returned offset is the time
of the first sample on the reader's clock, so segment times line up with the video's frame pts.
"""
from __future__ import annotations

import os
from typing import Any, NamedTuple

import numpy as np


class Samples(NamedTuple):
    data: np.ndarray        # float32 (N,), C-contiguous
    sample_rate: int
    offset: float           # seconds of data[0] on the source's clock
    name: str               # for error messages


def load_samples(source: Any, sample_rate: int, *, what: str = "source") -> Samples:
    """``source``: 1-D (or (1, N)) float array, a path, or an object with ``read()`` (AudioReader)."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive int, got {sample_rate!r}")
    if isinstance(source, np.ndarray):
        x = source
        if x.ndim == 2 and 1 in x.shape:
            x = x.reshape(-1)
        if x.ndim != 1:
            raise ValueError(f"{what} must be mono: a 1-D array, got shape {x.shape} "
                             "(mix the channels down first, e.g. AudioReader(..., channels=1))")
        if x.dtype.kind not in "fiu":
            raise ValueError(f"{what} must be a numeric array, got dtype {x.dtype}")
        if x.dtype.kind in "iu":  # integer PCM -> -1..1 as the models expect
            x = x.astype(np.float32) / float(np.iinfo(x.dtype).max + 1)
        x = np.ascontiguousarray(x, dtype=np.float32)
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{what} has NaN/Inf samples")
        return Samples(x, int(sample_rate), 0.0, "<array>")
    if hasattr(source, "read") and hasattr(source, "info"):
        return _from_reader(source, int(sample_rate), getattr(source, "path", "<reader>"))
    if isinstance(source, (str, os.PathLike)):
        import importlib
        try:  # the decoder lives beside us (vxfast.audio.reader); imported only when used
            reader_cls = importlib.import_module(".reader", __package__).AudioReader
        except ImportError as e:
            raise ValueError(f"{what}: decoding a file needs vxfast.AudioReader, which this build "
                             "lacks; pass a numpy array") from e
        with reader_cls(source, sample_rate=int(sample_rate), channels=1) as r:
            return _from_reader(r, int(sample_rate), os.fspath(source))
    raise ValueError(f"{what} must be a numpy array, a path or a vxfast.AudioReader, "
                     f"got {type(source).__name__}")


def _from_reader(r: Any, sample_rate: int, name: str) -> Samples:
    info = r.info
    rate = int(getattr(r, "sample_rate", getattr(info, "sample_rate", sample_rate)))  # output rate
    if rate != sample_rate:
        raise ValueError(f"{name}: the reader delivers {rate} Hz, the model needs {sample_rate} Hz; "
                         f"open it with AudioReader(..., sample_rate={sample_rate})")
    x = np.asarray(r.read())
    if x.ndim == 2:
        if x.shape[0] != 1:
            raise ValueError(f"{name}: the reader delivers {x.shape[0]} channels; open it with "
                             "AudioReader(..., channels=1)")
        x = x[0]
    offset = float(getattr(info, "start_time", 0.0) or 0.0)
    return Samples(np.ascontiguousarray(x, dtype=np.float32), rate, offset, os.fspath(name))


__all__: list[str] = []
