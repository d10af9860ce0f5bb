"""Moving between messages from the keyboard (Alt+Up / Alt+Down) and what the
message keys act on: the focused message, else the last one.

The focus is a mark on the message widget itself (the ``-focused`` class,
drawn as a bar at its left), so it goes when the message is replaced and no
state lives in two places. The prompt keeps the keyboard focus throughout:
typing goes on while a message is marked.

Ctrl+R cycles the reasoning of the focused answer (else of the last answer
with reasoning): folded → open → hidden → folded, so a finished answer's
folded reasoning opens from the keyboard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.widget import Widget

    from deepseek_tui.ui.screens.chat import ChatScreen
    from deepseek_tui.ui.widgets.message import AssistantMessage, UserMessage
    from deepseek_tui.ui.widgets.message_actions import MessageActions

FOCUSED = "-focused"


def messages(screen: ChatScreen) -> list[Widget]:
    """The prompts and answers on screen, top to bottom."""
    from deepseek_tui.ui.widgets.message import AssistantMessage, UserMessage

    return [c for c in screen.pane.children if isinstance(c, UserMessage | AssistantMessage)]


def focused(screen: ChatScreen) -> Widget | None:
    """The message Alt+Up / Alt+Down marked, if any."""
    return next((m for m in messages(screen) if m.has_class(FOCUSED)), None)


def clear(screen: ChatScreen) -> None:
    for m in messages(screen):
        m.remove_class(FOCUSED)


def set_focus(screen: ChatScreen, message: Widget | None) -> None:
    clear(screen)
    if message is None:
        return
    message.add_class(FOCUSED)
    screen.pane.scroll_to_widget(message, animate=False, top=message.size.height > 8)


def move(screen: ChatScreen, step: int) -> None:
    """Mark the message ``step`` away from the marked one (the first Alt+Up
    marks the last message); moving past the last clears the mark."""
    shown = messages(screen)
    if not shown:
        screen.notify("No messages yet", timeout=2)
        return
    current = focused(screen)
    if current is None:
        index = len(shown) - 1 if step < 0 else None
    else:
        index = shown.index(current) + step
        index = max(index, 0) if step < 0 else index
    if index is None or index >= len(shown):
        clear(screen)
        screen.pane.follow()
        return
    set_focus(screen, shown[index])


def answer_of(screen: ChatScreen, message: Widget | None) -> AssistantMessage | None:
    """The answer a message belongs to: itself, or the one after a prompt."""
    from deepseek_tui.ui.widgets.message import AssistantMessage, UserMessage

    if isinstance(message, AssistantMessage):
        return message
    if isinstance(message, UserMessage):
        shown = messages(screen)
        after = shown[shown.index(message) + 1 :]
        if after and isinstance(after[0], AssistantMessage):
            return after[0]
    return None


def prompt_of(screen: ChatScreen, message: Widget | None) -> UserMessage | None:
    """The prompt a message belongs to: itself, or the one before an answer."""
    from deepseek_tui.ui.widgets.message import UserMessage

    if message is None:
        return None
    shown = messages(screen)
    for m in reversed(shown[: shown.index(message) + 1]):
        if isinstance(m, UserMessage):
            return m
    return None


def actions_of(screen: ChatScreen, answer: Widget) -> MessageActions | None:
    """The copy / continue row under an answer, if it has one."""
    from deepseek_tui.ui.widgets.message import AssistantMessage
    from deepseek_tui.ui.widgets.message_actions import MessageActions

    children = list(screen.pane.children)
    for child in children[children.index(answer) + 1 :]:
        if isinstance(child, MessageActions):
            return child
        if isinstance(child, AssistantMessage):
            return None
    return None


def reasoning(screen: ChatScreen) -> None:
    """Ctrl+R: open, fold or hide reasoning (see the module docstring)."""
    from deepseek_tui.ui.widgets.message import AssistantMessage

    pane = screen.pane
    mark = focused(screen)
    answer = answer_of(screen, mark)
    if answer is None and mark is None:
        answers = [m for m in messages(screen) if isinstance(m, AssistantMessage)]
        answer = next((a for a in reversed(answers) if a.reasoning is not None), None)
    block = answer.reasoning if answer is not None else None
    hidden = pane.has_class("-hide-reasoning")
    if block is None:
        if mark is not None:
            screen.notify("This message has no reasoning", timeout=2)
            return
        pane.set_class(not hidden, "-hide-reasoning")
        return
    if mark is not None:  # the focused answer: open and fold it, shown whatever else
        if hidden:
            pane.remove_class("-hide-reasoning")
            block.collapsed = False
        else:
            block.collapsed = not block.collapsed
    elif hidden:
        pane.remove_class("-hide-reasoning")
        block.collapsed = True
    elif block.collapsed:
        block.collapsed = False
    else:
        block.collapsed = True
        pane.add_class("-hide-reasoning")
    if not block.collapsed:
        screen.call_after_refresh(screen.pane.scroll_to_widget, block, animate=False, top=True)
