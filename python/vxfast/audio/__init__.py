"""vxfast.audio: audio front-ends (mel spectrograms, Whisper log-mel, Kaldi fbank, YAMNet, CLAP) in C++."""

from .frontends import *  # noqa: F401,F403
from .frontends import __all__ as _frontends_all

__all__ = [*_frontends_all]
