"""The README's model table is generated from the catalog and must not drift from it.

Regenerate with ``python -m deepseek_tui.models --markdown`` and paste between the
``<!-- models:begin -->`` and ``<!-- models:end -->`` markers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from deepseek_tui.models import Catalog, catalog_markdown

README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN, END = "<!-- models:begin -->", "<!-- models:end -->"


def test_readme_table_matches_the_catalog() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1, f"README needs {BEGIN} … {END}"
    between = text.split(BEGIN, 1)[1].split(END, 1)[0]
    expected = catalog_markdown(Catalog.load())
    assert between.strip("\n") == expected.strip("\n"), (
        "README model table is stale: run python -m deepseek_tui.models --markdown"
    )


def test_markdown_command_prints_the_table() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "deepseek_tui.models", "--markdown"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == catalog_markdown(Catalog.load())
    assert proc.stderr == ""


def test_configuration_reference_example_is_a_valid_config_and_catalog_entry(
    tmp_path: Path,
) -> None:
    """The ``config.toml`` shown in the configuration reference loads, and its
    ``[[models]]`` entry, with the catalog's limit fields, is one the catalog
    takes."""
    import tomllib

    from deepseek_tui.config import parse_config

    reference = README.read_text(encoding="utf-8").split("## Configuration reference", 1)[1]
    example = reference.split("```toml\n", 1)[1].split("```", 1)[0]
    settings = parse_config(tomllib.loads(example), tmp_path / "config.toml")
    catalog = Catalog.load(settings.models)
    spec = catalog.lookup("my-distill", "*")
    assert spec.known and spec.max_output == 8192 and spec.default_max_tokens == 8192
    assert spec.range_of("temperature") == ("temperature", 0.0, 1.0)
    for name in ("max_output", "default_max_tokens", "ranges", "temperature_max"):
        assert name in example, f"the configuration reference should show {name}"
