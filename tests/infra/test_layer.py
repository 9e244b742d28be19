"""The built Lambda packages (`make layer ARCH=x86_64`, which `make test` runs first): what Lambda imports.

A fresh Python 3.12 (the Lambda runtime's version) with only the built layer and function
folders on sys.path imports the handlers and reads a fixture image.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ocr_local.corpus import tiff_bomb
from PIL import Image

from tests.conftest import REPO

BUILD = REPO / "build" / "x86_64"
SITE = BUILD / "OcrRuntimeLayer" / "python"
SLIM = REPO / "layers" / "ocr_core" / "opencv_slim"
PY312 = next(iter(sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.12*/bin/python3.12")))), None)


def _run(code: str, *paths: Path) -> str:
    if PY312 is None or not (BUILD / "OcrRuntimeLayer" / "python").exists():
        pytest.skip("needs Python 3.12 and `make layer ARCH=x86_64`")
    prelude = f"import sys; sys.path[:0] = {[str(p) for p in paths]!r}\n"
    env = {
        "PATH": os.environ["PATH"],
        "OCR_MODEL_PATH": str(BUILD / "ModelLayer" / "model" / "crnn_int8.onnx"),
        "OCR_DET_MODEL_PATH": str(BUILD / "ModelLayer" / "model" / "textdet_int8.onnx"),
        "OCR_LM_PATH": str(BUILD / "ModelLayer" / "model" / "charlm.npz"),
        "OCR_DECODER": "beam",
        "OCR_DETECTOR": "db",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_NAMESPACE": "LiteOcr",
    }
    proc = subprocess.run(
        [PY312, "-I", "-S", "-c", prelude + code], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_core_layer_alone_reads_an_image():
    out = _run(
        "from ocr_core.engine import OcrEngine\n"
        f"r = OcrEngine().read(open({str(REPO / 'infra/samples/demo_zh_en.png')!r}, 'rb').read())\n"
        "print(r.text)\nimport numpy, cv2, onnxruntime\nprint(cv2.__version__, onnxruntime.__version__)",
        BUILD / "OcrRuntimeLayer" / "python",
    )
    assert "20241125" in out and "4.10.0" in out


def test_api_handler_imports_from_its_package_and_answers_an_event():
    event = REPO / "infra" / "events" / "api_http_v2_post_ocr.json"
    out = _run(
        "import json, types\nfrom ocr_api.lambda_handler import handler\n"
        "ctx = types.SimpleNamespace(function_name='api', memory_limit_in_mb=2048, aws_request_id='1',"
        " invoked_function_arn='arn:aws:lambda:us-east-1:1:function:api')\n"
        f"resp = handler(json.load(open({str(event)!r})), ctx)\n"
        "print(json.dumps({'status': resp['statusCode'], 'body': json.loads(resp['body'])}))",
        BUILD / "ApiFunction",
        BUILD / "OcrRuntimeLayer" / "python",
    )
    resp = json.loads(out.strip().splitlines()[-1])
    assert resp["status"] == 200 and len(resp["body"]["text"]) == 4


def test_s3_function_package_has_no_fastapi():
    assert (BUILD / "S3OcrFunction" / "ocr_s3" / "handler.py").exists()
    assert not (BUILD / "S3OcrFunction" / "fastapi").exists()
    assert not list((BUILD / "S3OcrFunction").glob("ocr_api*"))


def test_pyc_are_precompiled_for_312():
    pycs = list((BUILD / "OcrRuntimeLayer" / "python" / "ocr_core" / "__pycache__").glob("*.cpython-312.pyc"))
    assert len(pycs) >= 10


def test_committed_slim_opencv_wheel_matches_its_recorded_sha256():
    wheels = sorted((REPO / "layers" / "ocr_core" / "wheels").glob("lite_ocr_opencv_slim-*.whl"))
    assert len(wheels) == 1
    recorded = (wheels[0].parent / f"{wheels[0].name}.sha256").read_text().split()
    assert recorded == [hashlib.sha256(wheels[0].read_bytes()).hexdigest(), wheels[0].name]
    assert wheels[0].stat().st_size < 25_000_000


def test_x86_64_layer_has_the_slim_opencv_instead_of_the_stock_wheel():
    if not SITE.exists():
        pytest.skip("needs `make layer ARCH=x86_64`")
    assert list(SITE.glob("lite_ocr_opencv_slim-4.10.0.84.dist-info"))
    assert not list(SITE.glob("opencv_python_headless*"))
    assert sorted(p.name for p in (SITE / "cv2").glob("*.so")) == ["cv2.abi3.so"]


def test_slim_opencv_needs_only_what_lambdas_amazon_linux_2023_has():
    # glibc 2.34, GCC 11's libstdc++ (here linked in statically), no libraries beyond libc/libm/...
    if shutil.which("objdump") is None or not SITE.exists():
        pytest.skip("needs binutils and `make layer ARCH=x86_64`")
    so = SITE / "cv2" / "cv2.abi3.so"
    check = [sys.executable, str(SLIM / "check_elf.py"), str(so)]
    proc = subprocess.run(check, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    dump = subprocess.run(["objdump", "-p", str(so)], capture_output=True, text=True, check=True).stdout
    assert "libstdc++" not in dump and "libgcc_s" not in dump and "libz" not in dump


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **options)
    return buf.getvalue()


def test_slim_opencv_decodes_every_image_format_the_core_accepts(tmp_path):
    # given: one picture written by Pillow (an independent encoder) in each accepted format
    rgb = np.zeros((24, 40, 3), np.uint8)
    rgb[..., 0] = np.arange(40) * 6
    rgb[..., 1] = np.arange(24)[:, None] * 10
    rgb[8:16, 10:30, 2] = 255
    colour = Image.fromarray(rgb)
    bilevel = Image.fromarray(rgb[..., 2]).convert("1")
    gray16 = Image.fromarray((np.arange(24 * 40, dtype=np.uint16).reshape(24, 40) * 60).astype(np.uint16))
    jpeg = _encode(colour, "JPEG", quality=90)
    cases = {
        "png": (_encode(colour, "PNG"), rgb[..., ::-1], 0),
        "png16": (_encode(gray16, "PNG"), np.asarray(gray16), 0),
        "jpeg": (jpeg, np.asarray(Image.open(io.BytesIO(jpeg)))[..., ::-1], 2),  # as Pillow decodes it
        "tiff_lzw": (_encode(colour, "TIFF", compression="tiff_lzw"), rgb[..., ::-1], 0),
        "tiff_g4": (_encode(bilevel, "TIFF", compression="group4"), np.asarray(bilevel, np.uint8) * 255, 0),
        "webp": (_encode(colour, "WEBP", lossless=True), rgb[..., ::-1], 0),
        "bmp": (_encode(colour, "BMP"), rgb[..., ::-1], 0),
    }
    for name, (data, expected, _) in cases.items():
        (tmp_path / name).write_bytes(data)
        np.save(tmp_path / f"{name}.npy", expected)
    (tmp_path / "bomb").write_bytes(tiff_bomb())
    # when: the layer decodes them in a fresh Python 3.12, through the core's loader
    out = _run(
        "import json, pathlib, numpy as np\n"
        "from ocr_core.load import load_image\nfrom ocr_core.errors import ImageTooLarge\n"
        f"d = pathlib.Path({str(tmp_path)!r}); diffs = {{}}\n"
        f"for name in {sorted(cases)!r}:\n"
        "    got = load_image((d / name).read_bytes(), max_bytes=10**7, max_pixels=10**7)\n"
        "    want = np.load(d / (name + '.npy'))\n"
        "    same = got.shape == want.shape\n"
        "    diffs[name] = int(np.abs(got.astype(int) - want).max()) if same else str(got.shape)\n"
        "try:\n    load_image((d / 'bomb').read_bytes(), max_bytes=10**7, max_pixels=10**7)\n"
        "except ImageTooLarge:\n    diffs['bomb'] = 'ImageTooLarge'\n"
        "print(json.dumps(diffs))",
        SITE,
    )
    # then: lossless formats give the exact pixels, JPEG what Pillow's libjpeg-turbo gives, and OpenCV's
    # own guard (a C++ exception through the statically linked unwinder) still becomes ImageTooLarge
    diffs = json.loads(out.strip().splitlines()[-1])
    assert diffs == {**{name: diffs[name] for name in cases}, "bomb": "ImageTooLarge"}
    for name, (_, _, tolerance) in cases.items():
        assert isinstance(diffs[name], int) and diffs[name] <= tolerance, (name, diffs[name])
