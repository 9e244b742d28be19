#!/usr/bin/env bash
# A recognizer fine-tune sized for one call of a lent GPU machine (bare image with PyTorch and
# OpenCV, no network). It reads the font pack and corpus from .gpu/cache.tar.xz (`make gpu-pack`
# here; carry `.gpu`), trains from the shipped student's FP32 weights with the same loss as the
# CPU fine-tunes (0.5 CTC + 0.5 per-frame distillation from the unpruned parent where the parent
# reads the line right), and writes the checkpoints without their AdamW moments (each under the
# 16 MiB a file may bring back) and the log to $OUT. Then, here: `make ship CKPT=...` after the
# held-out comparison the model card describes.
#   BUDGET  training minutes (default 7)   LIMIT  hard stop in seconds (default 520)
#   WORKERS render processes (default 14)  PY     the Python with torch (default python3)
#   BATCH   lines per step (default 256)    VAL_LINES  validation lines (default 1000)
set -x
PY=${PY:-python3}
OUT=${OUT:-/tmp/gpu-out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/layers/ocr_core:$PWD/model
nvidia-smi -L
$PY -c "import torch, cv2, PIL; print(torch.__version__, cv2.__version__, torch.cuda.is_available())" || exit 2
tar -xJf .gpu/cache.tar.xz || exit 3
cd model || exit 4
timeout "${LIMIT:-520}" $PY -m ocr_train.train --run /tmp/gpu-run --init ckpt/crnn_student_fp32.pt \
  --batch "${BATCH:-256}" --lr 3e-4 --warmup 100 --curriculum 1 --budget-min "${BUDGET:-7}" --val-every 110 \
  --ckpt-every 60 --val-lines "${VAL_LINES:-1000}" --seed 27 --workers "${WORKERS:-14}" --threads 4 \
  --hint ckpt/crnn_fp32.pt --hint-weight 0 --hint-logits 0.5 --hint-temperature 2 --hint-where-right \
  --log-every 20 > "$OUT/train.out" 2>&1
echo "train rc=$?"
tail -c 3000 "$OUT/train.out"
$PY -m ocr_train.weights /tmp/gpu-run/best.pt "$OUT/ft_best.pt" /tmp/gpu-run/last.pt "$OUT/ft_last.pt"
cp /tmp/gpu-run/log.jsonl "$OUT/" 2>/dev/null
ls -la "$OUT"
