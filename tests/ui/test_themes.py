"""Themes: the shipped files, validation of user files, choosing one at start,
switching from the command palette and remembering the choice."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from textual.color import Color
from textual.command import CommandInput, CommandPalette
from textual.pilot import Pilot

from deepseek_tui.config import load_settings
from deepseek_tui.launch import open_launch
from deepseek_tui.paths import Paths, bundled_themes_dir
from deepseek_tui.testing import FakeDeepSeek
from deepseek_tui.ui.app import DeepSeekApp
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.themes import (
    APP_VARIABLES,
    ThemeError,
    load_theme_file,
    load_themes,
)
from deepseek_tui.ui.widgets.prompt import PromptInput

from .conftest import FIXED_NOW, KEY, SIZE, configure, palette_offers, wait_for

SHIPPED = {"deepseek-dark", "deepseek-light", "deepseek-high-contrast", "deepseek-warm"}
GOOD = 'name = "mine"\ndark = false\nprimary = "#AA3377"\nbackground = "#FAFAF0"\n'


def _app(*, theme: str | None = None, demo: bool = False) -> DeepSeekApp:
    paths = Paths.resolve()
    settings = load_settings(paths, theme=theme)
    session = open_launch(settings, paths, demo=demo)
    return DeepSeekApp(settings, paths, session, now=lambda: FIXED_NOW)


async def _ready(pilot: Pilot[Any]) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChatScreen))


def _saving(app: DeepSeekApp) -> bool:
    """Whether a theme choice is being written to the config file now."""
    return any(w.group == "theme" for w in app.workers)


def _written(home: Path) -> list[Path]:
    """Every file under the user's DEEPSEEK_TUI_HOME."""
    return sorted(home.rglob("*")) if home.exists() else []


def _notices(app: DeepSeekApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _config(home: Path) -> dict[str, Any]:
    return tomllib.loads((home / "config.toml").read_text())


def _near(got: str, want: str) -> bool:
    """The same colour, give or take the rounding of Textual's colour maths."""
    a, b = Color.parse(got), Color.parse(want)
    return max(abs(a.r - b.r), abs(a.g - b.g), abs(a.b - b.b)) <= 2


def _set_theme(home: Path, name: str) -> None:
    """``theme = NAME`` at the top of the test's config file."""
    cfg = home / "config.toml"
    cfg.write_text(f'theme = "{name}"\n' + cfg.read_text())


#: The SVG's window frame and default text colour, drawn by Rich, not by the app.
_CHROME = {"#c5c8c6", "#ff5f57", "#febc2e", "#28c840"}


def _fills(svg: str) -> set[str]:
    """Every colour the app painted into a screenshot (cells and text)."""
    found = re.findall(r'fill(?:="|:\s*)(#[0-9a-fA-F]{6})', svg)
    return {c.lower() for c in found} - _CHROME


# --- the files -------------------------------------------------------------------


def test_shipped_themes_load_with_every_app_variable() -> None:
    loaded = load_themes([bundled_themes_dir()])
    assert loaded.problems == []
    assert set(loaded.themes) == SHIPPED
    for theme in loaded.themes.values():
        assert set(APP_VARIABLES) <= set(theme.variables), theme.name
    assert not loaded.themes["deepseek-light"].dark
    assert loaded.themes["deepseek-dark"].background == "#0B1020"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('primary = "#123456"\n[variables\n', "invalid TOML"),
        ('background = "#000000"\n', "primary is missing"),
        ('primary = "#12345"\n', "primary = '#12345' is not a colour"),
        ('primary = "#123456"\nforegroud = "#ffffff"\n', "unknown key 'foregroud'"),
        (
            'primary = "#123456"\n[variables]\nuser-buble = "#000000"\n',
            "did you mean 'user-bubble'",
        ),
        ('primary = "#123456"\n[variables]\ncode-background = "blurple"\n', "is not a colour"),
        ('name = "other"\nprimary = "#123456"\n', "does not match the file name"),
        ('primary = "#123456"\ndark = "yes"\n', "dark must be true or false"),
        ('primary = "#123456"\ntext_alpha = 3\n', "text_alpha must be a number from 0 to 1"),
    ],
)
def test_bad_theme_files_are_refused_with_the_file_and_the_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text)
    with pytest.raises(ThemeError) as caught:
        load_theme_file(path)
    assert str(path) in str(caught.value)
    assert problem in str(caught.value)


