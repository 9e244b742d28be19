"""Run the AWS SAM translator on template.yaml for each AuthMode, offline (what `sam deploy` does first).

`sam validate --lint` and cfn-lint check CloudFormation rules only; they accept SAM properties the
translator later rejects (an authorizer given as an intrinsic, say). This runs the real translator
with local code paths replaced by placeholders and prints, per mode, the security of every route.

    .venv-sam/bin/python infra/local/ocr_local/sam_transform.py template.yaml
"""

from __future__ import annotations

import copy
import json
import os
import sys


def main(path: str) -> int:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    class NoManagedPolicies:
        def load(self) -> dict:
            return {}

    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if key in props:
                props[key] = "s3://placeholder-bucket/placeholder.zip"
    report = {}
    for mode in ("NONE", "IAM", "JWT"):
        out = transform(copy.deepcopy(template), {"AuthMode": mode}, NoManagedPolicies())
        apis = {k: v for k, v in out["Resources"].items() if v["Type"] == "AWS::ApiGatewayV2::Api"}
        report[mode] = {
            name: {
                "condition": api.get("Condition"),
                "security": json.dumps(api["Properties"]["Body"]["paths"]),
            }
            for name, api in apis.items()
        }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "template.yaml"))
