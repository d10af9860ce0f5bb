"""Settings: read ``config.toml``, apply the environment and flags, validate.

Precedence, lowest first: built-in defaults, ``config.toml``, environment
(``DEEPSEEK_API_KEY``, ``DEEPSEEK_BASE_URL``), command-line flags. The result is
a frozen :class:`Settings`; nothing else in the app reads the file or the
environment for these values.

A bad file stops with one :class:`ConfigError` naming the file, the line or key,
and what is allowed; the file itself is never rewritten by a failed load.
Writing (:func:`update_config_file`) is atomic and private (0600 file, 0700
directory) because the file may hold an API key. The key is never part of a
``repr``, a message or a log line; :func:`mask_key` is how it is shown.
"""

from __future__ import annotations

import contextlib
import difflib
import math
import os
import stat
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from deepseek_tui import params, stops
from deepseek_tui.apikey import key_problem
from deepseek_tui.budget import Budget, parse_budget
from deepseek_tui.paths import Paths, ensure_private_dir
from deepseek_tui.tomlfile import TomlFileError, read_toml
from deepseek_tui.tools import McpServerConfig, ToolsConfig
from deepseek_tui.tools.settings import parse_servers, parse_tools
from deepseek_tui.urls import normalize_base_url

DEEPSEEK_BASE_URL = "https://api.deepseek.com"
KEY_ENV = "DEEPSEEK_API_KEY"
BASE_URL_ENV = "DEEPSEEK_BASE_URL"
DEFAULT_PROVIDER = "deepseek"
DEFAULT_THEME = "deepseek-dark"
PROVIDER_KINDS = ("deepseek", "openai-compatible")
CONFIG_MAX_BYTES = 1024 * 1024
"""A config file is a few kilobytes; anything over this is refused unread."""


class ConfigError(Exception):
    """The configuration cannot be used; ``str()`` is one line for a person."""


class BadOverride(ConfigError):
    """A command-line flag or an environment variable (not the file) holds a
    value that cannot be used; ``flag`` says whether it was a flag (a usage error)."""

    def __init__(self, message: str, *, flag: bool) -> None:
        super().__init__(message)
        self.flag = flag


class UnknownProvider(ConfigError):
    """``--provider NAME`` names no configured provider (a usage error, exit 2)."""


# --- typed settings ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Provider:
    """An OpenAI-compatible host that serves DeepSeek models."""

    name: str
    base_url: str
    api_key: str | None = field(default=None, repr=False)
    api_key_env: str | None = KEY_ENV
    models: tuple[str, ...] = ()
    model: str | None = None
    kind: str | None = None
    """``deepseek`` (DeepSeek's own API rules) or ``openai-compatible``; derived
    from the base URL when not set."""
    temperature_max: float | None = None
    """The host's upper bound for ``temperature`` when narrower than DeepSeek's
    0–2 (the V3.2 aggregator takes 0–1): a higher setting is sent as this bound,
    with a note, rather than earning a 400 on every turn."""

    @property
    def catalog_host(self) -> str:
        """Which host's model rules apply: ``deepseek`` or ``*`` (any other)."""
        kind = self.kind or (
            "deepseek" if urlsplit(self.base_url).hostname == "api.deepseek.com" else None
        )
        return "deepseek" if kind == "deepseek" else "*"


@dataclass(frozen=True, slots=True)
class Generation:
    """Defaults for a new conversation; ``None`` means "the model's own default".

    One field per key of :data:`deepseek_tui.params.GENERATION_KEYS` (a test checks)."""

    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    system_prompt: str = ""
    thinking: bool | None = None
    effort: str | None = None
    json_mode: bool = False
    stop: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A TOML array arrives as a list: kept as a tuple, so settings stay hashable.
        object.__setattr__(self, "stop", tuple(self.stop))


class Network(NamedTuple):  # NamedTuples: cheaper to create than dataclasses
    """Deadlines (seconds) and retries; defaults fit DeepSeek's 10-minute queue."""

    connect_timeout: float = 10.0
    read_timeout: float = 300.0
    first_token_timeout: float = 660.0
    idle_timeout: float = 120.0
    total_timeout: float = 1800.0
    max_retries: int = 2


