"""Exceptions and warnings. The C++ core raises VideoError (base VxfastError) and warns
CorruptFrameWarning (a UserWarning: some packets/frames were damaged, decoding went on) directly."""
from ._core import CorruptFrameWarning, VideoError, VxfastError


class ModelError(VxfastError):
    """A model could not be found, loaded or run (names the model and the problem)."""


class ConfigError(VxfastError, ValueError):
    """A bad profile name, unknown key or out-of-range value (names it)."""


__all__ = ["VxfastError", "VideoError", "ModelError", "ConfigError", "CorruptFrameWarning"]
