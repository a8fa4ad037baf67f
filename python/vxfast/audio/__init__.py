"""Audio: decoding, model front-ends and audio models (VAD, embeddings, classification,
diarization), on the same clock as the video."""
from .voice_activity import *  # noqa: F403
from .voice_activity import __all__ as _vad_all

__all__ = [*_vad_all]
