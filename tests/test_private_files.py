"""What deepseek-tui creates is private whatever the umask: directories 0700,
the database (and its -wal/-shm) and config.toml 0600; directories that were
already there keep their mode.

Each case runs in a child process started with ``umask 000``, the umask under
which a careless ``mkdir(parents=True)`` makes every parent 0777.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run_with_umask(code: str, umask: int, *args: str) -> dict[str, int]:
    """Run ``code`` in a child with ``umask``; it prints ``{path: mode}`` as JSON."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=lambda: os.umask(umask),
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    modes: dict[str, int] = json.loads(proc.stdout)
    return modes


MODES = """
import json, os, stat, sys
def modes(paths):
    return {p: stat.S_IMODE(os.stat(p).st_mode) for p in paths if os.path.exists(p)}
"""


@pytest.mark.parametrize("umask", [0o000, 0o277])
def test_database_and_its_new_directories_are_private(tmp_path: Path, umask: int) -> None:
    existing = tmp_path / "existing"
    existing.mkdir()
    existing.chmod(0o755)
    db = existing / "a" / "b" / "c" / "conversations.db"
    code = (
        MODES
        + """
from deepseek_tui.store import Store
db = sys.argv[1]
with Store.open(db).store as store:
    store.create_conversation(title="private")  # -wal and -shm exist while it is open
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(db))))
    dirs = [os.path.join(root, *parts) for parts in [(), ("a",), ("a", "b"), ("a", "b", "c")]]
    print(json.dumps(modes(dirs + [db, db + "-wal", db + "-shm"])))
"""
    )
    modes = run_with_umask(code, umask, str(db))
    assert modes.pop(str(existing)) == 0o755  # not ours: left as it was
    assert modes.pop(str(db)) == 0o600
    assert modes.pop(str(db) + "-wal") == 0o600
    assert modes.pop(str(db) + "-shm") == 0o600
    assert modes == {str(d): 0o700 for d in (db.parent.parent.parent, db.parent.parent, db.parent)}


def test_cli_under_umask_000_creates_nothing_open(tmp_path: Path) -> None:
    home = tmp_path / "x" / "y" / "home"
    code = (
        MODES
        + """
from deepseek_tui.cli import main
os.environ["DEEPSEEK_TUI_HOME"] = sys.argv[1]
with open(os.devnull, "w") as sys.stdout:
    assert main(["history"]) == 0
sys.stdout = sys.__stdout__
home = sys.argv[1]
print(json.dumps(modes([os.path.dirname(os.path.dirname(home)), os.path.dirname(home), home,
                        os.path.join(home, "conversations.db")])))
"""
    )
    modes = run_with_umask(code, 0, str(home))
    assert modes == {
        str(tmp_path / "x"): 0o700,
        str(tmp_path / "x" / "y"): 0o700,
        str(home): 0o700,
        str(home / "conversations.db"): 0o600,
    }


def test_config_file_and_its_new_directories_are_private(tmp_path: Path) -> None:
    config = tmp_path / "cfg" / "deepseek-tui" / "config.toml"
    code = (
        MODES
        + """
from pathlib import Path
from deepseek_tui.config import save_api_key
path = Path(sys.argv[1])
save_api_key(path, "deepseek", "sk-private")
print(json.dumps(modes([str(path.parent.parent), str(path.parent), str(path)])))
"""
    )
    modes = run_with_umask(code, 0, str(config))
    assert modes == {
        str(config.parent.parent): 0o700,
        str(config.parent): 0o700,
        str(config): 0o600,
    }
