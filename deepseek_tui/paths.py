"""Where deepseek-tui keeps its files.

One place resolves every path. ``DEEPSEEK_TUI_HOME`` puts config and data in one
directory (tests, portable installs); otherwise platformdirs picks the user's
config and data directories. Nothing is created here: callers create what they
write, when they write it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

APP_NAME = "deepseek-tui"
HOME_ENV = "DEEPSEEK_TUI_HOME"


class Paths(NamedTuple):  # cheaper to create than a dataclass, at every start
    """The files and directories in use."""

    config_dir: Path
    data_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def database(self) -> Path:
        return self.data_dir / "conversations.db"

    @property
    def themes_dir(self) -> Path:
        return self.config_dir / "themes"

    @classmethod
    def resolve(cls, env: Mapping[str, str] | None = None) -> Paths:
        """Paths from ``DEEPSEEK_TUI_HOME`` when set, else the platform's user dirs."""
        env = os.environ if env is None else env
        home = env.get(HOME_ENV, "").strip()
        if home:
            root = Path(home).expanduser()
            return cls(config_dir=root, data_dir=root)
        import platformdirs

        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        )


def bundled_themes_dir() -> Path:
    """The themes shipped with the app.

    In a wheel they sit inside the package (``deepseek_tui/_themes``); in a
    source checkout or an editable install they are the repository's top-level
    ``themes/``.
    """
    package = Path(__file__).resolve().parent
    inside = package / "_themes"
    if inside.is_dir():
        return inside
    return package.parent / "themes"


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents, each 0700 whatever the umask.

    Only the directories created here get that mode: one that already exists
    (the user's ``~/.local/share``, a shared ``DEEPSEEK_TUI_HOME``) is left as
    it is. ``mkdir(parents=True)`` would make the parents with the umask's
    mode instead, 0777 under ``umask 000``. (The XDG spec asks for 0700 too.)
    """
    missing: list[Path] = []
    current = path
    while not current.is_dir() and current.parent != current:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)  # never wider than 0700, whatever the umask
        except FileExistsError:
            continue  # made by someone else meanwhile (or a file: the next step says so)
        os.chmod(directory, 0o700)  # a umask such as 0277 narrows it further
