# The two commands of the README:
#   make demo   builds the example library through the whole pipeline and runs its hosts
#   make test   installs what the tests need and runs them
# Both create .venv and install initgate into it first.

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
INSTALLED := $(VENV)/.installed

demo: $(INSTALLED)
	$(MAKE) -C examples/primes run INITGATE=$(BIN)/initgate PYTHON=$(BIN)/python

test: $(INSTALLED)
	sh tools/install-test-deps.sh
	$(BIN)/pytest $(PYTEST_ARGS)

$(INSTALLED): pyproject.toml tools/venv.sh
	PYTHON=$(PYTHON) sh tools/venv.sh $(VENV) test
	touch $@

clean:
	$(MAKE) -C examples/primes clean
	rm -rf build *.egg-info

.PHONY: demo test clean
