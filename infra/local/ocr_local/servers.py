"""Real servers on free loopback ports: uvicorn with the app, and moto's standalone S3 server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise TimeoutError(url)


@dataclass(frozen=True)
class Running:
    """A started server: its base URL and process id (to read its memory)."""

    url: str
    pid: int


@contextmanager
def serve(args: list[str], probe: str, port: int, env: dict[str, str] | None = None) -> Iterator[Running]:
    """Start a server subprocess, wait until ``probe`` answers, yield its base URL, stop it."""
    # the server's output goes to a file: a pipe nobody reads would fill up and block the server
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(args, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(base + probe, proc)
            yield Running(base, proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def uvicorn_app(env: dict[str, str] | None = None) -> Iterator[Running]:
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "ocr_api.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with serve(args, "/health", port, env) as base:
        yield base


@contextmanager
def moto_s3() -> Iterator[Running]:
    port = free_port()
    args = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with serve(args, "/moto-api/", port) as base:
        yield base
