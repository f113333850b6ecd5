"""The service refuses to start without a usable discipline model (issue 14)."""

from __future__ import annotations

import pytest

from matching import disciplines as M
from service.app import create_app


def test_create_app_fails_naming_a_missing_model(monkeypatch, tmp_path):
    monkeypatch.setattr(M, "model_path", lambda: tmp_path / "disciplines.npz")
    monkeypatch.setattr(M, "_cache", {})
    with pytest.raises(M.DisciplineModelError, match="disciplines.npz"):
        create_app("postgresql://unused@127.0.0.1/none")


def test_create_app_fails_naming_a_corrupt_model(monkeypatch, tmp_path):
    bad = tmp_path / "disciplines.npz"
    bad.write_bytes(b"PK\x03\x04 broken")
    monkeypatch.setattr(M, "model_path", lambda: bad)
    monkeypatch.setattr(M, "_cache", {})
    with pytest.raises(M.DisciplineModelError, match="corrupt|unreadable"):
        create_app("postgresql://unused@127.0.0.1/none")
