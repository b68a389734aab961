# The two commands a newcomer needs: `make book` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PROFILE ?= cpu

#: The published run that `make book-published` shows (a folder of results/); by default
#: the one named in results/DEFAULT, which a plain `jupyter-book build book` shows too.
PUBLISHED ?= $(shell cat results/DEFAULT 2>/dev/null)

.PHONY: venv book build book-published publish gpu-wheels test refresh-references clean

$(BIN)/wrinkle: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --config-settings editable_mode=compat -e ".[book,test]"
	touch $@

venv: $(BIN)/wrinkle

## Run every notebook at the cpu profile and build the site.
book: venv
	$(BIN)/wrinkle run --profile $(PROFILE)
	$(BIN)/wrinkle bench train --device cpu --sizes 128 256 --width 8 --batch 8   # the profiles' patch and batch
	$(BIN)/wrinkle bench texture --device cpu --sizes 512 1024
	$(BIN)/wrinkle bench predict --device cpu --sizes 512 1024 --width 8          # whole faces
	$(BIN)/wrinkle bench synth --sizes 512 1024
	$(BIN)/wrinkle bench parallel --sizes 128 --batch 8
	$(MAKE) build
	@echo "Book built: $(CURDIR)/book/_build/html/index.html"

## Build the site from the executed notebooks already in book/notebooks.
build: venv
	rm -rf book/_build
	$(BIN)/wrinkle pages
	$(BIN)/jupyter-book build book -W -n --keep-going

## Build the site from a published run in results/ (committed), executing nothing.
book-published: venv
	$(BIN)/wrinkle publish --restore $(PUBLISHED)
	$(MAKE) build

## Publish the run the book shows now into results/$(PUBLISHED).
publish: venv
	$(BIN)/wrinkle publish $(PUBLISHED)

## The notebook tools a GPU machine without network lacks, as Python 3.12 wheels in .whl/
## (carried there for scripts/gpu-publish.sh; what the machine already has is not replaced).
GPU_TOOLS = $(shell $(PYTHON) -c "import tomllib; book = tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['book']; print(' '.join(repr(r) for r in book if not r.startswith(('jupyter-book', 'sphinx'))))")
GPU_PLATFORMS := $(foreach n,2_17 2_27 2_28 2_31 2_34,--platform manylinux_$(n)_x86_64) --platform manylinux2014_x86_64
gpu-wheels:
	rm -rf .whl
	$(PYTHON) -m pip download -q --only-binary=:all: --python-version 3.12 --implementation cp \
		$(GPU_PLATFORMS) -d .whl $(GPU_TOOLS) SimpleITK aiohttp   # aiohttp: papermill needs it on 3.12
	@du -sh .whl

## Lint (ruff) and the layers contract (import-linter), library tests (two processes of one
## thread each: parallelism across processes beats threads within one), then nbval
## regression tests of every notebook (smoke profile). The
## notebooks train from an empty cache (the code is tested, not what an older version of it
## left in .cache) and write their tables and figures to a temporary folder, never into the book.
test: venv
	$(BIN)/ruff check wrinklelib tests notebooks scripts book/_ext
	$(BIN)/lint-imports
	TQDM_DISABLE=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest tests -n 2 --durations=15
	tmp=$$(mktemp -d) && TQDM_DISABLE=1 WRINKLE_GENERATED=$$tmp/generated WRINKLE_CACHE=$$tmp/cache \
		$(BIN)/python -m pytest --nbval --nbval-current-env \
		--nbval-sanitize-with tests/references/sanitize.cfg tests/references --durations=5; \
		rc=$$?; rm -rf $$tmp; exit $$rc

## Re-execute the committed smoke references after a notebook changed, from an empty cache
## (as a fresh clone runs them: nothing trained by older code is reused).
refresh-references: venv
	cache=$$(mktemp -d) && TQDM_DISABLE=1 WRINKLE_CACHE=$$cache $(BIN)/wrinkle run --profile smoke --out tests/references; \
		rc=$$?; rm -rf $$cache; exit $$rc

clean:
	rm -rf book/_build book/_generated book/notebooks .cache
