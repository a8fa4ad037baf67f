"""The SIMD level of every kernel family (preprocess, postprocess, features), in one place.

vxfast is built for the baseline instruction set; its kernels pick AVX2 / AVX-512 / NEON at run time
from one level (``cpp/common/simd.h``):

* ``VXFAST_SIMD=scalar|neon|avx2|avx512|native`` (read once, at first use) chooses it; unset or
  ``native`` means the best this CPU runs.
* An unknown value raises ``ValueError`` (listing the valid values) from every call that runs a
  kernel, and from :func:`simd_info`.
* A level this CPU cannot run is lowered to the best it can, in every area, with one
  ``RuntimeWarning`` (at the first call that runs a kernel, or :func:`simd_info`).
* :func:`set_simd_level` changes it for every area at once; ``"native"`` returns to the default.
"""

from __future__ import annotations

from typing import Optional, TypedDict

from . import _core

__all__ = ["simd_info", "set_simd_level", "simd_level", "SIMD_LEVELS"]

#: The values ``VXFAST_SIMD`` and :func:`set_simd_level` accept.
SIMD_LEVELS = ("scalar", "neon", "avx2", "avx512", "native")


class SimdInfo(TypedDict):
    cpu: str                 # the best level this CPU runs
    requested: Optional[str]  # VXFAST_SIMD verbatim, None when unset
    level: str               # the level in force (set_simd_level, else VXFAST_SIMD lowered, else cpu)
    areas: dict[str, str]    # the level each kernel family really runs for it
    runnable: list[str]      # levels this CPU runs
    avx512vbmi: bool         # the AVX-512 YUV kernel's VBMI tap fetch is available


def simd_info() -> SimdInfo:
    """What the kernels run on: ``{'cpu', 'requested', 'level', 'areas', 'runnable', 'avx512vbmi'}``.

    ``areas`` maps ``preprocess``, ``postprocess``, ``features``, ``audio_frontend`` and
    ``audio_resample`` to the level each uses (both audio areas have scalar, AVX2 and AVX-512
    kernels): an area
    without kernels for a level uses the nearest one it has (postprocess runs its scalar kernels at
    ``neon``; features' ``scalar`` is its portable row pass, vectorised by the compiler).

    Raises:
        ValueError: ``VXFAST_SIMD`` holds an unknown value.
    """
    return _core.simd.simd_info()  # type: ignore[return-value]


def set_simd_level(level: str) -> None:
    """Sets the SIMD level of every area: ``scalar``, ``neon``, ``avx2``, ``avx512`` or ``native``.

    A level this CPU cannot run is lowered to the best it can (one ``RuntimeWarning``).
    ``"native"`` returns to ``VXFAST_SIMD`` / the CPU's best. Meant for tests and benchmarks.

    Raises:
        ValueError: unknown level name.
    """
    _core.simd.set_simd_level(str(level))


def simd_level() -> str:
    """The level in force (``simd_info()['level']``)."""
    return simd_info()["level"]
