"""The compression report's paired comparison of a distilled arm with its CTC-only twin."""

from __future__ import annotations

import math

import pytest
from ocr_train.compress_report import distillation, mcnemar, paired


def test_mcnemar_matches_the_binomial_tail():
    # 10 lines only one model reads, all by the same one: 2 * 0.5**10
    assert mcnemar(10, 0) == pytest.approx(2 / 1024)
    assert mcnemar(0, 10) == mcnemar(10, 0)
    # 14 against 4: twice P(X <= 4) for X ~ Binomial(18, 1/2)
    assert mcnemar(14, 4) == pytest.approx(2 * sum(math.comb(18, k) for k in range(5)) / 2**18)
    assert mcnemar(5, 5) == 1.0 and mcnemar(0, 0) == 1.0


def _row(key, synthetic, prose, dev, control=""):
    return {
        "key": key,
        "label": key.upper(),
        "variant": {"control": control, "held": {"synthetic": synthetic, "prose": prose}},
        "line_right": {f"{i}.png": r for i, r in enumerate(dev)},
    }


def test_paired_counts_the_lines_only_one_model_reads_per_set_and_pooled():
    twin = _row("ctc", [True, False, False, True], [False, False], [True, True, False])
    arm = _row("kd", [True, True, True, False], [True, False], [True, False, False], control="ctc")
    pairs = paired(arm, twin)
    assert pairs["synthetic"] == (4, 2, 1)
    assert pairs["prose"] == (2, 1, 0)
    assert pairs["dev"] == (3, 0, 1)
    assert pairs["pooled"] == (9, 3, 2)
    lines = distillation([twin, arm])
    assert len(lines) == 3 and lines[2].startswith("| KD | CTC | +25.0 (+2 / -1) | +50.0 (+1 / -0) |")
    assert lines[2].endswith(f"| {mcnemar(3, 2):.3f} |")


@pytest.mark.parametrize(
    ("trained", "built"),
    [
        (("long",), ["lowrank-ctc", "kd-lowrank"]),
        (("slow",), ["lowrank-ctc-slow", "kd-parent-lowrank"]),
        (("right",), ["lowrank-ctc-slow", "kd-parent-lowrank", "kd-right-lowrank"]),
    ],
)
def test_low_rank_pairs_build_with_their_controls(monkeypatch, tmp_path, trained, built):
    from ocr_train import compression

    monkeypatch.setattr(compression, "finetune", lambda key, *a, **k: (tmp_path / key, {"val_line_acc": 0.5}))
    added: list[tuple[str, str]] = []
    students: dict = {}
    recipe = compression.Recipe(trained=trained, work=tmp_path)
    compression.long_students(
        recipe, tmp_path / "init.pt", students, lambda key, *a, **k: added.append((key, k["control"]))
    )
    assert [key for key, _ in added] == built == list(students)
    assert all(control in built for _, control in added if control)


def test_rows_without_per_line_reads_fail_the_distillation_target_instead_of_crashing():
    from ocr_train.compress_report import targets

    def row(key, control=""):
        return {
            "key": key,
            "label": key,
            "rec_bytes": 1,
            "line_ms": 1.0,
            "rss_bytes": 1,
            "lines": {"all": {"acc_nfkc": 0.5}},
            "variant": {"control": control, "params": 1e6, "val": {"val_line_acc": 0.5}},
        }

    lines = targets([row("baseline"), row("pruned25"), row("kd-x", "pruned25"), row("x-final")], "pruned25")
    kd = [line for line in lines if line.startswith("| distillation gains")]
    assert len(kd) == 1 and "**FAIL**" in kd[0] and "rerun" in kd[0]
