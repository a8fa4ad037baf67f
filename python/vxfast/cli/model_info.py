"""``vxfast model-info MODEL``: what a model is and how vxfast will run it."""
from __future__ import annotations

import argparse
import json


def register(subparsers) -> None:
    p = subparsers.add_parser("model-info", help="show a model's metadata, tensors, batch and providers")
    p.add_argument("model", help="model file or bare name (searched in $VXFAST_MODEL_DIR, models/)")
    p.add_argument("--providers", default=None, help='"auto" or a comma list, e.g. "cuda,cpu"')
    p.add_argument("--batch", type=int, default=None, help="batch to prepare for")
    p.add_argument("--profile", default=None, help="built-in profile name")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..model import Model

    with Model(args.model, providers=args.providers, profile=args.profile, batch=args.batch,
               warmup=0) as m:
        info = m.info
        if not args.json:
            print(info.summary())
            return 0
        spec = lambda t: {"name": t.name, "shape": list(t.shape), "dtype": str(t.dtype)}  # noqa: E731
        print(json.dumps({
            "name": info.name, "source_path": str(info.source_path), "path": str(info.path),
            "backend": info.backend, "task": info.task,
            "names": {str(k): v for k, v in (info.names or {}).items()},
            "imgsz": list(info.imgsz) if info.imgsz else None, "stride": info.stride,
            "inputs": [spec(t) for t in info.inputs], "outputs": [spec(t) for t in info.outputs],
            "static_batch": info.static_batch, "batch": info.batch, "batch_mode": info.batch_mode,
            "batch_note": info.batch_note, "providers": list(info.providers),
        }, indent=2))
    return 0
