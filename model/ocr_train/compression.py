"""The compression study (`make compression-report`): build or reuse every variant, measure them
side by side in one run, and write model/COMPRESSION.md plus its chart.

    python -m ocr_train.compression --real ../shared/data/real            # build what is missing, report
    python -m ocr_train.compression --real ../shared/data/real --ship     # and ship the final variant

The recipe, from our trained CRNN (model/ckpt/crnn_fp32.pt) in model/runs/compression/:
  baseline   the conventional CRNN (VGG 64-128-256-256-512-512, BiLSTM 256) grown from ours
             function-preservingly (widen.py); fine-tuned ``baseline_steps`` (default none)
  magnitude  50% of every weight matrix zeroed, for comparison (same size and time)
  pruned-R   CNN channels removed at ratio R (BatchNorm-scale ranking, prune.py) + a rank-128 head
             from the SVD, fine-tuned ``steps`` on CTC alone (the control of distillation)
  kd-A-T     the same start and steps, plus per-frame distillation from PP-OCRv4's cached outputs
             (alpha A, temperature T): the sweep
  kd-own     the same, distilled from the baseline's own outputs on the same cached lines
  kd-parent  the same, distilled online from the unpruned CRNN (the baseline's function): its full
             per-frame distribution (weight A, temperature T) and its CNN features (hints)
  lowrank    our CRNN with the rank-128 SVD head and nothing else (no fine-tune needed)
  long       that low-rank student fine-tuned ``long_steps`` on the current text mix, twice from the
             same start: CTC alone (lowrank-ctc, the control) and with PP-OCRv4's cached outputs
             (kd-lowrank, alpha and T of ``long_kd``): distillation at equal size where it can ship
  slow       twice more at ``slow_lr``: CTC alone (lowrank-ctc-slow) and distilled online from
             the unpruned parent it was factorized from (kd-parent-lowrank, ``slow_kd``), which holds
             every class the fine-tune's few thousand lines do not show
  right      once more distilled only on the lines the parent reads exactly (kd-right-lowrank)
  mbv3       a MobileNetV3-style backbone taught by FitNets hints (the best pruned student's CNN
             features), with that student's LSTM and head, then CTC + distillation
  INT8       of the best student (synthetic validation picks it, never the dev set): dynamic
             (LSTM, MatMul), static QDQ (per-channel convolutions), hybrid (both); onnxslim; and
             onnxruntime's offline full optimization (CPU-specific, measured, never shipped)
Every fine-tune reads the same synthetic stream (same seed) and the same cached lines (CTC on
them in every run; only the distillation term differs), so rows differ by technique alone.

Measurement reuses `make bench`'s worker: each variant in a fresh process pinned to one core
with 1 thread, through OcrEngine (OCR_MODEL_PATH points at the variant).
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch

from ocr_train.crnn import MBV3_CHANNELS, Crnn
from ocr_train.paths import CACHE, CHARSET_FILE, CORPUS_FILE, FONT_PACK, MODEL_DIR, RUNS

WORK = RUNS / "compression"
START = MODEL_DIR / "ckpt" / "crnn_fp32.pt"
SHIPPED_CKPT = Path("ckpt") / "crnn_student_fp32.pt"  # under the model folder


# "long", "slow" and "right": the low-rank student's pairs (``long_students``); "right" builds "slow"
TRAINED = ("pruned", "kd-sweep", "kd-own", "kd-parent", "mbv3", "long", "slow", "right")


@dataclass(frozen=True)
class Recipe:
    """What the study trains; sized for this 2-core machine (about 50 minutes in all)."""

    steps: int = 150
    # The baseline is our trained CRNN widened without loss (54.8% synthetic validation before and
    # after). Fine-tuning it 50 steps at lr 5e-4 lowered that to 52.5%, so by default it is not.
    baseline_steps: int = 0
    lr: float = 3e-4
    batch: int = 32
    ratios: tuple[float, ...] = (0.25, 0.5)
    student_ratio: float = 0.25
    rank: int = 128
    sweep: tuple[tuple[float, float], ...] = ((0.5, 2.0), (0.8, 4.0))
    own_lines: int = 3000
    # Online distillation from the unpruned parent: (weight A of its per-frame KD, temperature T,
    # weight of the FitNets hint on its CNN features).
    parent_kd: tuple[float, float, float] = (0.5, 2.0, 1.0)
    # The unpruned low-rank student's longer fine-tune (``long``): steps, and (alpha, T) of its KD arm.
    long_steps: int = 300
    long_kd: tuple[float, float] = (0.5, 2.0)
    # The same pair at a lower rate (3e-4 forgot the rare characters in 300 steps), its KD arm
    # taught by the parent's full per-frame distribution (weight A, temperature T; no feature hints,
    # so the CNN may learn the new text shapes).
    slow_lr: float = 5e-5
    slow_kd: tuple[float, float] = (0.5, 2.0)
    # The fine-tuned variants to build (``--variants``): all by default. Each costs ``steps`` of
    # training; on a slow machine a run may build the control and one candidate only.
    trained: tuple[str, ...] = TRAINED
    val_lines: int = 1000
    # Real prose (reviews, the Python docs; ``realtext``) in held-out fonts: with the synthetic
    # validation lines and the dev lines, the held-out lines that compare each distilled arm with its twin.
    prose_lines: int = 1000
    prose_seed: int = 31337  # not the LM tuner's 2026
    pool: Path = CACHE / "teacher_pool"
    work: Path = WORK
    start: Path = START
    baseline_channels: tuple[int, ...] = (64, 128, 256, 256, 512, 512)  # Shi et al.'s VGG
    baseline_feature: int = 512
    baseline_hidden: int = 256
    calib_lines: int = 256
    charset: Path = CHARSET_FILE
    corpus: Path = CORPUS_FILE
    fonts: Path = FONT_PACK


@dataclass
class Variant:
    key: str
    label: str
    technique: str
    onnx: Path
    params: int
    nonzero: int = 0
    source: str = ""  # the FP32 variant this one was quantized or rewritten from
    val: dict[str, float] = field(default_factory=dict)  # synthetic validation (training's last)
    steps: int = 0
    ckpt: str = ""  # the FP32 weights it was exported from
    control: str = ""  # a distilled variant's CTC-only twin (same start, steps and lines)
    # per held-out set ("synthetic", "prose"): whether the FP32 weights read each line exactly
    held: dict[str, list[bool]] = field(default_factory=dict)


def save_init(model: Crnn, path: Path) -> Path:
    from ocr_train.train import atomic_save

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_save(path, {"model": model.state_dict(), "config": model.cfg.to_dict(), "state": {}})
    return path


def finetune(
    name: str, steps: int, recipe: Recipe, extra: list[str], init: Path | None = None, lr: float = 0.0
) -> tuple[Path, dict]:
    """Run train.py for ``steps`` from ``init`` (or a new model shaped by ``extra``); reused when
    RUN/done.json exists, restarted when a run was cut short (equal steps for every variant)."""
    from ocr_train import train

    run = recipe.work / name
    done = run / "done.json"
    if done.exists():
        return run / "last.pt", json.loads(done.read_text())
    if run.exists():
        shutil.rmtree(run)
    argv = [
        "--run", str(run), "--steps", str(steps), "--budget-min", "1000", "--lr", str(lr or recipe.lr),
        "--warmup", "50", "--curriculum", "1", "--batch", str(recipe.batch), "--val-lines",
        str(recipe.val_lines), "--val-every", "1e9", "--workers", "1", "--seed", "7",
        "--charset", str(recipe.charset), "--corpus", str(recipe.corpus), "--fonts", str(recipe.fonts),
        *(["--init", str(init)] if init else []), *extra,
    ]  # fmt: skip
    print(f"[compression] fine-tune {name}: {' '.join(argv)}", flush=True)
    metrics = train.main(argv)
    done.write_text(json.dumps(metrics))
    return run / "last.pt", metrics


def validate(ckpt: Path, recipe: Recipe, name: str) -> dict[str, float]:
    """The fine-tunes' synthetic validation for a checkpoint that was not fine-tuned (cached in WORK)."""
    cache = recipe.work / "val" / f"{name}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    from ocr_core.charset import Charset
    from ocr_core.tensorize import InputSpec

    from ocr_train.export import load_model
    from ocr_train.train import evaluate

    charset = Charset.from_file(recipe.charset)
    val = held_out_sets(recipe)["synthetic"]
    metrics = evaluate(load_model(ckpt)[0], val, charset, InputSpec(), torch.device("cpu"))
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(metrics))
    return metrics


