"""Colour themes as data: TOML files turned into :class:`textual.theme.Theme`.

Themes come from two places, read in this order: the ones shipped with the app
(:func:`~deepseek_tui.paths.bundled_themes_dir`) and the user's own
(``Paths.themes_dir``); a user theme with the same name replaces a shipped one.
A file that cannot be used (bad TOML, a missing or invalid colour, an unknown
key) is skipped with one message naming the file and the problem, and the
other themes still load. The app's stylesheet uses a few variables of its own
(:data:`APP_VARIABLES`); a theme that does not set them gets values derived
from its colours, so every theme can style every part of the screen.

The file format (see the repository's ``themes/``)::

    name = "deepseek-dark"       # optional; defaults to the file name, must match it
    dark = true
    primary = "#4D6BFE"          # required; the other colours are optional
    background = "#0B1020"
    ...
    [variables]                  # optional: the app's variables and Textual's
    user-bubble = "#1C2A52"
"""

from __future__ import annotations

import difflib
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from textual.app import App
from textual.color import Color, ColorParseError
from textual.design import ColorSystem
from textual.theme import BUILTIN_THEMES, Theme

from deepseek_tui.config import DEFAULT_THEME, ConfigError, update_config_file
from deepseek_tui.paths import Paths, bundled_themes_dir
from deepseek_tui.tomlfile import TomlFileError, read_toml

__all__ = [
    "APP_VARIABLES",
    "AppThemes",
    "ThemeError",
    "ThemeSet",
    "load_theme_file",
    "load_themes",
    "parse_theme",
]

APP_VARIABLES = ("user-bubble", "assistant-bubble", "reasoning-pane", "code-background")
"""CSS variables ``app.tcss`` uses beyond Textual's own."""

_COLOURS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "success",
    "warning",
    "error",
)
_FRACTIONS = ("luminosity_spread", "text_alpha")
_KEYS = ("name", "dark", *_COLOURS, *_FRACTIONS, "variables")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}\Z")
THEME_MAX_BYTES = 256 * 1024
"""A theme is a few hundred bytes; a larger file is skipped unread."""

#: Used only when the shipped ``deepseek-dark.toml`` cannot be found (a broken
#: install), so the stylesheet always has every variable it needs.
_FALLBACK = Theme(
    name=DEFAULT_THEME,
    primary="#4D6BFE",
    secondary="#7B93FF",
    accent="#38BDF8",
    foreground="#E4E8F5",
    background="#0B1020",
    surface="#121A30",
    panel="#1A2440",
    success="#4ADE80",
    warning="#FBBF24",
    error="#F87171",
)


class ThemeError(Exception):
    """A theme file cannot be used; ``str()`` names the file and the problem."""


@cache
def _textual_variables() -> frozenset[str]:
    """Every variable Textual derives from a theme (all may be overridden)."""
    return frozenset(ColorSystem(primary="#000000").generate())


