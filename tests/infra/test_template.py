"""template.yaml: least privilege, no self-trigger, handlers that exist."""

from __future__ import annotations

import importlib

from cfnlint.decode import cfn_yaml

from tests.conftest import REPO

TEMPLATE = cfn_yaml.load(str(REPO / "template.yaml"))
RES = TEMPLATE["Resources"]


def _s3_statements():
    for policy in RES["S3OcrFunction"]["Properties"]["Policies"]:
        for st in policy.get("Statement", []) if isinstance(policy, dict) else []:
            if any(str(a).startswith("s3:") for a in st["Action"]):
                yield st


def test_s3_access_is_least_privilege():
    statements = list(_s3_statements())
    assert statements
    for st in statements:
        resource = st["Resource"]
        assert resource != "*" and "Fn::Sub" in resource
        arn = resource["Fn::Sub"]
        if st["Action"] == ["s3:GetObject"]:  # read uploads, and its own results (duplicate check)
            assert arn.endswith(("/${InputPrefix}*", "/${OutputPrefix}*"))
        else:  # writes (and removes a half-written text file) only under the output prefix
            assert set(st["Action"]) <= {"s3:PutObject", "s3:DeleteObject"} and arn.endswith(
                "/${OutputPrefix}*"
            )
        assert "*" not in arn.split("/", 1)[0], "no wildcard bucket"
    writes = [st for st in statements if "s3:PutObject" in st["Action"]]
    assert all("${InputPrefix}" not in st["Resource"]["Fn::Sub"] for st in writes), (
        "never write the input prefix"
    )
    for fn in ("ApiFunction", "ApiFunctionIam", "ApiFunctionJwt"):  # only the jobs' S3 prefixes
        assert RES[fn]["Properties"]["Policies"] == [{"Ref": "JobsAccessPolicy"}]
    for st in RES["JobsAccessPolicy"]["Properties"]["PolicyDocument"]["Statement"]:
        arn = st["Resource"]["Fn::Sub"]
        assert arn.endswith(("/${InputPrefix}jobs/*", "/${OutputPrefix}jobs/*")) and set(st["Action"]) <= {
            "s3:PutObject",
            "s3:GetObject",
        }


def test_trigger_is_filtered_to_the_input_prefix_only():
    event = RES["S3OcrFunction"]["Properties"]["Events"]["Upload"]["Properties"]
    assert event["Events"] == "s3:ObjectCreated:*"
    (rule,) = event["Filter"]["S3Key"]["Rules"]
    assert rule == {"Name": "prefix", "Value": {"Ref": "InputPrefix"}}
    params = TEMPLATE["Parameters"]
    assert params["InputPrefix"]["Default"] != params["OutputPrefix"]["Default"]
    assert "OutputOutsideInput" in TEMPLATE["Rules"]


def test_failures_go_to_a_queue_and_handlers_exist():
    cfg = RES["S3OcrFunction"]["Properties"]["EventInvokeConfig"]
    assert cfg["DestinationConfig"]["OnFailure"]["Type"] == "SQS"
    for name in ("ApiFunction", "ApiFunctionIam", "ApiFunctionJwt", "S3OcrFunction"):
        module, func = RES[name]["Properties"]["Handler"].rsplit(".", 1)
        if name == "S3OcrFunction":
            continue  # importing it creates the module-scope S3 client; its path is checked below
        assert callable(getattr(importlib.import_module(module), func))
    assert (REPO / "functions/s3_trigger/ocr_s3/handler.py").exists()
    assert TEMPLATE["Globals"]["Function"]["Runtime"] == "python3.12"


def test_sam_translator_accepts_every_auth_mode():
    """The real SAM translator, offline: what cfn-lint and `sam validate --lint` cannot see."""
    import json
    import subprocess

    import pytest

    python = REPO / ".venv-sam" / "bin" / "python"
    if not python.exists():
        pytest.skip("the SAM CLI venv is installed by `make validate` (part of `make test`)")
    out = subprocess.run(
        [str(python), str(REPO / "infra/local/ocr_local/sam_transform.py"), str(REPO / "template.yaml")],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    report = json.loads(out.stdout.strip().splitlines()[-1])
    expected = {"NONE": ("OcrHttpApi", "NoAuth", None), "IAM": ("OcrHttpApiIam", "UseIamAuth", "AWS_IAM"),
                "JWT": ("OcrHttpApiJwt", "UseJwtAuth", "JwtAuthorizer")}  # fmt: skip
    for mode, (api, condition, security) in expected.items():
        assert report[mode][api]["condition"] == condition
        if security:
            assert f'"security": [{{"{security}": [' in report[mode][api]["security"]
    assert '"security"' not in report["NONE"]["OcrHttpApi"]["security"]
    params = TEMPLATE["Parameters"]
    assert params["AuthMode"]["AllowedValues"] == ["NONE", "IAM", "JWT"]
    for api in ("OcrHttpApi", "OcrHttpApiIam", "OcrHttpApiJwt"):
        assert "ThrottlingRateLimit" in RES[api]["Properties"]["DefaultRouteSettings"]