def test_missing_app_variables_are_derived_from_the_colours(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(GOOD)
    theme = load_theme_file(tmp_path / "mine.toml")
    assert set(APP_VARIABLES) <= set(theme.variables)
    # light theme: the user's bubble is the background tinted with the primary colour
    assert theme.variables["user-bubble"] not in ("#FAFAF0", "#AA3377")
    assert theme.variables["assistant-bubble"].startswith("#")


def test_a_user_theme_replaces_a_shipped_one_and_bad_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "deepseek-dark.toml").write_text('primary = "#FF0000"\n')
    (tmp_path / "zzz.toml").write_text('primary = "nope"\n')
    loaded = load_themes([bundled_themes_dir(), tmp_path])
    assert loaded.themes["deepseek-dark"].primary == "#FF0000"
    assert len(loaded.problems) == 1
    assert "zzz.toml" in loaded.problems[0]


def test_without_shipped_themes_the_default_still_exists(tmp_path: Path) -> None:
    loaded = load_themes([tmp_path / "missing"])
    assert set(loaded.themes) == {"deepseek-dark"}
    assert set(APP_VARIABLES) <= set(loaded.themes["deepseek-dark"].variables)


_CAPPED = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
"""Run first in a child process, so that a regression reading ``/dev/zero``
fails the test instead of exhausting the machine."""


def _hostile_theme_files(directory: Path) -> None:
    """A pipe, a device, a huge file and a too-deep file, among good themes."""
    directory.mkdir(parents=True, exist_ok=True)
    os.mkfifo(directory / "fifo.toml")
    (directory / "zero.toml").symlink_to("/dev/zero")
    (directory / "big.toml").write_text('primary = "#123456"\n' + "# padding\n" * 30_000)
    deep = 'primary = "#123456"\nx = ' + "[" * 100_000 + "]" * 100_000 + "\n"
    (directory / "deep.toml").write_text(deep)


def test_pipes_devices_huge_and_deep_theme_files_are_skipped_with_a_reason(
    tmp_path: Path,
) -> None:
    """Each is one problem naming the file; none hangs, exhausts memory or
    raises, and the good themes still load (in a child process with a
    deadline, so a hang fails the test)."""
    _hostile_theme_files(tmp_path)
    (tmp_path / "mine.toml").write_text(GOOD)
    code = _CAPPED + (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from deepseek_tui.ui.themes import load_themes\n"
        "found = load_themes([Path(sys.argv[1])])\n"
        "print(json.dumps({'themes': sorted(found.themes), 'problems': found.problems}))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=30
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert found["themes"] == ["deepseek-dark", "mine"]
    expected = {
        "big.toml": "is larger than 256 KiB",
        "deep.toml": "is nested too deeply",
        "fifo.toml": "is a named pipe, not a regular file",
        "zero.toml": "is a character device, not a regular file",
    }
    assert len(found["problems"]) == len(expected), found["problems"]
    for problem, (name, reason) in zip(found["problems"], sorted(expected.items()), strict=True):
        assert problem.startswith(f"Theme not loaded: {tmp_path / name}: {reason}"), problem


def test_the_tui_starts_when_the_chosen_theme_is_a_pipe(home: Path) -> None:
    """The real app in a pseudo-terminal, choosing a theme that is a named pipe
    among other hostile files: it falls back to the default, draws, says why,
    and quits normally."""
    from .test_pty import Terminal

    _hostile_theme_files(home / "themes")
    with FakeDeepSeek(api_key=KEY, host="deepseek").run_in_thread() as srv:
        configure(home, srv.base_url)
        _set_theme(home, "fifo")
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        env.update(DEEPSEEK_TUI_HOME=str(home), TERM="xterm-256color")
        main = "import runpy; runpy.run_module('deepseek_tui', run_name='__main__')"
        term = Terminal([sys.executable, "-c", _CAPPED + main], env, (160, 40))
        try:
            term.wait_for(lambda out: b"Ask DeepSeek" in out)
            term.wait_for(lambda out: b"Unknown theme" in out)
            term.write(b"\x11")  # ctrl+q
        finally:
            code = term.close()
    assert code == 0, term.output[-2000:]
    assert b"Traceback" not in term.output


# --- in the app --------------------------------------------------------------------


async def test_default_theme_is_deepseek_dark_and_only_ours_are_offered(
    server: FakeDeepSeek, home: Path
) -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot)
        assert app.theme == "deepseek-dark"
        assert set(app.available_themes) == SHIPPED
        assert "#0b1020" in _fills(app.export_screenshot())  # the navy background


