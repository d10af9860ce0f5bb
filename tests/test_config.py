"""Config loading, precedence, validation and private atomic writes, on real files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from deepseek_tui.config import (
    ConfigError,
    UnknownProvider,
    load_settings,
    mask_key,
    normalize_base_url,
    save_api_key,
    update_config_file,
)
from deepseek_tui.paths import Paths

KEY = "sk-0123456789abcdef0123456789abcdef"


def write(home: Path, text: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    path.chmod(0o600)
    return path


def test_defaults_without_a_file(home: Path) -> None:
    s = load_settings(Paths.resolve(), env={})
    assert s.provider == "deepseek"
    assert s.active.base_url == "https://api.deepseek.com"
    assert s.active.catalog_host == "deepseek"
    assert s.api_key(env={}) is None
    assert s.model is None
    assert not (home / "config.toml").exists(), "loading must not create the file"


def test_paths_follow_deepseek_tui_home(home: Path) -> None:
    p = Paths.resolve()
    assert p.config_file == home / "config.toml"
    assert p.database == home / "conversations.db"
    assert p.themes_dir == home / "themes"


def test_paths_without_home_use_platform_dirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    p = Paths.resolve(env={})
    if sys.platform.startswith("linux"):
        assert p.config_file == tmp_path / "cfg" / "deepseek-tui" / "config.toml"
        assert p.database == tmp_path / "data" / "deepseek-tui" / "conversations.db"
    assert p.config_dir != p.data_dir or sys.platform == "darwin"


def test_full_file_is_read(home: Path) -> None:
    write(
        home,
        """
        provider = "reseller"
        model = "deepseek-ai/DeepSeek-R1"
        theme = "warm"

        [generation]
        temperature = 0.7
        top_p = 0.9
        max_tokens = 4096
        presence_penalty = -0.5
        frequency_penalty = 1
        system_prompt = "Be brief."
        thinking = false
        effort = "max"

        [network]
        connect_timeout = 5
        max_retries = 0

        [keys]
        send = "ctrl+enter"

        [providers.reseller]
        base_url = "http://127.0.0.1:9/v1/"
        api_key_env = "RESELLER_KEY"
        models = ["deepseek-ai/DeepSeek-R1"]
        """,
    )
    s = load_settings(Paths.resolve(), env={"RESELLER_KEY": "sk-reseller-key-0001"})
    assert s.provider == "reseller"
    assert s.active.base_url == "http://127.0.0.1:9/v1"
    assert s.active.catalog_host == "*"
    assert s.active.models == ("deepseek-ai/DeepSeek-R1",)
    assert s.api_key(env={"RESELLER_KEY": "sk-reseller-key-0001"}) == "sk-reseller-key-0001"
    assert s.model == "deepseek-ai/DeepSeek-R1"
    assert s.theme == "warm"
    g = s.generation
    assert (g.temperature, g.top_p, g.max_tokens) == (0.7, 0.9, 4096)
    assert (g.presence_penalty, g.frequency_penalty) == (-0.5, 1.0)
    assert (g.system_prompt, g.thinking, g.effort) == ("Be brief.", False, "max")
    assert s.network.connect_timeout == 5.0 and s.network.max_retries == 0
    assert s.keys == {"send": "ctrl+enter"}
    assert "deepseek" in s.providers, "the built-in provider stays available"


def test_precedence_file_then_env_then_flags(home: Path) -> None:
    write(
        home,
        """
        model = "deepseek-v4-pro"
        theme = "light"
        [providers.deepseek]
        api_key = "sk-from-file-000000000"
        base_url = "https://file.example/v1"
        """,
    )
    env = {
        "DEEPSEEK_API_KEY": "sk-from-env-1111111111",
        "DEEPSEEK_BASE_URL": "https://env.example/",
    }
    s = load_settings(Paths.resolve(), env=env)
    assert s.api_key(env=env) == "sk-from-env-1111111111"
    assert s.active.base_url == "https://env.example"
    assert s.model == "deepseek-v4-pro"

    s = load_settings(
        Paths.resolve(),
        env=env,
        model="deepseek-flash",
        base_url="http://127.0.0.1:8080/v1",
        theme="contrast",
    )
    assert s.model == "deepseek-flash"
    assert s.active.base_url == "http://127.0.0.1:8080/v1"
    assert s.theme == "contrast"

    s = load_settings(Paths.resolve(), env={})
    assert s.api_key(env={}) == "sk-from-file-000000000"
    assert s.active.base_url == "https://file.example/v1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[generation\n", ["config.toml", "invalid TOML", "line 1"]),
        ("[generation]\ntemprature = 1\n", ["generation.temprature", "did you mean 'temperature'"]),
        ("[generation]\ntemperature = 2.5\n", ["generation.temperature", "2.5", "0 to 2"]),
        ('[generation]\ntemperature = "hot"\n', ["generation.temperature", "'hot'", "a number"]),
        ("[generation]\nmax_tokens = 1.5\n", ["generation.max_tokens", "whole number"]),
        ('[generation]\neffort = "medium"\n', ["generation.effort", "low, high or max"]),
        ('[generation]\nthinking = "yes"\n', ["generation.thinking", "true or false"]),
        ('provider = "nowhere"\n', ["provider", "'nowhere'", "deepseek"]),
        ("colour = 1\n", ["colour", "unknown key", "allowed"]),
        ("[providers.x]\nmodels = []\n", ["providers.x", "base_url"]),
        ('[providers.deepseek]\nbase_url = "ftp://x"\n', ["providers.deepseek.base_url", "http"]),
        ('[providers.deepseek]\nbase_url = "http://h:abc"\n', ["providers.deepseek.base_url"]),
        ("[network]\nmax_retries = 9\n", ["network.max_retries", "0 to 5"]),
        ("generation = 3\n", ["generation", "table"]),
    ],
)
def test_bad_file_gives_one_clear_message_and_is_untouched(
    home: Path, text: str, expected: list[str]
) -> None:
    path = write(home, text)
    before = path.read_bytes()
    with pytest.raises(ConfigError) as err:
        load_settings(Paths.resolve(), env={})
    message = str(err.value)
    assert "\n" not in message
    assert str(path) in message
    for part in expected:
        assert part in message
    assert path.read_bytes() == before


def test_bad_base_url_in_environment(home: Path) -> None:
    with pytest.raises(ConfigError, match="DEEPSEEK_BASE_URL"):
        load_settings(Paths.resolve(), env={"DEEPSEEK_BASE_URL": "not a url"})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://api.deepseek.com", "https://api.deepseek.com"),
        ("https://api.deepseek.com/", "https://api.deepseek.com"),
        ("https://api.deepseek.com/v1", "https://api.deepseek.com/v1"),
        ("https://api.deepseek.com/v1/", "https://api.deepseek.com/v1"),
        ("https://host/v1/chat/completions", "https://host/v1"),
        ("  http://127.0.0.1:8000  ", "http://127.0.0.1:8000"),
        ("http://[::1]:8000/v1", "http://[::1]:8000/v1"),
        ("https://bücher.example", "https://bücher.example"),
    ],
)
def test_base_urls_with_or_without_v1(given: str, expected: str) -> None:
    assert normalize_base_url(given) == expected


def test_mask_key_never_reveals_the_key() -> None:
    assert mask_key(KEY) == "sk-…cdef"
    assert mask_key("short") == "…"
    assert mask_key(None) == "(none)"
    assert KEY[3:-4] not in mask_key(KEY)


def test_key_is_not_in_repr(home: Path) -> None:
    write(home, f'[providers.deepseek]\napi_key = "{KEY}"\n')
    s = load_settings(Paths.resolve(), env={})
    assert KEY not in repr(s)
    assert KEY not in str(s.active)


def test_write_is_private_and_atomic(home: Path) -> None:
    path = home / "config.toml"
    save_api_key(path, "deepseek", KEY)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    s = load_settings(Paths.resolve(), env={})
    assert s.api_key(env={}) == KEY
    assert [p.name for p in home.iterdir()] == ["config.toml"], "no temp files left behind"


def test_update_keeps_other_settings_and_rejects_bad_changes(home: Path) -> None:
    path = write(home, 'theme = "light"\n[generation]\ntemperature = 0.5\n')

    def good(data: dict[str, object]) -> None:
        data["model"] = "deepseek-v4-pro"

    update_config_file(path, good)
    s = load_settings(Paths.resolve(), env={})
    assert (s.theme, s.model, s.generation.temperature) == ("light", "deepseek-v4-pro", 0.5)

    before = path.read_bytes()

    def bad(data: dict[str, object]) -> None:
        data["generation"] = {"temperature": 9}

    with pytest.raises(ConfigError):
        update_config_file(path, bad)
    assert path.read_bytes() == before


def test_unparsable_file_is_never_rewritten(home: Path) -> None:
    path = write(home, "this is = = not toml\n")
    before = path.read_bytes()
    with pytest.raises(ConfigError):
        save_api_key(path, "deepseek", KEY)
    assert path.read_bytes() == before


def test_readable_config_gives_a_warning(home: Path) -> None:
    path = write(home, 'theme = "light"\n')
    path.chmod(0o644)
    s = load_settings(Paths.resolve(), env={})
    assert any("readable by other users" in n and "chmod 600" in n for n in s.notices)
    path.chmod(0o600)
    assert load_settings(Paths.resolve(), env={}).notices == ()


def test_private_write_under_umask_000(tmp_path: Path) -> None:
    """A fresh process with umask 000 still creates a 0600 file in a 0700 directory."""
    target = tmp_path / "fresh" / "config.toml"
    code = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        os.umask(0)
        from deepseek_tui.config import save_api_key
        save_api_key(Path({str(target)!r}), "deepseek", "sk-umask-test-0000")
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert os.path.getsize(target) > 0


PROFILES = """
    model = "deepseek-flash"

    [providers.reseller]
    base_url = "https://reseller.example/v1"
    api_key_env = "RESELLER_API_KEY"
    kind = "openai-compatible"
    model = "deepseek-ai/DeepSeek-R1"

    [providers.aggregator]
    base_url = "https://aggregator.example"
    kind = "openai-compatible"
    temperature_max = 1.0

    [providers.bare]
    base_url = "https://bare.example"
