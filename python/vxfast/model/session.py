"""``vxfast.Model``: one inference session with explicit providers, IOBinding and reused outputs."""
from __future__ import annotations

import os
import queue
import threading
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Config, resolve_config
from ..errors import ModelError
from .batch_rewrite import make_batch_dynamic
from .metadata import parse_metadata
from .providers import choose_providers, provider_options
from .resolve import cache_dir as default_cache_dir
from .resolve import resolve_model
from .specs import ModelInfo, TensorSpec, ort_dtype
from .stats import LatencyRing


class BatchFallbackWarning(RuntimeWarning):
    """A fixed-batch model could not be made dynamic; batches run one piece at a time."""


_GRAPH_OPT_NAMES = {"disable": "ORT_DISABLE_ALL", "basic": "ORT_ENABLE_BASIC",
                    "extended": "ORT_ENABLE_EXTENDED", "all": "ORT_ENABLE_ALL"}


class _Stream:
    """One onnxruntime session with its own IOBinding and output buffers. A Model holds ``streams``
    of them so that concurrent callers run in parallel instead of queueing on one session."""

    def __init__(self, session: Any, path: Path) -> None:
        self.reset(session, path)

    def reset(self, session: Any, path: Path) -> None:
        """Point at a new session (a batch-axis rewrite); bindings and buffers start over."""
        self.session = session
        self.path = path                 # the file the session was made from (rewrites swap it)
        self.io: Any = None
        self.out_cache: dict[int, list[np.ndarray] | None] = {}
        self.bound_batch: int | None = None


