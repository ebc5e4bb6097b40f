"""Fixtures of the pure tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(tmp_path, monkeypatch):
    """The system's clock, held at NOW and movable: ``clock(days=8)`` is NOW + 8 days."""
    path = tmp_path / "now"
    monkeypatch.setenv("COURT_FAKE_NOW_FILE", str(path))

    def move(**delta):
        path.write_text((NOW + timedelta(**delta)).isoformat())

    move()
    return move
