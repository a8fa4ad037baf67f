"""Model name resolution: a path is used as given; a bare name is searched for.

Search order: ``$VXFAST_MODEL_DIR`` (or the profile's ``model_dir``), then ``models/`` relative to the
working directory, then ``models/`` of the source checkout. In each place ``.engine`` is preferred to
``.onnx`` because an engine is the faster, already-built form of the same network.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ..errors import ModelError

SUFFIXES = (".engine", ".onnx")


def search_dirs(model_dir: str | os.PathLike | None = None,
                env: Mapping[str, str] | None = None) -> list[Path]:
    """The folders a bare model name is looked up in, in order (duplicates removed)."""
    env = os.environ if env is None else env
    dirs: list[Path] = []
    if model_dir:
        dirs.append(Path(model_dir).expanduser())
    if env.get("VXFAST_MODEL_DIR"):
        dirs.append(Path(env["VXFAST_MODEL_DIR"]).expanduser())
    dirs.append(Path.cwd() / "models")
    # python/vxfast/model/resolve.py -> checkout root; harmless for an installed package.
    dirs.append(Path(__file__).resolve().parents[3] / "models")
    unique: list[Path] = []
    for d in dirs:
        if d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def _candidates(name: str, folder: Path) -> list[Path]:
    base = folder / name
    if base.suffix in SUFFIXES:
        return [base]
    return [base.with_name(base.name + s) for s in SUFFIXES]


def resolve_model(path_or_name: str | os.PathLike, model_dir: str | os.PathLike | None = None,
                  env: Mapping[str, str] | None = None) -> Path:
    """Return the file for ``path_or_name`` or raise :class:`ModelError` listing every place tried."""
    text = os.fspath(path_or_name)
    if not text:
        raise ModelError("model: empty model name")
    given = Path(text).expanduser()
    tried: list[Path] = []
    is_path = given.is_absolute() or len(given.parts) > 1 or given.suffix in SUFFIXES
    if is_path:
        if given.is_file():
            return given.resolve()
        tried.append(given)
        if len(given.parts) > 1 or given.is_absolute():
            raise ModelError(f"model {text!r}: file not found (looked at {given.resolve()})")
    for folder in search_dirs(model_dir, env):
        for cand in _candidates(given.name, folder):
            if cand.is_file():
                return cand.resolve()
            tried.append(cand)
    places = "\n  ".join(str(p) for p in tried)
    raise ModelError(f"model {text!r} not found; looked in:\n  {places}\n"
                     "set VXFAST_MODEL_DIR or pass a path")


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where vxfast keeps derived files (rewritten models, TensorRT caches):
    ``$VXFAST_CACHE_DIR``, else ``$XDG_CACHE_HOME/vxfast``, else ``~/.cache/vxfast``."""
    env = os.environ if env is None else env
    if env.get("VXFAST_CACHE_DIR"):
        return Path(env["VXFAST_CACHE_DIR"]).expanduser()
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]).expanduser() / "vxfast"
    return Path.home() / ".cache" / "vxfast"
