"""pytest plugin: a vxfast model benchmark in one line of a user's test, on top of pytest-benchmark.

Enable it with ``pytest_plugins = ["vxfast.testing"]`` in your top-level ``conftest.py`` (or through
the ``pytest11`` entry point when the package registers one), then::

    def test_detector_speed(vxfast_bench):
        vxfast_bench("models/detector.onnx", batch=4)

Each call times ``model.run`` on a synthetic batch of the model's input shape (or on ``inputs`` you
give) with ``benchmark.pedantic`` and returns the :class:`vxfast.Model`. Gate it with
pytest-benchmark's own workflow (docs/benchmarking.md)::

    pytest --benchmark-save=base
    pytest --benchmark-compare --benchmark-compare-fail=median:10%

Importing this module costs nothing when the fixture is not used: vxfast, numpy and the model are
loaded inside the fixture.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable, Optional

import pytest

__all__ = ["vxfast_bench"]


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("vxfast", "vxfast model benchmarks")
    group.addoption("--vxfast-rounds", type=int, default=None,
                    help="rounds per vxfast_bench call (default: the call's rounds=, else 10)")
    group.addoption("--vxfast-providers", default=None,
                    help="execution providers for vxfast_bench models, e.g. cuda,cpu (default: auto)")


@pytest.fixture
def vxfast_bench(request: Any) -> Iterator[Callable[..., Any]]:
    """``vxfast_bench(model, batch=None, *, inputs=None, rounds=10, warmup=2, providers=None,
    profile=None, threads=None, group=None) -> vxfast.Model``.

    ``model`` is a path, a bare name or an open :class:`vxfast.Model`. The benchmark's
    ``extra_info`` records the model, providers, batch and input shape, so saved runs say what they
    measured. One call per test (pytest-benchmark times one function per test).
    """
    try:
        benchmark = request.getfixturevalue("benchmark")
    except pytest.FixtureLookupError:
        raise pytest.UsageError("vxfast_bench needs pytest-benchmark: pip install pytest-benchmark") from None
    opened = []

    def bench(model: Any, batch: Optional[int] = None, *, inputs: Any = None, rounds: int = 10,
              warmup: int = 2, providers: Any = None, profile: Any = None, threads: Optional[int] = None,
              group: Optional[str] = None) -> Any:
        import numpy as np

        from .benchmark import synthetic_input
        from .model import Model

        if not isinstance(model, Model):
            model = Model(model, providers=providers or request.config.getoption("vxfast_providers"),
                          profile=profile, batch=batch, threads=threads, warmup=0)
            opened.append(model)
        if inputs is None:
            inputs = synthetic_input(model, batch or model.batch)
        info = model.info
        benchmark.group = group or benchmark.group or f"vxfast:{info.name}"
        benchmark.extra_info.update({
            "model": str(info.source_path), "providers": list(info.providers),
            "batch": int(np.shape(inputs)[0]) if not isinstance(inputs, dict) else None,
            "input_shape": list(np.shape(inputs)) if not isinstance(inputs, dict) else None,
        })
        n = request.config.getoption("vxfast_rounds") or rounds
        benchmark.pedantic(model.run, args=(inputs,), kwargs={"copy": False}, rounds=n, iterations=1,
                           warmup_rounds=warmup)
        return model

    yield bench
    for m in opened:
        m.close()
