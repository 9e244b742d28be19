"""Is PP-OCRv4 a better reader of the cached lines than the student it would teach?

    python -m ocr_train.teacher_check --ckpt ckpt/crnn_fp32.pt --lines 256

Per-frame distillation only helps when the teacher's frames line up with the student's and the
teacher reads the lines better. On a sample of the cached pool (``make teacher-cache``) this prints:
how many non-blank frames of the two greedy paths coincide at each shift of the teacher (the peak
should be at 0), and the exact-line rate of each greedy reading (all lines, and the lines the
teacher's dictionary covers). The pool is training data: these figures diagnose, they do not measure.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from ocr_core.charset import Charset
from ocr_core.ctc import emitted
from ocr_core.tensorize import InputSpec

from ocr_train.data import cached_teacher_batch
from ocr_train.paths import CACHE, CHARSET_FILE


def check(
    pool: list, ckpt: Path, charset: Charset, teacher_chars: set[str], lines: int, seed: int = 0
) -> dict[str, object]:
    """Frame overlap by shift and exact-line rates of teacher (cached top-1) and student (greedy)."""
    from ocr_train.export import load_model

    model = load_model(ckpt)[0].eval()
    picks = np.random.default_rng(seed).choice(len(pool), min(lines, len(pool)), replace=False)
    shifts = dict.fromkeys(range(-3, 4), 0)
    right = {"teacher": 0, "student": 0, "covered": 0, "teacher_covered": 0, "student_covered": 0}
    for i in range(0, len(picks), 32):
        batch, ids, _ = cached_teacher_batch([pool[j] for j in picks[i : i + 32]], charset, InputSpec())
        with torch.no_grad():
            student = model(batch.x).argmax(-1).numpy()
        teacher = ids[..., 0].clamp_min(0).numpy()  # unmapped or padding -> blank
        for n, text in enumerate(batch.texts):
            t = min(int(batch.frames[n]), student.shape[1], teacher.shape[1])
            s_path, t_path = student[n, :t], teacher[n, :t]
            for shift in shifts:
                shifts[shift] += int(((np.roll(t_path, -shift) != 0) & (s_path != 0)).sum())
            truth = charset.encode(text)
            covered = all(c in teacher_chars for c in text if c != " ")
            t_ok = t_path[emitted(t_path)].tolist() == truth
            s_ok = s_path[emitted(s_path)].tolist() == truth
            right["teacher"] += t_ok
            right["student"] += s_ok
            right["covered"] += covered
            right["teacher_covered"] += covered and t_ok
            right["student_covered"] += covered and s_ok
    n = len(picks)
    cov = max(1, right["covered"])
    return {
        "lines": n,
        "overlap_by_shift": shifts,
        "teacher_exact": right["teacher"] / n,
        "student_exact": right["student"] / n,
        "covered_lines": right["covered"],
        "teacher_exact_covered": right["teacher_covered"] / cov,
        "student_exact_covered": right["student_covered"] / cov,
    }


def main(argv: list[str] | None = None) -> None:
    from ocr_train.teacher import teacher_dictionary, teacher_onnx_path
    from ocr_train.teacher_cache import load_pool

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", type=Path, required=True, help="the student (FP32 checkpoint)")
    p.add_argument("--pool", type=Path, default=CACHE / "teacher_pool")
    p.add_argument("--charset", type=Path, default=CHARSET_FILE)
    p.add_argument("--lines", type=int, default=256)
    args = p.parse_args(argv)
    torch.set_num_threads(2)
    result = check(
        load_pool(args.pool),
        args.ckpt,
        Charset.from_file(args.charset),
        set(teacher_dictionary(teacher_onnx_path())),
        args.lines,
    )
    print(f"non-blank frames on both greedy paths, by teacher shift: {result['overlap_by_shift']}")
    print(
        f"{result['lines']} cached lines: exact greedy reading, teacher {result['teacher_exact']:.1%}, "
        f"student {result['student_exact']:.1%}; on the {result['covered_lines']} lines the teacher's "
        f"dictionary covers: teacher {result['teacher_exact_covered']:.1%}, "
        f"student {result['student_exact_covered']:.1%}"
    )


if __name__ == "__main__":
    main()