async def test_theme_from_the_config_is_applied_to_the_widgets(
    server: FakeDeepSeek, home: Path
) -> None:
    _set_theme(home, "deepseek-light")
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot)
        assert app.theme == "deepseek-light"
        assert app.screen.styles.background.hex == "#F5F7FB"
        prompt = app.screen.query_one(PromptInput)
        assert _near(prompt.styles.border_top[1].hex, "#2F4BD8")  # primary
        svg = app.export_screenshot()
        assert "#f5f7fb" in _fills(svg)
        assert "#0b1020" not in _fills(svg)
        assert _notices(app) == []


@pytest.mark.parametrize("name", sorted(SHIPPED))
async def test_every_shipped_theme_is_in_the_first_frame_and_switches_cleanly(
    server: FakeDeepSeek, home: Path, name: str
) -> None:
    """A dark theme is chosen before Textual's first stylesheet parse, a light
    one through Textual's own switch: either way the first frame and every
    later switch show the theme's own colours and mode."""
    data = tomllib.loads((bundled_themes_dir() / f"{name}.toml").read_text())
    other = "deepseek-light" if data["dark"] else "deepseek-dark"
    _set_theme(home, name)
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.styles.background.hex == data["background"].upper()
        assert app.has_class(f"-theme-{name}")
        assert app.has_class("-dark-mode") is data["dark"]
        assert app.has_class("-light-mode") is not data["dark"]
        await _ready(pilot)
        app.theme = other
        await pilot.pause()
        assert not app.has_class(f"-theme-{name}") and app.has_class(f"-theme-{other}")
        assert app.has_class("-dark-mode") is not data["dark"]
        app.theme = name
        await pilot.pause()
        assert app.screen.styles.background.hex == data["background"].upper()
        assert _fills(app.export_screenshot()) >= {data["background"].lower()}


async def test_other_themes_load_after_the_first_frame_and_bad_files_are_reported(
    server: FakeDeepSeek, home: Path
) -> None:
    """Only the chosen theme is read before the first frame; the others, and
    what is wrong with a bad file, arrive right after it."""
    themes = home / "themes"
    themes.mkdir()
    (themes / "mine.toml").write_text(GOOD)
    (themes / "broken.toml").write_text('primary = "#123456"\nsurfce = "#000000"\n')
    _set_theme(home, "deepseek-warm")
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot)
        await wait_for(pilot, lambda: "mine" in app.available_themes)
        assert set(app.available_themes) == SHIPPED | {"mine"}
        await wait_for(pilot, lambda: any("broken.toml" in n for n in _notices(app)))
        assert app.theme == "deepseek-warm"
        app.theme = "mine"
        await pilot.pause()
        assert app.screen.styles.background.hex == "#FAFAF0"


