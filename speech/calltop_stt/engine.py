"""Model registry: names -> local directories made by scripts/setup-speech.sh.

Models load only from a local directory (local_files_only, HF_HUB_OFFLINE):
nothing is ever fetched from a hub. A model is loaded on first use and kept.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from typing import Dict, Optional

MODEL_DIRS = {"base": "whisper-base", "tiny.en": "whisper-tiny.en"}


class ModelMissing(Exception):
    pass


@dataclass
class LoadedModel:
    name: str
    path: str
    sha256: str
    model: object          # faster_whisper.WhisperModel
    load_seconds: float


def default_models_dir() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(os.path.dirname(os.path.dirname(here)), ".venv", "models")


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Models:
    def __init__(self, models_dir: str, cpu_threads: int):
        self.models_dir = models_dir
        self.cpu_threads = cpu_threads
        self.loaded: Dict[str, LoadedModel] = {}
        try:
            with open(os.path.join(models_dir, "manifest.json")) as f:
                self.manifest = json.load(f)
        except (OSError, ValueError):
            self.manifest = {}

    def path(self, name: str) -> str:
        if name not in MODEL_DIRS:
            raise KeyError(name)
        return os.path.join(self.models_dir, MODEL_DIRS[name])

    def available(self) -> Dict[str, bool]:
        return {n: os.path.isfile(os.path.join(self.path(n), "model.bin")) for n in MODEL_DIRS}

    def sha256(self, name: str) -> str:
        """From the manifest when the file size still matches, else hashed."""
        binpath = os.path.join(self.path(name), "model.bin")
        entry = self.manifest.get(name) or {}
        if entry.get("size") == os.path.getsize(binpath) and entry.get("sha256"):
            return entry["sha256"]
        return _sha256(binpath)

    def get(self, name: str) -> LoadedModel:
        if name in self.loaded:
            return self.loaded[name]
        path = self.path(name)
        if not os.path.isfile(os.path.join(path, "model.bin")):
            raise ModelMissing(f"model {name} not installed at {path}: run `make setup` "
                               "(scripts/setup-speech.sh)")
        from .decoding import DeterministicWhisperModel
        t0 = time.monotonic()
        model = DeterministicWhisperModel(path, device="cpu", compute_type="int8",
                             cpu_threads=self.cpu_threads, local_files_only=True)
        loaded = LoadedModel(name, path, self.sha256(name), model, time.monotonic() - t0)
        self.loaded[name] = loaded
        return loaded

    def loaded_names(self) -> list:
        return sorted(self.loaded)


def cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