@functools.cache
def held_out_sets(recipe: Recipe) -> dict[str, list]:
    """The synthetic validation lines (training's own) and the real-prose lines, rendered once."""
    from ocr_core.charset import Charset

    from ocr_train.data import validation_set
    from ocr_train.realtext import real_text_set

    charset = Charset.from_file(recipe.charset)
    return {
        "synthetic": validation_set(charset, recipe.corpus, recipe.fonts, recipe.val_lines),
        "prose": real_text_set(charset, recipe.fonts, recipe.prose_lines, recipe.prose_seed),
    }


def held_out(ckpt: Path, recipe: Recipe, name: str) -> dict[str, list[bool]]:
    """Per held-out line, whether ``ckpt`` (FP32, greedy) reads it exactly (cached in WORK): the
    paired evidence for distillation against its CTC-only twin."""
    cache = recipe.work / "held" / f"{name}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    from ocr_core.charset import Charset
    from ocr_core.tensorize import InputSpec

    from ocr_train.export import load_model
    from ocr_train.train import read_lines

    charset = Charset.from_file(recipe.charset)
    model = load_model(ckpt)[0]
    right = {
        kind: [
            pred == text
            for pred, (_, text, _) in zip(
                read_lines(model, lines, charset, InputSpec(), torch.device("cpu")), lines, strict=True
            )
        ]
        for kind, lines in held_out_sets(recipe).items()
    }
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(right))
    return right


