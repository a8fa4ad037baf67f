"""Audio: :class:`AudioReader` (decode + resample with sample-accurate time, :mod:`.reader`) and
audio models on the same clock: voice activity (:mod:`.voice_activity`)."""
from .reader import *  # noqa: F401,F403
from .reader import __all__ as _reader_all
from .voice_activity import *  # noqa: F401,F403
from .voice_activity import __all__ as _vad_all

__all__ = [*_reader_all, *_vad_all]