class Model:
    """An ONNX model (or TensorRT ``.engine``) ready to run on batches of preprocessed tensors.

    ``Model(path_or_name, providers=None, profile=None, batch=None, threads=None, ...)``

    - ``path_or_name``: a file, or a bare name looked up in ``$VXFAST_MODEL_DIR`` then ``models/``
      (``.engine`` preferred to ``.onnx``).
    - ``providers``: ``"auto"`` (TensorRT > CUDA > CoreML > CPU, whatever this onnxruntime has), a
      comma string ``"cuda,cpu"`` or a list; ``None`` takes the profile's (default ``"auto"``).
      Requested providers that are not available are skipped with a ``ProviderWarning``.
    - ``profile``: a built-in profile name or a :class:`vxfast.Config`; explicit arguments override it.
    - ``batch``: the batch you intend to run. A fixed-batch model asked for another batch gets its
      batch axis made dynamic in a verified, cached copy, or falls back to running piecewise
      (see ``info.batch_mode``). Other batch sizes also work at call time.

    ``model(x)`` / ``model.run(x)`` take a C-contiguous array of the input's dtype (or a dict of
    them for multi-input models) and return the list of outputs. Output arrays are preallocated and
    reused: with ``copy=False`` they are only valid until the next call on this model.

    - ``streams``: independent sessions for concurrent callers (default: the profile's; 0 = 1). The
      intra-op ``threads`` are split between them (``threads=0``: the machine's cores). On a small
      CPU, two 1-thread sessions fed from two threads out-run one 2-thread session by ~20 %
      (onnxruntime's per-layer thread barriers cost more than they give on a small model;
      docs/performance-history.md); :func:`vxfast.detect` uses that. One caller at a time gets only one
      stream's threads, so keep ``streams=1`` for latency.

    Thread safety: a Model may be shared between threads. Each call holds one stream (its session,
    IOBinding and output buffers) for its duration; with one stream calls run one at a time
    (onnxruntime parallelises inside a run), with N streams up to N at once. ``copy=False`` outputs
    belong to the stream: with several streams use ``with model.stream() as s: s.run(x)`` to keep
    them valid while you read them.
    """

    def __init__(self, path_or_name: str | os.PathLike, providers: str | Sequence[str] | None = None,
                 profile: str | Config | None = None, batch: int | None = None,
                 threads: int | None = None, *, streams: int | None = None,
                 inter_op_threads: int | None = None,
                 graph_optimization: str | None = None, warmup: int | None = None,
                 fp16: bool | None = None, task: str | None = None,
                 cache_dir: str | os.PathLike | None = None,
                 verify_samples: np.ndarray | None = None, stats_window: int = 1024) -> None:
        overrides = {k: v for k, v in (("providers", _providers_str(providers)), ("batch_size", batch),
                                       ("threads", threads), ("streams", streams),
                                       ("inter_op_threads", inter_op_threads),
                                       ("graph_optimization", graph_optimization),
                                       ("warmup", warmup), ("fp16", fp16)) if v is not None}
        base = resolve_config(profile)
        try:
            self.config: Config = base.replace(**overrides) if overrides else base
        except Exception as e:  # ConfigError names the field; say which model it was for
            raise type(e)(f"Model({os.fspath(path_or_name)!r}): {e}") from None
        self._source = resolve_model(path_or_name, self.config.model_dir)
        self._name = self._source.name
        self._cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self._verify_samples = verify_samples
        self._lock = threading.Lock()       # guards model-wide state: rewrite, close, stats
        self._stats = LatencyRing(stats_window)
        self._closed = False
        self._streams: list[_Stream] = []
        self._free: queue.SimpleQueue[_Stream] = queue.SimpleQueue()
        self._trt: Any = None
        self._batch_mode = ""
        self._batch_note = ""
        self._run_path = self._source
        self._chosen: list[str] | None = None

        if self._source.suffix == ".engine":
            self._open_engine()
            self._add_stream(_Stream(None, self._source))  # an engine is one execution context
        else:
            self._open_onnx()
            for _ in range(self._n_streams() - 1):
                self._add_stream(_Stream(self._make_session(self._run_path), self._run_path))
        if task is not None and self._meta.task is not None and self._meta.task != task:
            raise ModelError(f"model {self._name}: is a {self._meta.task!r} model, expected {task!r}")
        self._warm_up()

    # -- loading ----------------------------------------------------------------------------------
    def _open_engine(self) -> None:
        from .tensorrt_engine import TensorRTRunner
        self._trt = TensorRTRunner(self._source, max_batch=self.config.batch_size)
        self._meta = parse_metadata(self._trt.metadata)
        self._inputs, self._outputs = self._trt.inputs, self._trt.outputs
        self._static_batch = None if self._inputs[0].batch_dynamic else self._inputs[0].shape[0]
        self._providers = ("TensorRT",)
        self._batch_mode = "dynamic" if self._static_batch is None else "static"
        if self._static_batch is not None and self.config.batch_size != self._static_batch:
            self._batch_mode = "split"
            self._batch_note = (f"engine built for batch {self._static_batch}; rebuild it with a "
                                "dynamic batch profile to batch natively")

    def _make_session(self, path: Path):
        try:
            import onnxruntime as ort
        except ImportError as e:
            raise ModelError(f"model {self._name}: onnxruntime is not installed "
                             "(pip install 'vxfast[onnx]')") from e
        cfg = self.config
        so = ort.SessionOptions()
        so.graph_optimization_level = getattr(ort.GraphOptimizationLevel,
                                              _GRAPH_OPT_NAMES[cfg.graph_optimization])
        so.intra_op_num_threads = self._threads_per_stream()
        so.inter_op_num_threads = cfg.inter_op_threads
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.log_severity_level = 0 if cfg.log_level == "DEBUG" else 3
        if self._chosen is None:  # once per Model, so a skipped provider warns once
            self._chosen = choose_providers(cfg.providers, ort.get_available_providers(),
                                            tensorrt=cfg.tensorrt, model=f"model {self._name}")
        opts = provider_options(self._chosen, fp16=cfg.fp16, cache_dir=self._cache)
        try:
            return ort.InferenceSession(str(path), so, providers=[n for n, _ in opts],
                                        provider_options=[o for _, o in opts])
        except Exception as e:  # noqa: BLE001 - onnxruntime raises several unrelated types
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ModelError(f"model {self._name}: onnxruntime cannot load {path}: {first}") from e

    def _open_onnx(self) -> None:
        sess = self._make_session(self._source)
        self._meta = parse_metadata(sess.get_modelmeta().custom_metadata_map)
        self._inputs = tuple(_spec(i) for i in sess.get_inputs())
        self._outputs = tuple(_spec(o) for o in sess.get_outputs())
        if not self._inputs or not self._outputs:
            raise ModelError(f"model {self._name}: has {len(self._inputs)} input(s) and "
                             f"{len(self._outputs)} output(s); a model needs at least one of each")
        first = self._inputs[0]
        self._static_batch = None if first.batch_dynamic or not first.shape else first.shape[0]
        self._add_stream(_Stream(sess, self._source))
        want = self.config.batch_size
        if self._static_batch is None:
            self._batch_mode = "dynamic"
        elif want == self._static_batch:
            self._batch_mode = "static"
        else:
            self._make_dynamic()

    def _make_dynamic(self, stream: _Stream | None = None) -> None:
        """Swap in a verified dynamic-batch copy, or settle for running piecewise (with a warning).
        The calling stream (else the first) gets the new session; other streams reopen on their
        next call (:meth:`_sync`), since another thread may be running theirs right now."""
        try:
            result = make_batch_dynamic(self._source, self._cache, input_name=self._inputs[0].name,
                                        static_batch=int(self._static_batch or 0),
                                        samples=self._verify_samples)
            ok, note = result.ok, result.reason
        except ImportError:
            ok, note, result = False, "the onnx package is needed to rewrite the batch axis", None
        except (OSError, ValueError, ModelError) as e:
            ok, note, result = False, f"rewrite failed: {e}", None
        if ok and result is not None and result.path is not None:
            session = self._make_session(result.path)
            self._run_path = result.path
            self._inputs = tuple(_spec(i) for i in session.get_inputs())
            self._outputs = tuple(_spec(o) for o in session.get_outputs())
            self._batch_mode, self._batch_note = "rewritten", note
            target = stream if stream is not None else self._streams[0]
            target.reset(session, result.path)
            return
        self._batch_mode = "split"
        self._batch_note = f"batch axis fixed at {self._static_batch}; {note}"
        warnings.warn(f"model {self._name}: fixed batch {self._static_batch} could not be made "
                      f"dynamic ({note}); running batches {self._static_batch} at a time",
                      BatchFallbackWarning, stacklevel=3)

    def _warm_up(self) -> None:
        n = self.config.warmup
        if n <= 0:
            return
        feeds = {}
        for spec in self._inputs:
            shape = spec.shape_for_batch(self.batch)
            if shape is None:
                return  # cannot invent a shape for free dims; the first real call warms up
            feeds[spec.name] = np.zeros(shape, dtype=spec.dtype)
        for st in self._streams:  # each session pays its own first-run costs
            for _ in range(n):
                self._run_locked(st, feeds, record=False)

    # -- running ----------------------------------------------------------------------------------
    def __call__(self, x: Any, *, copy: bool = True) -> list[np.ndarray]:
        return self.run(x, copy=copy)

    def run(self, x: Any, *, copy: bool = True) -> list[np.ndarray]:
        """Run one batch; returns the outputs in ``info.outputs`` order.

        ``x``: an array shaped like the (first) input, batch first, or ``{input_name: array}``.
        ``copy=False`` returns the preallocated output buffers themselves (no copy; overwritten by
        the next call on this model).
        """
        with self.stream() as s:
            return s.run(x, copy=copy)

    @contextmanager
    def stream(self) -> Iterator[ModelStream]:
        """Hold one free stream (waiting for one if all are busy) for several calls; its
        ``copy=False`` outputs stay valid until the block ends or its next call."""
        if self._closed:
            raise ModelError(f"model {self._name}: used after close()")
        st = self._free.get()
        try:
            if self._closed:
                raise ModelError(f"model {self._name}: used after close()")
            yield ModelStream(self, st)
        finally:
            self._free.put(st)

    @property
    def streams(self) -> int:
        """How many calls can run at once (:class:`Model` ``streams``)."""
        return len(self._streams)

    def _add_stream(self, st: _Stream) -> None:
        self._streams.append(st)
        self._free.put(st)

    def _n_streams(self) -> int:
        return max(1, self.config.streams)

    def _threads_per_stream(self) -> int:
        n, total = self._n_streams(), self.config.threads
        if n <= 1:
            return total
        return max(1, (total or os.cpu_count() or 1) // n)

    def _run_checked(self, st: _Stream, x: Any, copy: bool) -> list[np.ndarray]:
        feeds = self._check_inputs(x)
        if self._closed:
            raise ModelError(f"model {self._name}: used after close()")
        outs = self._run_locked(st, feeds, record=True)
        if self.config.sanity_checks:
            for spec, arr in zip(self._outputs, outs):
                if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
                    raise ModelError(f"model {self._name}: output {spec.name!r} has NaN/Inf")
        return [o.copy() for o in outs] if copy else outs

    def _check_inputs(self, x: Any) -> dict[str, np.ndarray]:
        if isinstance(x, np.ndarray):
            if len(self._inputs) != 1:
                raise ModelError(f"model {self._name}: has inputs {[i.name for i in self._inputs]}; "
                                 "pass a dict {name: array}")
            given = {self._inputs[0].name: x}
        elif isinstance(x, Mapping):
            given = dict(x)
            names = [i.name for i in self._inputs]
            if sorted(given) != sorted(names):
                raise ModelError(f"model {self._name}: inputs {sorted(given)} given, "
                                 f"model takes {names}")
        else:
            raise ModelError(f"model {self._name}: input must be a numpy array, "
                             f"got {type(x).__name__}")
        feeds: dict[str, np.ndarray] = {}
        batch = None
        for spec in self._inputs:
            arr = given[spec.name]
            if not isinstance(arr, np.ndarray):
                raise ModelError(f"model {self._name}: input {spec.name!r} must be a numpy array, "
                                 f"got {type(arr).__name__}")
            expected = list(spec.shape)
            if self._static_batch is not None and expected:
                expected[0] = "batch"  # any batch works (rewritten or split)
            if arr.dtype != spec.dtype:
                raise ModelError(f"model {self._name}: input {spec.name!r} must be {spec.dtype}, "
                                 f"got {arr.dtype} (shape {arr.shape})")
            bad = arr.ndim != len(spec.shape) or any(
                isinstance(d, int) and d != n for d, n in zip(expected[1:], arr.shape[1:]))
            if bad or (arr.ndim and arr.shape[0] < 1):
                raise ModelError(f"model {self._name}: input {spec.name!r} must have shape "
                                 f"{_fmt(expected)}, got {list(arr.shape)}")
            if arr.ndim:
                if batch is not None and arr.shape[0] != batch:
                    raise ModelError(f"model {self._name}: inputs disagree on batch "
                                     f"({batch} vs {arr.shape[0]} for {spec.name!r})")
                batch = arr.shape[0]
            if self.config.sanity_checks and arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
                raise ModelError(f"model {self._name}: input {spec.name!r} has NaN/Inf")
            feeds[spec.name] = np.ascontiguousarray(arr)
        return feeds

    def _run_locked(self, st: _Stream, feeds: dict[str, np.ndarray],
                    record: bool) -> list[np.ndarray]:
        """Runs on stream ``st``, which the caller holds."""
        n = next(iter(feeds.values())).shape[0] if feeds else 1
        t0 = time.perf_counter()
        if self._trt is not None:
            outs = self._run_engine(feeds, n)
        elif self._static_batch is not None and n != self._static_batch and self._batch_mode != "rewritten":
            with self._lock:
                if self._batch_mode == "static":
                    self._make_dynamic(st)  # a batch nobody announced: same remedy, once, lazily
            self._sync(st)
            outs = (self._run_bound(st, feeds, n) if self._batch_mode == "rewritten"
                    else self._run_split(st, feeds, n))
        else:
            self._sync(st)
            outs = self._run_bound(st, feeds, n)
        if record:
            with self._lock:
                self._stats.record(time.perf_counter() - t0, n)
        return outs

    def _sync(self, st: _Stream) -> None:
        if st.path != self._run_path:  # another stream rewrote the model: follow it
            st.reset(self._make_session(self._run_path), self._run_path)

    def _out_buffers(self, st: _Stream, n: int) -> list[np.ndarray] | None:
        if n not in st.out_cache:
            shapes = [o.shape_for_batch(n) for o in self._outputs]
            batch_follows = all(o.batch_dynamic or self._static_batch is not None
                                for o in self._outputs)
            if all(s is not None for s in shapes) and batch_follows:
                st.out_cache[n] = [np.empty(s, dtype=o.dtype)
                                   for s, o in zip(shapes, self._outputs)]
            else:
                st.out_cache[n] = None  # free output dims: let onnxruntime allocate
            if len(st.out_cache) > 8:  # bound memory when callers vary the batch a lot
                st.out_cache.pop(next(iter(st.out_cache)))
        return st.out_cache[n]

    def _run_bound(self, st: _Stream, feeds: dict[str, np.ndarray], n: int) -> list[np.ndarray]:
        if st.io is None:
            st.io = st.session.io_binding()
        io = st.io
        for name, arr in feeds.items():
            io.bind_cpu_input(name, arr)
        bufs = self._out_buffers(st, n)
        if st.bound_batch != n:
            io.clear_binding_outputs()
            for i, spec in enumerate(self._outputs):
                if bufs is None:
                    io.bind_output(spec.name, "cpu")
                else:
                    b = bufs[i]
                    io.bind_output(spec.name, "cpu", 0, b.dtype, list(b.shape),
                                   b.__array_interface__["data"][0])
            st.bound_batch = n if bufs is not None else None
        try:
            st.session.run_with_iobinding(io)
        except Exception as e:  # noqa: BLE001
            msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ModelError(f"model {self._name}: inference failed on input shapes "
                             f"{ {k: list(v.shape) for k, v in feeds.items()} }: {msg}") from e
        if bufs is None:
            return io.copy_outputs_to_cpu()
        return bufs

    def _run_split(self, st: _Stream, feeds: dict[str, np.ndarray], n: int) -> list[np.ndarray]:
        b = int(self._static_batch or 1)  # only called for static batches
        pieces: list[list[np.ndarray]] = []
        for start in range(0, n, b):
            chunk = {}
            for k, v in feeds.items():
                part = v[start:start + b]
                if part.shape[0] < b:  # pad the last piece; its extra rows are dropped below
                    pad = np.zeros((b - part.shape[0], *part.shape[1:]), dtype=part.dtype)
                    part = np.concatenate([part, pad])
                chunk[k] = np.ascontiguousarray(part)
            pieces.append([o.copy() for o in self._run_bound(st, chunk, b)])
        return [np.concatenate([p[i] for p in pieces])[:n] for i in range(len(self._outputs))]

    def _run_engine(self, feeds: dict[str, np.ndarray], n: int) -> list[np.ndarray]:
        if self._static_batch is not None and n != self._static_batch:
            return self._run_split_engine(feeds, n)
        return self._trt.run(feeds)

    def _run_split_engine(self, feeds: dict[str, np.ndarray], n: int) -> list[np.ndarray]:
        b = int(self._static_batch or 1)  # only called for static batches
        pieces = []
        for start in range(0, n, b):
            chunk = {}
            for k, v in feeds.items():
                part = v[start:start + b]
                if part.shape[0] < b:
                    part = np.concatenate([part, np.zeros((b - part.shape[0], *part.shape[1:]),
                                                          dtype=part.dtype)])
                chunk[k] = np.ascontiguousarray(part)
            pieces.append([o.copy() for o in self._trt.run(chunk)])
        return [np.concatenate([p[i] for p in pieces])[:n] for i in range(len(self._outputs))]

    # -- introspection ----------------------------------------------------------------------------
    @property
    def batch(self) -> int:
        """The batch this model was prepared for (``profile``'s ``batch_size`` unless given)."""
        return self.config.batch_size

    @property
    def info(self) -> ModelInfo:
        sess = self._streams[0].session if self._streams else None
        providers = tuple(sess.get_providers()) if sess is not None else self._providers
        return ModelInfo(name=self._name, source_path=self._source, path=self._run_path,
                         backend="tensorrt" if self._trt is not None else "onnxruntime",
                         task=self._meta.task, names=self._meta.names, imgsz=self._meta.imgsz,
                         stride=self._meta.stride, inputs=self._inputs, outputs=self._outputs,
                         static_batch=self._static_batch, batch=self.batch,
                         batch_mode=self._batch_mode, batch_note=self._batch_note,
                         providers=providers, streams=len(self._streams), metadata=dict(self._meta.raw))

    @property
    def names(self) -> dict[int, str] | None:
        return self._meta.names

    def input_shape(self, batch: int | None = None) -> tuple[int, ...]:
        """Concrete shape of the (first) input for ``batch`` (default: :attr:`batch`)."""
        shape = self._inputs[0].shape_for_batch(batch or self.batch)
        if shape is None:
            raise ModelError(f"model {self._name}: input {self._inputs[0].name!r} has free dims "
                             f"{list(self._inputs[0].shape)}")
        return shape

    def stats(self) -> dict:
        """Recent-call statistics: ``calls``, ``frames``, ``latency_ms`` {p50, p95, p99, min, max,
        mean} per call, ``fps`` (frames per second of inference time). Warm-up is not counted."""
        return self._stats.summary()

    def reset_stats(self) -> None:
        self._stats.reset()

    # -- lifetime ---------------------------------------------------------------------------------
    def close(self) -> None:
        """Release the session and buffers; later calls raise :class:`ModelError`."""
        self._closed = True
        # Wait for running calls to hand their streams back (not under _lock: they take it to
        # record their latency).
        held = [self._free.get() for _ in self._streams]
        with self._lock:
            for st in held:
                st.session, st.io = None, None
                st.out_cache.clear()
                self._free.put(st)
            if self._trt is not None:
                self._trt.close()
                self._trt = None

    def __enter__(self) -> Model:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"batch={self.batch} ({self._batch_mode})"
        if not self._closed and len(self._streams) > 1:
            state += f" streams={len(self._streams)}"
        return f"<vxfast.Model {self._name} {state}>"


class ModelStream:
    """One stream of a :class:`Model`, held by ``with model.stream() as s``."""

    def __init__(self, model: Model, st: _Stream) -> None:
        self._model, self._st = model, st

    def run(self, x: Any, *, copy: bool = True) -> list[np.ndarray]:
        """As :meth:`Model.run`, on this stream; ``copy=False`` outputs stay valid until this
        stream's next call or the end of the ``with`` block."""
        return self._model._run_checked(self._st, x, copy)

    __call__ = run


def _spec(node) -> TensorSpec:
    return TensorSpec(node.name, tuple(d if isinstance(d, (int, str)) else None for d in node.shape),
                      ort_dtype(node.type))


def _providers_str(p: str | Sequence[str] | None) -> str | None:
    if p is None or isinstance(p, str):
        return p
    return ",".join(p)


def _fmt(shape: Sequence[Any]) -> str:
    return "[" + ", ".join(str(d) if d is not None else "?" for d in shape) + "]"
