# DeskPhone: `make run` installs what it needs and starts the phone; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ARGS   ?=

.PHONY: run test test-fast lint bench soak deps-run deps-test clean

run: deps-run $(STAMP)
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "No display: starting DeskPhone on a virtual display (xvfb-run -a)."; \
	  xvfb-run -a $(VENV)/bin/deskphone $(ARGS); \
	else $(VENV)/bin/deskphone $(ARGS); fi

test: deps-test $(STAMP)
	@$(PY) -m ruff check app ui tests
	@$(PY) -m mypy
	@packaging/run-tests.sh $(PY)

test-fast: $(STAMP)
	$(PY) -m pytest -m "not sip and not gui and not audio and not slow" -q

lint: $(STAMP)
	$(PY) -m ruff check app ui tests && $(PY) -m mypy

bench: deps-test $(STAMP)
	$(PY) tests/bench/run.py

soak: deps-test $(STAMP)
	DESKPHONE_SOAK_CALLS=1000 $(PY) -m pytest tests/robustness/test_soak.py -q -s

deps-run:
	@packaging/system-deps.sh run

deps-test:
	@packaging/system-deps.sh test

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert (3, 11) <= sys.version_info[:2] < (3, 13), "DeskPhone needs Python 3.11 or 3.12"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@# An editable install compiles nothing: without bytecode every launch compiles the sources
	@# (~300 ms of start-up where PYTHONDONTWRITEBYTECODE is set; docs/footprint.md §1).
	$(PY) -m compileall -q app ui >/dev/null
	@touch $(STAMP)

clean:
	rm -rf $(VENV) tests/artifacts .pytest_cache .mypy_cache .ruff_cache

# ---- desktop integration (menu entry, link handler) and the packaged build (PyInstaller) -----
.PHONY: bundle bundle-test desktop-install desktop-uninstall
BUNDLE := dist/deskphone

# A PyInstaller one-folder bundle (~15 s, ~240 MB): see packaging/BUNDLE.md.
bundle: $(STAMP)
	$(PY) -m pip install -q 'pyinstaller>=6.5'
	$(PY) -m PyInstaller --noconfirm --clean --log-level WARN \
	  --distpath dist --workpath build/pyinstaller packaging/deskphone.spec
	@du -sh $(BUNDLE)

# The bundle's self-test with nothing from the venv or the user's environment.
bundle-test: bundle
	env -i HOME="$$HOME" PATH=/usr/bin:/bin $(BUNDLE)/deskphone --selftest

desktop-install: $(STAMP)
	$(VENV)/bin/deskphone --install-desktop

desktop-uninstall: $(STAMP)
	$(VENV)/bin/deskphone --uninstall-desktop