def kd_args(pool: Path, alpha: float, temperature: float) -> list[str]:
    return [
        "--teacher-cache", str(pool), "--distill-after", "0", "--cache-every", "2",
        "--alpha", str(alpha), "--temperature", str(temperature),
    ]  # fmt: skip


def export(ckpt: Path, out: Path, quant: str, recipe: Recipe) -> Path:
    """ONNX of ``ckpt``: "fp32", "dynamic" (LSTM/MatMul), "static" (QDQ conv) or "hybrid" (both)."""
    if out.exists():
        return out
    from ocr_core.charset import Charset

    from ocr_train.export import (
        calibration_batches,
        export_fp32,
        load_model,
        metadata,
        quantize_dynamic_int8,
        quantize_hybrid,
        quantize_static_qdq,
        set_metadata,
    )

    charset = Charset.from_file(recipe.charset)
    model, ck = load_model(ckpt)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        export_fp32(model, fp32)
        calib = (
            calibration_batches(recipe.calib_lines, 99, charset, recipe.corpus, recipe.fonts)
            if quant in ("static", "hybrid")
            else []
        )
        if quant == "fp32":
            shutil.copy(fp32, out)
        elif quant == "dynamic":
            quantize_dynamic_int8(fp32, out)
        elif quant == "static":
            quantize_static_qdq(fp32, out, calib, ["Conv"])
        elif quant == "hybrid":
            quantize_hybrid(fp32, out, calib)
        else:
            raise ValueError(quant)
    set_metadata(out, metadata(charset, ck, f"crnn-{out.stem}", quant))
    return out


