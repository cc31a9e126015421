# The two commands of the README:
#   make demo   builds the example library through the whole pipeline and runs its hosts
#   make test   installs what the tests need and runs them
# and the benchmarks:
#   make bench  prints the benchmark table (BENCH_ARGS=--quick for a short run)
# Each creates .venv and installs initgate into it first.

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
INSTALLED := $(VENV)/.installed

demo: $(INSTALLED)
	$(MAKE) -C examples/primes run INITGATE=$(BIN)/initgate PYTHON=$(BIN)/python

test: $(INSTALLED)
	sh tools/install-test-deps.sh
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(INSTALLED)
	sh tools/install-test-deps.sh
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

$(INSTALLED): pyproject.toml tools/venv.sh bin/initgate bin/initgate-cc
	PYTHON=$(PYTHON) sh tools/venv.sh $(VENV) test
	touch $@

clean:
	$(MAKE) -C examples/primes clean
	rm -rf build *.egg-info

.PHONY: demo test bench clean
