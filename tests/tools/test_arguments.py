"""The check of a call's arguments before it runs, and the schema sent to the model."""

from __future__ import annotations

from typing import Any

import pytest

from deepseek_tui.tools.arguments import object_schema, parse_arguments

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "path": {"type": "string"},
        "depth": {"type": "integer"},
        "scale": {"type": "number"},
        "limit": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        "mode": {"type": ["string", "null"]},
        "filter": {"anyOf": [{"type": "string"}, {"$ref": "#/defs/F"}]},
        "free": {},
    },
    "required": ["path"],
}


@pytest.mark.parametrize(
    "text",
    [
        '{"path": "a"}',
        '{"path": "a", "depth": 3, "scale": 0.5, "limit": null, "mode": null}',
        '{"path": "a", "depth": 3.0, "scale": 2, "limit": 4, "mode": "x"}',
        '{"path": "a", "filter": {"anything": 1}, "free": [1], "extra": true}',
    ],
)
def test_good_arguments_pass(text: str) -> None:
    value, problem = parse_arguments(text, SCHEMA)
    assert value is not None and problem == ""


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"path": true}', "'path' must be a string, not true"),
        ('{"path": "a", "depth": true}', "'depth' must be a whole number, not true"),
        ('{"path": "a", "scale": "1"}', "'scale' must be a number, not a string"),
        ('{"path": "a", "limit": 1.5}', "'limit' must be a whole number or null"),
        ('{"path": "a", "mode": 3}', "'mode' must be a string or null"),
        ("null", "must be a JSON object, not null"),
        ("[" * 100_000, "not valid JSON"),
        ('{"depth": 1}', "missing required argument: path"),
    ],
)
def test_bad_arguments_say_what_is_wrong(text: str, words: str) -> None:
    value, problem = parse_arguments(text, SCHEMA)
    assert value is None and words in problem


def test_every_problem_is_named_at_once() -> None:
    schema = {**SCHEMA, "required": ["path", "depth"], "additionalProperties": False}
    value, problem = parse_arguments('{"scale": "x", "other": 1, "more": 2}', schema)
    assert value is None
    assert "missing required arguments: path, depth" in problem
    assert "unknown arguments: other, more (allowed: path," in problem
    assert "'scale' must be a number" in problem


def test_empty_arguments_are_an_empty_object() -> None:
    assert parse_arguments("", {"type": "object", "properties": {}}) == ({}, "")
    assert parse_arguments("  ", SCHEMA)[1] == "missing required argument: path"


@pytest.mark.parametrize(
    "schema",
    [None, "string", {"type": "string"}, {"type": "array"}, {"type": "object", "properties": 1}],
)
def test_a_schema_that_is_not_an_object_schema_takes_no_arguments(schema: Any) -> None:
    assert object_schema(schema) == {"type": "object", "properties": {}}


def test_an_object_schema_is_kept() -> None:
    assert object_schema(SCHEMA) == SCHEMA
    assert object_schema({"type": "object"}) == {"type": "object"}