def slim(src: Path, out: Path) -> Path:
    """onnxslim's portable rewrites (constant folding, dead nodes, fusions), metadata kept."""
    if not out.exists():
        import onnx
        import onnxslim

        from ocr_train.export import set_metadata

        model = onnx.load(str(src))
        props = {p.key: p.value for p in model.metadata_props}
        onnx.save(onnxslim.slim(model), str(out))
        set_metadata(out, props)
    return out


def ort_offline(src: Path, out: Path) -> Path:
    """onnxruntime's full graph optimization saved to a file (CPU-specific fused nodes)."""
    if not out.exists():
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.optimized_model_filepath = str(out)
        ort.InferenceSession(str(src), opts, providers=["CPUExecutionProvider"])
    return out


def build(recipe: Recipe) -> list[Variant]:
    """Every variant of the recipe, trained and exported where missing."""
    from ocr_train.export import load_model
    from ocr_train.prune import count_params, lowrank_head, magnitude_prune, prune_channels
    from ocr_train.teacher_cache import relabel
    from ocr_train.train import load_matching
    from ocr_train.widen import widen

    if not (recipe.pool / "shard0000.npz").exists():
        raise SystemExit(f"no teacher cache in {recipe.pool}: run `make teacher-cache` first")
    start, _ = load_model(recipe.start)
    work = recipe.work
    out: list[Variant] = []
    onnx_dir = work / "onnx"

    def add(
        key: str, label: str, technique: str, ckpt: Path, quant: str = "fp32", sparse: bool = False, **kw: Any
    ) -> Variant:
        model = load_model(ckpt)[0]
        v = Variant(
            key,
            label,
            technique,
            export(ckpt, onnx_dir / f"{key}.onnx", quant, recipe),
            count_params(model),
            nonzero=count_params(model, nonzero=True) if sparse else 0,
            ckpt=str(ckpt),
            held=held_out(ckpt, recipe, key) if quant == "fp32" else {},
            **kw,
        )
        out.append(v)
        return v

    # The conventional baseline.
    wide = replace(
        start.cfg,
        channels=recipe.baseline_channels,
        feature=recipe.baseline_feature,
        hidden=recipe.baseline_hidden,
    )
    init = work / "init" / "baseline.pt"
    if not init.exists():
        save_init(widen(start, wide), init)
    if recipe.baseline_steps:
        base_ckpt, base_m = finetune(
            "baseline", recipe.baseline_steps, recipe, kd_args(recipe.pool, 0.0, 1.0), init
        )
    else:
        base_ckpt, base_m = init, validate(init, recipe, "baseline")
    how = f"fine-tuned {recipe.baseline_steps} steps" if recipe.baseline_steps else "no further training"
    add(
        "baseline",
        "baseline FP32 (VGG 64-512, BiLSTM 256)",
        f"conventional CRNN: our trained CRNN widened function-preservingly, {how}",
        base_ckpt,
        val=base_m,
        steps=recipe.baseline_steps,
    )
    add(
        "start",
        "our trained CRNN FP32",
        "the starting point (25 GPU-min)",
        recipe.start,
        val=validate(recipe.start, recipe, "start"),
    )
    mag = work / "init" / "magnitude.pt"
    if not mag.exists():
        save_init(magnitude_prune(start, 0.5), mag)
    add(
        "magnitude",
        "unstructured 50% FP32",
        "magnitude pruning, no fine-tune",
        mag,
        sparse=True,
        val=validate(mag, recipe, "magnitude"),
    )

    # Structured pruning + low-rank head, fine-tuned on CTC alone (the distillation control).
    inits: dict[float, Path] = {}
    control: dict[float, tuple[Path, dict]] = {}
    for ratio in recipe.ratios:
        pct = round(100 * ratio)
        if ratio != recipe.student_ratio and "pruned" not in recipe.trained:
            continue  # the student's ratio is always built: it is the distillation control
        inits[ratio] = save_init(
            lowrank_head(prune_channels(start, ratio), recipe.rank), work / "init" / f"pruned{pct}.pt"
        )
        ck, m = finetune(f"pruned{pct}", recipe.steps, recipe, kd_args(recipe.pool, 0.0, 1.0), inits[ratio])
        control[ratio] = (ck, m)
        add(
            f"pruned{pct}",
            f"pruned {pct}% + rank-{recipe.rank} head FP32",
            "channel pruning + SVD head, CTC fine-tune",
            ck,
            val=m,
            steps=recipe.steps,
        )
    student_init = inits[recipe.student_ratio]
    pct = round(100 * recipe.student_ratio)

    # Distillation sweep at equal size (same start, steps and lines as the control).
    students: dict[str, tuple[Path, dict]] = {f"pruned{pct}": control[recipe.student_ratio]}
    for alpha, temp in recipe.sweep if "kd-sweep" in recipe.trained else ():
        key = f"kd-a{alpha:g}-t{temp:g}"
        ck, m = finetune(key, recipe.steps, recipe, kd_args(recipe.pool, alpha, temp), student_init)
        students[key] = (ck, m)
        add(
            key,
            f"distilled from PP-OCRv4, alpha {alpha:g}, T {temp:g} FP32",
            f"pruned {pct}% + KD",
            ck,
            val=m,
            steps=recipe.steps,
            control=f"pruned{pct}",
        )
    swept = [at for at in recipe.sweep if f"kd-a{at[0]:g}-t{at[1]:g}" in students]
    best_alpha, best_t = (
        max(swept, key=lambda at: students[f"kd-a{at[0]:g}-t{at[1]:g}"][1]["val_line_acc"])
        if swept
        else recipe.sweep[0]
    )
    if "kd-own" in recipe.trained and swept:  # at the sweep's best alpha and T
        own_pool = work / "own_pool"
        if not (own_pool / "done").exists():
            relabel(recipe.pool, own_pool, base_ckpt, recipe.own_lines, charset_file=recipe.charset)
            (own_pool / "done").touch()
        ck, m = finetune("kd-own", recipe.steps, recipe, kd_args(own_pool, best_alpha, best_t), student_init)
        students["kd-own"] = (ck, m)
        add(
            "kd-own",
            f"distilled from our baseline, alpha {best_alpha:g}, T {best_t:g} FP32",
            f"pruned {pct}% + KD (own teacher, {recipe.own_lines} cached lines)",
            ck,
            val=m,
            steps=recipe.steps,
            control=f"pruned{pct}",
        )

    # From the unpruned parent online: our CRNN, whose function the baseline is (widened without loss)
    # at a quarter of its cost per batch. Full per-frame distributions on the same batch, and its CNN
    # features as hints (the pruned student keeps the feature width); equal lines to the control.
    if "kd-parent" in recipe.trained:
        weight, temp, hint_w = recipe.parent_kd
        parent_extra = [
            *kd_args(recipe.pool, 0.0, 1.0), "--hint", str(recipe.start), "--hint-weight", str(hint_w),
            "--hint-logits", str(weight), "--hint-temperature", str(temp),
        ]  # fmt: skip
        ck, m = finetune("kd-parent", recipe.steps, recipe, parent_extra, student_init)
        students["kd-parent"] = (ck, m)
        add(
            "kd-parent",
            f"distilled from our unpruned CRNN online, A {weight:g}, T {temp:g}, hints x{hint_w:g} FP32",
            f"pruned {pct}% + KD (parent's logits and CNN features on the same batch)",
            ck,
            val=m,
            steps=recipe.steps,
            control=f"pruned{pct}",
        )

    # The low-rank head alone (no channel removed, no fine-tune): SVD keeps the trained weights' best
    # rank-r approximation, so it needs no recovery. Not a hint source for mbv3 (that stays a pruned student).
    lowrank_init = work / "init" / f"lowrank{recipe.rank}.pt"
    if not lowrank_init.exists():
        save_init(lowrank_head(start, recipe.rank), lowrank_init)
    lowrank_m = validate(lowrank_init, recipe, "lowrank")
    add(
        "lowrank",
        f"rank-{recipe.rank} head FP32",
        "SVD of the classifier, no channel pruning, no fine-tune",
        lowrank_init,
        val=lowrank_m,
    )

    # MobileNetV3-style candidate: hints from the best student so far, its LSTM and head.
    if "mbv3" in recipe.trained:
        best_key = max(students, key=lambda k: students[k][1]["val_line_acc"])
        hint_ckpt = students[best_key][0]
        hint = load_model(hint_ckpt)[0]
        mbv3 = Crnn(replace(hint.cfg, backbone="mbv3", channels=MBV3_CHANNELS))
        load_matching(mbv3, hint.state_dict(), prefixes=("rnn.", "head."))
        mb_init = save_init(mbv3, work / "init" / "mbv3.pt")
        mb_extra = ["--hint", str(hint_ckpt), *kd_args(recipe.pool, best_alpha, best_t)]
        mb_ckpt, mb_m = finetune("mbv3", recipe.steps, recipe, mb_extra, mb_init, lr=1e-3)
        students["mbv3"] = (mb_ckpt, mb_m)
        add(
            "mbv3",
            "MobileNetV3-style backbone FP32",
            f"hints from {best_key} + KD",
            mb_ckpt,
            val=mb_m,
            steps=recipe.steps,
        )

    if {"long", "slow", "right"} & set(recipe.trained):  # after mbv3, whose hints stay a pruned student's
        long_students(recipe, lowrank_init, students, add)

    # INT8 and graph rewrites of the best student (synthetic validation decides, never the dev set).
    students["lowrank"] = (lowrank_init, lowrank_m)
    best_key = max(students, key=lambda k: students[k][1]["val_line_acc"])
    best_ckpt, best_m = students[best_key]
    src = next(v for v in out if v.key == best_key).key
    for quant, label in (
        ("dynamic", "INT8 dynamic (LSTM, MatMul)"),
        ("static", "INT8 static QDQ (conv)"),
        ("hybrid", "INT8 hybrid (static conv + dynamic LSTM/MatMul)"),
    ):
        add(
            f"{best_key}-{quant}",
            f"{best_key}: {label}",
            f"{quant} INT8 of {best_key}",
            best_ckpt,
            quant,
            source=src,
            val=best_m,
        )
    hybrid = onnx_dir / f"{best_key}-hybrid.onnx"
    params = out[-1].params
    for key, path, label, technique in (
        (
            f"{best_key}-ortfused",
            ort_offline(hybrid, onnx_dir / f"{best_key}-ortfused.onnx"),
            f"{best_key}: hybrid + onnxruntime offline fusion",
            "ORT_ENABLE_ALL saved (CPU-specific)",
        ),
        (
            f"{best_key}-final",
            slim(hybrid, onnx_dir / f"{best_key}-final.onnx"),
            f"final: {best_key} hybrid INT8 + onnxslim",
            "the shipped recipe",
        ),
    ):
        out.append(Variant(key, label, technique, path, params, source=src, val=best_m, ckpt=str(best_ckpt)))
    return out