def _colour(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise ThemeError(f'{where}: {key} must be a colour in quotes, e.g. "#4D6BFE"')
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeError(
            f"{where}: {key} = {value!r} is not a colour; use #RRGGBB, rgb(…) or a colour name"
        ) from None
    return value


def _variable(value: Any, where: str, key: str) -> str:
    """A colour, a colour with an opacity ("#81A1C1 35%") or, for styles, words."""
    if not isinstance(value, str):
        raise ThemeError(f"{where}: variables.{key} must be text in quotes")
    if key.endswith("-style"):
        return value
    colour, _, opacity = value.partition(" ")
    if opacity and not re.fullmatch(r"\d{1,3}%", opacity.strip()):
        raise ThemeError(f"{where}: variables.{key} = {value!r} is not a colour")
    _colour(colour, where, f"variables.{key}")
    return value


def _unknown(key: str, allowed: Iterable[str], where: str, section: str) -> ThemeError:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ThemeError(f"{where}: unknown key {key!r} in {section}{hint}")


def derived_variables(theme: Theme) -> dict[str, str]:
    """Values for :data:`APP_VARIABLES` that fit ``theme``'s colours."""
    generated = theme.to_color_system().generate()
    background = Color.parse(generated["background"])
    surface = Color.parse(generated["surface"])
    primary = Color.parse(generated["primary"])
    shade = Color(0, 0, 0) if theme.dark else Color(255, 255, 255)
    return {
        "user-bubble": background.blend(primary, 0.22).hex,
        "assistant-bubble": surface.hex,
        "reasoning-pane": background.blend(surface, 0.5).hex,
        "code-background": background.blend(shade, 0.25 if theme.dark else 0.6).hex,
    }


def parse_theme(data: Mapping[str, Any], source: Path) -> Theme:
    """Validate one parsed theme file; ``source`` names it in messages and in the name."""
    where = str(source)
    for key in data:
        if key not in _KEYS:
            raise _unknown(key, _KEYS, where, "the theme")
    name = data.get("name", source.stem)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ThemeError(
            f'{where}: name must be lower-case letters, digits and dashes, e.g. "my-theme"'
        )
    if name != source.stem:
        raise ThemeError(
            f"{where}: name {name!r} does not match the file name; "
            f"rename the file to {name}.toml or change the name"
        )
    if "primary" not in data:
        raise ThemeError(f"{where}: primary is missing; every theme needs a primary colour")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeError(f"{where}: dark must be true or false")
    colours = {key: _colour(data[key], where, key) for key in _COLOURS if key in data}
    fractions: dict[str, float] = {}
    for key in _FRACTIONS:
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ThemeError(f"{where}: {key} must be a number from 0 to 1")
            fractions[key] = float(value)
    raw_vars = data.get("variables", {})
    if not isinstance(raw_vars, dict):
        raise ThemeError(f"{where}: variables must be a [variables] table")
    allowed = (*APP_VARIABLES, *sorted(_textual_variables()))
    variables: dict[str, str] = {}
    for key, value in raw_vars.items():
        if key not in allowed:
            raise _unknown(key, allowed, where, "[variables]")
        variables[key] = _variable(value, where, key)
    theme = Theme(name=name, primary=colours.pop("primary"), dark=dark)
    for key, colour in colours.items():
        setattr(theme, key, colour)
    for key, fraction in fractions.items():
        setattr(theme, key, fraction)
    theme.variables = {**derived_variables(theme), **variables}
    return theme


def load_theme_file(path: Path) -> Theme:
    """Read and validate one ``*.toml`` theme file (a regular file of at most
    :data:`THEME_MAX_BYTES`: a pipe or a device is refused, never waited on)."""
    try:
        data = read_toml(path, limit=THEME_MAX_BYTES)
    except FileNotFoundError as exc:
        raise ThemeError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except TomlFileError as exc:
        raise ThemeError(f"{path}: {exc}") from None
    return parse_theme(data, path)


@dataclass
class ThemeSet:
    """The themes that loaded, by name, and one message per file that did not."""

    themes: dict[str, Theme] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def load_themes(directories: Iterable[Path]) -> ThemeSet:
    """Every ``*.toml`` in ``directories`` (missing ones are fine), later ones winning."""
    found = ThemeSet()
    for directory in directories:
        try:
            files = sorted(directory.glob("*.toml")) if directory.is_dir() else []
        except OSError as exc:
            found.problems.append(f"{directory}: cannot be read: {exc.strerror or exc}")
            continue
        for path in files:
            try:
                theme = load_theme_file(path)
            except ThemeError as exc:
                found.problems.append(f"Theme not loaded: {exc}")
                continue
            found.themes[theme.name] = theme
    if DEFAULT_THEME not in found.themes:
        found.themes[DEFAULT_THEME] = replace(_FALLBACK, variables=derived_variables(_FALLBACK))
    return found


def _load_named(directories: Sequence[Path], name: str) -> Theme | None:
    """Theme ``name`` from the last of ``directories`` that has a file for it;
    ``None`` when none has, or that file is not a usable theme."""
    if not _NAME.match(name):
        return None
    for directory in reversed(directories):
        path = directory / f"{name}.toml"
        try:
            if not path.is_file():
                continue
            return load_theme_file(path)
        except (OSError, ThemeError):
            return None
    return None


def _choose(app: App[Any], name: str) -> None:
    """Make ``name`` the theme of an app that has not started.

    Setting :attr:`App.theme` makes Textual parse all the CSS a second time
    once the app runs (~10 ms before the first frame) because its variables
    might have changed since the first parse. Before the app runs there is no
    first parse: the stylesheet just takes the theme's variables. A light
    theme also needs Textual's ANSI colour mapping switched, which only
    setting :attr:`App.theme` does, so it takes that path."""
    theme = app.get_theme(name)
    if theme is None or not theme.dark or not app.current_theme.dark:
        app.theme = name
        return
    app.set_reactive(App.theme, name)
    app.set_class(True, f"-theme-{name}", update=False)
    app.stylesheet.set_variables(app.get_css_variables())


class AppThemes:
    """Registers the themes with the app, applies the chosen one and remembers a
    choice made in the command palette.

    Built in :meth:`App.__init__` (it reads the chosen theme's file, before the
    event loop runs) so the first frame already has the right colours;
    :meth:`start` runs in ``on_mount`` and reads the other files once the first
    frame is out. Textual's own themes are unregistered: they do not know the
    app's variables, and the theme picker lists only ours.
    """

    def __init__(
        self,
        app: App[Any],
        chosen: str,
        paths: Paths,
        *,
        remember: bool,
        directories: Iterable[Path] | None = None,
    ) -> None:
        self.app = app
        self.paths = paths
        self.remember = remember
        dirs = [bundled_themes_dir(), paths.themes_dir] if directories is None else directories
        self._dirs = list(dirs)
        self.problems: list[str] = []
        first = _load_named(self._dirs, chosen)
        self._rest_pending = first is not None
        """Only the chosen theme is read before the first frame; :meth:`start`
        reads the others (and reports bad files) once it is out."""
        if first is not None:
            app.register_theme(first)
            self.names = [chosen]
        else:  # missing or broken: read them all now, to fall back and say why
            loaded = load_themes(self._dirs)
            self.problems = loaded.problems
            for theme in loaded.themes.values():
                app.register_theme(theme)
            if chosen not in loaded.themes:
                known = ", ".join(sorted(loaded.themes))
                self.problems.append(
                    f"Unknown theme {chosen!r}; using {DEFAULT_THEME}. Available: {known}"
                )
                chosen = DEFAULT_THEME
            self.names = sorted(loaded.themes)
        _choose(app, chosen)
        for name in BUILTIN_THEMES:
            if name not in self.names:
                app.unregister_theme(name)
        self._saved = chosen
        """The theme in effect at start (from the config or ``--theme``) is never written."""
        self._lock = threading.Lock()

    def start(self) -> None:
        """Read the other themes after the first frame, show what went wrong
        while loading, and from now on remember palette choices."""
        if self._rest_pending:
            self.app.call_after_refresh(self._load_rest)
        else:
            self._report()
        self.app.theme_changed_signal.subscribe(self.app, self._changed)

    def _load_rest(self) -> None:
        self._rest_pending = False
        loaded = load_themes(self._dirs)
        for theme in loaded.themes.values():
            if theme.name != self.app.theme:
                self.app.register_theme(theme)
        self.names = sorted(loaded.themes)
        self.problems = loaded.problems
        self._report()

    def _report(self) -> None:
        for problem in self.problems:
            self.app.notify(problem, title="Theme", severity="warning", timeout=12, markup=False)

    def _changed(self, theme: Theme) -> None:
        if not self.remember or theme.name == self._saved:
            return
        self._saved = theme.name
        self.app.run_worker(self._save, thread=True, group="theme")

    def _save(self) -> None:
        """Write the latest choice; writes never overtake each other."""
        with self._lock:
            name = self._saved
            try:
                update_config_file(self.paths.config_file, lambda d: d.__setitem__("theme", name))
            except (ConfigError, OSError) as exc:
                self.app.call_from_thread(
                    self.app.notify,
                    f"Theme {name} is in use but could not be saved: {exc}",
                    severity="warning",
                    markup=False,
                )
