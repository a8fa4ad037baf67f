"""``vxfast bench --model M``: latency percentiles, throughput, time per stage, memory; ``--p99-ms``
turns it into a compliance check (exit 3 when the per-batch p99 misses the target)."""
from __future__ import annotations

import argparse
import sys

#: Exit status when --p99-ms is missed (1 is an error, 2 a usage error).
EXIT_P99_MISSED = 3


def _int_at_least(lo: int):
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer >= {lo}, got {text!r}") from None
        if v < lo:
            raise argparse.ArgumentTypeError(f"expected an integer >= {lo}, got {v}")
        return v
    return parse


def _positive_ms(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected milliseconds > 0, got {text!r}") from None
    if not v > 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"expected milliseconds > 0, got {text!r}")
    return v


def register(sub) -> None:
    p = sub.add_parser("bench", help="benchmark a model: latency percentiles, fps, stages, memory",
                       description="Benchmark a model on this machine. One iteration is one batch; "
                                   "without --video the input is synthetic tensors of the model's shape.")
    p.add_argument("--model", required=True, help="model file or bare name (VXFAST_MODEL_DIR, models/)")
    p.add_argument("--video", default=None, help="run real frames through the decode+preprocess pipeline")
    p.add_argument("--batch", type=_int_at_least(1), default=None, help="frames per iteration")
    p.add_argument("--iters", type=_int_at_least(1), default=20, help="timed iterations (default 20)")
    p.add_argument("--warmup", type=_int_at_least(0), default=2, help="untimed iterations first (default 2)")
    p.add_argument("--providers", default=None, help="e.g. cuda,cpu (default: the profile's, else auto)")
    p.add_argument("--compare-providers", action="store_true",
                   help="run once per available execution provider and compare")
    p.add_argument("--threads", type=_int_at_least(0), default=None, help="onnxruntime intra-op threads")
    p.add_argument("--postprocess", choices=("auto", "yolo", "none"), default="auto")
    p.add_argument("--json", metavar="OUT.json", default=None, help="also write the report as JSON")
    p.add_argument("--p99-ms", type=_positive_ms, default=None,
                   help=f"target for the per-batch p99 latency; exit {EXIT_P99_MISSED} when missed")
    p.add_argument("--profile", default=None, help="dev_pi, prod_rtx3090, debug, or a JSON file")
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import benchmark

    if args.compare_providers and args.providers:
        raise ValueError("--compare-providers runs every available provider; drop --providers")
    kw = dict(video=args.video, batch=args.batch, iters=args.iters, warmup=args.warmup,
              profile=args.profile, threads=args.threads, postprocess=args.postprocess)
    if args.compare_providers:
        reports = benchmark.compare_providers(args.model, **kw)
    else:
        reports = [benchmark.run(args.model, providers=args.providers, **kw)]
    for i, r in enumerate(reports):
        if i:
            print()
        print(r.table())
    if len(reports) > 1:
        print("\nproviders compared (per-batch p50 / p99 ms, frames/s):")
        for r in reports:
            print(f"  {r.providers[0]:<28} {r.latency_ms['p50']:>9.2f} {r.latency_ms['p99']:>9.2f} "
                  f"{r.fps:>9.2f}")
    if args.json:
        benchmark.write_json(reports if args.compare_providers else reports[0], args.json)
    if args.p99_ms is not None:
        # With --compare-providers the gate is on the preferred provider (the first, as "auto" picks).
        missed = [r for r in reports[:1] if not r.meets(args.p99_ms)]
        for r in missed:
            print(f"vxfast bench: p99 {r.latency_ms['p99']:.2f} ms per batch on {','.join(r.providers)} "
                  f"misses the target of {args.p99_ms:g} ms", file=sys.stderr)
        if missed:
            return EXIT_P99_MISSED
        print(f"p99 within {args.p99_ms:g} ms")
    return 0
