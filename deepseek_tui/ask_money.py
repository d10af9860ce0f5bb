"""``ask``'s money checks, before anything is sent: ``--quote`` (print what the
message would cost, send nothing) and the ``[budget]`` caps (refuse, exit 1,
no request). See :mod:`deepseek_tui.quote` and :mod:`deepseek_tui.budget`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from deepseek_tui.errors import EXIT_OK, Failure
from deepseek_tui.sanitize import clean, json_text

if TYPE_CHECKING:
    from deepseek_tui.attachments import Attachment
    from deepseek_tui.budget import Verdict
    from deepseek_tui.session import Session
    from deepseek_tui.store import Conversation, Store
    from deepseek_tui.turn_settings import TurnSettings

__all__ = ["before_send"]


def before_send(
    args: argparse.Namespace,
    out: TextIO,
    open_store: Callable[[], Store],
    session: Session,
    store: Store | None,
    conversation: Conversation | None,
    system: str | None,
    settings: TurnSettings,
    prompt: str,
    attachments: Sequence[Attachment] = (),
) -> int | Verdict:
    """``--quote``: print the quote and return the exit status (0). Otherwise
    apply the caps: raise :class:`Failure` (exit 1) with the one line saying
    which cap, what was spent and the quote; else the verdict to send with
    (its ``answer_limit`` lowers ``max_tokens`` to keep the message under a
    cap, and a note on stderr says so).

    ``open_store`` opens the database when ``store`` is ``None`` (``--no-save``)
    and the caps need what was spent."""
    from deepseek_tui import budget as caps
    from deepseek_tui.quote import Basis, basis, quote_json, quote_lines, quote_message
    from deepseek_tui.store import StoreError

    limits = session.settings.budget
    if not args.quote and not limits.any:
        return caps.Verdict()
    b = Basis()
    if conversation is not None and store is not None:
        try:
            b = basis(store.messages(conversation.id), system=system)
        except StoreError as exc:
            raise Failure(str(exc)) from None
    quote = quote_message(
        b,
        prompt,
        session.spec(settings.model),
        session.now(),
        system=system,
        max_tokens=settings.max_tokens,
        attachments=attachments,
    )
    verdict = caps.Verdict()
    if limits.any and quote.known:
        reader = store
        if reader is None:
            reader = open_store()
        try:
            verdict = caps.check(limits, quote, caps.spent(reader, session.now()))
        except StoreError as exc:  # the caps cannot be checked: nothing is sent
            raise Failure(f"not sent: what was spent could not be read ({exc})") from None
        finally:
            if reader is not store:
                reader.close()
    note = caps.unpriced_note(limits, quote)
    if args.quote:
        if args.json:
            data = quote_json(quote)
            data["refused"] = verdict.refusal
            out.write(json_text(data) + "\n")
        else:
            lines = quote_lines(quote)
            if verdict.refusal:
                lines.append(f"a send would be refused: {verdict.refusal}")
            out.write("".join(clean(line) + "\n" for line in lines))
        if note:
            print(f"deepseek-tui: note: {clean(note)}", file=sys.stderr)
        return EXIT_OK
    if note:
        print(f"deepseek-tui: note: {clean(note)}", file=sys.stderr)
    if verdict.refusal:
        raise Failure(f"not sent: {verdict.refusal}")
    if verdict.note:
        print(f"deepseek-tui: note: {clean(verdict.note)}", file=sys.stderr)
    return verdict