"""


def test_provider_flag_picks_a_profile(home: Path) -> None:
    write(home, PROFILES)
    env = {"DEEPSEEK_BASE_URL": "http://127.0.0.1:1", "RESELLER_API_KEY": "sk-reseller-0000"}
    default = load_settings(Paths.resolve(), env=env)
    assert default.provider == "deepseek" and default.active.base_url == "http://127.0.0.1:1"
    assert default.active.temperature_max is None
    s = load_settings(Paths.resolve(), env=env, provider="reseller")
    assert s.provider == "reseller"
    # A profile chosen by name is not re-pointed by the environment ...
    assert s.active.base_url == "https://reseller.example/v1"
    assert s.active.catalog_host == "*"
    assert s.api_key(env=env) == "sk-reseller-0000"
    # ... and its own model beats the top-level one written for DeepSeek.
    assert s.model is None and s.active.model == "deepseek-ai/DeepSeek-R1"
    agg = load_settings(Paths.resolve(), env=env, provider="aggregator")
    assert agg.active.temperature_max == 1.0
    assert agg.model == "deepseek-flash", "no model of its own: the top-level one stays"
    flagged = load_settings(
        Paths.resolve(), env=env, provider="bare", base_url="http://127.0.0.1:2"
    )
    assert flagged.active.base_url == "http://127.0.0.1:2", "--base-url still applies"


def test_unknown_provider_flag_lists_the_known_ones(home: Path) -> None:
    write(home, PROFILES)
    with pytest.raises(UnknownProvider, match="known: aggregator, bare, deepseek, reseller"):
        load_settings(Paths.resolve(), env={}, provider="resler")


@pytest.mark.parametrize("value", ["3.0", "-1", '"one"'])
def test_temperature_max_is_validated(home: Path, value: str) -> None:
    path = write(home, f"[providers.deepseek]\ntemperature_max = {value}\n")
    with pytest.raises(ConfigError, match="providers.deepseek.temperature_max"):
        load_settings(Paths.resolve(), env={})
    assert path.read_text() == f"[providers.deepseek]\ntemperature_max = {value}\n"


# --- hostile config files: deep nesting, pipes, devices, huge files ---------------


def _cli_capped(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m deepseek_tui ARGS`` with 30 s and 2 GiB of address space, so a
    regression that waits on a pipe or reads ``/dev/zero`` fails the test
    instead of hanging it or exhausting the machine."""
    import resource

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPSEEK_")}
    env.update(DEEPSEEK_TUI_HOME=str(home), PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "deepseek_tui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        preexec_fn=cap,
    )


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 100_000 + "]" * 100_000,
        "a = " + "{b = " * 100_000 + "}" * 100_000,
        "[[models]]\nid = 'x'\nz = " + "[" * 40 + "]" * 40,
    ],
    ids=["arrays-100k", "inline-tables-100k", "models-40"],
)
def test_deeply_nested_config_stops_with_one_line(home: Path, text: str) -> None:
    """tomllib recurses once per level: 100,000 levels must not be a
    RecursionError traceback, and what does parse is capped too, so nothing that
    walks the data later (writing it back, the catalog) meets a value it cannot."""
    path = write(home, text + "\n")
    before = path.read_bytes()
    for args in (["history"], ["ask", "hi"]):
        r = _cli_capped(home, *args)
        assert r.returncode == 1, r.stderr
        assert r.stderr.count("\n") == 1, r.stderr
        assert f"{path}: is nested too deeply" in r.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory"])
