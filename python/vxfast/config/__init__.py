"""Hardware profiles and run settings (``vxfast.Config``)."""
from .core import ENV_OVERRIDES, Config, ResolutionSettings, resolve_config
from .hardware import GpuInfo, HardwareInfo, detect_hardware

__all__ = ["Config", "ResolutionSettings", "HardwareInfo", "GpuInfo", "detect_hardware"]
