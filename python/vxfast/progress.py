"""A progress bar for long work: tqdm when installed and stderr is a terminal, else nothing (or a
plain final line). Never required: vxfast runs the same without tqdm."""
from __future__ import annotations

import sys
from typing import Optional


class Progress:
    def __init__(self, total: Optional[int], desc: str, unit: str = "frame", enabled: Optional[bool] = None):
        if enabled is None:
            enabled = sys.stderr.isatty()
        self._bar = None
        if enabled:
            try:
                from tqdm import tqdm
                self._bar = tqdm(total=total, desc=desc, unit=unit, dynamic_ncols=True, leave=True)
            except ImportError:
                self._bar = None

    def update(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
