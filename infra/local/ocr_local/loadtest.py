"""`make loadtest`: a bounded load against the local server (loopback only).

N concurrent clients post real fixture images (a one-line crop and a 4-line page, alternately)
until ``--requests`` are done or ``--seconds`` pass, after 400 warm-up requests at the same
concurrency. Prints throughput, latency percentiles, errors
(503s counted apart: they are the server's bounded-concurrency answer), and the server's RSS after
warm-up and at the end.

    python -m ocr_local.loadtest --clients 8 --requests 1000 --seconds 300
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import httpx
import numpy as np
import psutil

from ocr_local.servers import uvicorn_app

REPO = Path(__file__).resolve().parents[3]
WARMUP = 400  # RSS reaches its plateau within ~400 requests at 8 clients (measured)
# fewer glibc malloc arenas for a server whose work runs on a few threads (as `make serve` runs it)
SERVER_ENV = {"MALLOC_ARENA_MAX": "2"}


@dataclass
class LoadResult:
    requests: int
    seconds: float
    ok: int
    busy: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rss_warm_mb: float
    rss_end_mb: float

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def lines(self) -> list[str]:
        return [
            f"requests {self.requests} in {self.seconds:.1f} s: {self.throughput:.1f} req/s",
            f"latency p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms, p99 {self.p99_ms:.1f} ms",
            f"200: {self.ok}, 503 (busy, Retry-After): {self.busy}, errors: {self.errors}",
            f"server RSS after warm-up {self.rss_warm_mb:.1f} MB, after the run {self.rss_end_mb:.1f} MB "
            f"(growth {self.rss_end_mb - self.rss_warm_mb:+.1f} MB)",
        ]


def fixtures() -> list[bytes]:
    page = (REPO / "infra" / "samples" / "demo_zh_en.png").read_bytes()
    img = cv2.imdecode(np.frombuffer(page, np.uint8), cv2.IMREAD_COLOR)
    line = cv2.imencode(".png", img[20:80, :])[1].tobytes()
    return [line, page]


async def _run(url: str, pid: int, clients: int, total: int, seconds: float) -> LoadResult:
    images = fixtures()
    proc = psutil.Process(pid)
    async with httpx.AsyncClient(timeout=120) as client:
        # warm-up at the same concurrency: buffers of concurrent requests are allocated once, then reused
        sem = asyncio.Semaphore(clients)

        async def warm(i: int) -> None:
            async with sem:
                await client.post(f"{url}/ocr", files={"image": ("w.png", images[i % 2], "image/png")})

        await asyncio.gather(*(warm(i) for i in range(WARMUP)))
        rss_warm = proc.memory_info().rss / 1e6
        latencies: list[float] = []
        counts = {"ok": 0, "busy": 0, "errors": 0}
        issued = 0
        deadline = time.monotonic() + seconds
        start = time.monotonic()

        async def worker() -> None:
            nonlocal issued
            while issued < total and time.monotonic() < deadline:
                i = issued
                issued += 1
                t0 = time.perf_counter()
                try:
                    r = await client.post(
                        f"{url}/ocr", files={"image": ("x.png", images[i % 2], "image/png")}
                    )
                    status = r.status_code
                except httpx.HTTPError:
                    status = 0
                latencies.append(1000 * (time.perf_counter() - t0))
                key = "ok" if status == 200 else "busy" if status == 503 else "errors"
                counts[key] += 1

        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.monotonic() - start
    qs = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    rss_end = proc.memory_info().rss / 1e6
    ok, busy, errors = counts["ok"], counts["busy"], counts["errors"]
    return LoadResult(len(latencies), elapsed, ok, busy, errors, statistics.median(latencies), qs[94], qs[98],
                      rss_warm, rss_end)  # fmt: skip


def run_load(clients: int, total: int, seconds: float) -> LoadResult:
    with uvicorn_app(SERVER_ENV) as server:
        return asyncio.run(_run(server.url, server.pid, clients, total, seconds))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--requests", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=300)
    args = p.parse_args()
    print(f"load: {args.clients} concurrent clients, up to {args.requests} requests or {args.seconds:.0f} s")
    for line in run_load(args.clients, args.requests, args.seconds).lines():
        print(line)


if __name__ == "__main__":
    main()