class UI(NamedTuple):
    collapse_reasoning: bool = True
    show_reasoning: bool = True


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app was configured with, after precedence is applied."""

    provider: str = DEFAULT_PROVIDER
    providers: Mapping[str, Provider] = field(default_factory=dict)
    model: str | None = None
    theme: str = DEFAULT_THEME
    generation: Generation = Generation()
    network: Network = Network()
    ui: UI = UI()
    keys: Mapping[str, str] = field(default_factory=dict)
    models: tuple[Mapping[str, Any], ...] = ()
    """Model catalog additions and overrides, validated by the catalog."""
    mcp: tuple[McpServerConfig, ...] = ()
    """The ``[mcp.NAME]`` servers, in the file's order."""
    tools: ToolsConfig = ToolsConfig()
    budget: Budget = Budget()
    """The ``[budget]`` spending caps (see :mod:`deepseek_tui.budget`)."""
    source: Path | None = None
    notices: tuple[str, ...] = ()
    """Warnings found while loading (e.g. a config file readable by others)."""

    @property
    def active(self) -> Provider:
        return self.providers[self.provider]

    def api_key(self, env: Mapping[str, str] | None = None) -> str | None:
        """The active provider's key: its environment variable wins over the file."""
        env = os.environ if env is None else env
        p = self.active
        if p.api_key_env and env.get(p.api_key_env, "").strip():
            return env[p.api_key_env].strip()
        return p.api_key or None

    def api_key_problem(self, env: Mapping[str, str] | None = None) -> str | None:
        """Why the active key cannot be sent (one line naming its origin), or None."""
        key = self.api_key(env)
        if key is None:
            return None
        return key_problem(key, f" in {self.api_key_origin(env)}", "set it again")

    def api_key_variable(self, env: Mapping[str, str] | None = None) -> str | None:
        """The environment variable :meth:`api_key` comes from, or None (the file)."""
        env = os.environ if env is None else env
        name = self.active.api_key_env
        return name if name and env.get(name, "").strip() else None

    def api_key_origin(self, env: Mapping[str, str] | None = None) -> str:
        """Where :meth:`api_key` comes from, for messages (never the key itself)."""
        return (
            self.api_key_variable(env)
            or f"[providers.{self.active.name}] api_key of the config file"
        )


def mask_key(key: str | None) -> str:
    """Show a key as ``sk-…abcd``: enough to recognise it, never enough to use it."""
    if not key:
        return "(none)"
    prefix = "sk-" if key.startswith("sk-") else ""
    tail = key[-4:] if len(key) >= 12 else ""
    return f"{prefix}…{tail}"


# --- schema --------------------------------------------------------------------


class _Field(NamedTuple):  # a NamedTuple: cheaper to create than a dataclass
    kind: str  # str, bool, int, float, str_list
    allowed: str
    check: Callable[[Any], bool] | None = None
    param: params.Param | None = None
    """A sampling parameter: its table row checks the value and says why not."""


def _rng(lo: float, hi: float) -> Callable[[Any], bool]:
    return lambda v: lo <= v <= hi


def _one_of(*options: str) -> Callable[[Any], bool]:
    return lambda v: v in options


def _url_ok(v: Any) -> bool:
    try:
        normalize_base_url(v)
    except ValueError:
        return False
    return True


_TEMPERATURE = params.by_name("temperature")
_EFFORTS = f"{', '.join(params.EFFORTS[:-1])} or {params.EFFORTS[-1]}"
_TOP: dict[str, _Field] = {
    "provider": _Field("str", "the name of a [providers.NAME] table"),
    "model": _Field("str", "a model id, e.g. deepseek-flash"),
    "theme": _Field("str", "a theme name, e.g. deepseek-dark"),
}
_GENERATION: dict[str, _Field] = {
    **{p.name: _Field(p.kind.__name__, p.expected, param=p) for p in params.PARAMS},
    "system_prompt": _Field("str", "text"),
    "thinking": _Field("bool", "true or false"),
    "effort": _Field("str", _EFFORTS, _one_of(*params.EFFORTS)),
    "json_mode": _Field("bool", "true or false"),
    "stop": _Field(
        "str_list",
        f"a list of up to {stops.MAX_STOPS} non-empty strings",
        lambda v: stops.check(v) is None,
    ),
}
_NETWORK: dict[str, _Field] = {
    "connect_timeout": _Field("float", "seconds, from 1 to 600", _rng(1, 600)),
    "read_timeout": _Field("float", "seconds, from 1 to 3600", _rng(1, 3600)),
    "first_token_timeout": _Field("float", "seconds, from 1 to 7200", _rng(1, 7200)),
    "idle_timeout": _Field("float", "seconds, from 1 to 3600", _rng(1, 3600)),
    "total_timeout": _Field("float", "seconds, from 1 to 86400", _rng(1, 86400)),
    "max_retries": _Field("int", "a whole number from 0 to 5", _rng(0, 5)),
}
_UI: dict[str, _Field] = {
    "collapse_reasoning": _Field("bool", "true or false"),
    "show_reasoning": _Field("bool", "true or false"),
}
_PROVIDER: dict[str, _Field] = {
    "base_url": _Field("str", "an http(s) URL, with or without /v1", _url_ok),
    "api_key": _Field("str", "an API key (prefer api_key_env)"),
    "api_key_env": _Field("str", "the name of an environment variable"),
    "models": _Field("str_list", "a list of model ids"),
    "model": _Field("str", "a model id this provider serves"),
    "kind": _Field("str", " or ".join(PROVIDER_KINDS), _one_of(*PROVIDER_KINDS)),
    "temperature_max": _Field("float", _TEMPERATURE.expected, param=_TEMPERATURE),
}
_TABLES = ("generation", "network", "ui", "keys", "providers", "models", "mcp", "tools", "budget")
# fmt: off
KEY_IDS = tuple(sorted((
    "send", "newline",  # the prompt
    "stop", "retry", "new", "conversations", "sidebar", "reasoning", "bottom", "regenerate",
    "previous-alternative", "next-alternative", "edit-prompt", "copy-answer", "copy-code",
    "continue-answer", "export", "attach", "attachment-remove", "top", "find",  # the chat
    "message-previous", "message-next", "find-next", "find-previous", "find-close",
    "help", "quit", "palette",  # the app
    "conversations-up", "conversations-down", "conversations-rename", "conversations-delete",
    "conversations-undo", "conversations-new", "conversations-close",  # the conversations panel
    "close-help", "confirm-cancel", "first-run-cancel", "path-cancel", "rename-cancel",  # dialogs
    "tool-run", "tool-always", "tool-decline",  # the bar under tool calls that wait
)))
# fmt: on
"""The ids a ``[keys]`` table may remap: every ``Binding(id=...)`` in the TUI,
which this module cannot import (a test checks that the two agree)."""


