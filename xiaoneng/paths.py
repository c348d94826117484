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


def users_file() -> Path:
    """The local users file (argon2 hashes). ``XIAONENG_USERS`` moves it; it is never tracked by git."""
    return Path(os.environ.get("XIAONENG_USERS", data_dir() / "security" / "users.yaml"))


def audit_file() -> Path:
    """The append-only audit log, beside the snapshot store."""
    return data_dir() / "audit" / "audit.jsonl"


def ledger_file() -> Path:
    """The append-only 整改台账 (rectification ledger), beside the snapshot store."""
    return data_dir() / "ledger" / "ledger.jsonl"
