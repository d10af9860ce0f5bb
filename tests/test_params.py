"""The table of sampling parameters, and that every consumer covers exactly its rows.

Adding a parameter is one row in ``deepseek_tui/params.py`` plus the typed field
it fills in ``TurnSettings`` and ``Generation``: these tests fail until every
consumer (the ``ask`` flags, ``[generation]`` in ``config.toml``, the turn
settings, the catalog's defaults, the README) agrees with the table. The
sidebar's fields are checked in ``tests/ui/test_sidebar.py``.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import textwrap
import typing
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepseek_tui import params
from deepseek_tui.cli import build_parser
from deepseek_tui.config import ConfigError, Generation, parse_config
from deepseek_tui.models import SAMPLING_PARAMS, Catalog
from deepseek_tui.params import PARAMS, Param
from deepseek_tui.turn_settings import TurnSettings

README = Path(__file__).resolve().parents[1] / "README.md"
IDS = [p.name for p in PARAMS]


def _ask_parser() -> argparse.ArgumentParser:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    parser: argparse.ArgumentParser = sub.choices["ask"]
    return parser


def _inside(p: Param) -> float | int:
    """A value in range that is not a bound."""
    return p.kind((p.lo + p.hi) / 2)


# --- the table ---------------------------------------------------------------------


def test_the_table_is_well_formed() -> None:
    assert len(set(IDS)) == len(IDS)
    for p in PARAMS:
        assert p.name.isidentifier() and p.name.islower()
        assert p.kind in (float, int)
        assert p.lo < p.hi
        assert p.label and p.help and p.label[0].isupper()
        assert p.flag is None or p.flag == "--" + p.name.replace("_", "-")
        assert params.by_name(p.name) is p
    assert tuple(IDS) == params.SAMPLING
    assert set(params.IGNORED_WHILE_THINKING) < set(params.SAMPLING)
    assert (*params.SAMPLING, "system_prompt", *params.MODES) == params.GENERATION_KEYS
    with pytest.raises(KeyError):
        params.by_name("temprature")


def test_ranges_read_as_people_write_them() -> None:
    allowed = {p.name: p.allowed for p in PARAMS}
    assert allowed == {
        "temperature": "0 to 2",
        "top_p": "0 to 1",
        "max_tokens": "1 to 1,000,000",
        "presence_penalty": "-2 to 2",
        "frequency_penalty": "-2 to 2",
    }
    assert params.by_name("max_tokens").expected == "a whole number from 1 to 1,000,000"
    assert params.by_name("top_p")._replace(hi=0.95).allowed == "0 to 0.95"


@pytest.mark.parametrize("p", PARAMS, ids=IDS)
def test_check_accepts_the_range_and_says_why_not(p: Param) -> None:
    assert params.check(p, p.lo) is None and params.check(p, p.hi) is None
    assert params.check(p, _inside(p)) is None
    assert params.check(p, p.kind(p.hi + 1)) == f"out of range; allowed: {p.allowed}"
    assert params.check(p, p.kind(p.lo - 1)) == f"out of range; allowed: {p.allowed}"
    what = "a whole number" if p.kind is int else "a number"
    for bad in (True, "1", None, math.nan):
        assert params.check(p, bad) == f"not {what}; allowed: {p.allowed}"
    if p.kind is int:
        assert params.check(p, 1.5) == f"not a whole number; allowed: {p.allowed}"
        assert params.check(p, 2.0) is not None, "a float is not a whole number in config"
    else:
        assert params.check(p, int(p.hi)) is None, "whole numbers are numbers"
        assert params.check(p, math.inf) == f"out of range; allowed: {p.allowed}"


def test_text_is_read_like_a_person_types_it() -> None:
    max_tokens, temperature = params.by_name("max_tokens"), params.by_name("temperature")
    assert params.parse_text(max_tokens, " 100,000 ") == (100_000, None)
    assert params.parse_text(max_tokens, "100_000") == (100_000, None)
    assert params.parse_text(max_tokens, "  ") == (None, None)
    assert params.parse_text(max_tokens, "1e6") == (
        None,
        "not a whole number; allowed: 1 to 1,000,000",
    )
    assert params.parse_text(temperature, "0.7") == (0.7, None)
    assert isinstance(params.parse_text(temperature, "1")[0], float)
    assert params.parse_text(temperature, "nan")[1] == "not a number; allowed: 0 to 2"


@given(st.sampled_from(PARAMS), st.data())
def test_shown_values_read_back_exactly(p: Param, data: st.DataObject) -> None:
    if p.kind is int:
        value: float | int = data.draw(st.integers(int(p.lo), int(p.hi)))
    else:
        value = data.draw(st.floats(p.lo, p.hi, allow_nan=False))
    text = params.show(p, value)
    assert "e+" not in text or p.kind is float
    assert params.parse_text(p, text) == (value, None)


def test_show() -> None:
    assert params.show(params.by_name("max_tokens"), 1_000_000) == "1000000"
    assert params.show(params.by_name("temperature"), 0.7) == "0.7"
    assert params.show(params.by_name("temperature"), None) == ""


def test_importing_the_table_is_cheap() -> None:
    """It is read before the TUI's first frame and by ``--help``."""
    code = textwrap.dedent(
        """
        import sys, typing  # typing: everything imports it anyway
        before = set(sys.modules)
        import deepseek_tui.params
        print(",".join(sorted(set(sys.modules) - before)))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    new = set(out.stdout.strip().split(","))
    assert new <= {"__future__", "deepseek_tui", "deepseek_tui.params", "math"}


# --- every consumer covers exactly the table ------------------------------------------


def test_ask_has_one_flag_per_flagged_row() -> None:
    ask = _ask_parser()
    by_dest = {a.dest: a for a in ask._actions}
    flagged = [p for p in PARAMS if p.flag is not None]
    assert [p.flag for p in flagged] == ["--temperature", "--top-p", "--max-tokens"]
    for p in PARAMS:
        if p.flag is None:
            assert p.name not in by_dest
            continue
        action = by_dest[p.name]
        assert action.option_strings == [p.flag]
        assert action.type is not None
        assert action.type(str(_inside(p))) == _inside(p)
        assert p.allowed in (action.help or "")
    args = ask.parse_args(["q"])
    assert all(getattr(args, p.name) is None for p in flagged)


def test_generation_accepts_exactly_the_table_and_the_modes(tmp_path: Path) -> None:
    assert tuple(f.name for f in fields(Generation)) == (
        *params.SAMPLING,
        "system_prompt",
        *params.MODES,
    )
    path = tmp_path / "config.toml"
    generation = parse_config({"generation": {p.name: _inside(p) for p in PARAMS}}, path)
    for p in PARAMS:
        value = getattr(generation.generation, p.name)
        assert value == _inside(p) and type(value) is p.kind
    with pytest.raises(ConfigError) as err:
        parse_config({"generation": {"seed": 1}}, path)
    assert str(err.value).endswith("allowed: " + ", ".join(params.GENERATION_KEYS))


@pytest.mark.parametrize("p", PARAMS, ids=IDS)
def test_generation_checks_with_the_table(p: Param, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    too_big = p.kind(p.hi + 1)
    with pytest.raises(ConfigError) as err:
        parse_config({"generation": {p.name: too_big}}, path)
    assert str(err.value) == (
        f"{path}: generation.{p.name}: {too_big!r} is out of range; allowed: {p.allowed}"
    )
    if p.kind is float:  # a whole number in TOML is a float parameter's value
        parsed = parse_config({"generation": {p.name: int(p.hi)}}, path)
        assert getattr(parsed.generation, p.name) == p.hi


def test_turn_settings_have_a_field_per_row_of_the_table_type() -> None:
    names = [f.name for f in fields(TurnSettings)]
    assert set(names) == {"model", *params.SAMPLING, *params.MODES}
    hints = typing.get_type_hints(TurnSettings)
    for p in PARAMS:
        assert hints[p.name] == p.kind | None
    g = Generation(**{p.name: _inside(p) for p in PARAMS}, thinking=False, json_mode=True)
    turn = TurnSettings.from_generation("m", g)
    assert all(getattr(turn, p.name) == _inside(p) for p in PARAMS)
    assert (turn.thinking, turn.json_mode) == (False, True)


def test_the_catalog_defaults_come_from_the_table() -> None:
    assert SAMPLING_PARAMS == params.IGNORED_WHILE_THINKING
    unknown = Catalog.load().unknown("deepseek-v9", "deepseek")
    assert unknown.ignored(True) == frozenset(params.IGNORED_WHILE_THINKING)
    assert unknown.efforts == params.EFFORTS


def test_readme_config_example_names_every_generation_key() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split("\n[generation]", 1)[1].split("\n[", 1)[0]
    keys = [line.split("=", 1)[0].strip() for line in block.splitlines() if "=" in line]
    assert keys == list(params.GENERATION_KEYS)
