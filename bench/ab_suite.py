"""Same-run A/B of two builds over the pytest-benchmark suite in ``bench/``: each build runs the
suite in its own process, alternated round by round so that load changes hit both alike; prints per
benchmark the median of each build and the ratio B/A (> 1: B is slower).

    python bench/ab_suite.py --a OLD_CHECKOUT --b NEW_CHECKOUT [--rounds 3] [-k vxfast] [--bench-rounds 5]

A checkout is a tree with ``python/`` (holding its in-place build, ``-DVXFAST_INPLACE=ON``, or a
copied ``vxfast`` package) and ``bench/``; each build runs its own ``bench/`` so an API change
between the two is measured on the code written for it. ``-k`` selects benchmarks (default: the
vxfast variants only; anchors are the same code in both builds).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def run_suite(checkout: Path, keyword: str, bench_rounds: int, out: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(checkout / "python"))
    cmd = [sys.executable, "-m", "pytest", str(checkout / "bench"), "-q", "-p", "no:cacheprovider",
           "--benchmark-only", f"--bench-rounds={bench_rounds}", "-k", keyword,
           f"--benchmark-json={out}"]
    subprocess.run(cmd, env=env, check=True, cwd=checkout, stdout=subprocess.DEVNULL)
    data = json.loads(out.read_text())
    return {b["fullname"].split("::", 1)[1]: b["stats"]["median"] for b in data["benchmarks"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", type=Path, required=True, help="checkout of the old build")
    ap.add_argument("--b", type=Path, required=True, help="checkout of the new build")
    ap.add_argument("--rounds", type=int, default=3, help="alternations of A and B")
    ap.add_argument("--bench-rounds", type=int, default=5, help="timed rounds per benchmark per run")
    ap.add_argument("-k", dest="keyword", default="vxfast", help="pytest -k expression")
    args = ap.parse_args(argv)
    runs: dict[str, dict[str, list[float]]] = {"a": {}, "b": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            order = ("a", "b") if r % 2 == 0 else ("b", "a")
            for which in order:
                res = run_suite(getattr(args, which).resolve(), args.keyword, args.bench_rounds,
                                Path(tmp) / f"{which}{r}.json")
                for name, med in res.items():
                    runs[which].setdefault(name, []).append(med)
    print(f"{'benchmark':70s} {'A ms':>9s} {'B ms':>9s} {'B/A':>6s}")
    worst = 0.0
    for name in sorted(set(runs["a"]) & set(runs["b"])):
        a = statistics.median(runs["a"][name]) * 1e3
        b = statistics.median(runs["b"][name]) * 1e3
        worst = max(worst, b / a)
        print(f"{name[:70]:70s} {a:9.3f} {b:9.3f} {b / a:6.3f}")
    for name in sorted(set(runs["a"]) ^ set(runs["b"])):
        print(f"{name[:70]:70s} only in {'A' if name in runs['a'] else 'B'}")
    print(f"worst B/A: {worst:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
