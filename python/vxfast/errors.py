"""Exceptions. The C++ core raises VideoError (and its base VxfastError) directly."""
from ._core import VideoError, VxfastError


class ModelError(VxfastError):
    """A model could not be found, loaded or run (names the model and the problem)."""


class ConfigError(VxfastError, ValueError):
    """A bad profile name, unknown key or out-of-range value (names it)."""


class CorruptFrameWarning(UserWarning):
    """Some packets or frames of a video were corrupt; decoding went on past them."""


__all__ = ["VxfastError", "VideoError", "ModelError", "ConfigError", "CorruptFrameWarning"]
