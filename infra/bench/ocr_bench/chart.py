"""The benchmark chart (matplotlib, installed by `make bench` only): accuracy against speed, size as area."""

from __future__ import annotations

from pathlib import Path
from typing import Any

MB = 1_000_000


def bubbles(ax: Any, points: list[tuple[float, float, float, str]], area_per_mb: float, cmap: str) -> None:
    """One labelled bubble per (x, y, MB, label) on a log-x axis, area growing with the size.

    Shared by this chart and the compression study's (model/ocr_train/compress_report.py)."""
    import matplotlib

    colors = matplotlib.colormaps[cmap]
    for i, (x, y, mb, label) in enumerate(points):
        ax.scatter(
            x,
            y,
            s=max(area_per_mb / 2, area_per_mb * mb),
            color=colors(i % colors.N),
            alpha=0.55,
            edgecolors="black",
            label=f"{label} ({mb:.1f} MB)",
        )
    ax.set_xscale("log")
    ax.grid(True, which="both", alpha=0.3)


def draw(rows: list[dict[str, Any]], path: Path, title: str) -> None:
    """Left: page line recall vs page p50 latency, bubble area = det+rec MB. Right: one-line p50 bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 6.4), gridspec_kw={"width_ratios": [3, 2]})
    colors = plt.get_cmap("tab10")
    bubbles(
        left,
        [
            (r["page_p50_ms"], 100 * r["pages"]["all"]["recall_nfkc"], r["size_bytes"] / MB, r["label"])
            for r in rows
        ],
        area_per_mb=60,
        cmap="tab10",
    )
    left.set_xlabel("page latency, p50 ms (1 thread, log scale)")
    left.set_ylabel("page line recall, % (NFKC)")
    left.set_title("pages: accuracy vs speed (bubble area = det+rec size)")
    left.margins(x=0.3, y=0.25)
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=8, markerscale=0.5, frameon=False)

    labels = [r["label"] for r in rows]
    right.barh(labels, [r["line_ms"] for r in rows], color=[colors(i) for i in range(len(rows))])
    for i, r in enumerate(rows):
        right.annotate(
            f"{r['line_ms']:.1f}", (r["line_ms"], i), xytext=(3, -3), textcoords="offset points", fontsize=8
        )
    right.invert_yaxis()
    right.set_xlabel("one 320x48 line, p50 ms (1 thread)")
    right.set_title("per-line recognition latency")
    right.tick_params(axis="y", labelsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
