"""Hardware profiles and run settings (``vxfast.Config``); the machine heuristics every entry point
shares live in :mod:`vxfast.config.heuristics`."""
from . import heuristics as heuristics
from .core import ENV_OVERRIDES as ENV_OVERRIDES
from .core import Config
from .core import resolve_config as resolve_config
from .hardware import GpuInfo, HardwareInfo, detect_hardware

__all__ = ["Config", "HardwareInfo", "GpuInfo", "detect_hardware"]
