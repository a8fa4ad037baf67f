"""Type stubs for vxfast._core, the C++ extension: one submodule per area (cpp/bindings/<area>.cpp),
the shared exceptions at the top.

Checked against the built module by ``python -m mypy.stubtest`` (scripts/lint.sh; pybind11 details it
cannot express are listed, each with its reason, in scripts/stubtest_allowlist.txt). Attributes bound
read-only in C++ are properties here. This folder holds stubs only: at run time ``vxfast._core`` is the
compiled module beside it, which registers its submodules in ``sys.modules``."""
from . import audio as audio
from . import audio_frontend as audio_frontend
from . import decode as decode
from . import features as features
from . import geometry as geometry
from . import pipeline as pipeline
from . import postprocess as postprocess
from . import preprocess as preprocess
from . import simd as simd
from . import sources as sources
from . import track as track

class VxfastError(RuntimeError): ...
class VideoError(VxfastError): ...
class CorruptFrameWarning(UserWarning): ...

__version__: str
