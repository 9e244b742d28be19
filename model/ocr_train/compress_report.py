"""model/COMPRESSION.md and its chart from the compression study's measured rows (compression.py).

Every figure comes from the rows: nothing here is typed by hand except the original design's
table, which the targets compare against.
"""

from __future__ import annotations

import datetime
import math
from pathlib import Path
from typing import Any

MB = 1_000_000
ORIGINAL = {"size_mb": (38.0, 9.2), "latency_s": (1.2, 0.65), "rss_mb": (1100.0, 580.0), "acc": (96.3, 94.7)}
RSS_LIMIT_MB = 200.0
SIZE_LIMIT_MB = 3.0


def agreement(row: dict[str, Any], source: dict[str, Any] | None) -> float | None:
    """Share of dev lines this variant reads exactly as the FP32 model it was made from."""
    if source is None:
        return None
    mine, theirs = row["line_text"], source["line_text"]
    return sum(mine[k] == theirs[k] for k in theirs) / max(1, len(theirs))


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _ratio(x: float, base: float) -> str:
    return f"{x / base:.2f}x" if base else "–"


def _acc(row: dict[str, Any], group: str) -> float:
    return row["lines"].get(group, {}).get("acc_nfkc", float("nan"))


def table(rows: list[dict[str, Any]]) -> list[str]:
    base = rows[0]
    by_key = {r["key"]: r for r in rows}
    out = [
        "| variant | file | params | line p50 | page p50 | peak RSS | line acc all / zh / en / mixed | CER "
        "| agrees with FP32 | synthetic val acc | real prose acc | steps |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        v = r["variant"]
        params = f"{v['params'] / 1e6:.2f} M" + (
            f" ({v['nonzero'] / 1e6:.2f} M nonzero)" if v["nonzero"] else ""
        )
        accs = " / ".join(_pct(_acc(r, g)) for g in ("all", "zh", "en", "mixed"))
        val = v["val"].get("val_line_acc")
        prose = v.get("held", {}).get("prose")
        out.append(
            f"| {r['label']} | {r['rec_bytes'] / MB:.2f} MB ({_ratio(r['rec_bytes'], base['rec_bytes'])}) "
            f"| {params} | {r['line_ms']:.2f} ms ({_ratio(r['line_ms'], base['line_ms'])}) "
            f"| {r['page_p50_ms']:.0f} ms ({_ratio(r['page_p50_ms'], base['page_p50_ms'])}) "
            f"| {r['rss_bytes'] / MB:.0f} MB | {accs} | {_pct(r['lines']['all']['cer_nfkc'])} "
            f"| {_pct(agreement(r, by_key.get(v['source'])))} | {_pct(val)} "
            f"| {_pct(sum(prose) / len(prose) if prose else None)} | {v['steps'] or '–'} |"
        )
    return out


HELD_SETS = ("synthetic", "prose", "dev")
P_LIMIT = 0.05


def mcnemar(gained: int, lost: int) -> float:
    """Exact two-sided McNemar p-value: how likely a split this uneven of the lines only one of two
    models reads is, were both equally good (a binomial test at 1/2 on the discordant lines)."""
    n = gained + lost
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(gained, lost) + 1)) / 2**n
    return min(1.0, 2 * tail)


def _right(row: dict[str, Any], kind: str) -> list[bool]:
    if kind == "dev":
        return [row["line_right"][k] for k in sorted(row["line_right"])]
    return row["variant"]["held"][kind]


