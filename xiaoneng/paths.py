"""Where the project's files live. ``XIAONENG_DATA`` moves the data folder (tests, deployments)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = REPO_ROOT / "queries"
CONFIG_DIR = REPO_ROOT / "config"
MAPPINGS_DIR = REPO_ROOT / "mappings"


def data_dir() -> Path:
    return Path(os.environ.get("XIAONENG_DATA", REPO_ROOT / "data"))


def reference_dir() -> Path:
    return data_dir() / "reference"


def snapshots_dir() -> Path:
    return data_dir() / "snapshots"