async def test_user_theme_and_bad_theme_file(server: FakeDeepSeek, home: Path) -> None:
    themes = home / "themes"
    themes.mkdir()
    (themes / "mine.toml").write_text(GOOD)
    (themes / "broken.toml").write_text('primary = "#123456"\nsurfce = "#000000"\n')
    _set_theme(home, "broken")
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot)
        await wait_for(pilot, lambda: len(_notices(app)) >= 2)
        notices = _notices(app)
        bad = [n for n in notices if "broken.toml" in n]
        assert len(bad) == 1
        assert "unknown key 'surfce'" in bad[0]
        assert "did you mean 'surface'" in bad[0]
        assert any("Unknown theme 'broken'; using deepseek-dark" in n for n in notices)
        assert app.theme == "deepseek-dark"
        assert "mine" in app.available_themes
        app.theme = "mine"
        await pilot.pause()
        assert app.screen.styles.background.hex == "#FAFAF0"


async def test_unknown_theme_from_the_command_line(server: FakeDeepSeek, home: Path) -> None:
    app = _app(theme="solarized")
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot)
        await wait_for(pilot, lambda: _notices(app))
        (notice,) = _notices(app)
        assert "Unknown theme 'solarized'; using deepseek-dark" in notice
        assert "deepseek-warm" in notice  # names what there is
        assert app.theme == "deepseek-dark"


async def _pick_in_palette(pilot: Pilot[Any], name: str) -> None:
    """What a user does: Ctrl+P, "theme", Enter, the theme's name, Enter."""
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    await pilot.press(*"theme")
    await wait_for(pilot, lambda: palette_offers(pilot.app, "Theme"))
    commands = pilot.app.screen
    await pilot.press("enter")
    await wait_for(  # the theme palette, ready for typing
        pilot,
        lambda: pilot.app.screen is not commands and isinstance(pilot.app.focused, CommandInput),
    )
    await pilot.press(*name)
    await wait_for(pilot, lambda: palette_offers(pilot.app, name))
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChatScreen))


async def test_palette_switch_is_applied_and_remembered(server: FakeDeepSeek, home: Path) -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot)
        await _pick_in_palette(pilot, "deepseek-warm")
        assert app.theme == "deepseek-warm"
        await wait_for(pilot, lambda: app.screen.styles.background.hex == "#1C1410")
        await wait_for(pilot, lambda: _config(home).get("theme") == "deepseek-warm")
    config = _config(home)
    assert config["providers"]["deepseek"]["base_url"] == server.base_url  # the rest is kept
    assert stat.S_IMODE((home / "config.toml").stat().st_mode) == 0o600
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot)
        assert app.theme == "deepseek-warm"


async def test_theme_from_the_command_line_is_not_written(server: FakeDeepSeek, home: Path) -> None:
    before = (home / "config.toml").read_bytes()
    app = _app(theme="deepseek-high-contrast")
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot)
        assert app.theme == "deepseek-high-contrast"
        assert app.screen.styles.background.hex == "#000000"
        # the other themes are read after the first frame; nothing is being written
        await wait_for(pilot, lambda: len(app.themes.names) > 1 and not _saving(app))
    assert (home / "config.toml").read_bytes() == before


async def test_demo_never_writes_the_theme(home: Path) -> None:
    app = _app(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot)
        await _pick_in_palette(pilot, "deepseek-light")
        assert app.theme == "deepseek-light"
        await wait_for(pilot, lambda: not _saving(app))
    assert not (home / "config.toml").exists()
    assert _written(home) == []


async def test_no_color_renders_without_colour(
    server: FakeDeepSeek, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = _app(theme="deepseek-warm")
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot)
        assert app.no_color
        fills = _fills(app.export_screenshot())
        assert fills
        for colour in fills:
            r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
            assert r == g == b, colour
        assert "#1c1410" not in fills  # the warm background
