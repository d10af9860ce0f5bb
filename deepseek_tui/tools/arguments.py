"""The model's arguments for a call, checked before anything runs.

A model writes a call's arguments as a JSON string; it may not be JSON, may
not be an object, may leave out a required key or give a number where text is
wanted. :func:`parse_arguments` finds those mistakes and says what is wrong in
words the model can act on, so the call is not run and the model can try
again. It checks what a schema says at the top level (``required``, each
property's ``type``, ``additionalProperties: false``) and nothing deeper: the
server validates the rest and its error reaches the model as the tool's result.
A full JSON Schema validator would be a dependency for little more.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any


def object_schema(schema: Any) -> dict[str, Any]:
    """``schema`` when it describes a JSON object (what the API accepts for a
    function's parameters), else an object schema that takes no arguments."""
    if (
        isinstance(schema, Mapping)
        and schema.get("type") == "object"
        and isinstance(schema.get("properties", {}), Mapping)
    ):
        return dict(schema)
    return {"type": "object", "properties": {}}


def parse_arguments(text: str, schema: Mapping[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The arguments as an object, or ``None`` and why they cannot be used.

    An empty string counts as ``{}``: models send it for tools without
    parameters."""
    if not text.strip():
        value: Any = {}
    else:
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            message = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            return None, f"the arguments are not valid JSON ({message}); send one JSON object"
    if not isinstance(value, dict):
        return None, f"the arguments must be a JSON object, not {_kind(value)}"
    problems = _problems(value, schema)
    if problems:
        return None, "; ".join(problems)
    return value, ""


def _problems(value: dict[str, Any], schema: Mapping[str, Any]) -> list[str]:
    properties = schema.get("properties")
    properties = properties if isinstance(properties, Mapping) else {}
    required = schema.get("required")
    required = [r for r in required if isinstance(r, str)] if isinstance(required, list) else []
    problems: list[str] = []
    missing = [name for name in required if name not in value]
    if missing:
        problems.append(
            f"missing required argument{'s' if len(missing) > 1 else ''}: " + ", ".join(missing)
        )
    if schema.get("additionalProperties") is False:
        extra = [name for name in value if name not in properties]
        if extra:
            problems.append(
                f"unknown argument{'s' if len(extra) > 1 else ''}: {', '.join(extra)}"
                f" (allowed: {', '.join(properties) or 'none'})"
            )
    for name, given in value.items():
        prop = properties.get(name)
        if not isinstance(prop, Mapping):
            continue
        expected = _types(prop)
        if expected and not any(_is(given, kind) for kind in expected):
            problems.append(
                f"argument {name!r} must be {' or '.join(_WORDS.get(k, k) for k in expected)},"
                f" not {_kind(given)}"
            )
    return problems


def _types(prop: Mapping[str, Any]) -> list[str]:
    """The JSON types a property allows, from ``type`` or a simple ``anyOf`` of
    types (how pydantic writes ``X | None``); empty when it says nothing we check."""
    kind = prop.get("type")
    if isinstance(kind, str):
        return [kind] if kind in _WORDS else []
    if isinstance(kind, list):
        kinds = [k for k in kind if isinstance(k, str)]
        return kinds if kinds and all(k in _WORDS for k in kinds) else []
    options = prop.get("anyOf")
    if isinstance(options, list) and options:
        kinds = []
        for option in options:
            sub = _types(option) if isinstance(option, Mapping) else []
            if not sub:
                return []  # an option we cannot judge: accept anything
            kinds.extend(sub)
        return kinds
    return []


_WORDS = {
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "an array",
    "object": "an object",
    "null": "null",
}


def _is(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (
            isinstance(value, float) and math.isfinite(value) and value.is_integer()
        )
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return value is None  # null


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    return "an object"
