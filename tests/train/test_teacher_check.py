"""The teacher check on a tiny pool: PP-OCRv4's cached paths against a tiny student's."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("rapidocr_onnxruntime")

from tests.train.test_train_smoke import tiny_train_args  # noqa: E402


def test_check_counts_frames_and_exact_lines(tiny_assets, tmp_path):
    from ocr_core.charset import Charset
    from ocr_train import train
    from ocr_train.teacher import teacher_dictionary, teacher_onnx_path
    from ocr_train.teacher_cache import build, load_pool
    from ocr_train.teacher_check import check

    root, _ = tiny_assets
    charset_file = root / "charset.json"
    build(
        tmp_path / "pool", 6, seed=3, topk=4, charset_file=charset_file,
        corpus_file=root / "corpus.json", font_dir=root / "fonts",
    )  # fmt: skip
    train.main(tiny_train_args(root, tmp_path / "student", steps=2, batch=4, val_lines=4))
    pool = load_pool(tmp_path / "pool")
    result = check(
        pool,
        tmp_path / "student" / "last.pt",
        Charset.from_file(charset_file),
        set(teacher_dictionary(teacher_onnx_path())),
        lines=6,
    )
    assert result["lines"] == 6 and 0 <= result["covered_lines"] <= 6
    assert set(result["overlap_by_shift"]) == set(range(-3, 4))
    for key in ("teacher_exact", "student_exact", "teacher_exact_covered", "student_exact_covered"):
        assert 0.0 <= result[key] <= 1.0
    # the teacher read these very lines when the pool was built: its cached top-1 path is its reading
    teacher_nonblank = sum(int((ids[:, 0] > 0).sum()) for _, _, ids, _ in pool)
    assert teacher_nonblank > 0
