"""Training fonts: which Debian font files, which face, which role (train / held-out val).

``python -m ocr_train.fonts pack`` subsets every font to the charset (smaller files,
so the pack can travel to a GPU machine) and writes ``fonts.json`` with each face's
coverage; training reads only the pack, here and on any other machine.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from ocr_core.charset import Charset

from ocr_train.paths import CHARSET_FILE, FONT_PACK

SYSTEM = Path("/usr/share/fonts")


@dataclass(frozen=True)
class FontSpec:
    name: str
    path: str  # relative to /usr/share/fonts
    index: int  # face index inside a .ttc
    cjk: bool
    role: str  # "train" or "val" (held out: never rendered for training)


FONTS: tuple[FontSpec, ...] = (
    # Chinese-capable faces (Noto CJK .ttc face 2 is Simplified Chinese)
    FontSpec("noto-sans-sc", "opentype/noto/NotoSansCJK-Regular.ttc", 2, True, "train"),
    FontSpec("noto-sans-sc-bold", "opentype/noto/NotoSansCJK-Bold.ttc", 2, True, "train"),
    FontSpec("noto-serif-sc", "opentype/noto/NotoSerifCJK-Regular.ttc", 2, True, "train"),
    FontSpec("noto-serif-sc-bold", "opentype/noto/NotoSerifCJK-Bold.ttc", 2, True, "train"),
    FontSpec("wqy-microhei", "truetype/wqy/wqy-microhei.ttc", 0, True, "train"),
    FontSpec("droid-fallback", "truetype/droid/DroidSansFallbackFull.ttf", 0, True, "train"),
    FontSpec("arphic-ukai", "truetype/arphic/ukai.ttc", 0, True, "train"),
    FontSpec("arphic-uming", "truetype/arphic/uming.ttc", 0, True, "train"),
    FontSpec("wqy-zenhei", "truetype/wqy/wqy-zenhei.ttc", 0, True, "val"),
    # Latin faces
    FontSpec("dejavu-sans", "truetype/dejavu/DejaVuSans.ttf", 0, False, "train"),
    FontSpec("dejavu-sans-bold", "truetype/dejavu/DejaVuSans-Bold.ttf", 0, False, "train"),
    FontSpec("dejavu-sans-cond", "truetype/dejavu/DejaVuSansCondensed.ttf", 0, False, "train"),
    FontSpec("dejavu-serif", "truetype/dejavu/DejaVuSerif.ttf", 0, False, "train"),
    FontSpec("dejavu-mono", "truetype/dejavu/DejaVuSansMono.ttf", 0, False, "train"),
    FontSpec("liberation-sans", "truetype/liberation/LiberationSans-Regular.ttf", 0, False, "train"),
    FontSpec("liberation-sans-bold", "truetype/liberation/LiberationSans-Bold.ttf", 0, False, "train"),
    FontSpec("liberation-sans-italic", "truetype/liberation/LiberationSans-Italic.ttf", 0, False, "train"),
    FontSpec("liberation-serif", "truetype/liberation/LiberationSerif-Regular.ttf", 0, False, "train"),
    FontSpec("liberation-serif-bold", "truetype/liberation/LiberationSerif-Bold.ttf", 0, False, "train"),
    # book and magazine italics (the dev scans set whole lines in them)
    FontSpec("liberation-serif-italic", "truetype/liberation/LiberationSerif-Italic.ttf", 0, False, "train"),
    FontSpec("dejavu-serif-italic", "truetype/dejavu/DejaVuSerif-Italic.ttf", 0, False, "train"),
    FontSpec("liberation-mono", "truetype/liberation/LiberationMono-Regular.ttf", 0, False, "train"),
    FontSpec("free-sans", "truetype/freefont/FreeSans.ttf", 0, False, "train"),
    FontSpec("free-sans-bold", "truetype/freefont/FreeSansBold.ttf", 0, False, "train"),
    FontSpec("free-mono", "truetype/freefont/FreeMono.ttf", 0, False, "train"),
    FontSpec("free-serif", "truetype/freefont/FreeSerif.ttf", 0, False, "val"),
    FontSpec("free-serif-bold", "truetype/freefont/FreeSerifBold.ttf", 0, False, "val"),
    FontSpec("free-serif-italic", "truetype/freefont/FreeSerifItalic.ttf", 0, False, "val"),
    # book, magazine and report faces beyond Times/DejaVu shapes: old-style (Garamond), Palatino,
    # Century Schoolbook and Bookman with their italics, a narrow and a geometric sans. The dev magazine
    # scans are set in an old-style serif whose small-eyed "e" the recognizer read as "c".
    FontSpec("eb-garamond", "opentype/ebgaramond/EBGaramond12-Regular.otf", 0, False, "train"),
    FontSpec("eb-garamond-italic", "opentype/ebgaramond/EBGaramond12-Italic.otf", 0, False, "train"),
    FontSpec("eb-garamond-bold", "opentype/ebgaramond/EBGaramond12-Bold.otf", 0, False, "train"),
    FontSpec("p052", "opentype/urw-base35/P052-Roman.otf", 0, False, "train"),
    FontSpec("p052-italic", "opentype/urw-base35/P052-Italic.otf", 0, False, "train"),
    FontSpec("c059", "opentype/urw-base35/C059-Roman.otf", 0, False, "train"),
    FontSpec("c059-italic", "opentype/urw-base35/C059-Italic.otf", 0, False, "train"),
    FontSpec("urw-bookman", "opentype/urw-base35/URWBookman-Light.otf", 0, False, "train"),
    FontSpec("urw-bookman-italic", "opentype/urw-base35/URWBookman-LightItalic.otf", 0, False, "train"),
    FontSpec("nimbus-sans-narrow", "opentype/urw-base35/NimbusSansNarrow-Regular.otf", 0, False, "train"),
    FontSpec("urw-gothic", "opentype/urw-base35/URWGothic-Book.otf", 0, False, "train"),
    # held out with them: an old-style serif, its italic and a humanist sans, never rendered for training
    FontSpec("libertine", "opentype/linux-libertine/LinLibertine_R.otf", 0, False, "val"),
    FontSpec("libertine-italic", "opentype/linux-libertine/LinLibertine_RI.otf", 0, False, "val"),
    FontSpec("biolinum", "opentype/linux-libertine/LinBiolinum_R.otf", 0, False, "val"),
)


@dataclass(frozen=True)
class PackedFont:
    """A font in the pack: file, role and the charset entries its cmap covers."""

    name: str
    file: Path
    cjk: bool
    role: str
    coverage: frozenset[str]


def build_pack(
    charset: Charset, out_dir: Path, system: Path = SYSTEM, only: set[str] | None = None
) -> list[dict[str, object]]:
    """Subset each installed font (or those named in ``only``) to the charset; record coverage."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = {ord(c) for c in charset.chars}
    manifest: list[dict[str, object]] = []
    for spec in FONTS:
        if only is not None and spec.name not in only:
            continue
        src = system / spec.path
        if not src.exists():
            print(f"skip {spec.name}: {src} not installed")
            continue
        font = TTFont(str(src), fontNumber=spec.index, lazy=False)
        cmap = font.getBestCmap()
        covered = sorted(chr(cp) for cp in wanted & set(cmap))
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.hinting = False
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in covered])
        subsetter.subset(font)
        ext = ".otf" if "CFF " in font else ".ttf"
        out = out_dir / f"{spec.name}{ext}"
        font.flavor = None
        font.save(str(out))
        manifest.append(
            {
                "name": spec.name,
                "file": out.name,
                "cjk": spec.cjk,
                "role": spec.role,
                "coverage": "".join(covered),
            }
        )
        print(f"{spec.name}: {len(covered)} chars, {out.stat().st_size / 1e6:.1f} MB")
    (out_dir / "fonts.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return manifest


def load_pack(pack_dir: Path = FONT_PACK, role: str | None = None) -> list[PackedFont]:
    """Read the pack manifest; ``role`` filters to "train" or "val" faces."""
    manifest_path = pack_dir / "fonts.json"
    if not manifest_path.exists():
        raise FileNotFoundError(f"{manifest_path} missing: run `make fonts` first")
    entries = json.loads(manifest_path.read_text(encoding="utf-8"))
    fonts = [
        PackedFont(e["name"], pack_dir / e["file"], e["cjk"], e["role"], frozenset(e["coverage"]))
        for e in entries
    ]
    return [f for f in fonts if role is None or f.role == role]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["pack"])
    parser.add_argument("--out", type=Path, default=FONT_PACK)
    args = parser.parse_args()
    build_pack(Charset.from_file(CHARSET_FILE), args.out)


if __name__ == "__main__":
    main()
