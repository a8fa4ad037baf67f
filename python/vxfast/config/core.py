"""``vxfast.Config``: one immutable bundle of run settings, from a profile, the environment or a file.

Precedence, highest first: explicit arguments of an entry point > ``VXFAST_*`` environment variables
> the profile > the defaults below. A Config is frozen (``dataclasses.replace`` makes a changed copy)
and validated on construction, so an invalid one cannot exist; nothing here is global or mutable.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .hardware import HardwareInfo, detect_hardware
from .profiles import PROFILES

_GRAPH_OPT = ("disable", "basic", "extended", "all")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_FORMAT_KEY = "vxfast_config"
_FORMAT_VERSION = 1
#: Fields older versions had and nothing ever read; files that still hold them load with a warning.
_REMOVED = ("memory_budget_mb", "vram_budget_mb", "full_traces")

#: environment variable -> (Config field, parser)
ENV_OVERRIDES: dict[str, tuple[str, type]] = {
    "VXFAST_CONF_THRESHOLD": ("conf_threshold", float),
    "VXFAST_IOU_THRESHOLD": ("iou_threshold", float),
    "VXFAST_MODEL_DIR": ("model_dir", str),
    "VXFAST_BATCH_SIZE": ("batch_size", int),
    "VXFAST_THREADS": ("threads", int),
    "VXFAST_STREAMS": ("streams", int),
    "VXFAST_PROVIDERS": ("providers", str),
}


@dataclass(frozen=True)
class Config:
    """Run settings. See ``docs/config.md`` for every field and the built-in profiles."""

    name: str = "default"
    providers: str = "auto"          #: "auto" or comma list: "tensorrt,cuda,cpu"
    tensorrt: bool = True            #: allow TensorRT when providers is "auto"
    fp16: bool = False               #: FP16 engines on GPU providers
    batch_size: int = 1
    threads: int = 0                 #: intra-op threads; 0 = onnxruntime's default (all cores)
    streams: int = 0                 #: concurrent sessions per Model (threads split among them);
                                     #: 0 = the entry point's choice (Model: 1, detect: 2 on CPU)
    inter_op_threads: int = 1
    graph_optimization: str = "all"  #: disable | basic | extended | all
    conf_threshold: float = 0.25
    iou_threshold: float = 0.45
    max_det: int = 300
    model_dir: str | None = None
    input_size: int = 640            #: detect(): input side when the model leaves it free
    warmup: int = 1                  #: warm-up runs when a model is loaded
    log_level: str = "WARNING"       #: onnxruntime session logging (DEBUG = verbose)
    sanity_checks: bool = False      #: check every tensor for NaN/Inf and shape

    def __post_init__(self) -> None:
        self.validate()

    # -- validation -------------------------------------------------------------------------------
    def validate(self) -> Config:
        """Raise :class:`ConfigError` naming the first bad field; return self when all is well."""
        # Annotations are strings here (``from __future__ import annotations``).
        types = {f.name: str(f.type) for f in dataclasses.fields(self)}
        for key in types:
            value = getattr(self, key)
            expected: Any = {"str": str, "bool": bool, "int": int, "float": (int, float),
                             "str | None": (str, type(None))}[types[key]]
            if isinstance(value, bool) and expected in (int, (int, float)):
                raise ConfigError(f"config {key}: expected a number, got {value!r}")
            if not isinstance(value, expected):
                raise ConfigError(f"config {key}: expected {types[key]}, got {value!r}")

        def in_range(key: str, lo: float, hi: float) -> None:
            v = getattr(self, key)
            if not (lo <= v <= hi) or (isinstance(v, float) and math.isnan(v)):
                raise ConfigError(f"config {key}: {v!r} is out of range [{lo}, {hi}]")

        in_range("batch_size", 1, 1024)
        in_range("threads", 0, 1024)
        in_range("streams", 0, 64)
        in_range("inter_op_threads", 0, 1024)
        in_range("conf_threshold", 0.0, 1.0)
        in_range("iou_threshold", 0.0, 1.0)
        in_range("max_det", 1, 100_000)
        in_range("input_size", 32, 8192)
        in_range("warmup", 0, 1000)
        if self.input_size % 32:
            raise ConfigError(f"config input_size: {self.input_size} is not a multiple of 32")
        if self.graph_optimization not in _GRAPH_OPT:
            raise ConfigError(f"config graph_optimization: {self.graph_optimization!r} is not one of "
                              f"{_GRAPH_OPT}")
        if self.log_level not in _LOG_LEVELS:
            raise ConfigError(f"config log_level: {self.log_level!r} is not one of {_LOG_LEVELS}")
        from ..model.providers import normalize, parse_providers
        try:
            parsed = parse_providers(self.providers)
        except Exception as e:  # noqa: BLE001
            raise ConfigError(f"config providers: {self.providers!r}: {e}") from e
        bad = [p for p in parsed or [] if not normalize(p).endswith("ExecutionProvider")]
        if bad:
            raise ConfigError(f"config providers: unknown provider(s) {bad} in {self.providers!r}")
        return self

    # -- construction -----------------------------------------------------------------------------
    @classmethod
    def profiles(cls) -> tuple[str, ...]:
        """Names of the built-in profiles."""
        return tuple(PROFILES)

    @classmethod
    def from_profile(cls, name: str) -> Config:
        """A built-in profile exactly as shipped (no environment applied; see :meth:`with_env`)."""
        if name not in PROFILES:
            raise ConfigError(f"config profile {name!r} does not exist; built-in profiles: "
                              f"{', '.join(PROFILES)}")
        return cls(name=name, **PROFILES[name])

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Config:
        """Build from a mapping of field names; an unknown key raises :class:`ConfigError`."""
        known = {f.name for f in dataclasses.fields(cls)}
        removed = sorted(set(data) & set(_REMOVED))
        if removed:
            warnings.warn(f"config: {removed} no longer exist (nothing used them) and are ignored",
                          DeprecationWarning, stacklevel=2)
            data = {k: v for k, v in data.items() if k not in _REMOVED}
        unknown = sorted(set(data) - known - {_FORMAT_KEY})
        if unknown:
            raise ConfigError(f"config: unknown key(s) {unknown}; known keys: {sorted(known)}")
        return cls(**{k: v for k, v in data.items() if k != _FORMAT_KEY})

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> Config:
        """A copy with ``changes`` applied (validated; unknown keys raise :class:`ConfigError`)."""
        return self.from_dict({**self.to_dict(), **changes})

    def with_env(self, env: Mapping[str, str] | None = None) -> Config:
        """Apply the ``VXFAST_*`` overrides found in ``env`` (default ``os.environ``)."""
        env = os.environ if env is None else env
        changes: dict[str, Any] = {}
        for var, (key, parse) in ENV_OVERRIDES.items():
            raw = env.get(var)
            if raw is None or raw.strip() == "":
                continue
            try:
                changes[key] = parse(raw.strip())
            except ValueError:
                raise ConfigError(f"environment {var}={raw!r}: not a valid {parse.__name__} "
                                  f"for config {key}") from None
        if not changes:
            return self
        try:
            return self.replace(**changes)
        except ConfigError as e:
            vars_ = ", ".join(f"{v}={env[v]!r}" for v in ENV_OVERRIDES if v in env)
            raise ConfigError(f"{e} (from environment: {vars_})") from None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        """``VXFAST_PROFILE`` (or the defaults) with the environment overrides applied."""
        env = os.environ if env is None else env
        name = env.get("VXFAST_PROFILE", "").strip()
        base = cls.from_profile(name) if name else cls()
        return base.with_env(env)

    @classmethod
    def for_hardware(cls, hw: HardwareInfo) -> Config:
        """Settings derived from a :class:`HardwareInfo` (the core of :meth:`auto_detect`)."""
        if hw.has_cuda:
            vram = hw.gpus[0].memory_mb if hw.gpus else 0
            batch = 8 if vram >= 16000 or not vram else 4 if vram >= 8000 else 2
            return cls(name="auto-gpu", providers="auto",
                       tensorrt="TensorrtExecutionProvider" in hw.providers, fp16=True,
                       batch_size=batch, threads=min(4, hw.cpu_cores), warmup=3)
        # CPU: onnxruntime already uses every core inside one batch-1 run, so a larger batch buys
        # little; keep 1 on small boxes and let bigger ones overlap a little more.
        return cls(name="auto-cpu", providers="cpu", tensorrt=False,
                   batch_size=1 if hw.cpu_cores <= 4 else 2, threads=hw.cpu_cores)

    @classmethod
    def auto_detect(cls, env: Mapping[str, str] | None = None,
                    hardware: HardwareInfo | None = None) -> Config:
        """Probe the machine (GPU and its memory, CPU cores, SIMD level); ``VXFAST_PROFILE`` wins
        over the probe; then the environment overrides apply."""
        env = os.environ if env is None else env
        name = env.get("VXFAST_PROFILE", "").strip()
        base = cls.from_profile(name) if name else cls.for_hardware(hardware or detect_hardware())
        return base.with_env(env)

    # -- files ------------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> Path:
        """Write JSON that :meth:`load` reads back to an equal Config."""
        p = Path(path)
        p.write_text(json.dumps({_FORMAT_KEY: _FORMAT_VERSION, **self.to_dict()}, indent=2) + "\n")
        return p

    @classmethod
    def load(cls, path: str | os.PathLike) -> Config:
        p = Path(path)
        try:
            data = json.loads(p.read_text())
        except OSError as e:
            raise ConfigError(f"config file {p}: cannot be read ({e.strerror})") from e
        except ValueError as e:
            raise ConfigError(f"config file {p}: not valid JSON ({e})") from e
        if not isinstance(data, dict):
            raise ConfigError(f"config file {p}: expected a JSON object, got {type(data).__name__}")
        version = data.get(_FORMAT_KEY, _FORMAT_VERSION)
        if version != _FORMAT_VERSION:
            raise ConfigError(f"config file {p}: {_FORMAT_KEY} version {version!r} is not supported")
        try:
            return cls.from_dict(data)
        except ConfigError as e:
            raise ConfigError(f"config file {p}: {e}") from None


def resolve_config(profile: str | Config | None, env: Mapping[str, str] | None = None) -> Config:
    """What an entry point's ``profile=`` argument means: a Config is used as given; a name is that
    profile plus environment overrides; None is :meth:`Config.from_env`."""
    if isinstance(profile, Config):
        return profile
    if profile is None:
        return Config.from_env(env)
    if isinstance(profile, str):
        return Config.from_profile(profile).with_env(env)
    raise ConfigError(f"profile: expected a profile name or a vxfast.Config, got {profile!r}")
