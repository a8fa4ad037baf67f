"""Frame-quality / forensic features on the decoded luma plane, and codec cues from packets.

>>> import numpy as np, vxfast
>>> f = vxfast.features.compute(np.full((64, 64), 128, np.uint8))
>>> f["laplacian_var"], f["brenner"]
(0.0, 0.0)

Definitions: ``docs/features.md``. :func:`compute` runs the C++ kernels on one (H, W) uint8 array;
:func:`quality` runs them over sampled frames of a video (luma plane as decoded, no RGB, no range
conversion) and returns a :class:`FeatureTable`; :func:`codec` reads codec cues without decoding
pixels.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Optional, Union

import numpy as np

from .. import _core
from ._cache import FeatureCache, file_fingerprint
from ._table import FeatureTable

__all__ = ["FEATURE_NAMES", "FeatureTable", "compute", "quality", "codec", "simd_level", "simd_levels",
           "file_fingerprint"]

PathLike = Union[str, "os.PathLike[str]"]

#: Every feature, in the column order of :attr:`FeatureTable.values`.
FEATURE_NAMES: tuple[str, ...] = tuple(_core.features.features_names())


def simd_level() -> str:
    """The instruction set :func:`compute` uses by default: the library's one level
    (:mod:`vxfast.simd`), where ``scalar`` (and ``neon``) run the portable row pass."""
    return _core.simd.simd_info()["areas"]["features"]


def simd_levels() -> tuple[str, ...]:
    """What ``compute(simd=...)`` accepts here: ``reference`` (the double-precision definitions,
    the tests' yardstick) first, then ``scalar`` (the portable row pass) and the ISA levels this
    CPU runs."""
    return tuple(_core.features.features_simd_levels())


def _check_luma(y: object) -> np.ndarray:
    if not isinstance(y, np.ndarray):
        raise TypeError(f"y must be a numpy array (H, W) of uint8, not {type(y).__name__}")
    return y


def compute(y: np.ndarray, *, simd: str = "auto", threads: int = 0) -> dict[str, float]:
    """All features of one luma plane.

    Args:
        y: (H, W) uint8, any size >= 1x1; rows must be contiguous (a padded row stride, as a
            decoder's plane has, is fine). Not copied.
        simd: ``"auto"`` (the library's level, :mod:`vxfast.simd`), or one of :func:`simd_levels`
            (``"reference"`` is the double-precision definition).
        threads: row bands computed in parallel; 0 picks one per ~0.5 MPixel, at most the CPU's
            hardware threads (3 for 1080p on a machine with 3 or more).

    Returns:
        ``{name: value}`` in :data:`FEATURE_NAMES` order. A feature whose definition is empty for
        this size (e.g. DCT features below 8x8, ``brenner`` below width 3) or divides 0 by 0 is NaN.

    Raises:
        TypeError: ``y`` is not a numpy array. ValueError: wrong dtype, ndim, empty, non-contiguous
        rows, unknown ``simd``.
    """
    vec = _core.features.features_compute(_check_luma(y), simd, int(threads))
    return dict(zip(FEATURE_NAMES, vec.tolist()))


def _feature_columns(features: Optional[Iterable[str]]) -> tuple[tuple[str, ...], np.ndarray]:
    if features is None:
        return FEATURE_NAMES, np.arange(len(FEATURE_NAMES))
    if isinstance(features, str):
        raise TypeError(f"features must be a list of names, not the string {features!r}; "
                        f"did you mean [{features!r}]?")
    names = tuple(features)
    unknown = [n for n in names if n not in FEATURE_NAMES]
    if unknown or not names:
        raise ValueError(f"features={list(names)!r}: unknown or empty; choose from {', '.join(FEATURE_NAMES)}")
    return names, np.array([FEATURE_NAMES.index(n) for n in names])


def quality(video: PathLike, sample: str = "fps:1", features: Optional[Sequence[str]] = None,
            cache_dir: Optional[PathLike] = None, *, threads: int = 1, start: Optional[float] = None,
            end: Optional[float] = None) -> FeatureTable:
    """Features of sampled frames of ``video``, computed on each decoded luma plane.

    Args:
        video: path of the video (read with :class:`vxfast.VideoReader`).
        sample: any sampling mode of :meth:`vxfast.VideoReader.frames` (``"fps:1"``, ``"all"``,
            ``"every:N"``, ``"uniform:N"``, ``"keyframes"``).
        features: names to keep (default all, :data:`FEATURE_NAMES`); all are computed in one pass.
        cache_dir: if given, results are stored there keyed by the file's fingerprint (size, mtime,
            hashes of its first and last MiB) and these parameters; an unreadable or damaged entry
            is recomputed and rewritten.
        start, end: seconds on the stream's clock, as :meth:`vxfast.VideoReader.frames`: only the
            frames with start <= pts < end (default: the whole video).
        threads: feature threads per frame (see :func:`compute`; 0 = its automatic choice).
            Default 1: the decoder's frame threads already use the other cores, and on 2 cores
            one feature thread used less CPU per frame in all four quiet runs of
            ``bench/bench_features.py`` and kept pace as well or better (docs/performance-history.md).

    Raises:
        VideoError: the file is missing or cannot be decoded (names it). ValueError: bad ``sample``
            or ``features``.
    """
    from ..video import _check_time

    names, cols = _feature_columns(features)
    path = os.fspath(video)
    t_start, t_end = _check_time("start", start), _check_time("end", end)
    key: dict[str, object] = {"sample": sample, "features": list(names)}
    if start is not None or end is not None:  # ranged runs get their own entries; whole-file keys unchanged
        key.update(start=t_start, end=t_end)
    cache = None
    if cache_dir is not None:
        try:
            fp = file_fingerprint(path)
        except OSError as e:
            raise _core.VideoError(f"cannot open video '{path}': {e.strerror or e}") from None
        cache = FeatureCache(cache_dir, fp, key)
        hit = cache.load()
        if hit is not None:
            return hit

    from ..video import VideoReader  # the reader is the decode area's; imported late to keep this light

    # One C++ call for the whole video (GIL released): the sampler of VideoReader.frames drives the
    # decoder and the features read each decoded luma plane in place, so there is no yuv420p copy
    # and no Python per frame. Computed in the decode loop rather than on a worker thread
    # overlapping it: on 2 cores the decoder's frame threads already use both, and the overlap
    # measured the same within noise (0.68x vs 0.64x of decode-only throughput,
    # docs/performance-history.md).
    with VideoReader(path) as reader:
        index, pts, values = _core.features.features_quality(reader._live().source(), sample, "auto", int(threads),
                                                             t_start, t_end)
    values = values[:, cols]
    table = FeatureTable(names, index, pts, values)
    if cache is not None:
        cache.store(table)
    return table


def codec(video: PathLike) -> dict:
    """Codec cues of the best video stream, from its packets alone (no pixels decoded).

    Returns a dict: ``codec``, ``profile``, ``width``, ``height``, ``fps`` (packets / duration),
    ``fps_declared`` (header), ``duration`` (s), ``bit_rate`` (measured: packet bytes * 8 /
    duration), ``bit_rate_declared`` (header, 0 if none), ``frames`` (packets), ``keyframes``
    (display indices), ``gop_mean``/``gop_max`` (frames between consecutive keyframes; the frame
    count when there is one keyframe), ``frame_types`` (``{"I": n, "P": n, "B": n}``, from the
    bitstream parser), ``mean_packet_size`` (bytes, per type) and ``frame_types_source``
    (``"parser"``, or ``"parser+flags"`` when some packets could only be typed by their key flag).
    See ``docs/features.md``.

    Raises:
        VideoError: the file is missing, unreadable or has no video stream (names it).
    """
    return _core.features.features_codec_stats(os.fspath(video))