def long_students(recipe: Recipe, init: Path, students: dict[str, tuple[Path, dict]], add: Any) -> None:
    """The low-rank student fine-tuned ``long_steps`` from ``init``: CTC-only controls and distilled
    twins (same seed, stream, cached lines and rate; only the KD term differs). "long": at ``lr``
    with PP-OCRv4's cached per-frame outputs; "slow": at ``slow_lr`` with the parent's online;
    "right": the parent's only where it reads the line exactly (with "slow"'s control)."""
    wanted = set(recipe.trained) | ({"slow"} if "right" in recipe.trained else set())
    alpha, temp = recipe.long_kd
    weight, slow_t = recipe.slow_kd
    steps = f"{recipe.long_steps}-step"
    parent = [
        "--hint", str(recipe.start), "--hint-weight", "0", "--hint-logits", str(weight),
        "--hint-temperature", str(slow_t),
    ]  # fmt: skip
    head = f"rank-{recipe.rank} head"
    for group, key, label, technique, extra, control, lr in (
        (
            "long",
            "lowrank-ctc",
            f"{head}, fine-tuned on CTC alone FP32",
            f"lowrank + {steps} CTC fine-tune (the control of kd-lowrank)",
            kd_args(recipe.pool, 0.0, 1.0),
            "",
            recipe.lr,
        ),
        (
            "long",
            "kd-lowrank",
            f"{head}, distilled from PP-OCRv4, alpha {alpha:g}, T {temp:g} FP32",
            f"lowrank + {steps} fine-tune with PP-OCRv4's cached soft targets",
            kd_args(recipe.pool, alpha, temp),
            "lowrank-ctc",
            recipe.lr,
        ),
        (
            "slow",
            "lowrank-ctc-slow",
            f"{head}, CTC alone at lr {recipe.slow_lr:g} FP32",
            f"lowrank + {steps} CTC fine-tune at lr {recipe.slow_lr:g} (the control of kd-parent-lowrank)",
            kd_args(recipe.pool, 0.0, 1.0),
            "",
            recipe.slow_lr,
        ),
        (
            "slow",
            "kd-parent-lowrank",
            f"{head}, distilled from its parent, A {weight:g}, T {slow_t:g}, lr {recipe.slow_lr:g} FP32",
            f"lowrank + {steps} fine-tune at lr {recipe.slow_lr:g} with the unpruned parent's "
            "per-frame distribution on the same batch",
            [*kd_args(recipe.pool, 0.0, 1.0), *parent],
            "lowrank-ctc-slow",
            recipe.slow_lr,
        ),
        (
            "right",
            "kd-right-lowrank",
            f"{head}, distilled from its parent where it reads right, A {weight:g}, T {slow_t:g}, "
            f"lr {recipe.slow_lr:g} FP32",
            "as kd-parent-lowrank, the KD term only on the lines the parent reads exactly (its "
            "misreadings of shapes it never saw left to CTC)",
            [*kd_args(recipe.pool, 0.0, 1.0), *parent, "--hint-where-right"],
            "lowrank-ctc-slow",
            recipe.slow_lr,
        ),
    ):
        if group not in wanted:
            continue
        ck, m = finetune(key, recipe.long_steps, recipe, extra, init, lr=lr)
        students[key] = (ck, m)
        add(key, label, technique, ck, val=m, steps=recipe.long_steps, control=control)


