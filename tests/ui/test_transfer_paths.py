"""Path dialogs keep working when the directory the app started in is deleted."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepseek_tui.transfer import TransferError, resolve, start_dir


def test_deleted_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert start_dir() == str(Path.home()) + "/"
    with pytest.raises(TransferError, match="working directory no longer exists"):
        resolve("relative.json")
    assert resolve(str(tmp_path / "x.json")) == tmp_path / "x.json"
