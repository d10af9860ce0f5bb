"""The ``[keys]`` table applied with care: a key the user maps onto one that
another binding or a widget's own editing key already uses is reported once
at start, naming both, and the action keeps its default key as well.

Without this, ``[keys] sidebar = "f6"`` showed F6 in F1 while neither F6 (the
prompt's editor selects a line with it) nor Ctrl+S (no longer bound) opened
the sidebar.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from textual.binding import Binding

if TYPE_CHECKING:
    from textual.binding import BindingType


class _Key(NamedTuple):
    key: str
    owner: str
    """Who else uses the key: a binding id, or a widget's own key described."""


def _keys(spec: str) -> list[str]:
    return [k.strip() for k in spec.split(",") if k.strip()]


def _bindings(sources: Iterable[Sequence[BindingType]]) -> list[Binding]:
    return [b for source in sources for b in source if isinstance(b, Binding) and b.id]


def _scopes() -> list[tuple[list[Binding], list[_Key]]]:
    """Bindings active at the same time, and the keys their widgets keep for
    themselves (a focused widget's own key wins over the screen's)."""
    from textual.widgets import Input, TextArea

    from deepseek_tui.ui.app import DeepSeekApp
    from deepseek_tui.ui.screens.chat import ChatScreen
    from deepseek_tui.ui.screens.confirm import ConfirmScreen
    from deepseek_tui.ui.screens.conversations import ConversationsScreen
    from deepseek_tui.ui.screens.first_run import FirstRunScreen
    from deepseek_tui.ui.screens.help import HelpScreen
    from deepseek_tui.ui.screens.path_dialog import PathScreen
    from deepseek_tui.ui.screens.rename import RenameScreen
    from deepseek_tui.ui.widgets.attachments import AttachmentTray
    from deepseek_tui.ui.widgets.findbar import FindBar
    from deepseek_tui.ui.widgets.prompt import PromptInput
    from deepseek_tui.ui.widgets.toolcall import ToolDecisionBar

    def own(widget: type[TextArea] | type[Input], what: str) -> list[_Key]:
        out: list[_Key] = []
        for b in widget.BINDINGS:
            if isinstance(b, Binding):
                name = b.description or b.action.replace("_", " ")
                out.extend(_Key(k, f"{what}'s own {k} ({name})") for k in _keys(b.key))
        return out

    app = DeepSeekApp.BINDINGS
    text_area = own(TextArea, "the prompt")
    field = own(Input, "the text field")
    chat = ChatScreen.BINDINGS
    scopes = [
        (_bindings([app, chat, PromptInput.BINDINGS]), text_area),
        (_bindings([app, chat, FindBar.BINDINGS]), field),
        (_bindings([app, chat, AttachmentTray.BINDINGS]), []),
        (_bindings([app, chat, ToolDecisionBar.BINDINGS]), []),
        (_bindings([app, ConversationsScreen.BINDINGS]), field),
        (_bindings([app, HelpScreen.BINDINGS]), []),
        (_bindings([app, ConfirmScreen.BINDINGS]), []),
        (_bindings([app, FirstRunScreen.BINDINGS]), field),
        (_bindings([app, PathScreen.BINDINGS]), field),
        (_bindings([app, RenameScreen.BINDINGS]), field),
    ]
    return scopes


def checked_keymap(wanted: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The keymap to apply for the ``[keys]`` table ``wanted`` and a notice per
    collision. A mapped action whose key is also another binding's, or a
    widget's own key, keeps its default key too (unless that one collides)."""
    keymap = dict(wanted)
    notices: list[str] = []
    if not wanted:  # the usual case: nothing to check, no screens to import
        return keymap, notices
    hits: dict[str, list[str]] = {}
    defaults: dict[str, str] = {}
    for bindings, widget_keys in _scopes():
        names = {b.id: b.description for b in bindings if b.id}
        defaults.update({b.id: b.key for b in bindings if b.id})
        taken: list[_Key] = list(widget_keys)
        for b in bindings:
            ident = b.id or ""
            keys = _keys(wanted[ident]) if ident in wanted else _keys(b.key)
            taken.extend(_Key(k, f"the key of {ident} ({b.description})") for k in keys)
        for action in sorted(set(wanted) & set(names)):
            own = f"the key of {action} ({names[action]})"
            said = hits.setdefault(action, [])
            for key in _keys(wanted[action]):
                for t in taken:
                    text = f"{key} is also {t.owner}"
                    if t.key == key and t.owner != own and text not in said:
                        said.append(text)
    for action, said in hits.items():
        if said:
            notices.append(_notice(action, wanted[action], said, defaults[action], keymap))
    return keymap, notices


def _notice(action: str, mapped: str, said: list[str], default: str, keymap: dict[str, str]) -> str:
    keep = [k for k in _keys(default) if k not in _keys(mapped)]
    if keep:
        keymap[action] = ",".join([*_keys(mapped), *keep])
        after = f"so {action} keeps {', '.join(keep)} as well"
    else:
        after = f"choose another key for {action}"
    return (
        f'warning: [keys] {action} = "{mapped}": {"; ".join(said)}; '
        f"only one of them gets it, {after}"
    )


__all__ = ["checked_keymap"]
