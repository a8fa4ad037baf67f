"""The built-in hardware profiles, as plain field dictionaries (applied over :class:`Config` defaults)."""
from __future__ import annotations

PROFILES: dict[str, dict] = {
    # Raspberry-Pi-class development box: 4 small cores, ~1 GB spare, no accelerator.
    "dev_pi": {
        "providers": "cpu", "tensorrt": False, "fp16": False, "batch_size": 1, "threads": 2,
        "inter_op_threads": 1, "warmup": 1,
    },
    # One RTX 3090: TensorRT FP16 with CUDA behind it, batch 8, 24 GB of VRAM.
    "prod_rtx3090": {
        "providers": "tensorrt,cuda,cpu", "tensorrt": True, "fp16": True, "batch_size": 8,
        "threads": 4, "inter_op_threads": 1, "warmup": 3,
    },
    # Everything visible and checked; speed is secondary.
    "debug": {
        "providers": "auto", "tensorrt": False, "fp16": False, "batch_size": 1, "warmup": 0,
        "log_level": "DEBUG", "sanity_checks": True,
    },
}
