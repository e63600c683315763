# Two commands on a fresh machine: `make build` (both sites: the article into site/, the guide into
# site/guide/) and `make test` (every test).
# Both set up .venv from the pinned versions in constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1
# Tests use Debian's Chromium; install it when it is missing (as root, or through sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: build serve serve-guide test check lint bench browser screenshots clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[mkdocs,material,csl]'
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

# Wheels of every dependency at the pinned versions: tests/test_installed_package.py builds our wheel
# and installs it from these into a fresh environment, with no network.
$(VENV)/wheelhouse/.made: $(VENV)/.installed
	$(BIN)/python -m pip wheel --quiet -c constraints.txt -w $(VENV)/wheelhouse '.[mkdocs,material,zensical,csl]' setuptools
	rm -f $(VENV)/wheelhouse/mkdocs_factcheck-*.whl
	touch $@

# The article first: its build empties site/, the guide's writes site/guide/ (guide/mkdocs.yml's site_dir).
build: $(VENV)/.installed
	$(BIN)/mkdocs build --strict
	$(BIN)/mkdocs build --strict -f guide/mkdocs.yml

serve: $(VENV)/.installed
	$(BIN)/mkdocs serve

serve-guide: $(VENV)/.installed
	$(BIN)/mkdocs serve -f guide/mkdocs.yml

browser:
	$(MAKE) --no-print-directory $(VENV)/.test-installed
	@dpkg -s chromium chromium-driver fonts-dejavu-core >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver fonts-dejavu-core; }
	@test -s tests/browser/vendor/axe.min.js || { echo "tests/browser/vendor/axe.min.js is missing: see tests/browser/vendor/README.md" >&2; exit 1; }
	@$(BIN)/python -c "from playwright.sync_api import sync_playwright; p = sync_playwright().start(); b = p.chromium.launch(executable_path='/usr/bin/chromium', args=['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']); print('Playwright drives Debian Chromium', b.version); b.close(); p.stop()"

test: $(VENV)/.test-installed $(VENV)/wheelhouse/.made browser
	$(BIN)/ruff check plugins tests bench
	$(BIN)/ruff format --check plugins tests bench
	$(BIN)/mypy plugins
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory check

# The project's own sites, as CI gates them: each build in strict mode, then the check command (offline:
# these machines have no network; the build's online checks already leave sources unverified there).
check: $(VENV)/.installed
	$(BIN)/mkdocs build --strict --quiet --site-dir $(VENV)/site-check
	$(BIN)/mkdocs-factcheck check --strict --offline
	$(BIN)/mkdocs build --strict --quiet -f guide/mkdocs.yml --site-dir $(CURDIR)/$(VENV)/site-check-guide
	$(BIN)/mkdocs-factcheck check --strict --offline -f guide/mkdocs.yml

# The README's pictures: the screenshot tests, writing into docs/images (other runs write to a temporary folder).
screenshots: $(VENV)/.test-installed browser
	FACTCHECK_SCREENSHOTS=docs/images $(BIN)/python -m pytest -q tests/browser/test_screenshots.py

bench: $(VENV)/.test-installed
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) site .cache guide/.cache
