"""Dependencies point inward: the core never imports torch, fastapi, boto3 or powertools."""

import ast
import subprocess
import sys
from pathlib import Path

import ocr_core

FORBIDDEN = {"torch", "fastapi", "boto3", "aws_lambda_powertools", "mangum", "PIL", "ocr_train"}
CORE_DIR = Path(ocr_core.__file__).parent


def test_no_forbidden_imports_in_source():
    for path in CORE_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_loading_the_engine_loads_none_of_them():
    code = (
        "import sys, ocr_core.engine, ocr_core.cli, ocr_core.evaluate;"
        f"bad = {sorted(FORBIDDEN)!r};"
        "loaded = [m for m in bad if m in sys.modules];"
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
