"""The settings sidebar: model, thinking, sampling parameters, system prompt,
JSON mode and stop sequences.

It knows nothing about the catalog or the API: the screen gives it a function
that describes a model (:class:`ModelTraits`) and reads the result back as
:class:`SidebarValues`. There is one field per row of the parameter table
(:mod:`deepseek_tui.params`), with its label and the model's range on this
host. A value the parameter can never take is shown as an error and the
message is not sent until it is fixed; one outside the model's narrower range
(above its max output, say) is shown with the bound it will be sent as — the
request clamps it, with a note, as it does for ``ask`` and ``config.toml``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, Switch, TextArea

from deepseek_tui import params, stops
from deepseek_tui.params import PARAMS, Param
from deepseek_tui.sanitize import reveal
from deepseek_tui.turn_settings import TurnSettings

if TYPE_CHECKING:
    from deepseek_tui.ui.widgets.tools_panel import ToolsPanel


@dataclass(frozen=True, slots=True)
class ModelTraits:
    """What the sidebar needs to know about a model to show only what applies."""

    switchable: bool = False
    thinks: bool = False
    """Whether it thinks by default (the fixed mode when not switchable)."""
    efforts: tuple[str, ...] = ()
    default_effort: str | None = None
    ignores_when_thinking: frozenset[str] = frozenset()
    max_output: int | None = None
    ranges: tuple[tuple[str, float, float], ...] = ()
    """``(name, low, high)`` for parameters this model takes in a narrower
    range on this host than the parameter table's (max_tokens included)."""
    default_max_tokens: int | None = None
    """What is sent as ``max_tokens`` when the field is empty."""
    label: str = ""


@dataclass(frozen=True, slots=True)
class SidebarValues(TurnSettings):
    """The settings the next message is sent with (``None`` = the model's
    default), plus the conversation's system prompt."""

    system: str = ""

    @classmethod
    def of(cls, turn: TurnSettings, system: str) -> SidebarValues:
        return cls(system=system, **{f.name: getattr(turn, f.name) for f in fields(TurnSettings)})

    def turn(self) -> TurnSettings:
        """Just the turn's settings (the system prompt belongs to the conversation)."""
        return TurnSettings(**{f.name: getattr(self, f.name) for f in fields(TurnSettings)})