def measure(variants: list[Variant], real: Path, repeat: int) -> list[dict[str, Any]]:
    """Each variant through make bench's worker (fresh process, 1 thread, one core), one after another."""
    from ocr_bench.__main__ import default_cpu, make_job, run_worker
    from ocr_bench.report import summarize
    from ocr_bench.systems import Ours
    from ocr_core.evaluate import NORMS

    job, pages, lines = make_job(real, repeat, default_cpu())
    rows = []
    for v in variants:
        print(f"[compression] measuring {v.key} ...", flush=True)
        # the study compares networks, so the decoder is held at greedy: the beam's LM is one add-on for all
        env = {"OCR_MODEL_PATH": str(v.onnx), "OCR_DECODER": "greedy"}
        system = Ours("db", model_path=v.onnx, decoder="greedy")  # the worker reads OCR_DECODER
        system.check()
        with tempfile.TemporaryDirectory() as tmp:
            result = run_worker({**job, "system": system.key}, Path(tmp), env)
        row = summarize(system, result, pages, lines)
        row.update(
            {
                "key": v.key,
                "label": v.label,
                "variant": {**asdict(v), "onnx": str(v.onnx)},
                "rec_bytes": v.onnx.stat().st_size,
                "line_text": result["line_text"],
                "line_right": {
                    i.file: NORMS["nfkc"](result["line_text"][i.file]) == NORMS["nfkc"](i.truth[0])
                    for i in lines
                },
            }
        )
        rows.append(row)
    return rows