def test_config_that_is_not_a_regular_file_stops_at_once(home: Path, kind: str) -> None:
    home.mkdir()
    path = home / "config.toml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    r = _cli_capped(home, "history")
    assert r.returncode == 1, r.stderr
    assert r.stderr.count("\n") == 1, r.stderr
    assert f"{path}: is a " in r.stderr and "not a regular file" in r.stderr
    assert stat.S_ISREG(os.stat(path).st_mode) is False, "left as it was"


def test_huge_config_is_refused_unread(home: Path) -> None:
    path = write(home, "# padding\n" * 120_000)
    r = _cli_capped(home, "history")
    assert r.returncode == 1, r.stderr
    assert f"{path}: is larger than 1 MiB" in r.stderr


# --- [keys] --------------------------------------------------------------------------


def test_unknown_key_id_is_a_warning_naming_it_and_the_ids(run_cli, home: Path) -> None:
    """A typo in ``[keys]`` is reported once, with the ids that exist, and
    ignored: the rest of the keymap (and every command) still works."""
    write(home, '[keys]\nno_such_action = "f9"\nsidebr = "f3"\nsidebar = "f2"\n')
    r = run_cli("history")
    assert r.code == 0, r.stderr
    warnings = [line for line in r.stderr.splitlines() if line.startswith("deepseek-tui: warning")]
    assert len(warnings) == 2, r.stderr
    unknown, typo = warnings
    assert "config.toml: keys.no_such_action: no key has this id, so it is ignored" in unknown
    assert "keys.sidebr" in typo and "did you mean 'sidebar'?" in typo
    for line in warnings:
        assert "the ids are attach, " in line and ", send, sidebar, stop" in line
    settings = load_settings(Paths.resolve(), env={})
    assert settings.keys == {"sidebar": "f2"}
    assert len(settings.notices) == 2
