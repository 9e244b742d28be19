"""`make invoke FUNCTION=api|s3 EVENT=infra/events/<file>.json`: a handler, in-process, on an event file.

The handlers are the dotted paths the template names, imported exactly as Lambda imports them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HANDLERS = {"api": "ocr_api.lambda_handler.handler", "s3": "ocr_s3.handler.handler"}


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that powertools reads."""

    function_name: str = "local"
    memory_limit_in_mb: int = 2048
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:local"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def handler_for(name: str) -> Any:
    module, func = HANDLERS.get(name, name).rsplit(".", 1)
    return getattr(importlib.import_module(module), func)


def invoke(name: str, event: dict[str, Any]) -> Any:
    return handler_for(name)(event, LambdaContext(function_name=name))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("function", help="api, s3 or a dotted handler path")
    p.add_argument("event", type=Path)
    args = p.parse_args(argv)
    out = invoke(args.function, json.loads(args.event.read_text(encoding="utf-8")))
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
