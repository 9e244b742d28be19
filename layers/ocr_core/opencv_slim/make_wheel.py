"""Pack a folder of importable packages into a wheel that `pip install --target` accepts.

python layers/ocr_core/opencv_slim/make_wheel.py SRC OUT.whl --name N --version V --tag cp312-abi3-PLATFORM

Deterministic: entries sorted, timestamps from SOURCE_DATE_EPOCH (or 1980), fixed permissions, so the same
files give the same wheel bytes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import time
import zipfile
from pathlib import Path


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build(src: Path, out: Path, name: str, version: str, tag: str, summary: str) -> None:
    dist = f"{name.replace('-', '_')}-{version}.dist-info"
    files = {p.relative_to(src).as_posix(): p.read_bytes() for p in sorted(src.rglob("*")) if p.is_file()}
    files[f"{dist}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {summary}\n"
        "License: Apache-2.0 (OpenCV); the bundled codecs under theirs: cv2/LICENSE-3RD-PARTY.txt\n"
        "Requires-Python: >=3.12\nRequires-Dist: numpy>=2\n"
    ).encode()
    files[f"{dist}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: lite-ocr make_wheel.py\nRoot-Is-Purelib: false\nTag: {tag}\n"
    ).encode()
    record = "".join(f"{path},{_digest(data)},{len(data)}\n" for path, data in files.items())
    files[f"{dist}/RECORD"] = (record + f"{dist}/RECORD,,\n").encode()
    stamp = time.gmtime(max(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")), 315532800))[:6]
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as whl:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.external_attr = (0o755 if path.endswith(".so") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            whl.writestr(info, data, compresslevel=9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path, help="folder whose contents become the wheel's top level")
    parser.add_argument("out", type=Path, help="the .whl to write")
    parser.add_argument("--name", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--tag", required=True, help="e.g. cp312-abi3-manylinux_2_34_x86_64")
    parser.add_argument("--summary", default="")
    args = parser.parse_args()
    build(args.src, args.out, args.name, args.version, args.tag, args.summary)


if __name__ == "__main__":
    main()
