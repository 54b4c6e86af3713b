"""Exit 0 when the PostgreSQL server at the given URL answers, 1 otherwise (used by ``make test``)."""

from __future__ import annotations

import sys

import psycopg


def main(argv: list[str]) -> int:
    """Try one connection with a short timeout."""
    url = argv[1] if len(argv) > 1 else "postgres://postgres@127.0.0.1:5432/test"
    try:
        with psycopg.connect(url, connect_timeout=3):
            return 0
    except psycopg.Error:
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
