"""Typed helpers for reading settings from the environment.

Secrets may come from ``NAME`` or from a file named by ``NAME_FILE`` (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import os
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting is missing or malformed; raised at start-up, never at request time."""


def env_str(name: str, default: str | None = None) -> str | None:
    """Return ``NAME``, else the contents of the file named by ``NAME_FILE``, else ``default``."""
    value = os.environ.get(name)
    if value is not None:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE points at {path!r}, which cannot be read: {exc}") from exc
    return default


def env_bool(name: str, default: bool = False) -> bool:
    """Parse a boolean: 1/true/yes/on and 0/false/no/off, case-insensitive."""
    raw = env_str(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    """Parse an integer setting."""
    raw = env_str(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    """Parse a comma-separated list."""
    raw = env_str(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]
