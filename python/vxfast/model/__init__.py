"""Inference sessions: :class:`Model` over onnxruntime (or a TensorRT ``.engine``).

The parts: name resolution (:mod:`.resolve`), Ultralytics metadata (:mod:`.metadata`), provider
choice (:mod:`.providers`), the verified batch-axis rewrite (:mod:`.batch_rewrite`), latency stats
(:mod:`.stats`), static INT8 quantization (:mod:`.quantization`), FP16 / graph optimisation
(:mod:`.optimization`), original-vs-optimised checks (:mod:`.validation`), the TensorRT runner
(:mod:`.tensorrt_engine`, imported only for ``.engine`` files).
"""
from .batch_rewrite import RewriteResult as RewriteResult  # reached as vxfast.model.<name>
from .batch_rewrite import make_batch_dynamic
from .metadata import ModelMetadata as ModelMetadata
from .metadata import parse_metadata as parse_metadata
from .optimization import OptimizeReport, optimize
from .providers import ProviderWarning
from .quantization import QuantizeReport, quantize
from .resolve import cache_dir as cache_dir
from .resolve import resolve_model
from .session import BatchFallbackWarning, Model, ModelStream
from .specs import ModelInfo, TensorSpec
from .validation import ValidationReport, validate

__all__ = ["Model", "ModelStream", "ModelInfo", "TensorSpec", "ProviderWarning", "BatchFallbackWarning",
           "resolve_model", "make_batch_dynamic", "quantize", "QuantizeReport",
           "optimize", "OptimizeReport", "validate", "ValidationReport"]