class _Validator:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> ConfigError:
        return ConfigError(f"{self.path}: {where}: {message}")

    def table(self, data: Any, where: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(where, "must be a table")
        return data

    def fields(self, data: dict[str, Any], schema: dict[str, _Field], where: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key not in schema:
                raise self.unknown(key, list(schema), where)
            out[key] = self.value(value, schema[key], f"{where}{key}" if where else key)
        return out

    def unknown(self, key: str, allowed: list[str], where: str) -> ConfigError:
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        section = f"[{where.rstrip('.')}]" if where else "the top level"
        return self.fail(
            f"{where}{key}",
            f"unknown key in {section}{hint}; allowed: {', '.join(allowed)}",
        )

    def value(self, value: Any, spec: _Field, name: str) -> Any:
        kind = spec.kind
        shown = _show(value)
        if spec.param is not None:
            error = params.check(spec.param, value)
            if error:
                raise self.fail(name, f"{shown} is {error}")
            return float(value) if kind == "float" else value
        ok: bool
        if kind == "float":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if ok:
                value = float(value)
                ok = math.isfinite(value)
        elif kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif kind == "bool":
            ok = isinstance(value, bool)
        elif kind == "str":
            ok = isinstance(value, str)
        elif kind == "str_list":
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        else:  # pragma: no cover - schema typo
            raise AssertionError(kind)
        if not ok:
            raise self.fail(name, f"{shown} is not allowed here; expected {spec.allowed}")
        if spec.check is not None and not spec.check(value):
            raise self.fail(name, f"{shown} is out of range; allowed: {spec.allowed}")
        return value


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _unknown_key_id(path: Path, action: str) -> str:
    close = difflib.get_close_matches(action, KEY_IDS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return (
        f"warning: {path}: keys.{action}: no key has this id, so it is ignored{hint}; "
        f"the ids are {', '.join(KEY_IDS)}"
    )


def _default_providers() -> dict[str, Provider]:
    return {DEFAULT_PROVIDER: Provider(name=DEFAULT_PROVIDER, base_url=DEEPSEEK_BASE_URL)}


def parse_config(raw: Mapping[str, Any], path: Path) -> Settings:
    """Validate a parsed ``config.toml`` into :class:`Settings` (no env, no flags)."""
    v = _Validator(path)
    top: dict[str, Any] = {}
    tables: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _TABLES:
            tables[key] = value
        elif key in _TOP:
            top[key] = v.value(value, _TOP[key], key)
        else:
            raise v.unknown(key, [*_TOP, *_TABLES], "")

    generation = Generation(
        **v.fields(v.table(tables.get("generation", {}), "generation"), _GENERATION, "generation.")
    )
    network = Network(
        **v.fields(v.table(tables.get("network", {}), "network"), _NETWORK, "network.")
    )
    ui = UI(**v.fields(v.table(tables.get("ui", {}), "ui"), _UI, "ui."))

    keys: dict[str, str] = {}
    notices: list[str] = []
    for action, binding in v.table(tables.get("keys", {}), "keys").items():
        if not isinstance(binding, str) or not binding.strip():
            raise v.fail(f"keys.{action}", 'expected a key name such as "ctrl+j"')
        if action in KEY_IDS:
            keys[action] = binding.strip()
        else:  # a warning, not an error: the rest of the keymap still works
            notices.append(_unknown_key_id(path, action))

    providers = _default_providers()
    for name, body in v.table(tables.get("providers", {}), "providers").items():
        where = f"providers.{name}"
        fields = v.fields(v.table(body, where), _PROVIDER, where + ".")
        base = providers.get(name)
        if base is None and "base_url" not in fields:
            raise v.fail(where, "a new provider needs base_url")
        if "base_url" in fields:
            fields["base_url"] = normalize_base_url(fields["base_url"])
        if "models" in fields:
            fields["models"] = tuple(fields["models"])
        providers[name] = replace(base, **fields) if base else Provider(name=name, **fields)

    provider = top.get("provider", DEFAULT_PROVIDER)
    if provider not in providers:
        raise v.fail(
            "provider",
            f"{provider!r} is not a configured provider; known: {', '.join(providers)}",
        )

    models_raw = tables.get("models", [])
    if not isinstance(models_raw, list) or not all(isinstance(m, dict) for m in models_raw):
        raise v.fail("models", "expected [[models]] tables (see the model catalog)")

    return Settings(
        provider=provider,
        providers=providers,
        model=top.get("model"),
        theme=top.get("theme", DEFAULT_THEME),
        generation=generation,
        network=network,
        ui=ui,
        keys=keys,
        models=tuple(models_raw),
        mcp=parse_servers(tables.get("mcp", {}), v),
        tools=parse_tools(tables.get("tools", {}), v),
        budget=parse_budget(tables.get("budget", {}), v),
        source=path,
        notices=tuple(notices),
    )


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse ``path`` as TOML; a missing file is an empty config."""
    try:
        return read_toml(path, limit=CONFIG_MAX_BYTES)
    except FileNotFoundError:
        return {}
    except TomlFileError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def load_settings(
    paths: Paths,
    env: Mapping[str, str] | None = None,
    *,
    model: str | None = None,
    base_url: str | None = None,
    theme: str | None = None,
    provider: str | None = None,
) -> Settings:
    """Defaults, then the file, then the environment, then flags.

    ``provider`` (``--provider NAME``) picks one of the configured providers for
    this run; an unknown name raises :class:`UnknownProvider` listing the known
    ones. Because a flag beats the environment, ``DEEPSEEK_BASE_URL`` does not
    re-point a provider chosen by name (``--base-url`` still does), and the
    chosen provider's own ``model`` wins over the file's top-level ``model``,
    which was written for the default provider.
    """
    env = os.environ if env is None else env
    path = paths.config_file
    settings = parse_config(read_config_file(path), path)
    if provider is not None:
        if provider not in settings.providers:
            known = ", ".join(sorted(settings.providers))
            raise UnknownProvider(
                f"--provider: {provider!r} is not a configured provider; known: {known}"
                f" (add a [providers.{provider}] table to {path})"
            )
        chosen = settings.providers[provider]
        settings = replace(
            settings,
            provider=provider,
            model=None if chosen.model and provider != settings.provider else settings.model,
        )

    notices = list(settings.notices)
    if path.exists() and os.name == "posix":
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            notices.append(
                f"warning: {path} is readable by other users (mode {mode:o}); "
                f"it may hold an API key: run chmod 600 {path}"
            )

    url = base_url or (None if provider else env.get(BASE_URL_ENV, "").strip() or None)
    if url:
        source = "--base-url" if base_url else BASE_URL_ENV
        try:
            url = normalize_base_url(url)
        except ValueError as exc:
            raise BadOverride(f"{source}: {exc}", flag=bool(base_url)) from None
        providers = dict(settings.providers)
        providers[settings.provider] = replace(settings.active, base_url=url)
        settings = replace(settings, providers=providers)
    if model:
        settings = replace(settings, model=model)
    if theme:
        settings = replace(settings, theme=theme)
    return replace(settings, notices=tuple(notices))


# --- writing -------------------------------------------------------------------


def write_private_file(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically with ``data``, readable by the owner only.

    The temporary file lives in the same directory (so ``os.replace`` is atomic),
    is created 0600 whatever the umask, and is fsynced before the rename; a crash
    leaves either the old file or the new one, never a mix.
    """
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def update_config_file(path: Path, update: Callable[[dict[str, Any]], None]) -> None:
    """Read the file, let ``update`` change the parsed data, validate, write atomically.

    The result is validated before anything is written, so a bad change never
    reaches the disk; a file that does not parse is left alone.
    """
    import tomli_w

    data = read_config_file(path)
    update(data)
    parse_config(data, path)
    write_private_file(path, tomli_w.dumps(data).encode("utf-8"))


def save_api_key(path: Path, provider: str, key: str) -> None:
    """Store ``key`` for ``provider`` in the config file (0600)."""

    def change(data: dict[str, Any]) -> None:
        providers = data.setdefault("providers", {})
        providers.setdefault(provider, {})["api_key"] = key

    update_config_file(path, change)
