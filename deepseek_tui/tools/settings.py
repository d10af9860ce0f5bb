"""The ``[mcp.NAME]`` and ``[tools]`` tables of ``config.toml``.

:mod:`deepseek_tui.config` hands each table here with its validator, so a bad
value stops the load with the same one line as every other key: the file, the
key, what was found and what is allowed.
"""

from __future__ import annotations

import math
import re
from typing import Any, Protocol
from urllib.parse import urlsplit

from deepseek_tui.tools import McpServerConfig, ToolsConfig


class Checks(Protocol):
    """What this module needs of the config's validator."""

    def fail(self, where: str, message: str) -> Exception: ...

    def unknown(self, key: str, allowed: list[str], where: str) -> Exception: ...


SERVER_KEYS = ("command", "url", "env", "enabled", "trust")
TOOLS_KEYS = ("max_rounds", "call_timeout", "result_limit")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")


def parse_tools(raw: Any, v: Checks) -> ToolsConfig:
    """``[tools]``: limits of the tool loop."""
    table = _table(raw, "tools", v)
    values: dict[str, Any] = {}
    for key, value in table.items():
        where = f"tools.{key}"
        if key == "max_rounds":
            values[key] = _number(
                value, where, v, whole=True, lo=1, hi=1000, allowed="a whole number from 1 to 1000"
            )
        elif key == "call_timeout":
            values[key] = float(
                _number(
                    value,
                    where,
                    v,
                    whole=False,
                    lo=0,
                    hi=86400,
                    allowed="seconds, more than 0 and at most 86400",
                    above=True,
                )
            )
        elif key == "result_limit":
            values[key] = _number(
                value,
                where,
                v,
                whole=True,
                lo=100,
                hi=10_000_000,
                allowed="a number of characters from 100 to 10000000",
            )
        else:
            raise v.unknown(key, list(TOOLS_KEYS), "tools.")
    return ToolsConfig(**values)


def parse_servers(raw: Any, v: Checks) -> tuple[McpServerConfig, ...]:
    """``[mcp.NAME]`` tables, in the file's order."""
    servers: list[McpServerConfig] = []
    for name, body in _table(raw, "mcp", v).items():
        where = f"mcp.{name}"
        if not _NAME.fullmatch(name):
            raise v.fail(
                where,
                "a server name is 1 to 32 letters, digits, '_' or '-' (it starts its tools' names)",
            )
        table = _table(body, where, v)
        for key in table:
            if key not in SERVER_KEYS:
                raise v.unknown(key, list(SERVER_KEYS), where + ".")
        command, url = table.get("command"), table.get("url")
        if (command is None) == (url is None):
            raise v.fail(
                where,
                'needs exactly one of command = ["program", "arg", …] (a stdio server)'
                ' or url = "http://…" (streamable HTTP)',
            )
        if command is not None and not (
            isinstance(command, list)
            and command
            and all(isinstance(c, str) for c in command)
            and command[0].strip()
        ):
            raise _bad(
                v,
                f"{where}.command",
                command,
                'a non-empty list of strings, e.g. ["uvx", "mcp-server-time"]',
            )
        if url is not None and not _http_url(url):
            raise _bad(v, f"{where}.url", url, 'an http(s) URL, e.g. "http://127.0.0.1:8931/mcp"')
        env = _table(table.get("env", {}), f"{where}.env", v)
        for key, value in env.items():
            if not isinstance(value, str):
                raise _bad(v, f"{where}.env.{key}", value, "a string")
        enabled = table.get("enabled", True)
        if not isinstance(enabled, bool):
            raise _bad(v, f"{where}.enabled", enabled, "true or false")
        trust = table.get("trust", [])
        if not (isinstance(trust, list) and all(isinstance(t, str) for t in trust)):
            raise _bad(
                v,
                f"{where}.trust",
                trust,
                'a list of this server\'s tool names, e.g. ["get_current_time"]',
            )
        servers.append(
            McpServerConfig(
                name=name,
                command=tuple(command) if command is not None else None,
                url=url.strip() if url is not None else None,
                env=dict(env),
                enabled=enabled,
                trust=tuple(trust),
            )
        )
    return tuple(servers)


def _table(raw: Any, where: str, v: Checks) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise v.fail(where, "must be a table")
    return raw


def _number(
    value: Any,
    where: str,
    v: Checks,
    *,
    whole: bool,
    lo: float,
    hi: float,
    allowed: str,
    above: bool = False,
) -> Any:
    ok = isinstance(value, int) if whole else isinstance(value, int | float)
    if isinstance(value, bool) or not ok or (isinstance(value, float) and not math.isfinite(value)):
        raise _bad(v, where, value, allowed)
    if value > hi or value < lo or (above and value == lo):
        raise v.fail(where, f"{_show(value)} is out of range; allowed: {allowed}")
    return value


def _bad(v: Checks, where: str, value: Any, expected: str) -> Exception:
    return v.fail(where, f"{_show(value)} is not allowed here; expected {expected}")


def _http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
