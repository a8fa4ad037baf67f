"""Audio: :class:`AudioReader` (decode + resample with sample-accurate time, :mod:`.reader`)."""
from .reader import *  # noqa: F401,F403
from .reader import __all__ as _reader_all

__all__ = [*_reader_all]
