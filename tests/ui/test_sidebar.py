"""The sidebar answers the same before its fields are built as after.

The chat screen builds the sidebar's ~50 widgets only after its first frame, so
a message sent (or a conversation opened) before then must see exactly the
values the fields will show: the same normalisation, the same out-of-range
problems, and nothing lost when values change while the fields mount.
"""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, Label, Select, Static, Switch, TextArea

from deepseek_tui import params
from deepseek_tui.params import PARAMS
from deepseek_tui.ui.widgets.sidebar import ModelTraits, SettingsSidebar, SidebarValues

TRAITS = {
    "switchable": ModelTraits(
        switchable=True,
        thinks=True,
        efforts=("high", "max"),
        default_effort="high",
        ignores_when_thinking=frozenset({"temperature"}),
        max_output=8_192,
        label="Switchable",
    ),
    "always": ModelTraits(thinks=True, label="Always thinks"),
    "plain": ModelTraits(label="Never thinks", max_output=4_096),
}

CASES = [
    SidebarValues(model="switchable"),
    SidebarValues(model="switchable", thinking=False, temperature=0.3, top_p=0.9),
    SidebarValues(model="switchable", thinking=True, effort="max", max_tokens=100_000),
    SidebarValues(model="switchable", effort="low", json_mode=True, system="Be brief."),
    SidebarValues(model="always", thinking=False, effort="max", presence_penalty=-1.5),
    SidebarValues(model="plain", max_tokens=4_000, frequency_penalty=2.0, system="x\ny"),
]


class SidebarApp(App[None]):
    def __init__(self, values: SidebarValues) -> None:
        super().__init__()
        self.values = values

    def compose(self) -> ComposeResult:
        yield SettingsSidebar(
            self.values, list(TRAITS), TRAITS.__getitem__, providers=["a", "b"], provider="a"
        )


@pytest.mark.parametrize("values", CASES, ids=range(len(CASES)))
async def test_values_are_the_same_before_and_after_the_fields_exist(
    values: SidebarValues,
) -> None:
    app = SidebarApp(values)
    async with app.run_test() as pilot:
        sidebar = app.query_one(SettingsSidebar)
        assert not sidebar.query(Input)  # not built yet
        before = (sidebar.values(), sidebar.problems(), sidebar.model)
        await sidebar.build()
        await pilot.pause()
        assert sidebar.query(Input)
        assert (sidebar.values(), sidebar.problems(), sidebar.model) == before


async def test_out_of_range_value_is_a_problem_before_and_after() -> None:
    app = SidebarApp(SidebarValues(model="plain", max_tokens=0))
    async with app.run_test():
        sidebar = app.query_one(SettingsSidebar)
        problem = ["Max tokens: out of range; allowed: 1 to 1,000,000"]
        assert sidebar.problems() == problem
        assert sidebar.values().max_tokens is None
        await sidebar.build()
        assert sidebar.problems() == problem
        assert sidebar.query_one("#max_tokens", Input).value == "0"


async def test_above_the_models_max_output_is_a_warning_not_a_problem() -> None:
    """As in ``ask`` and ``config.toml``: the request sends the model's bound,
    with a note; the field says so before anything is sent."""
    app = SidebarApp(SidebarValues(model="plain", max_tokens=100_000))
    async with app.run_test() as pilot:
        sidebar = app.query_one(SettingsSidebar)
        assert sidebar.problems() == []
        assert sidebar.values().max_tokens == 100_000
        await sidebar.build()
        await pilot.pause()
        assert (sidebar.problems(), sidebar.values().max_tokens) == ([], 100_000)
        warning = sidebar.query_one("#max_tokens-error", Static)
        assert warning.display and warning.has_class("-warning")
        assert str(warning.render()) == "▲ this model takes 1 to 4,096 here; 4,096 is sent"
        sidebar.set_model("always")  # no max output: nothing to say
        await pilot.pause()
        assert not warning.display


async def test_changes_while_unbuilt_or_building_reach_the_fields() -> None:
    app = SidebarApp(SidebarValues(model="switchable"))
    async with app.run_test() as pilot:
        sidebar = app.query_one(SettingsSidebar)
        sidebar.add_models(["extra-model"])
        sidebar.set_model("plain")
        assert sidebar.values().model == "plain"
        building = asyncio.create_task(sidebar.build())
        await asyncio.sleep(0)
        later = SidebarValues(model="switchable", thinking=False, temperature=1.5, system="S")
        sidebar.load(later)
        sidebar.set_provider("b")
        await building
        await sidebar.build()  # a second call is a no-op
        await pilot.pause()
        assert sidebar.values() == later
        assert sidebar.query_one("#model", Select).value == "switchable"
        assert sidebar.query_one("#thinking", Switch).value is False
        assert sidebar.query_one("#temperature", Input).value == "1.5"
        assert sidebar.query_one("#system", TextArea).text == "S"
        assert sidebar.query_one("#provider", Select).value == "b"
        options = sidebar.query_one("#model", Select)._options
        assert "extra-model" in [value for _, value in options]


async def test_one_field_per_sampling_parameter_with_its_label_and_range() -> None:
    app = SidebarApp(SidebarValues(model="switchable", thinking=True))
    async with app.run_test() as pilot:
        sidebar = app.query_one(SettingsSidebar)
        await sidebar.build()
        await pilot.pause()
        assert [i.id for i in sidebar.query(Input)] == list(params.SAMPLING)
        for p in PARAMS:
            label = str(sidebar.query_one(f"#{p.name}-label", Label).render())
            limit = "1 to 8,192" if p.name == "max_tokens" else p.allowed  # the model's cap
            assert label.startswith(f"{p.label} ({limit})")
            assert ("ignored" in label) == (p.name == "temperature")  # as TRAITS says
        sidebar.query_one("#max_tokens", Input).value = "9000"
        sidebar.query_one("#top_p", Input).value = "x"
        await pilot.pause()
        assert sidebar.problems() == ["Top p: not a number; allowed: 0 to 1"]
        error = sidebar.query_one("#top_p-error", Static)
        assert error.display and str(error.render()) == "✕ not a number; allowed: 0 to 1"
        assert not error.has_class("-warning")
        warning = sidebar.query_one("#max_tokens-error", Static)
        assert str(warning.render()) == "▲ this model takes 1 to 8,192 here; 8,192 is sent"
        sidebar.query_one("#max_tokens", Input).value = "2000000"
        await pilot.pause()
        assert str(warning.render()) == "✕ out of range; allowed: 1 to 1,000,000"


async def test_values_come_back_exactly_from_their_fields() -> None:
    """A million tokens is not shown as ``1e+06`` (which is not a whole number),
    and a temperature keeps all its digits."""
    values = SidebarValues(model="always", max_tokens=1_000_000, temperature=0.1234567)
    app = SidebarApp(values)
    async with app.run_test() as pilot:
        sidebar = app.query_one(SettingsSidebar)
        await sidebar.build()
        await pilot.pause()
        assert sidebar.query_one("#max_tokens", Input).value == "1000000"
        assert (sidebar.values(), sidebar.problems()) == (values, [])
