"""Build model/charset.json: GB2312 hanzi + PP-OCR's dictionary + ASCII + full-width punctuation.

Run once (``python -m ocr_train.build_charset``); the result is committed and also
embedded in every exported ONNX file. PP-OCR's dictionary is read from the ONNX
metadata of the recognizer inside the rapidocr-onnxruntime wheel (train extra).
"""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path

from ocr_core.charset import Charset

from ocr_train.paths import CHARSET_FILE

FULLWIDTH_PUNCT = (
    "，。、；：？！“”‘’（）【】《》〈〉「」『』…—～·￥％＋－＝×÷"
    "＜＞＃＆＊＠．／＼｜＿＂＇［］｛｝〔〕●○■□▲△◆◇★☆※§№℃°"
)


def gb2312_hanzi() -> list[str]:
    """The 6,763 hanzi of GB2312 (rows 16-87), decoded with Python's own codec."""
    out = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            out.append(ch)
    return out


def ppocr_dictionary() -> list[str]:
    """PP-OCR's 6,623-entry dictionary, from the ONNX metadata key ``character``."""
    import onnx
    import rapidocr_onnxruntime

    path = Path(rapidocr_onnxruntime.__file__).parent / "models" / "ch_PP-OCRv4_rec_infer.onnx"
    model = onnx.load(str(path), load_external_data=False)
    meta = {p.key: p.value for p in model.metadata_props}
    return meta["character"].splitlines()


def build() -> Charset:
    seen: dict[str, None] = {}
    ascii_chars = [chr(c) for c in range(0x20, 0x7F)]
    for ch in ascii_chars + list(FULLWIDTH_PUNCT) + gb2312_hanzi() + ppocr_dictionary():
        if len(ch) != 1 or ch in seen:
            continue
        if unicodedata.category(ch).startswith("C"):
            continue
        seen[ch] = None
    return Charset(list(seen))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=CHARSET_FILE)
    args = parser.parse_args()
    charset = build()
    args.out.write_text(charset.to_json(), encoding="utf-8")
    print(f"wrote {args.out}: {len(charset)} characters")


if __name__ == "__main__":
    main()
