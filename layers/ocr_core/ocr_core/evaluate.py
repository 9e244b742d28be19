"""Score the engine on a labeled set in the format of shared/data/real.

lines/labels.tsv (``file<TAB>text``) -> line accuracy and CER; pages/labels.jsonl
(``{"file", "lines"}``) -> page CER and line recall; both per language and kind from
meta.tsv. Comparison follows the dev set README: NFKC on both sides and collapsed
whitespace ("nfkc"), the raw text ("raw"), all whitespace removed ("nospace"), and NFKC with
typographic quotes and apostrophes folded to ASCII ("quotes": the UNLV labels type ASCII quotes
where the print has curly ones).
"""

from __future__ import annotations

import csv
import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ocr_core.charset import normalize_text
from ocr_core.engine import OcrEngine
from ocr_core.load import load_image
from ocr_core.metrics import edit_distance, score

NORMS: dict[str, Callable[[str], str]] = {
    "nfkc": lambda s: normalize_text(s),
    "raw": lambda s: normalize_text(s, nfkc=False),
    "nospace": lambda s: normalize_text(s, strip_spaces=True),
    "quotes": lambda s: normalize_text(s, fold_quotes=True),
}


@dataclass(frozen=True)
class Item:
    file: str
    truth: list[str]
    lang: str
    kind: str


def read_meta(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / "meta.tsv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as f:
        return {row["file"]: row for row in csv.DictReader(f, delimiter="\t")}


def read_labels(labels: Path) -> tuple[str, list[Item]]:
    """Return ("lines" | "pages", items)."""
    meta = read_meta(labels.parent)
    items: list[Item] = []
    if labels.suffix == ".jsonl":
        for row in labels.read_text(encoding="utf-8").splitlines():
            if row.strip():
                rec = json.loads(row)
                m = meta.get(rec["file"], {})
                items.append(Item(rec["file"], rec["lines"], m.get("lang", "?"), m.get("kind", "?")))
        return "pages", items
    for row in labels.read_text(encoding="utf-8").splitlines():
        if "\t" in row:
            name, text = row.split("\t", 1)
            m = meta.get(name, {})
            items.append(Item(name, [text], m.get("lang", "?"), m.get("kind", "?")))
    return "lines", items


def _groups(item: Item) -> list[str]:
    groups = ["all", f"lang={item.lang}", f"kind={item.kind}"]
    if item.kind != "synthetic":
        groups.append("real")
    return groups


def evaluate(engine: OcrEngine, labels: Path, rotate: int = 0) -> dict[str, object]:
    """Run the engine over a labeled set; returns a report with per-group metrics and latency.

    ``rotate`` (0, 90, 180, 270) turns every image counter-clockwise first: the orientation check.
    """
    mode, items = read_labels(labels)
    preds: dict[str, list[str]] = {}
    latency: list[float] = []
    cfg = engine.config
    for item in items:
        data = (labels.parent / item.file).read_bytes()
        t0 = time.perf_counter()
        if rotate % 360:
            image = load_image(data, max_bytes=cfg.max_bytes, max_pixels=cfg.max_pixels)
            turned = np.ascontiguousarray(np.rot90(image, (rotate // 90) % 4))
            result = engine.read_image(turned, single_line=mode == "lines")
        else:
            result = engine.read(data, single_line=mode == "lines")
        latency.append(time.perf_counter() - t0)
        preds[item.file] = [line.text for line in result.lines]
    report: dict[str, object] = {
        "mode": mode,
        "labels": str(labels),
        "model": engine.model_name,
        "decoder": engine.decoder_name,
        "n": len(items),
        "rotate": rotate,
        "latency_ms_p50": 1000 * statistics.median(latency),
        "latency_ms_mean": 1000 * statistics.fmean(latency),
    }
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        for g in _groups(item):
            groups[g].append(item)
    table: dict[str, dict[str, float]] = {}
    for g, members in sorted(groups.items()):
        row: dict[str, float] = {"n": len(members)}
        for norm_name, norm in NORMS.items():
            if mode == "lines":
                s = score([(norm(" ".join(preds[i.file])), norm(i.truth[0])) for i in members])
                row[f"acc_{norm_name}"] = s["line_acc"]
                row[f"cer_{norm_name}"] = s["cer"]
            else:
                row[f"cer_{norm_name}"] = page_cer(members, preds, norm)
                row[f"recall_{norm_name}"] = line_recall(members, preds, norm)
        table[g] = row
    report["groups"] = table
    report["predictions"] = {f: "\n".join(p) for f, p in preds.items()}
    return report


def page_cer(items: list[Item], preds: dict[str, list[str]], norm: Callable[[str], str]) -> float:
    edits = chars = 0
    for item in items:
        truth = "".join(norm(t) for t in item.truth)
        pred = "".join(norm(p) for p in preds[item.file])
        edits += edit_distance(pred, truth)
        chars += len(truth)
    return edits / max(1, chars)


def line_recall(items: list[Item], preds: dict[str, list[str]], norm: Callable[[str], str]) -> float:
    """Share of labeled lines read exactly by some predicted line (after normalization)."""
    found = total = 0
    for item in items:
        pool = [norm(p) for p in preds[item.file]]
        for t in item.truth:
            total += 1
            if norm(t) in pool:
                pool.remove(norm(t))
                found += 1
    return found / max(1, total)


def format_report(report: dict[str, object]) -> str:
    """Markdown table of the per-group metrics."""
    table = report["groups"]
    assert isinstance(table, dict)
    cols = [c for c in next(iter(table.values())) if c != "n"]
    lines = [
        f"{report['mode']}: {report['labels']} | model {report['model']} | "
        f"decoder {report.get('decoder', 'greedy')} | n={report['n']} | "
        f"latency p50 {report['latency_ms_p50']:.1f} ms, mean {report['latency_ms_mean']:.1f} ms",
        "",
        "| group | n | " + " | ".join(cols) + " |",
        "|---|---|" + "---|" * len(cols),
    ]
    for g, row in table.items():
        lines.append(f"| {g} | {int(row['n'])} | " + " | ".join(f"{100 * row[c]:.1f}%" for c in cols) + " |")
    return "\n".join(lines)
