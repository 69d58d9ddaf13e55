"""Fixtures for the worker tests: a live worker process and synthesised audio."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SPEECH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(SPEECH)
sys.path.insert(0, os.path.join(REPO, "Benchmarks", "stt"))
sys.path.insert(0, SPEECH)

import corpus  # noqa: E402


class Worker:
    """speech/worker.py over pipes, as the Swift supervisor drives it."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(SPEECH, "worker.py"), *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.ready = self.read()
        self.n = 0

    def read(self) -> dict:
        line = self.proc.stdout.readline()
        assert line, "worker closed stdout"
        return json.loads(line)  # every stdout line must be protocol JSON

    def send_raw(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def request(self, audio: str, **options) -> tuple[dict, list]:
        """Sends one job; returns (final message, progress/started messages)."""
        self.n += 1
        req_id = f"t{self.n}"
        self.send_raw(json.dumps({"id": req_id, "audio": audio, "options": options}))
        before = []
        while True:
            msg = self.read()
            assert msg["id"] == req_id
            if msg["type"] in ("result", "error"):
                return msg, before
            before.append(msg)

    def close(self) -> int:
        self.proc.stdin.close()
        return self.proc.wait(timeout=30)


@pytest.fixture(scope="session")
def worker():
    missing = corpus.tools_missing()
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run scripts/setup-speech.sh --test-tools")
    w = Worker("--preload", "base")
    yield w
    assert w.close() == 0


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("audio")
