"""Audio: :class:`AudioReader` (decode + resample with sample-accurate time, :mod:`.reader`), C++
front-ends (mel spectrograms, Whisper log-mel, Kaldi fbank, YAMNet, CLAP: :mod:`.frontends`) and
audio models on the same clock: voice activity (:mod:`.voice_activity`), embeddings
(:mod:`.embeddings`), classification (:mod:`.classification`), diarization (:mod:`.diarization`),
the faster-whisper hand-off (:mod:`.transcription`)."""
from .classification import *  # noqa: F401,F403
from .classification import __all__ as _classify_all
from .diarization import *  # noqa: F401,F403
from .diarization import __all__ as _diarize_all
from .embeddings import *  # noqa: F401,F403
from .embeddings import __all__ as _embed_all
from .frontends import *  # noqa: F401,F403
from .frontends import __all__ as _frontends_all
from .reader import *  # noqa: F401,F403
from .reader import __all__ as _reader_all
from .transcription import *  # noqa: F401,F403
from .transcription import __all__ as _transcription_all
from .voice_activity import *  # noqa: F401,F403
from .voice_activity import __all__ as _vad_all

__all__ = [*_reader_all, *_frontends_all, *_vad_all, *_embed_all, *_classify_all, *_diarize_all, *_transcription_all]
