# The README names two commands: `make book` and `make test`.
# Both create .venv from requirements.txt when it is missing or stale.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: venv frameworks assets book pdf test notebooks student readers lab bench clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

# optax and jax (requirements-frameworks.txt, ~90 MB), the oracle for the optax
# column of optlib.frameworks' table; without them those tests skip. CI installs them.
FRAMEWORKS := $(VENV)/.frameworks-installed
$(FRAMEWORKS): requirements-frameworks.txt $(STAMP)
	$(PY) -m pip install -q -r requirements-frameworks.txt
	$(PY) -m pip check
	touch $(FRAMEWORKS)

frameworks: $(FRAMEWORKS)

# Offline browser assets (MathJax, require.js, widget manager), pinned in
# package-lock.json; `npm ci` runs only when the lock file is newer than
# node_modules. tools/offline_assets.py copies what pages load into _assets/.
NPM    ?= npm
ASSETS := _assets/VERSIONS.json

node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --ignore-scripts --no-audit --no-fund
	touch $@

$(ASSETS): node_modules/.package-lock.json tools/offline_assets.py
	$(PYTHON) tools/offline_assets.py

assets: $(ASSETS)

book: $(STAMP) $(ASSETS)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

# The whole book as one PDF, _build/latex/book.pdf: Jupyter Book's LaTeX route
# (xelatex through latexmk), with what latex/ adds. Needs TeX Live; on Debian
# the packages below (.ci/run installs them; about 400 MB).
TEX_DEBS := texlive-xetex texlive-fonts-recommended latexmk lmodern fonts-freefont-otf fonts-dejavu-core poppler-utils
pdf: $(STAMP)
	@command -v xelatex >/dev/null && command -v latexmk >/dev/null || \
	  { echo "make pdf needs TeX Live; on Debian: apt-get install --no-install-recommends $(TEX_DEBS)"; exit 1; }
	$(VENV)/bin/jupyter-book build . --builder pdflatex -W -n --keep-going

# The whole suite: optlib's tests and doctests, strict nbval over every
# chapter, and the smoke test of the built site (hence `book` first).
test: book
	$(PY) -m pytest

# The student edition of the site, in _build/student-site/html: every page
# without the solutions (nor in the search index, nor in _sources/), and each
# chapter's download button giving its `make student` notebook. Staged in
# _build/student-src/ by tools/make_student_site.py, then built as `book`
# builds (-W -n); rebuilds only what changed. `make test` builds it too: the
# site test checks it has no solution text anywhere.
.PHONY: book-student
book-student: $(STAMP) $(ASSETS)
	$(PY) tools/make_student_site.py

test: book-student

# Re-execute the chapters in place, deterministically (widget state saved).
# `make notebooks NB=chapters/01_gradient_descent.ipynb` runs only those.
NB ?=
notebooks: $(STAMP)
	$(PY) tools/execute_notebooks.py $(NB)

# Notebooks to hand out, in plain Markdown that Colab, JupyterLab and VS Code
# render (tools/convert_notebooks.py turns the site-only MyST into it; the
# chapters themselves are not touched). Students: solutions removed, in
# _build/student/. Readers: solutions kept but folded, outputs kept, in
# _build/notebooks/.
student: $(STAMP)
	$(PY) tools/make_student.py

# The chapters as nbgrader source assignments, _build/nbgrader/source/chNN/:
# written solutions turned into answer cells graded by hand (the instructor's guide).
.PHONY: nbgrader-source
nbgrader-source: $(STAMP)
	$(PY) tools/make_nbgrader_source.py

readers: $(STAMP)
	$(PY) tools/convert_notebooks.py --edition readers -o _build/notebooks

# JupyterLab on the readers' edition, with .venv as the kernel. JupyterLab
# itself (requirements-lab.txt) is installed into .venv the first time only.
LAB := $(VENV)/.lab-installed
$(LAB): requirements-lab.txt $(STAMP)
	$(PY) -m pip install -q -r requirements-lab.txt
	touch $(LAB)

# JupyterLab refuses to run as root unless told (containers, cloud machines).
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(LAB) readers
	$(VENV)/bin/jupyter lab $(LAB_FLAGS) _build/notebooks

# One table of execution, nbval and build times and the live playground's
# slider latency; then the torch adapter's speed against torch.optim.
bench: $(STAMP) $(ASSETS)
	$(PY) bench/bench_book.py
	$(PY) bench/bench_torch_adapter.py

clean:
	rm -rf _build
