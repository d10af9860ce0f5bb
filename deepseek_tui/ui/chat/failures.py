"""What the chat says when a turn fails: the error block with what to do,
and the block for a retired model with its one-step switch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from deepseek_tui.sanitize import reveal

if TYPE_CHECKING:
    from deepseek_tui.api import APIError
    from deepseek_tui.models import ModelSpec
    from deepseek_tui.ui.widgets.message import ErrorBlock


def error_block(message: str, cause: APIError | None, refused: str | None = None) -> ErrorBlock:
    """The block for a failed turn; ``refused`` says why it was not sent at all."""
    from deepseek_tui.ui.widgets.message import ErrorBlock

    if refused == "storage":
        return ErrorBlock(reveal(message), "Nothing was sent. Retry with F5 once it can be saved.")
    if refused == "client":
        return ErrorBlock(reveal(message), "Nothing was sent. Fix that, then retry with F5.")
    return ErrorBlock(reveal(message), hint(cause))


def retired_block(
    message: str, spec: ModelSpec
) -> tuple[ErrorBlock, tuple[str, bool | None] | None]:
    """The block for a retired model, and the (model, thinking) F5 switches to."""
    from deepseek_tui.ui.widgets.message import ErrorBlock

    if not spec.successor:
        return ErrorBlock(reveal(message), "Pick another model in the sidebar (Ctrl+S)."), None
    mode = ""
    if spec.successor_thinking is not None:
        mode = " (thinking " + ("on" if spec.successor_thinking else "off") + ")"
    block = ErrorBlock(
        reveal(message),
        f"Press F5 to switch this conversation to {spec.successor}{mode} and send "
        "again, or pick another model in the sidebar (Ctrl+S).",
        action=f"Switch to {spec.successor}{mode} and retry",
    )
    return block, (spec.successor, spec.successor_thinking)


def money(amount: str, currency: str) -> str:
    """``$7.42``, ``¥110.00``, ``3.10 EUR`` (amounts come from the host: sanitized)."""
    from deepseek_tui import money as _money

    return reveal(_money.money(amount, currency))


def hint(cause: APIError | None) -> str:
    """What the user can do about a failure."""
    from deepseek_tui.api import (
        AuthenticationError,
        ConnectionFailed,
        InsufficientBalance,
        ModelNotFound,
        RateLimited,
        Timeout,
    )

    if isinstance(cause, AuthenticationError):
        return "Check the API key (config file or DEEPSEEK_API_KEY), then retry with F5."
    if isinstance(cause, InsufficientBalance):
        return "Retry with F5 once the account has money again."
    if isinstance(cause, RateLimited):
        return "The host is rate limiting; wait a moment, then retry with F5."
    if isinstance(cause, ConnectionFailed | Timeout):
        return "Check the network connection, then retry with F5."
    if isinstance(cause, ModelNotFound):
        return "Pick a model this host offers in the sidebar (Ctrl+S), then retry with F5."
    return "Retry with F5 or the button; if it keeps failing, change the model (Ctrl+S)."
