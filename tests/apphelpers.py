"""Starting ``planner serve`` for a test and driving it with Playwright in Debian's
Chromium, with every request not to 127.0.0.1 blocked."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from planner.report import find_chromium


def chromium_or_fail_in_ci() -> str:
    """Chromium's path; without it the test fails under CI=true (.ci/run installs it) and
    is skipped elsewhere, as the report's screenshot test does."""
    try:
        return find_chromium()
    except RuntimeError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but Chromium is missing: {exc}")
        pytest.skip(f"Chromium is not installed (the test runs in CI): {exc}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    def __init__(self, proc: subprocess.Popen, url: str, folder: Path):
        self.proc, self.url, self.folder = proc, url, folder

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def serve(instances: list[str], folder: Path, timeout: float = 120) -> Served:
    """``planner serve INSTANCES --no-browser`` on a free port, once it accepts connections
    (a state: the port answers; fails if the process ends first)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "planner", "serve", *instances, "--no-browser", "--port", str(port), "--folder",
         str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"planner serve ended: {proc.stdout.read() if proc.stdout else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return Served(proc, f"http://127.0.0.1:{port}/", folder)
        except OSError:
            time.sleep(0.1)  # polling the port: the wait is for the state (it answers), bounded by timeout
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("planner serve did not listen in time")


def offline_page(browser, blocked: list[str], **kw):
    """A page whose requests not to 127.0.0.1 are aborted (and recorded in ``blocked``)."""
    page = browser.new_page(**kw)

    def route(r):
        if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return page


CHROMIUM_ARGS = ["--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader", "--disable-gpu-sandbox"]
