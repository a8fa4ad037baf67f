"""FeatureTable: per-frame feature values with their frame indices and timestamps."""
from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

__all__ = ["FeatureTable"]


class FeatureTable:
    """Rows are sampled frames, columns features.

    Attributes:
        names: feature names, the column order of ``values``.
        index: (N,) int64 display-order frame indices.
        pts: (N,) float64 presentation times in seconds.
        values: (N, F) float64.
    """

    __slots__ = ("names", "index", "pts", "values")

    def __init__(self, names: Sequence[str], index: np.ndarray, pts: np.ndarray, values: np.ndarray):
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 2 or values.shape != (len(index), len(names)) or len(pts) != len(index):
            raise ValueError(f"inconsistent FeatureTable: values {values.shape}, {len(index)} indices, "
                             f"{len(pts)} pts, {len(names)} names")
        self.names = tuple(names)
        self.index = np.asarray(index, dtype=np.int64)
        self.pts = np.asarray(pts, dtype=np.float64)
        self.values = values

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, name: str) -> np.ndarray:
        """One feature's column (a view)."""
        try:
            return self.values[:, self.names.index(name)]
        except ValueError:
            raise KeyError(f"no feature {name!r} in this table; it has {', '.join(self.names)}") from None

    def __repr__(self) -> str:
        return f"FeatureTable({len(self)} frames x {len(self.names)} features)"

    def summary(self) -> dict[str, dict[str, float]]:
        """Per feature: ``mean``, ``std``, ``p10``, ``p50``, ``p90`` over frames, NaNs ignored."""
        out: dict[str, dict[str, float]] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN or empty columns give NaN
            for j, name in enumerate(self.names):
                col = self.values[:, j]
                if col.size == 0 or np.all(np.isnan(col)):
                    out[name] = dict.fromkeys(("mean", "std", "p10", "p50", "p90"), float("nan"))
                    continue
                p10, p50, p90 = np.nanpercentile(col, [10, 50, 90])
                out[name] = {"mean": float(np.nanmean(col)), "std": float(np.nanstd(col)),
                             "p10": float(p10), "p50": float(p50), "p90": float(p90)}
        return out

    def to_pandas(self):
        """A DataFrame indexed by frame index, a ``pts`` column then one column per feature.

        Raises ImportError when pandas is not installed.
        """
        try:
            import pandas as pd
        except ImportError as e:
            raise ImportError("FeatureTable.to_pandas() needs pandas (pip install pandas)") from e
        df = pd.DataFrame(self.values, columns=list(self.names), index=pd.Index(self.index, name="index"))
        df.insert(0, "pts", self.pts)
        return df
