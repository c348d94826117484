"""效能看板 — work-style and efficiency indicators for local governments."""

__version__ = "0.1.0"
