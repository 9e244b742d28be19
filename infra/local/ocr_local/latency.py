"""Warm latency of the API over real HTTP (uvicorn on loopback): a one-line image and a full page.

    python -m ocr_local.latency [--runs 30]

Prints p50/p95 client-side round trips and the server's own OCR time for each image.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import httpx

from ocr_local.servers import uvicorn_app

REPO = Path(__file__).resolve().parents[3]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--runs", type=int, default=30)
    args = p.parse_args()
    import cv2

    page = (REPO / "infra" / "samples" / "demo_zh_en.png").read_bytes()
    img = cv2.imdecode(__import__("numpy").frombuffer(page, "uint8"), cv2.IMREAD_COLOR)
    line = cv2.imencode(".png", img[20:80, :])[1].tobytes()  # the first text line of the demo page
    with uvicorn_app() as server, httpx.Client(timeout=30) as client:
        base = server.url
        for name, data, single in (("one line", line, True), ("full page (4 lines)", page, False)):
            url = f"{base}/ocr?single_line={str(single).lower()}"
            for _ in range(3):
                client.post(url, files={"image": ("x.png", data, "image/png")})
            trips, server = [], []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                r = client.post(url, files={"image": ("x.png", data, "image/png")})
                trips.append(1000 * (time.perf_counter() - t0))
                server.append(1000 * r.json()["time_cost"])
            trips.sort()
            print(
                f"{name:20s} round trip p50 {statistics.median(trips):6.1f} ms, "
                f"p95 {trips[int(0.95 * len(trips)) - 1]:6.1f} ms; "
                f"server OCR p50 {statistics.median(server):6.1f} ms"
                f"; lines {len(r.json()['lines'])}"
            )


if __name__ == "__main__":
    main()
