"""The settings sidebar: model, thinking, sampling parameters, system prompt.

It knows nothing about the catalog or the API: the screen gives it a function
that describes a model (:class:`ModelTraits`) and reads the result back as
:class:`SidebarValues`. Each field says what it accepts; a value out of range
is shown as such and the message is not sent until it is fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, replace

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static, Switch, TextArea

from deepseek_tui.turn_settings import TurnSettings


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


@dataclass(frozen=True, slots=True)
class _Param:
    name: str
    label: str
    kind: type
    low: float
    high: float

    @property
    def allowed(self) -> str:
        return (
            f"{self.low:g} to {self.high:,g}"
            if self.kind is int
            else f"{self.low:g} to {self.high:g}"
        )


PARAMS = (
    _Param("temperature", "Temperature", float, 0, 2),
    _Param("top_p", "Top p", float, 0, 1),
    _Param("max_tokens", "Max tokens", int, 1, 1_000_000),
    _Param("presence_penalty", "Presence penalty", float, -2, 2),
    _Param("frequency_penalty", "Frequency penalty", float, -2, 2),
)


def parse_param(p: _Param, text: str) -> tuple[float | int | None, str]:
    """The value of one field and, when it is not acceptable, why."""
    text = text.strip()
    if p.kind is int:
        text = text.replace("_", "").replace(",", "")
    if not text:
        return None, ""
    try:
        value: float | int = int(text) if p.kind is int else float(text)
    except ValueError:
        kind = "a whole number" if p.kind is int else "a number"
        return None, f"✕ not {kind}; allowed: {p.allowed}"
    if not p.low <= value <= p.high or value != value:
        return None, f"✕ out of range; allowed: {p.allowed}"
    return value, ""


class SettingsSidebar(VerticalScroll):
    """Settings for the next message; posts :class:`Changed` when they change."""

    @dataclass
    class Changed(Message):
        """A setting changed (the values may be incomplete while a field is invalid)."""

        sidebar: SettingsSidebar

        @property
        def control(self) -> SettingsSidebar:
            return self.sidebar

    @dataclass
    class ProviderChanged(Message):
        """The user picked another provider (host) in the sidebar."""

        sidebar: SettingsSidebar
        provider: str

        @property
        def control(self) -> SettingsSidebar:
            return self.sidebar

    @dataclass
    class SaveDefault(Message):
        """The user asked to make these settings the defaults for new conversations."""

        sidebar: SettingsSidebar

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
        self._initial = values
        self._models = list(dict.fromkeys([values.model, *models]))
        self._traits_for = traits_for
        self.traits = traits_for(values.model)
        self._traits_model = values.model
        """The model :attr:`traits` describe."""

    # --- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        v = self._initial
        yield Static("Settings", classes="sidebar-title")
        if len(self._providers) > 1:
            yield Label("Provider")
            yield Select(
                [(Content(p), p) for p in self._providers],
                value=self._provider if self._provider in self._providers else self._providers[0],
                allow_blank=False,
                id="provider",
                compact=True,
            )
        yield Label("Model")
        yield Select(
            [(Content(m), m) for m in self._models],
            value=v.model,
            allow_blank=False,
            id="model",
            compact=True,
        )
        yield Static("", id="model-info", classes="field-help")
        thinks = self.traits.thinks if v.thinking is None else v.thinking
        with Horizontal(id="thinking-row", classes="switch-row"):
            yield Switch(value=thinks, id="thinking")
            yield Label("Thinking")
        yield Label("Effort", id="effort-label")
        effort = v.effort or self.traits.default_effort or "high"
        efforts = self.traits.efforts or ("low", "high", "max")
        yield Select(
            [(e, e) for e in efforts],
            value=effort if effort in efforts else efforts[0],
            allow_blank=False,
            id="effort",
            compact=True,
        )
        for p in PARAMS:
            yield Label(p.label, id=f"{p.name}-label")
            current = getattr(v, p.name)
            yield Input(
                "" if current is None else f"{current:g}",
                placeholder="model default",
                id=p.name,
                compact=True,
            )
            error = Static("", id=f"{p.name}-error", classes="field-error")
            error.display = False
            yield error
        yield Label("System prompt")
        yield TextArea(v.system, id="system", soft_wrap=True, compact=True)
        with Horizontal(classes="switch-row"):
            yield Switch(value=v.json_mode, id="json_mode")
            yield Label("JSON mode")
        yield Static(
            "Changes apply from the next message and are saved with the conversation.",
            classes="field-help",
        )
        yield Button("Save as default", id="save-default", compact=True)
        yield Static(
            "Writes these settings to config.toml for new conversations.",
            classes="field-help",
        )

    def on_mount(self) -> None:
        self._show_traits()

    # --- reading and writing -------------------------------------------------------

    @property
    def model(self) -> str:
        value = self.query_one("#model", Select).value
        return value if isinstance(value, str) else self._initial.model

    def add_models(self, ids: Iterable[str]) -> None:
        """Offer more models (e.g. what the host's ``/models`` lists)."""
        new = [m for m in ids if m not in self._models]
        if not new:
            return
        self._models.extend(new)
        select = self.query_one("#model", Select)
        current = select.value
        select.set_options([(Content(m), m) for m in self._models])
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
        select = self.query_one("#model", Select)
        with select.prevent(Select.Changed):
            select.set_options([(Content(m), m) for m in self._models])
            select.value = model
        self.set_model(model)

    def set_model(self, model: str, thinking: bool | None = None) -> None:
        """Switch model (e.g. to a retired model's successor)."""
        self.add_models([model])
        self.query_one("#model", Select).value = model
        self.traits = self._traits_for(model)
        self._traits_model = model
        if thinking is not None:
            self.query_one("#thinking", Switch).value = thinking
        self._show_traits()

    def load(self, v: SidebarValues) -> None:
        """Show another conversation's settings."""
        self.set_model(v.model)
        traits = self.traits
        self.query_one("#thinking", Switch).value = (
            traits.thinks if v.thinking is None else v.thinking
        )
        efforts = traits.efforts or ("low", "high", "max")
        effort = v.effort or traits.default_effort or "high"
        self.query_one("#effort", Select).value = effort if effort in efforts else efforts[0]
        for p in PARAMS:
            current = getattr(v, p.name)
            self.query_one(f"#{p.name}", Input).value = "" if current is None else f"{current:g}"
        self.query_one("#json_mode", Switch).value = v.json_mode
        self.query_one("#system", TextArea).load_text(v.system)
        self._show_traits()

    def problems(self) -> list[str]:
        """Fields that hold a value that cannot be sent, with what is allowed."""
        out = []
        for p in PARAMS:
            _, error = parse_param(self._limits(p), self.query_one(f"#{p.name}", Input).value)
            if error:
                out.append(f"{p.label}: {error.removeprefix('✕ ')}")
        return out

    def values(self) -> SidebarValues:
        """The current settings; invalid fields count as unset (see :meth:`problems`)."""
        t = self.traits
        thinking = self.query_one("#thinking", Switch).value if t.switchable else None
        effort_value = self.query_one("#effort", Select).value
        effort = (
            effort_value if t.switchable and thinking and isinstance(effort_value, str) else None
        )
        params: dict[str, float | int | None] = {}
        for p in PARAMS:
            params[p.name], _ = parse_param(
                self._limits(p), self.query_one(f"#{p.name}", Input).value
            )
        return SidebarValues(
            model=self.model,
            thinking=thinking,
            effort=effort,
            temperature=_float(params["temperature"]),
            top_p=_float(params["top_p"]),
            max_tokens=_int(params["max_tokens"]),
            presence_penalty=_float(params["presence_penalty"]),
            frequency_penalty=_float(params["frequency_penalty"]),
            json_mode=self.query_one("#json_mode", Switch).value,
            system=self.query_one("#system", TextArea).text,
        )

    # --- reacting ----------------------------------------------------------------

    @on(Button.Pressed, "#save-default")
    def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.SaveDefault(self))

    @on(Select.Changed, "#provider")
    def _provider_changed(self, event: Select.Changed) -> None:
        event.stop()
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

    @on(Input.Changed)
    def _param_changed(self, event: Input.Changed) -> None:
        p = next((p for p in PARAMS if p.name == event.input.id), None)
        if p is None:
            return
        _, error = parse_param(self._limits(p), event.value)
        message = self.query_one(f"#{p.name}-error", Static)
        message.update(Content(error))
        message.display = bool(error)
        event.input.set_class(bool(error), "-invalid")
        self.post_message(self.Changed(self))

    def _limits(self, p: _Param) -> _Param:
        """``p`` with the current model's own limits (max output)."""
        if p.name == "max_tokens" and self.traits.max_output:
            return replace(p, high=self.traits.max_output)
        return p

    def _show_traits(self) -> None:
        t = self.traits
        thinking_on = self.query_one("#thinking", Switch).value if t.switchable else t.thinks
        self.query_one("#thinking-row").display = t.switchable
        show_effort = t.switchable and bool(t.efforts) and thinking_on
        self.query_one("#effort-label").display = show_effort
        self.query_one("#effort").display = show_effort
        if t.switchable:
            mode = "thinking can be switched"
        else:
            mode = "always thinks" if t.thinks else "answers without thinking"
        info = f"{t.label} · {mode}" if t.label else mode
        if t.ignores_when_thinking and thinking_on:
            info += "; while it thinks, fields marked ignored are left out of the request"
        self.query_one("#model-info", Static).update(Content(info))
        ignored = t.ignores_when_thinking if thinking_on else frozenset()
        for p in PARAMS:
            label = self.query_one(f"#{p.name}-label", Label)
            text = f"{p.label} ({self._limits(p).allowed})"
            if p.name in ignored:
                label.update(Content.assemble(text, (" · ignored", "$warning")))
            else:
                label.update(Content(text))
            label.set_class(p.name in ignored, "-ignored")


def _float(v: float | int | None) -> float | None:
    return None if v is None else float(v)


def _int(v: float | int | None) -> int | None:
    return None if v is None else int(v)
