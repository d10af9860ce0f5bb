"""The wheel carries the themes and the model catalog, and finds them when installed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from hatchling.builders.wheel import WheelBuilder

from deepseek_tui.paths import bundled_themes_dir

ROOT = Path(__file__).resolve().parents[1]


def test_source_checkout_finds_top_level_themes() -> None:
    themes = bundled_themes_dir()
    assert themes == ROOT / "themes" or themes.name == "_themes"
    assert (themes / "deepseek-dark.toml").is_file()


def test_wheel_ships_themes_and_catalog(tmp_path: Path) -> None:
    wheel = Path(
        next(iter(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"])))
    )
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert "deepseek_tui/_themes/deepseek-dark.toml" in names
        assert "deepseek_tui/models.toml" in names
        assert not any(n.startswith("tests/") for n in names)
        site = tmp_path / "site"
        zf.extractall(site)
    code = (
        "import deepseek_tui.paths as p, deepseek_tui.models as m;"
        "print(p.bundled_themes_dir());"
        "print(m.Catalog.load().default_model('deepseek'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    themes_line, model_line = out.stdout.splitlines()
    assert themes_line == str(site / "deepseek_tui" / "_themes")
    assert model_line == "deepseek-flash"
