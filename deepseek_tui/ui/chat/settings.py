"""The host and the settings as the chat screen shows them: the host's model
list and balance (fetched after the first frame), Save as default, and
switching providers. The session owns the settings; these functions change
them through it and show the result."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from deepseek_tui.config import ConfigError
from deepseek_tui.sanitize import reveal
from deepseek_tui.session import ProviderUnavailable, choose_model, listed

if TYPE_CHECKING:
    from deepseek_tui.ui.screens.chat import ChatScreen


async def fetch_models(screen: ChatScreen) -> None:
    """Add the host's own model list to the sidebar, after the first frame;
    a new conversation whose model nobody chose takes one the host lists."""
    from deepseek_tui.api import APIError

    try:
        offered = [reveal(m.id) for m in await (await screen.session.client()).list_models()]
    except (APIError, ProviderUnavailable):
        return  # the catalog's list still works; the first message will say more
    screen.sidebar.add_models(offered)
    if not offered:
        return
    session, model = screen.session, screen.sidebar.model
    if model != session.default_model() or screen.conversation is not None:
        # Chosen in the sidebar or by the conversation: only warn (aliases count).
        if not listed(session.catalog, session.host, model, offered):
            note = f"This host does not list {model}; pick another with Ctrl+S."
            screen.notify(note, severity="warning", timeout=8, markup=False)
        return
    choice = choose_model(session.settings, session.catalog, offered)
    if choice.model != screen.sidebar.model:
        screen.sidebar.set_model(choice.model)
        screen.show_mode()
    if choice.note:
        screen.notify(choice.note, timeout=8, markup=False)


async def fetch_balance(screen: ChatScreen) -> None:
    """The account balance in the status line, where the host reports one."""
    from deepseek_tui.api import APIError
    from deepseek_tui.ui.chat.failures import money

    try:
        balance = await (await screen.session.client()).balance()
    except (APIError, ProviderUnavailable):
        return  # optional information: a failure here is not worth a message
    if balance is None or not balance.infos:
        screen.status.set(balance="")
        return
    screen.status.set(balance=", ".join(money(i.total, i.currency) for i in balance.infos))


async def save_default(screen: ChatScreen) -> None:
    """Write the sidebar's settings to config.toml as the defaults for new
    conversations; values left at the model's default are removed there."""
    if screen.ctx.demo:
        screen.notify(
            "Not saved: the demo never changes your config file.",
            severity="warning",
            markup=False,
        )
        return
    problems = screen.sidebar.problems()
    if problems:
        screen.notify(
            "Not saved; fix the settings first: " + "; ".join(problems),
            severity="error",
            markup=False,
        )
        return
    path = screen.session.settings.source
    values = screen.sidebar.values()
    try:
        await asyncio.to_thread(screen.session.save_defaults, values.turn(), values.system)
    except ConfigError as exc:
        screen.notify(f"Not saved: {reveal(str(exc))}", severity="error", markup=False)
        return
    except OSError as exc:
        where = f"{reveal(str(path))}: " if path is not None else ""
        screen.notify(f"Not saved: {where}{exc.strerror or exc}", severity="error", markup=False)
        return
    screen.notify(
        f"Saved as the default for new conversations in {reveal(str(path))}", markup=False
    )


async def use_provider(screen: ChatScreen, name: str, *, fetch: bool = True) -> bool:
    """Talk to another configured provider from the next message on (and,
    with ``fetch``, get its model list and balance now)."""
    session = screen.session
    if name == session.settings.provider:
        return True
    problem = "wait for the answer to finish (or stop it with Esc)" if screen.busy else ""
    if not problem:
        try:
            await session.switch_provider(name)
        except ProviderUnavailable as exc:
            problem = str(exc)
    if problem:
        screen.sidebar.set_provider(session.settings.provider)
        screen.notify(f"Provider not switched: {reveal(problem)}", severity="error", markup=False)
        return False
    screen.sidebar.set_provider(name)
    screen.sidebar.set_models(screen.model_ids(), session.default_model())
    screen.show_mode()
    if fetch:
        screen.fetch_models()
        screen.fetch_balance()
    if screen.conversation is not None:
        screen.conversation = await asyncio.to_thread(
            screen.store.update_conversation, screen.conversation.id, provider=name
        )
    host = reveal(session.settings.active.base_url)
    screen.notify(f"Provider: {reveal(name)} ({host})", timeout=4, markup=False)
    return True


def changed(screen: ChatScreen) -> None:
    """The sidebar's settings changed: show the new mode, quote the typed
    message again, and say what the change costs when it throws the prompt
    cache away."""
    screen.show_mode()
    screen.quote.changed()
    cache_notice(screen)


def cache_notice(screen: ChatScreen) -> None:
    """A setting changed: when it throws away what DeepSeek has cached of this
    conversation (another system prompt, a model that does not share the
    cache), say once what the next message will cost instead."""
    from deepseek_tui.cache_cost import reread_cost, shares_cache

    c, values = screen.conversation, screen.sidebar.values()
    reasons: list[str] = []
    if c is not None and c.model and screen.measured:
        cached_by, answered_by = screen.session.spec(c.model), screen.session.spec(values.model)
        if not shares_cache(cached_by, answered_by):
            reasons.append(f"Model {values.model} does not share {c.model}'s prompt cache")
        if (values.system or "") != (c.system or ""):
            reasons.append("A new system prompt empties the prompt cache")
    key = (*reasons, values.model) if reasons else ()
    if key == screen.cache_warned:
        return
    screen.cache_warned = key
    if reasons and c is not None and screen.measured:
        cost = reread_cost(
            screen.measured,
            cached_by=cached_by,
            answered_by=answered_by,
            at=screen.session.now(),
        )
        text = f"{'. '.join(reasons)}: {cost.text()}"
        screen.notify(reveal(text), severity="warning", timeout=10, markup=False)
