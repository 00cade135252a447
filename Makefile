# paperclaims: every target bootstraps .venv from the committed lock on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RAW ?= data/raw
PROCESSED ?= data/processed
WORK ?= data/work

.PHONY: run test lint browser eval bench fuzz clean native train

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# Cython builds of extract's modules, named by their source's sha256 (pipeline/native.py):
# a no-op when current; an edited module runs as Python until this builds it again.
native: $(STAMP)
	$(BIN)/python -m pipeline.native build

# No `native` here: a first run starts right after the install (the Cython compile, ~2.5 min
# for an ~8 % faster extract, is not on its path); builds that exist are used.
run: $(STAMP)
	$(BIN)/python -m pipeline run --raw-dir $(RAW) --processed-dir $(PROCESSED) --work-dir $(WORK)

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests
	$(BIN)/mypy

test: $(STAMP) native lint browser
	PAPERCLAIMS_NATIVE_REQUIRED=1 $(BIN)/python -m pytest -q

# Headless Chromium + chromedriver for the report.html browser test (Debian packages).
browser:
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver)

eval: $(STAMP) native
	$(BIN)/python -m pipeline eval --raw-dir $(RAW) --gold tests/fixtures/gold/seeds.jsonl --work-dir $(WORK)/eval --write eval/seeds.json
	$(BIN)/python -m pipeline eval --raw-dir tests/fixtures/formats/hf --gold tests/fixtures/gold/heldout_hf.jsonl --work-dir $(WORK)/eval-a --write eval/heldout_a.json
	$(BIN)/python -m pipeline eval --raw-dir tests/fixtures/formats/hf --gold tests/fixtures/gold/heldout_hf_b.jsonl --work-dir $(WORK)/eval-b --write eval/heldout_b.json
	$(BIN)/python -m pipeline eval --raw-dir tests/fixtures/annotated/raw --gold tests/fixtures/annotated/gold/dev.gold.jsonl --work-dir $(WORK)/eval-annotated --write eval/annotated_dev.json
	$(BIN)/python -m pipeline eval --raw-dir tests/fixtures/annotated/raw --gold tests/fixtures/annotated/gold/blind.gold.jsonl --work-dir $(WORK)/eval-annotated --write eval/annotated_blind.json
	$(BIN)/python eval/agreement.py --write eval/agreement.json
	# listing pages: 10-fold by page, nested (unseen) figures, then the whole pipeline on the same
	# pages with the shipped models, which trained on them (seen)
	$(BIN)/python -m pipeline.tools.train_listing --cv --folds 10 --write eval/listing_cv.json
	# listing pages that no model trains on, read by the shipped models (blind)
	$(BIN)/python eval/listing_blind.py --folder tests/fixtures/pages_blind --write eval/listing_blind.json
	# Papers with Code-style check: pwc_train's dev split (held out) through the whole pipeline
	$(BIN)/python -m pipeline.tools.pwc_check --write eval/pwc_check.json
	# learned metric tagger: 5-fold cross-validation by paper over the gold it trains on (seen)
	$(BIN)/python -m pipeline.tools.train_extract --cv 5 --write eval/value_links_cv.json
	# task taxonomy: 5-fold cross-validation by paper over the PwC rows it is built from (seen)
	$(BIN)/python -m pipeline.tools.build_tasks --cv 5 --write eval/tasks_cv.json
	# usual metric of a dataset: 5-fold cross-validation by paper over pwc_train's train split (seen)
	$(BIN)/python -m pipeline.tools.build_dataset_metrics --cv 5 --write eval/dataset_metrics_cv.json
	# paper-task classifier: 5-fold cross-validation by paper over pwc_train (seen)
	$(BIN)/python -m pipeline.tools.train_paper_task --cv 5 --write eval/paper_task_cv.json
	$(BIN)/python -m pipeline eval --raw-dir tests/fixtures/pages/raw --gold tests/fixtures/pages/pages.gold.jsonl --complete-gold --work-dir $(WORK)/eval-pages --write eval/pages.json

# Learned models (pipeline/ingest/models/), the PwC dataset names (gazetteers/datasets_pwc.yaml)
# the task taxonomy (gazetteers/tasks.csv), the datasets' usual metrics
# (gazetteers/dataset_metrics.csv) and the metric tagger (pipeline/extract/models/), in
# that order (the tagger reads the rules' output, which reads the gazetteers):
# rebuilt from the data in the repo, deterministic.
train: $(STAMP)
	$(BIN)/python -m pipeline.tools.build_common_words
	$(BIN)/python -m pipeline.tools.train_listing
	$(BIN)/python -m pipeline.tools.build_pwc_datasets
	$(BIN)/python -m pipeline.tools.build_tasks
	$(BIN)/python -m pipeline.tools.build_dataset_metrics
	$(BIN)/python -m pipeline.tools.train_extract
	$(BIN)/python -m pipeline.tools.train_paper_task

bench: $(STAMP) native
	$(BIN)/python -m bench.run

fuzz: $(STAMP) native
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q -m "not slow" tests

clean:
	rm -rf $(WORK) $(PROCESSED)/.paperclaims-tmp-* $(PROCESSED)/.paperclaims-old-*
