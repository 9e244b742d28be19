"""Ship a fine-tuned recognizer checkpoint the way the compression study ships its final variant.

    cd model && ../.venv/bin/python -m ocr_train.ship --ckpt runs/ft-prose/best.pt \
        --recipe "make train RUN=... INIT=... TRAIN_ARGS=..."

FP32 checkpoint -> ONNX -> hybrid INT8 (static QDQ convolutions, dynamic LSTM/MatMul, 7-bit
weights, calibrated on synthetic lines) -> onnxslim -> ``model/crnn_int8.onnx``, and its FP32
weights (optimizer state dropped) -> ``model/ckpt/crnn_student_fp32.pt``. The recipe string is
stored in the ONNX metadata, so the file says how it was made. The same ``export``/``slim``/
``ship_final`` calls as ``compression --ship``: one shipping path.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from ocr_train.compression import Recipe, export, ship_final, slim
from ocr_train.paths import MODEL_DIR


def ship_checkpoint(
    ckpt: Path, recipe_text: str, model_dir: Path = MODEL_DIR, assets: Recipe | None = None
) -> Path:
    """Export ``ckpt`` as hybrid INT8 + onnxslim and make it the shipped recognizer (``assets``:
    the charset, corpus and fonts its calibration lines are drawn with)."""
    with tempfile.TemporaryDirectory() as tmp:
        hybrid = export(ckpt, Path(tmp) / "hybrid.onnx", "hybrid", assets or Recipe())
        final = slim(hybrid, Path(tmp) / "final.onnx")
        ship_final(final, ckpt, model_dir, recipe_text)
    return model_dir / "crnn_int8.onnx"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", type=Path, required=True, help="FP32 training checkpoint")
    p.add_argument("--recipe", required=True, help="how the checkpoint was made (stored in the file)")
    args = p.parse_args(argv)
    print(f"shipped {ship_checkpoint(args.ckpt, args.recipe)}")


if __name__ == "__main__":
    main()
