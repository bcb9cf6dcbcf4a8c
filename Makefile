# Two commands on a fresh machine: `make demo` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.PHONY: install demo test test-fast bench notebooks release clean

# Re-install whenever pyproject.toml changes; the stamp makes repeat runs instant.
$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The main job: a simulated class built from the solutions (correct work, valid
# alternatives, typical mistakes, broken notebooks), graded in the sandbox, and
# its gradebook printed. About a minute on 2 cores.
demo: install
	$(VENV)/bin/workbook demo --jobs $(JOBS)

# Lint first (ruff, configured in pyproject.toml), then the whole suite, slow
# tests included, on $(JOBS) workers. The browser test needs Debian's
# chromium, installed here when it is missing.
test: install
	$(VENV)/bin/ruff check .
	bash scripts/install_browser.sh
	$(PY) -m pytest -n $(JOBS) tests

# Everything but the tests marked slow, for a quick edit-test loop.
test-fast: install
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n $(JOBS) -m "not slow" tests

# PyTorch is only a peer to compare against; install it on demand. About 15 minutes on 2 cores today:
# the grading benchmark has nbgrader autograde 21 submissions (3 min) and workbook grade a class of 2,100 (6 min).
bench: install
	$(PY) -m pip install --quiet -e '.[bench]' || echo "PyTorch could not be installed; benchmarks will say so."
	$(PY) benchmarks/bench_conv.py
	$(PY) benchmarks/bench_mlp.py
	$(PY) benchmarks/bench_second_order.py
	$(PY) benchmarks/bench_notebooks.py
	$(PY) benchmarks/bench_grading.py

# Regenerate the student notebooks (notebooks/) from the instructor sources
# (solutions/) with nbgrader, and the stored values their self-checks use.
notebooks: install
	$(PY) -m autograder.checks.stored_values
	$(PY) -m autograder.generate

# The student release of every assignment in release/<assignment>/ (git-ignored):
# its notebook, course_lib with stubs for what is written from that notebook on, requirements.
release: install
	$(VENV)/bin/workbook release all

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache release
