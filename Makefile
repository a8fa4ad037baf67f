# make test: the full test command (scripts/test.sh). make bench: the pytest-benchmark suite in bench/,
# every vxfast benchmark beside its anchor; pass pytest-benchmark options through BENCH_ARGS, e.g.
#   make bench BENCH_ARGS=--benchmark-save=base
#   make bench BENCH_ARGS="--benchmark-compare --benchmark-compare-fail=median:10%"
PYTHON ?= python
# An in-place build (VXFAST_INPLACE=ON) leaves _core*.so in python/vxfast: use that tree; otherwise
# the installed vxfast.
INPLACE := $(wildcard python/vxfast/_core*.so)
BENCH_ENV := $(if $(INPLACE),PYTHONPATH=python,)
BENCH_ARGS ?=

.PHONY: test bench

test:
	bash scripts/test.sh

bench:
	$(BENCH_ENV) $(PYTHON) -m pytest bench -q -p no:cacheprovider --benchmark-only \
		--benchmark-group-by=group --benchmark-sort=name \
		--benchmark-columns=median,iqr,min,max,rounds --benchmark-name=short $(BENCH_ARGS)