STUDY_RECIPE = "python -m ocr_train.compression --ship"


def ship(src: Path, dst: Path, name: str = "crnn-zh-en-int8", recipe: str = STUDY_RECIPE) -> None:
    """Copy the final variant to the shipped file under the product's model name, with how it was
    made (``recipe``) in its metadata."""
    from ocr_train.export import read_metadata, set_metadata

    meta = read_metadata(src)
    shutil.copy(src, dst)
    set_metadata(dst, {**meta, "model_name": name, "recipe": recipe})


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--real", type=Path, required=True, help="shared/data/real")
    p.add_argument("--out", type=Path, default=MODEL_DIR / "COMPRESSION.md")
    p.add_argument("--chart", type=Path, default=MODEL_DIR / "compression.png")
    p.add_argument("--repeat", type=int, default=100, help="per-line latency runs")
    p.add_argument("--steps", type=int, default=Recipe.steps)
    p.add_argument("--long-steps", type=int, default=Recipe.long_steps, help="steps of the `long` pair")
    p.add_argument(
        "--variants",
        default=",".join(TRAINED),
        help="fine-tuned variants to build (comma-separated; the distillation control always is): "
        + ",".join(TRAINED),
    )
    p.add_argument("--build-only", action="store_true", help="train and export, measure nothing")
    p.add_argument("--report-only", action="store_true", help="rewrite the report from the last run's rows")
    p.add_argument("--ship", action="store_true", help="copy the final variant to model/crnn_int8.onnx")
    args = p.parse_args(argv)
    torch.set_num_threads(2)
    trained = tuple(v for v in args.variants.split(",") if v)
    unknown = set(trained) - set(TRAINED)
    if unknown:
        p.error(f"unknown variants {sorted(unknown)}: choose from {','.join(TRAINED)}")
    recipe = Recipe(steps=args.steps, long_steps=args.long_steps, trained=trained)
    from ocr_train.compress_report import chart, markdown

    saved = recipe.work / "rows.json"
    if args.report_only:
        rows = json.loads(saved.read_text(encoding="utf-8"))
        args.out.write_text(markdown(rows, recipe, args.repeat, args.ship), encoding="utf-8")
        chart(rows, args.chart)
        if args.ship:
            final = next(r["variant"] for r in rows if r["key"].endswith("-final"))
            ship_final(Path(final["onnx"]), Path(final["ckpt"]))
        return
    variants = build(recipe)
    if args.build_only:
        return
    rows = measure(variants, args.real, args.repeat)
    saved.write_text(json.dumps(rows, ensure_ascii=False, default=str), encoding="utf-8")
    args.out.write_text(markdown(rows, recipe, args.repeat, args.ship), encoding="utf-8")
    chart(rows, args.chart)
    print(args.out.read_text(encoding="utf-8"))
    if args.ship:
        final = next(v for v in variants if v.key.endswith("-final"))
        ship_final(final.onnx, Path(final.ckpt))


def ship_final(onnx_file: Path, ckpt: Path, model_dir: Path = MODEL_DIR, recipe: str = STUDY_RECIPE) -> None:
    from ocr_train.weights import strip_optimizer

    ship(onnx_file, model_dir / "crnn_int8.onnx", recipe=recipe)
    shipped_ckpt = model_dir / SHIPPED_CKPT
    strip_optimizer(ckpt, shipped_ckpt)
    print(f"shipped {onnx_file} -> {model_dir / 'crnn_int8.onnx'}; FP32 weights -> {shipped_ckpt}")


if __name__ == "__main__":
    main()