def paired(arm: dict[str, Any], twin: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    """Per held-out set and pooled: (lines, read only by the arm, read only by its twin)."""
    out: dict[str, tuple[int, int, int]] = {}
    for kind in HELD_SETS:
        a, b = _right(arm, kind), _right(twin, kind)
        out[kind] = (len(a), sum(x and not y for x, y in zip(a, b, strict=True)),
                     sum(y and not x for x, y in zip(a, b, strict=True)))  # fmt: skip
    out["pooled"] = tuple(sum(out[k][i] for k in HELD_SETS) for i in range(3))  # type: ignore[assignment]
    return out


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _pair_cell(n: int, gained: int, lost: int) -> str:
    return f"{100 * (gained - lost) / n:+.1f} (+{gained} / -{lost})"


def distillation(rows: list[dict[str, Any]]) -> list[str]:
    """Each distilled arm against its CTC-only twin on the same held-out lines."""
    by_key = {r["key"]: r for r in rows}
    out = [
        "| distilled arm | its CTC-only twin | synthetic | real prose | dev lines | pooled | McNemar p |",
        "|---|---|---|---|---|---|---|",
    ]
    for arm in rows:
        twin = by_key.get(arm["variant"].get("control") or "")
        if twin is None or not arm["variant"].get("held") or not twin["variant"].get("held"):
            continue
        pairs = paired(arm, twin)
        cells = " | ".join(_pair_cell(*pairs[k]) for k in (*HELD_SETS, "pooled"))
        out.append(f"| {arm['label']} | {twin['label']} | {cells} | {_p(mcnemar(*pairs['pooled'][1:]))} |")
    return out


def targets(rows: list[dict[str, Any]], control_key: str) -> list[str]:
    by_key = {r["key"]: r for r in rows}
    base = by_key["baseline"]
    final = next(r for r in rows if r["key"].endswith("-final"))
    # Per student size, its CTC-only control and the distilled arm synthetic validation picks (rows
    # written before twins were recorded compare with the pruned control).
    arms: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["key"].startswith("kd-"):
            twin = r["variant"].get("control") or control_key
            if (
                twin not in arms
                or r["variant"]["val"]["val_line_acc"] > arms[twin]["variant"]["val"]["val_line_acc"]
            ):
                arms[twin] = r
    size_mb = final["rec_bytes"] / MB
    loss = 100 * (_acc(base, "all") - _acc(final, "all"))
    start = by_key.get("start")
    vs_start = (
        f"; against our trained CRNN FP32 it started from: {100 * _acc(start, 'all'):.1f}% "
        f"({100 * (_acc(final, 'all') - _acc(start, 'all')):+.1f} points)"
        if start
        else ""
    )

    def line(ok: bool, name: str, figures: str) -> str:
        return f"| {name} | {'**PASS**' if ok else '**FAIL**'} | {figures} |"

    def distilled(arm: dict[str, Any], control: dict[str, Any]) -> str:
        name = f"distillation gains at equal size: {control['variant']['params'] / 1e6:.2f} M params"
        if not all(r["variant"].get("held") and "line_right" in r for r in (arm, control)):
            return line(False, name, f"{arm['label']}: rows measured before per-line reads were kept; rerun")
        pairs = paired(arm, control)
        n, gained, lost = pairs["pooled"]
        p_kd = mcnemar(gained, lost)
        per_set = ", ".join(f"{_pair_cell(*pairs[k])} {k}" for k in HELD_SETS)
        return line(
            gained > lost and p_kd < P_LIMIT,
            f"{name} (pooled held-out lines, McNemar p < {P_LIMIT:g})",
            f"{arm['label']} vs CTC alone ({control['label']}): {_pair_cell(n, gained, lost)} "
            f"points on {n} held-out lines, p {_p(p_kd) if p_kd < 0.001 else '= ' + _p(p_kd)} ({per_set})",
        )

    return [
        "| target | result | figures |",
        "|---|---|---|",
        line(
            size_mb <= SIZE_LIMIT_MB and final["rec_bytes"] * 8 <= base["rec_bytes"],
            "final file ≤ 1/8 of the baseline and ≤ 3 MB",
            f"{size_mb:.2f} MB vs {base['rec_bytes'] / MB:.2f} MB "
            f"({base['rec_bytes'] / final['rec_bytes']:.1f}x smaller)",
        ),
        line(
            final["line_ms"] * 4 <= base["line_ms"],
            "per-line latency ≤ 1/4 of the baseline's",
            f"{final['line_ms']:.2f} ms vs {base['line_ms']:.2f} ms "
            f"({base['line_ms'] / final['line_ms']:.1f}x faster)",
        ),
        line(
            final["rss_bytes"] / MB < RSS_LIMIT_MB,
            "peak RSS of the page-reading process < 200 MB",
            f"{final['rss_bytes'] / MB:.0f} MB (baseline {base['rss_bytes'] / MB:.0f} MB)",
        ),
        line(
            loss <= 1.0,
            "line accuracy loss vs the FP32 baseline ≤ 1 point",
            f"{100 * _acc(final, 'all'):.1f}% vs {100 * _acc(base, 'all'):.1f}% ({-loss:+.1f} points)"
            + vs_start,
        ),
        *(distilled(arm, by_key[twin]) for twin, arm in arms.items()),
    ]


def original(rows: list[dict[str, Any]]) -> list[str]:
    base = next(r for r in rows if r["key"] == "baseline")
    final = next(r for r in rows if r["key"].endswith("-final"))
    o = ORIGINAL
    return [
        "| row | original: conventional -> compressed | ours: baseline -> final |",
        "|---|---|---|",
        f"| size | {o['size_mb'][0]:.1f} MB -> {o['size_mb'][1]:.1f} MB "
        f"({o['size_mb'][0] / o['size_mb'][1]:.1f}x) "
        f"| {base['rec_bytes'] / MB:.1f} MB -> {final['rec_bytes'] / MB:.2f} MB "
        f"({base['rec_bytes'] / final['rec_bytes']:.1f}x) |",
        f"| latency | {o['latency_s'][0]} s -> {o['latency_s'][1]} s "
        f"({o['latency_s'][0] / o['latency_s'][1]:.1f}x) "
        f"| line {base['line_ms']:.1f} -> {final['line_ms']:.2f} ms "
        f"({base['line_ms'] / final['line_ms']:.1f}x); "
        f"page p50 {base['page_p50_ms']:.0f} -> {final['page_p50_ms']:.0f} ms "
        f"({base['page_p50_ms'] / final['page_p50_ms']:.1f}x) |",
        f"| memory | {o['rss_mb'][0]:.0f} MB -> {o['rss_mb'][1]:.0f} MB | {base['rss_bytes'] / MB:.0f} MB -> "
        f"{final['rss_bytes'] / MB:.0f} MB |",
        f"| accuracy | {o['acc'][0]}% -> {o['acc'][1]}% ({o['acc'][1] - o['acc'][0]:+.1f}) "
        f"| {100 * _acc(base, 'all'):.1f}% -> {100 * _acc(final, 'all'):.1f}% "
        f"({100 * (_acc(final, 'all') - _acc(base, 'all')):+.1f}) |",
    ]


def markdown(rows: list[dict[str, Any]], recipe: Any, repeat: int, shipped: bool = False) -> str:
    from ocr_train.compression import TRAINED

    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    techniques = [f"- **{r['label']}**: {r['variant']['technique']}." for r in rows]
    left_out = [v for v in TRAINED if v not in recipe.trained]
    scope = (
        [
            f"This run fine-tuned only {', '.join(recipe.trained) or 'the control'} (`--variants`); the "
            f"recipe's other trained variants ({', '.join(left_out)}) are not in it.",
            "",
        ]
        if left_out
        else []
    )
    return "\n".join(
        [
            "# Compression study (`make compression-report`)",
            "",
            f"{stamp}. Written by `python -m ocr_train.compression`; every figure below comes from that run.",
            "Each variant is measured by `make bench`'s worker in its own fresh process, one after another, "
            "1 thread, pinned to one core, through `OcrEngine` with the learned detector: one 320x48 line "
            f"(p50 of {repeat} reads), the 20 dev pages (p50), peak RSS of that process (loading both "
            "models, reading every page), and the 108 dev lines of ../shared/data/real/lines (NFKC line "
            'accuracy and CER). Ratios are to the baseline in the same run. "Agrees with FP32": share of dev '
            "lines read exactly as the FP32 model it was made from. Synthetic validation: 1,000 lines in "
            "held-out fonts at the end of the variant's training (it picks the student; the dev set picks "
            "nothing).",
            "",
            *scope,
            "This run shipped its final variant as model/crnn_int8.onnx (`--ship`)."
            if shipped
            else "This run did not ship (no `--ship`): model/crnn_int8.onnx is the final variant of the run "
            "the model card names.",
            "",
            "![accuracy vs latency](compression.png)",
            "",
            "## Variants",
            "",
            *table(rows),
            "",
            "## Distillation at equal size",
            "",
            "Each distilled arm against its CTC-only twin (same start, seed, stream, cached lines, steps and "
            "rate: only the distillation term differs), read line by line on the same held-out lines: "
            f"{recipe.val_lines:,} synthetic validation lines, {recipe.prose_lines:,} lines of real prose "
            "(book, hotel and product reviews; the Python docs) rendered in held-out fonts, and the dev "
            "lines. "
            "Cells: points of line accuracy (lines only the arm reads / lines only its twin reads). FP32, "
            "greedy; the dev column through the bench worker. McNemar's exact test on the pooled lines says "
            "how likely so uneven a split would be between two equally good models.",
            "",
            *distillation(rows),
            "",
            "## Targets",
            "",
            *targets(rows, f"pruned{round(100 * recipe.student_ratio)}"),
            "",
            "## Against the original design's table",
            "",
            *original(rows),
            "",
            "## How each variant was made",
            "",
            *techniques,
            "",
            "Recipe (`ocr_train.compression.Recipe`): "
            + ", ".join(f"{k}={v}" for k, v in vars(recipe).items() if not isinstance(v, Path)),
            "",
        ]
    )


def chart(rows: list[dict[str, Any]], path: Path) -> None:
    """Dev line accuracy vs per-line latency (log), bubble area = file size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from ocr_bench.chart import bubbles

    fig, ax = plt.subplots(figsize=(11, 6.5))
    bubbles(
        ax,
        [(r["line_ms"], 100 * _acc(r, "all"), r["rec_bytes"] / MB, r["label"]) for r in rows],
        area_per_mb=40,
        cmap="tab20",
    )
    ax.set_xlabel("one 320x48 line, p50 ms (1 thread, log scale)")
    ax.set_ylabel("dev line accuracy, % (NFKC, 108 real lines)")
    ax.set_title("compression study: accuracy vs latency (bubble area = file size)")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7, markerscale=0.4, frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
