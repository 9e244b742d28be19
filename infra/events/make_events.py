"""Write the sample events used by `sam local invoke -e`, `make invoke` and the tests (one copy).

python infra/events/make_events.py
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote_plus

HERE = Path(__file__).parent
DEMO = HERE.parent / "samples" / "demo_zh_en.png"
BOUNDARY = "----liteocr7MA4YWxkTrZu0gW"


def multipart(field: str, filename: str, data: bytes, ctype: str) -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        f"Content-Type: {ctype}\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def http_v2(method: str, path: str, body: bytes | None, ctype: str | None) -> dict:
    headers = {"host": "abc123.execute-api.us-east-1.amazonaws.com", "user-agent": "curl/8.5.0"}
    if ctype:
        headers["content-type"] = ctype
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": headers["host"],
            "domainPrefix": "abc123",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.9",
                "userAgent": "curl/8.5.0",
            },
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "routeKey": "$default",
            "stage": "$default",
            "time": "25/Nov/2026:09:00:00 +0000",
            "timeEpoch": 1795510800000,
        },
        "isBase64Encoded": body is not None,
    }
    if body is not None:
        event["body"] = base64.b64encode(body).decode()
        headers["content-length"] = str(len(body))
    return event


def rest_v1(method: str, path: str, body: bytes, ctype: str) -> dict:
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": ctype, "Host": "abc123.execute-api.us-east-1.amazonaws.com"},
        "multiValueHeaders": {"Content-Type": [ctype]},
        "queryStringParameters": {"single_line": "false"},
        "multiValueQueryStringParameters": {"single_line": ["false"]},
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/Prod{path}",
            "stage": "Prod",
            "requestId": "41b45ea3-70b5-11e6-b7bd-69b5aaebc7d9",
            "accountId": "123456789012",
            "identity": {"sourceIp": "203.0.113.9", "userAgent": "curl/8.5.0"},
        },
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }


def s3_put(bucket: str, key: str, size: int) -> dict:
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": "2026-11-25T09:00:00.000Z",
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "EXAMPLE"},
                "requestParameters": {"sourceIPAddress": "203.0.113.9"},
                "responseElements": {"x-amz-request-id": "EXAMPLE123456789", "x-amz-id-2": "EXAMPLE/abc"},
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "ocr-uploads",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "EXAMPLE"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": {
                        "key": quote_plus(key, safe="/"),
                        "size": size,
                        "eTag": "0123456789abcdef",
                        "sequencer": "0A1B2C3D4E5F678901",
                    },
                },
            }
        ]
    }


def main() -> None:
    png = DEMO.read_bytes()
    events = {
        "api_http_v2_post_ocr.json": http_v2(
            "POST",
            "/ocr",
            multipart("image", "demo.png", png, "image/png"),
            f"multipart/form-data; boundary={BOUNDARY}",
        ),
        "api_http_v2_health.json": http_v2("GET", "/health", None, None),
        "api_rest_v1_post_ocr.json": rest_v1("POST", "/ocr", png, "image/png"),
        "s3_put.json": s3_put("lite-ocr-123456789012-us-east-1", "uploads/demo page 中文.png", len(png)),
    }
    for name, event in events.items():
        (HERE / name).write_text(json.dumps(event, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
