"""Stubs for vxfast._core.simd (cpp/bindings/simd.cpp)."""
from typing import Any

def simd_info() -> dict[str, Any]:
    """{'cpu', 'requested' (VXFAST_SIMD or None), 'level', 'areas': {area: level}, 'runnable',
    'avx512vbmi'}. Raises ValueError for an unknown VXFAST_SIMD; warns RuntimeWarning once when a
    level was lowered to what the CPU runs."""
def set_simd_level(level: str) -> None:
    """scalar|neon|avx2|avx512 for every area (lowered, with a RuntimeWarning, if the CPU cannot run
    it), or native (back to VXFAST_SIMD / the CPU's best). ValueError for unknown names."""
