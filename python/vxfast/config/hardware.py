"""What this machine has: CPU cores, SIMD level, GPUs and their memory, onnxruntime providers.

Every probe is optional and cheap; a missing tool (nvidia-smi, onnxruntime) just means "not found".
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field


@dataclass(frozen=True)
class GpuInfo:
    name: str
    memory_mb: int


@dataclass(frozen=True)
class HardwareInfo:
    cpu_cores: int
    simd: str
    providers: tuple[str, ...]
    gpus: tuple[GpuInfo, ...] = field(default_factory=tuple)
    memory_mb: int = 0

    @property
    def has_cuda(self) -> bool:
        return "CUDAExecutionProvider" in self.providers or "TensorrtExecutionProvider" in self.providers


def cpu_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def simd_level() -> str:
    """The best SIMD level this CPU runs as ``vxfast._core`` sees it, else read from /proc/cpuinfo."""
    try:
        from .. import _core
        return str(_core.simd.simd_info()["cpu"])
    except (ImportError, AttributeError, ValueError):  # ValueError: a bad VXFAST_SIMD, reported elsewhere
        pass
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read(1 << 16)
    except OSError:
        return "unknown"
    flags: set[str] = set()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            flags.update(line.split(":", 1)[1].split())
            break
    if {"avx512f", "avx512bw"} <= flags:
        return "avx512"
    if "avx2" in flags:
        return "avx2"
    if "asimd" in flags or "neon" in flags:
        return "neon"
    return "scalar"


def ort_providers() -> tuple[str, ...]:
    try:
        import onnxruntime
        return tuple(onnxruntime.get_available_providers())
    except ImportError:
        return ()


def nvidia_gpus(timeout: float = 5.0) -> tuple[GpuInfo, ...]:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return ()
    try:
        out = subprocess.run([exe, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=timeout, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    gpus = []
    for line in out.strip().splitlines():
        name, _, mem = line.rpartition(",")
        try:
            gpus.append(GpuInfo(name.strip(), int(float(mem))))
        except ValueError:
            continue
    return tuple(gpus)


def host_memory_mb() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / (1 << 20))
    except (ValueError, OSError, AttributeError):
        return 0


def detect_hardware() -> HardwareInfo:
    """Probe this machine (takes well under a second; nvidia-smi is the slow part when present)."""
    return HardwareInfo(cpu_cores=cpu_cores(), simd=simd_level(), providers=ort_providers(),
                        gpus=nvidia_gpus(), memory_mb=host_memory_mb())
