"""Scores (the evaluation's own normalizations and scorers), ratios, targets and the markdown report."""

from __future__ import annotations

import statistics
from typing import Any

from ocr_core.evaluate import NORMS, Item, line_recall, page_cer
from ocr_core.metrics import score

LANGS = ("zh", "en", "mixed")
MB = 1_000_000
SIZE_LIMIT_MB = 6.0  # our det + rec on disk


def page_groups(items: list[Item]) -> dict[str, list[Item]]:
    """all, then each language, then each kind (pages/meta.tsv)."""
    groups: dict[str, list[Item]] = {"all": items}
    for lang in LANGS:
        groups[lang] = [i for i in items if i.lang == lang]
    for kind in sorted({i.kind for i in items}):
        groups[kind] = [i for i in items if i.kind == kind]
    return {g: members for g, members in groups.items() if members}


def line_groups(items: list[Item]) -> dict[str, list[Item]]:
    groups = {"all": items, "real": [i for i in items if i.kind != "synthetic"]}
    groups.update({lang: [i for i in items if i.lang == lang] for lang in LANGS})
    return {g: members for g, members in groups.items() if members}


def score_pages(items: list[Item], preds: dict[str, list[str]], page_s: dict[str, float]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for group, members in page_groups(items).items():
        row: dict[str, float] = {"n": len(members)}
        for norm in ("nfkc", "nospace", "quotes"):
            row[f"cer_{norm}"] = page_cer(members, preds, NORMS[norm])
            row[f"recall_{norm}"] = line_recall(members, preds, NORMS[norm])
        row["mean_ms"] = 1000 * statistics.fmean(page_s[i.file] for i in members)
        out[group] = row
    return out


def score_lines(items: list[Item], preds: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for group, members in line_groups(items).items():
        s = score([(NORMS["nfkc"](preds[i.file]), NORMS["nfkc"](i.truth[0])) for i in members])
        out[group] = {"n": len(members), "acc_nfkc": s["line_acc"], "cer_nfkc": s["cer"]}
    return out


def summarize(system: Any, result: dict[str, Any], pages: list[Item], lines: list[Item]) -> dict[str, Any]:
    """One measured system -> one row of figures (sizes from its model files on disk)."""
    sizes = system.sizes()
    times = list(result["page_s"].values())
    return {
        "key": system.key,
        "label": system.label,
        "ours": system.key.startswith("ours"),
        "size_bytes": sizes.get("det", 0) + sizes.get("rec", 0),
        "sizes": sizes,
        "line_ms": result["line_ms_p50"],
        "page_p50_ms": 1000 * statistics.median(times),
        "page_mean_ms": 1000 * statistics.fmean(times),
        "rss_bytes": result["peak_rss_bytes"],
        "cold_ms": 1000 * result["cold_start_s"],
        "pages": score_pages(pages, result["page_lines"], result["page_s"]),
        "lines": score_lines(lines, result["line_text"]),
    }


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _check(ok: bool, text: str) -> str:
    return f"- **{'PASS' if ok else 'FAIL'}** {text}"


def targets(ours: dict[str, Any], peers: dict[str, dict[str, Any]]) -> list[str]:
    """The issue's targets for one of our variants, each computed from this run's figures."""
    out = []
    v4, v6, tess = peers.get("ppocr-v4"), peers.get("ppocr-v6-tiny"), peers.get("tesseract")
    p50, mean = ours["page_p50_ms"], ours["page_mean_ms"]
    if v4:
        ok = p50 <= v4["page_p50_ms"] / 2 and mean <= v4["page_mean_ms"] / 2
        out.append(
            _check(
                ok,
                f"full-page latency <= 1/2 of PP-OCRv4's: p50 {p50:.0f} ms vs "
                f"{v4['page_p50_ms']:.0f} ms, mean {mean:.0f} ms vs {v4['page_mean_ms']:.0f} ms",
            )
        )
        ours_r, v4_r = ours["pages"]["all"]["recall_nfkc"], v4["pages"]["all"]["recall_nfkc"]
        out.append(
            _check(
                ours_r >= v4_r - 0.05,
                f"page line recall (NFKC) within 5 points of PP-OCRv4's: {_pct(ours_r)} vs {_pct(v4_r)}",
            )
        )
    else:
        out.append("- n/a: latency and recall against PP-OCRv4 (not measured in this run)")
    if v6:
        ok = p50 <= v6["page_p50_ms"] and mean <= v6["page_mean_ms"]
        out.append(
            _check(
                ok,
                f"full-page latency <= PP-OCRv6-tiny's: p50 {p50:.0f} ms vs "
                f"{v6['page_p50_ms']:.0f} ms, mean {mean:.0f} ms vs {v6['page_mean_ms']:.0f} ms",
            )
        )
    else:
        out.append("- n/a: latency against PP-OCRv6-tiny (not measured in this run)")
    v4_size = f" (PP-OCRv4 det+rec {v4['size_bytes'] / MB:.1f} MB)" if v4 else ""
    size = ours["size_bytes"] / MB
    out.append(
        _check(size <= SIZE_LIMIT_MB, f"det+rec size <= {SIZE_LIMIT_MB:.0f} MB: {size:.2f} MB{v4_size}")
    )
    for lang in ("zh", "mixed"):
        mine, theirs = ours["pages"].get(lang), (tess or {}).get("pages", {}).get(lang)
        if not (mine and theirs):
            out.append(f"- n/a: ahead of Tesseract on {lang} pages (not measured in this run)")
            continue
        ok = (
            mine["recall_nospace"] > theirs["recall_nospace"]
            and mine["cer_nospace"] < theirs["cer_nospace"]
            and mine["mean_ms"] < theirs["mean_ms"]
        )
        out.append(
            _check(
                ok,
                f"ahead of Tesseract on {lang} pages (n={mine['n']}; higher line recall, lower page CER, "
                f"lower mean latency; no-space metrics): "
                f"line recall {_pct(mine['recall_nospace'])} vs {_pct(theirs['recall_nospace'])}, "
                f"page CER {_pct(mine['cer_nospace'])} vs {_pct(theirs['cer_nospace'])}, "
                f"mean page {mine['mean_ms']:.0f} ms vs {theirs['mean_ms']:.0f} ms",
            )
        )
    return out


def _x(peer: float, ours: float) -> str:
    return f"{peer / ours:.1f}x" if ours > 0 else "-"


def _pts(ours: float, peer: float) -> str:
    return f"{100 * (ours - peer):+.1f}"


def markdown(rows: list[dict[str, Any]], missing: dict[str, str], notes: list[str], header: str) -> str:
    """The whole report; ``missing`` maps a system's label to why it was not measured."""
    out = [header, ""]
    out += [
        "| system | det+rec MB | one line p50 ms | page p50 ms | page mean ms | peak RSS MB | cold start ms "
        "| line acc | line CER | page CER | page line recall | page line recall (no spaces) "
        "| page line recall (ASCII quotes) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        pages, lines = r["pages"]["all"], r["lines"]["all"]
        cells = [
            r["label"],
            f"{r['size_bytes'] / MB:.2f}",
            f"{r['line_ms']:.2f}",
            f"{r['page_p50_ms']:.0f}",
            f"{r['page_mean_ms']:.0f}",
            f"{r['rss_bytes'] / MB:.0f}",
            f"{r['cold_ms']:.0f}",
            _pct(lines["acc_nfkc"]),
            _pct(lines["cer_nfkc"]),
            _pct(pages["cer_nfkc"]),
            _pct(pages["recall_nfkc"]),
            _pct(pages["recall_nospace"]),
            _pct(pages["recall_quotes"]),
        ]
        out.append("| " + " | ".join(cells) + " |")
    ours = [r for r in rows if r["ours"]]
    peers = {r["key"]: r for r in rows if not r["ours"]}
    if ours and peers:
        out += [
            "",
            "Ours against each peer (x = peer's figure / ours: above 1 means ours is faster or smaller; "
            "points = ours - peer, NFKC):",
            "",
            "| ours | peer | page p50 | page mean | one line | det+rec size | peak RSS | cold start "
            "| page line recall, points | page CER, points | line acc, points |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for o in ours:
            for p in peers.values():
                cells = [
                    o["label"],
                    p["label"],
                    _x(p["page_p50_ms"], o["page_p50_ms"]),
                    _x(p["page_mean_ms"], o["page_mean_ms"]),
                    _x(p["line_ms"], o["line_ms"]),
                    _x(p["size_bytes"], o["size_bytes"]),
                    _x(p["rss_bytes"], o["rss_bytes"]),
                    _x(p["cold_ms"], o["cold_ms"]),
                    _pts(o["pages"]["all"]["recall_nfkc"], p["pages"]["all"]["recall_nfkc"]),
                    _pts(o["pages"]["all"]["cer_nfkc"], p["pages"]["all"]["cer_nfkc"]),
                    _pts(o["lines"]["all"]["acc_nfkc"], p["lines"]["all"]["acc_nfkc"]),
                ]
                out.append("| " + " | ".join(cells) + " |")
    for o in ours:
        out += ["", f"Targets, {o['label']}:", "", *targets(o, peers)]
    if rows:
        out += _group_tables(rows)
    if missing:
        out += ["", "Not measured in this run:", ""]
        out += [f"- {label}: {why}" for label, why in missing.items()]
    if notes:
        out += ["", "How each system runs:", "", *[f"- {n}" for n in notes]]
    return "\n".join(out) + "\n"


def _group_tables(rows: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    page_cols = list(rows[0]["pages"])
    line_cols = list(rows[0]["lines"])
    n_pages = ", ".join(f"{g} {rows[0]['pages'][g]['n']}" for g in page_cols)
    n_lines = ", ".join(f"{g} {rows[0]['lines'][g]['n']}" for g in line_cols)
    tables = [
        ("Pages: line recall (NFKC)", "pages", "recall_nfkc", _pct),
        ("Pages: line recall (no spaces)", "pages", "recall_nospace", _pct),
        ("Pages: line recall (NFKC, typographic quotes as ASCII)", "pages", "recall_quotes", _pct),
        ("Pages: page CER (NFKC)", "pages", "cer_nfkc", _pct),
        ("Pages: page CER (no spaces)", "pages", "cer_nospace", _pct),
        ("Pages: mean latency ms", "pages", "mean_ms", lambda v: f"{v:.0f}"),
        ("Lines: line accuracy (NFKC)", "lines", "acc_nfkc", _pct),
        ("Lines: CER (NFKC)", "lines", "cer_nfkc", _pct),
    ]
    out += ["", f"By language and kind (pages: {n_pages}; lines: {n_lines}):"]
    for title, part, metric, fmt in tables:
        cols = page_cols if part == "pages" else line_cols
        out += ["", f"{title}:", "", "| system | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
        for r in rows:
            out.append(f"| {r['label']} | " + " | ".join(fmt(r[part][g][metric]) for g in cols) + " |")
    return out