class SettingsSidebar(VerticalScroll):
    """Settings for the next message; posts :class:`Changed` when they change.

    On a terminal narrower than 100 columns it covers the chat (app.tcss) and
    Esc closes it as Ctrl+S does, giving the prompt its focus back; beside the
    chat, Esc keeps meaning "stop generating"."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close settings", show=False),
    ]

    class Changed(Message):
        """A setting changed (the values may be incomplete while a field is invalid)."""

        def __init__(self, sidebar: SettingsSidebar) -> None:
            super().__init__()
            self.sidebar = sidebar

        @property
        def control(self) -> SettingsSidebar:
            return self.sidebar

    class ProviderChanged(Message):
        """The user picked another provider (host) in the sidebar."""

        def __init__(self, sidebar: SettingsSidebar, provider: str) -> None:
            super().__init__()
            self.sidebar = sidebar
            self.provider = provider

        @property
        def control(self) -> SettingsSidebar:
            return self.sidebar

    class SaveDefault(Message):
        """The user asked to make these settings the defaults for new conversations."""

        def __init__(self, sidebar: SettingsSidebar) -> None:
            super().__init__()
            self.sidebar = sidebar

        @property
        def control(self) -> SettingsSidebar:
            return self.sidebar

    def __init__(
        self,
        values: SidebarValues,
        models: Iterable[str],
        traits_for: Callable[[str], ModelTraits],
        *,
        providers: Sequence[str] = (),
        provider: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._providers = list(providers)
        self._provider = provider
        self._state = values
        """What the fields hold until they are built (afterwards the fields hold it)."""
        self._models = list(dict.fromkeys([values.model, *models]))
        self._traits_for = traits_for
        self.traits = traits_for(values.model)
        self._traits_model = values.model
        """The model :attr:`traits` describe."""
        self._built = False
        self._building: asyncio.Event | None = None
        self._tools_panel: ToolsPanel | None = None

    @property
    def covers_chat(self) -> bool:
        """Whether the sidebar is drawn over the chat (a narrow terminal)."""
        return self.screen.has_class("-narrow")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close":
            return self.covers_chat
        return True

    async def action_close(self) -> None:
        await self.run_action("screen.sidebar")  # the screen's Ctrl+S: it moves the focus

    def tools_panel(self) -> ToolsPanel:
        """The servers and their tools (made when MCP servers are configured;
        mounted at the end of the fields when the sidebar is built)."""
        if self._tools_panel is None:
            from deepseek_tui.ui.widgets.tools_panel import ToolsPanel

            self._tools_panel = ToolsPanel(id="tools-panel")
        return self._tools_panel

    # --- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("Settings", classes="sidebar-title")

    async def build(self) -> None:
        """Mount the fields (idempotent; concurrent calls wait for the first).

        Until then the sidebar answers from its values as the fields would:
        its ~50 widgets cost about as much to style as the rest of the chat
        screen, so the screen builds them when the sidebar is first shown."""
        if self._built:
            return
        if self._building is not None:
            await self._building.wait()
            return
        self._building = asyncio.Event()
        shown, models, provider = self._state, list(self._models), self._provider
        widgets = list(self._fields(shown))
        if self._tools_panel is not None:
            widgets.append(self._tools_panel)
        await self.mount_all(widgets)
        self._built = True
        # What changed while the fields were mounting:
        if self._state is not shown:
            self.load(self._state)
        if self._models != models:
            self.set_models(self._models, self.model)
        if self._provider != provider:
            self.set_provider(self._provider)
        self._show_traits()
        self._building.set()

    def _fields(self, v: SidebarValues) -> Iterator[Widget]:
        f = _shown(v, self.traits)
        if len(self._providers) > 1:
            yield Label("Provider")
            yield Select(
                [(Content(reveal(p)), p) for p in self._providers],
                value=self._provider if self._provider in self._providers else self._providers[0],
                allow_blank=False,
                id="provider",
                compact=True,
            )
        yield Label("Model")
        yield Select(
            [(Content(reveal(m)), m) for m in self._models],
            value=v.model,
            allow_blank=False,
            id="model",
            compact=True,
        )
        yield Static("", id="model-info", classes="field-help")
        yield Horizontal(
            Switch(value=f.thinking, id="thinking"),
            Label("Thinking"),
            id="thinking-row",
            classes="switch-row",
        )
        yield Label("Effort", id="effort-label")
        yield Select(
            [(e, e) for e in _efforts(self.traits)],
            value=f.effort,
            allow_blank=False,
            id="effort",
            compact=True,
        )
        for p in PARAMS:
            yield Label(p.label, id=f"{p.name}-label")
            yield Input(f.params[p.name], placeholder="model default", id=p.name, compact=True)
            error = Static("", id=f"{p.name}-error", classes="field-error")
            error.display = False
            yield error
        yield Label("System prompt")
        yield TextArea(v.system, id="system", soft_wrap=True, compact=True)
        yield Horizontal(
            Switch(value=v.json_mode, id="json_mode"), Label("JSON mode"), classes="switch-row"
        )
        yield Label("Stop sequences")
        yield TextArea(f.stop, id="stop", soft_wrap=False, compact=True)
        yield Static(
            f"One per line, up to {stops.MAX_STOPS}; \\n is a newline, \\t a tab.",
            classes="field-help",
        )
        stop_error = Static("", id="stop-error", classes="field-error")
        stop_error.display = False
        yield stop_error
        yield Static(
            "Changes apply from the next message and are saved with the conversation.",
            classes="field-help",
        )
        yield Button("Save as default", id="save-default", compact=True)
        yield Static(
            "Writes these settings to config.toml for new conversations.",
            classes="field-help",
        )

    # --- reading and writing -------------------------------------------------------

    @property
    def model(self) -> str:
        if not self._built:
            return self._state.model
        value = self.query_one("#model", Select).value
        return value if isinstance(value, str) else self._state.model

    def add_models(self, ids: Iterable[str]) -> None:
        """Offer more models (e.g. what the host's ``/models`` lists)."""
        new = [m for m in ids if m not in self._models]
        if not new:
            return
        self._models.extend(new)
        if not self._built:
            return
        select = self.query_one("#model", Select)
        current = select.value
        select.set_options([(Content(reveal(m)), m) for m in self._models])
        select.value = current

    def set_provider(self, provider: str) -> None:
        """Show ``provider`` as chosen (e.g. after a refused switch), without a message."""
        self._provider = provider
        for select in self.query("#provider").results(Select):
            with select.prevent(Select.Changed):
                select.value = provider

    def set_models(self, ids: Iterable[str], model: str) -> None:
        """Replace the model list (another provider) and choose ``model``."""
        self._models = list(dict.fromkeys([model, *ids]))
        if self._built:
            select = self.query_one("#model", Select)
            with select.prevent(Select.Changed):
                select.set_options([(Content(reveal(m)), m) for m in self._models])
                select.value = model
        self.set_model(model)

    def set_model(self, model: str, thinking: bool | None = None) -> None:
        """Switch model (e.g. to a retired model's successor)."""
        self.add_models([model])
        if not self._built:  # the switch keeps what it shows unless told otherwise
            shown = self._read().thinking if thinking is None else thinking
            self._state = replace(self._state, model=model, thinking=shown)
        self.traits = self._traits_for(model)
        self._traits_model = model
        if not self._built:
            return
        self.query_one("#model", Select).value = model
        if thinking is not None:
            self.query_one("#thinking", Switch).value = thinking
        self._show_traits()

    def load(self, v: SidebarValues) -> None:
        """Show another conversation's settings."""
        self.set_model(v.model)
        if not self._built:
            self._state = v
            return
        f = _shown(v, self.traits)
        self.query_one("#thinking", Switch).value = f.thinking
        self.query_one("#effort", Select).value = f.effort
        for p in PARAMS:
            self.query_one(f"#{p.name}", Input).value = f.params[p.name]
        self.query_one("#json_mode", Switch).value = v.json_mode
        self.query_one("#system", TextArea).load_text(v.system)
        self.query_one("#stop", TextArea).load_text(f.stop)
        self._show_traits()

    def _read(self) -> _Shown:
        """What the fields hold (or would hold, before they are built)."""
        if not self._built:
            return _shown(self._state, self.traits)
        effort = self.query_one("#effort", Select).value
        return _Shown(
            thinking=self.query_one("#thinking", Switch).value,
            effort=effort if isinstance(effort, str) else "",
            params={p.name: self.query_one(f"#{p.name}", Input).value for p in PARAMS},
            json_mode=self.query_one("#json_mode", Switch).value,
            system=self.query_one("#system", TextArea).text,
            stop=self.query_one("#stop", TextArea).text,
        )

    def problems(self) -> list[str]:
        """Fields that hold a value that cannot be sent, with what is allowed."""
        out = []
        f = self._read()
        for p in PARAMS:
            _, error = params.parse_text(p, f.params[p.name])
            if error:
                out.append(f"{p.label}: {error}")
        _, error = stops.parse_lines(f.stop)
        if error:
            out.append(f"Stop sequences: {error}")
        return out

    def values(self) -> SidebarValues:
        """The current settings; invalid fields count as unset (see :meth:`problems`)."""
        t = self.traits
        f = self._read()
        thinking = f.thinking if t.switchable else None
        effort = f.effort if t.switchable and thinking and f.effort else None
        sampling: dict[str, Any] = {
            p.name: params.parse_text(p, f.params[p.name])[0] for p in PARAMS
        }
        return SidebarValues(
            model=self.model,
            thinking=thinking,
            effort=effort,
            json_mode=f.json_mode,
            system=f.system,
            stop=stops.parse_lines(f.stop)[0],
            **sampling,
        )

    # --- reacting ----------------------------------------------------------------

    @on(Button.Pressed, "#save-default")
    def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.SaveDefault(self))

    @on(Select.Changed, "#provider")
    def _provider_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value != event.select.value:
            return  # stale: set since (e.g. the value it was mounted with)
        if isinstance(event.value, str) and event.value != self._provider:
            self._provider = event.value
            self.post_message(self.ProviderChanged(self, event.value))

    @on(Select.Changed, "#model")
    def _model_changed(self) -> None:
        if self.model == self._traits_model:
            return  # the same model again (e.g. the list was refreshed): keep the mode
        self.traits = self._traits_for(self.model)
        self._traits_model = self.model
        self.query_one("#thinking", Switch).value = self.traits.thinks
        self._show_traits()
        self.post_message(self.Changed(self))

    @on(Switch.Changed)
    @on(Select.Changed, "#effort")
    def _mode_changed(self) -> None:
        self._show_traits()
        self.post_message(self.Changed(self))

    @on(TextArea.Changed, "#stop")
    def _stop_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        _, error = stops.parse_lines(event.text_area.text)
        message = self.query_one("#stop-error", Static)
        message.update(Content(f"✕ {error}" if error else ""))
        message.display = bool(error)
        event.text_area.set_class(bool(error), "-invalid")
        self.post_message(self.Changed(self))

    @on(Input.Changed)
    def _param_changed(self, event: Input.Changed) -> None:
        p = next((p for p in PARAMS if p.name == event.input.id), None)
        if p is None:
            return
        self._show_check(p)
        self.post_message(self.Changed(self))

    def _show_check(self, p: Param) -> None:
        """Show under ``p``'s field why its value cannot be sent (an error) or
        what will be sent instead (a warning: outside the model's range)."""
        field = self.query_one(f"#{p.name}", Input)
        value, error = params.parse_text(p, field.value)
        text = f"✕ {error}" if error else ""
        own = self._limits(p)
        if value is not None and not own.lo <= value <= own.hi:
            bound = own.hi if value > own.hi else own.lo
            text = f"▲ this model takes {own.allowed} here; {_plain(bound)} is sent"
        message = self.query_one(f"#{p.name}-error", Static)
        message.update(Content(text))
        message.display = bool(text)
        message.set_class(bool(text) and not error, "-warning")
        field.set_class(bool(error), "-invalid")

    def _limits(self, p: Param) -> Param:
        """``p`` with the current model's own limits on this host."""
        for name, lo, hi in self.traits.ranges:
            if name == p.name:
                return p._replace(lo=lo, hi=hi)
        if p.name == "max_tokens" and self.traits.max_output:
            return p._replace(hi=min(p.hi, self.traits.max_output))
        return p

    def _show_traits(self) -> None:
        if not self._built:
            return
        t = self.traits
        thinking_on = self.query_one("#thinking", Switch).value if t.switchable else t.thinks
        self.query_one("#thinking-row").display = t.switchable
        show_effort = t.switchable and bool(t.efforts) and thinking_on
        self.query_one("#effort-label").display = show_effort
        self.query_one("#effort").display = show_effort
        if t.switchable:
            mode = "thinking can be switched"
        else:
            # Why there is no thinking switch for this model:
            mode = "always thinks (cannot be switched off)" if t.thinks else "cannot think"
        info = f"{t.label} · {mode}" if t.label else mode
        if t.ignores_when_thinking and thinking_on:
            info += "; while it thinks, fields marked ignored are left out of the request"
        self.query_one("#model-info", Static).update(Content(info))
        ignored = t.ignores_when_thinking if thinking_on else frozenset()
        default = t.default_max_tokens
        self.query_one("#max_tokens", Input).placeholder = (
            f"default {_plain(default)}" if default else "model default"
        )
        for p in PARAMS:
            self._show_check(p)
            label = self.query_one(f"#{p.name}-label", Label)
            text = f"{p.label} ({self._limits(p).allowed})"
            if p.name in ignored:
                label.update(Content.assemble(text, (" · ignored", "$warning")))
            else:
                label.update(Content(text))
            label.set_class(p.name in ignored, "-ignored")


class _Shown(NamedTuple):
    """What the fields show for some values (the text of each parameter field)."""

    thinking: bool
    effort: str
    params: dict[str, str]
    json_mode: bool
    system: str
    stop: str
    """The stop sequences, one per line (:func:`deepseek_tui.stops.show_lines`)."""


def _plain(x: float) -> str:
    """A bound for people: ``8,192``, ``0.5``."""
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _efforts(traits: ModelTraits) -> tuple[str, ...]:
    """The efforts the effort field offers for a model."""
    return traits.efforts or params.EFFORTS


def _shown(v: SidebarValues, traits: ModelTraits) -> _Shown:
    efforts = _efforts(traits)
    effort = v.effort or traits.default_effort or "high"
    return _Shown(
        thinking=traits.thinks if v.thinking is None else v.thinking,
        effort=effort if effort in efforts else efforts[0],
        params={p.name: params.show(p, getattr(v, p.name)) for p in PARAMS},
        json_mode=v.json_mode,
        system=v.system,
        stop=stops.show_lines(v.stop),
    )
