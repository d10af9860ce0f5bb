"""``deepseek-tui ask``: one answer streamed to stdout (or one JSON object).

The same :class:`~deepseek_tui.session.Session` and
:class:`~deepseek_tui.turn.Turn` as the TUI; this module is what is particular
to a command line: reading the prompt, notes on stderr, ending quietly when
the reader goes away or a signal comes, and the exit status.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from deepseek_tui import params
from deepseek_tui.commands import _catalog, _open_store, _settings, _usable_key
from deepseek_tui.config import Settings
from deepseek_tui.errors import EXIT_FAILURE, EXIT_OK, Failure, UsageError
from deepseek_tui.paths import Paths
from deepseek_tui.sanitize import clean, json_text, name_bidi

if TYPE_CHECKING:
    from deepseek_tui.attachments import Attachment
    from deepseek_tui.budget import Verdict
    from deepseek_tui.models import ModelSpec
    from deepseek_tui.session import Session
    from deepseek_tui.store import Conversation, Store
    from deepseek_tui.toolloop import Approve, ToolBox
    from deepseek_tui.tools.choices import Choices
    from deepseek_tui.tools.host import ToolHost
    from deepseek_tui.turn import Prepared, Turn, TurnOutcome
    from deepseek_tui.turn_events import NextRound, ProposedCall, ToolCallDone, ToolCallsProposed
    from deepseek_tui.turn_settings import TurnSettings

__all__ = ["ask"]


def _read_prompt(args: argparse.Namespace) -> str:
    prompt: str | None = args.prompt
    if prompt is None or prompt == "-":
        if prompt is None and sys.stdin.isatty():
            raise UsageError("no prompt: pass PROMPT or pipe text on stdin")
        # A pipe may carry anything (a binary file, NULs): what does not decode is U+FFFD.
        prompt = sys.stdin.buffer.read().decode(sys.stdin.encoding or "utf-8", "replace")
    if not prompt.strip():
        raise UsageError("the prompt is empty")
    return prompt


def ask(args: argparse.Namespace, out: TextIO) -> int:
    """Stream one answer to stdout (or one JSON object), saving it unless --no-save."""
    paths_ = Paths.resolve()
    settings = _settings(args, paths_)
    attachments = _load_attachments(args.attach)
    prompt = _read_prompt(args)
    _usable_key(settings)
    if not args.no_save:
        from deepseek_tui.attachments import keep_notice

        for attachment in attachments:
            if (too_big := keep_notice(attachment)) is not None:
                print(f"deepseek-tui: note: {clean(too_big)}", file=sys.stderr)
    return asyncio.run(_ask(args, out, settings, paths_, prompt, attachments))


def _load_attachments(paths_: list[str]) -> tuple[Attachment, ...]:
    """Read every ``--attach`` file up front: a bad one is a usage error (exit 2)
    before any prompt is read or request sent."""
    if not paths_:
        return ()
    from deepseek_tui.attachments import AttachmentError, load_attachment

    try:
        return tuple(load_attachment(p) for p in paths_)
    except AttachmentError as exc:
        raise UsageError(str(exc)) from None


async def _ask(
    args: argparse.Namespace,
    out: TextIO,
    settings: Settings,
    paths_: Paths,
    prompt: str,
    attachments: tuple[Attachment, ...] = (),
) -> int:
    from deepseek_tui.clock import from_env
    from deepseek_tui.request import with_overrides
    from deepseek_tui.session import Session
    from deepseek_tui.store import RECOVER_AFTER, StoreError
    from deepseek_tui.turn import AnswerText, Ended, Prepared, ReasoningText
    from deepseek_tui.turn_events import NextRound, ToolCallDone, ToolCallsProposed

    catalog = _catalog(settings)
    store = None if args.no_save else _open_store(paths_)
    session = Session(settings, store, catalog, now=from_env())
    try:
        if store is not None:
            try:
                store.recover_interrupted(older_than=RECOVER_AFTER)
            except StoreError as exc:
                print(f"deepseek-tui: warning: {clean(str(exc))}", file=sys.stderr)
        conversation = _conversation_to_continue(args, store)
        base, system = session.settings_for(conversation)
        if args.system is not None:  # also replaces a continued conversation's
            system = args.system
        turn_settings = with_overrides(
            base,
            model=getattr(args, "model", None),
            thinking=None if args.thinking is None else args.thinking == "on",
            effort=args.effort,
            json_mode=args.json_mode,
            stop=tuple(args.stop) if args.stop else None,
            **{p.name: getattr(args, p.name) for p in params.PARAMS if p.flag},
        )
        turn_input = (turn_settings, prompt, attachments)
        verdict = _money_checks(args, out, paths_, session, store, conversation, system, turn_input)
        if isinstance(verdict, int):
            return verdict
        choices = _stored_choices(store, conversation) if args.tools else None
        if getattr(args, "off_peak", None):
            from deepseek_tui.ask_offpeak import wait_for_off_peak

            await wait_for_off_peak(session.spec(turn_settings.model), args.off_peak, session.now)
        tools = await _start_tools(settings) if args.tools else None
        turn = session.turn(
            prompt,
            turn_settings,
            conversation=conversation,
            system=system or None,
            attachments=attachments,
            tools=_offered(tools, choices),
            approve=_approver(yes=args.yes),
            answer_limit=verdict.answer_limit,
        )
        text = _AskOutput(out, stream=not args.json, reasoning=args.reasoning)
        turn.interrupt("interrupted")  # ask stops only when the program ends (Ctrl+C)
        ended_by: list[signal.Signals] = []
        try:
            with _ending_signals(turn, ended_by):
                async with contextlib.aclosing(turn.run()) as events:
                    async for event in events:
                        if isinstance(event, Prepared):
                            _notes(event, turn_settings.model)
                            _option_notes(args, event, conversation)
                        elif isinstance(event, AnswerText):
                            text.answer(event.text)
                        elif isinstance(event, ReasoningText):
                            text.reasoning(event.text)
                        elif isinstance(event, ToolCallsProposed | ToolCallDone | NextRound):
                            _tool_event(event, text, quiet=args.json)
                        elif isinstance(event, Ended):
                            break
                        if text.closed:
                            turn.interrupt("the output was closed")
                            break
        except asyncio.CancelledError:
            if not ended_by:
                raise
        finally:
            await session.aclose()
            if tools is not None:
                await tools.aclose()
        if ended_by:  # the row is closed as interrupted with what arrived
            text.end()
            return 128 + ended_by[0]
        outcome = turn.outcome
        if text.closed:
            return _output_closed()
        if outcome.status == "refused":
            if outcome.retired is not None:
                how = None
                if conversation is not None:
                    how = (
                        "-c" if getattr(args, "continue_", False) else f"--resume {conversation.id}"
                    )
                raise Failure(_retired_hint(outcome.retired, outcome.error or "", resumed_with=how))
            if outcome.refused == "attachment":
                raise UsageError(outcome.error or "not sent")
            raise Failure(outcome.error or "not sent")
        error = outcome.error if outcome.status == "error" else None
        if args.json:
            out.write(json_text(_ask_json(turn.outcome, error)) + "\n")
        elif not text.end():
            return _output_closed()
        for note in outcome.notes:
            print(f"deepseek-tui: warning: {clean(note)}", file=sys.stderr)
        if outcome.unsaved is not None:
            print(f"deepseek-tui: {clean(outcome.unsaved)}", file=sys.stderr)
            if error is None:
                return EXIT_FAILURE
        if error is not None:
            if outcome.notes and error in outcome.notes:
                return EXIT_FAILURE
            raise Failure(error)
        return EXIT_OK
    finally:
        if store is not None:
            store.close()


def _money_checks(
    args: argparse.Namespace,
    out: TextIO,
    paths_: Paths,
    session: Session,
    store: Store | None,
    conversation: Conversation | None,
    system: str | None,
    turn: tuple[TurnSettings, str, tuple[Attachment, ...]],
) -> int | Verdict:
    """``--quote`` and the ``[budget]`` caps for ``turn`` (settings, prompt,
    attachments), before anything is sent (see :mod:`deepseek_tui.ask_money`):
    an exit status to end with, or the verdict to send with."""
    from deepseek_tui.ask_money import before_send

    def opener() -> Store:
        return _open_store(paths_)

    return before_send(args, out, opener, session, store, conversation, system or None, *turn)


async def _start_tools(settings: Settings) -> ToolHost | None:
    """Start the configured MCP servers; one warning line for each that failed."""
    from deepseek_tui.tools.host import ToolHost

    servers = [s for s in settings.mcp if s.enabled]
    if not servers:
        print(
            "deepseek-tui: note: --tools: no MCP servers are configured ([mcp.NAME] in "
            "config.toml); sending without tools",
            file=sys.stderr,
        )
        return None
    host = ToolHost(settings.mcp, settings.tools)
    await host.start()
    for state in host.states():
        if state.status == "failed":
            print(
                f"deepseek-tui: warning: MCP server {clean(state.name)} did not start: "
                f"{clean(state.error or 'no reason given')}",
                file=sys.stderr,
            )
    return host


def _stored_choices(store: Store | None, conversation: Conversation | None) -> Choices | None:
    """What the user chose about tools in the conversation continued (in the
    TUI): tools switched off are not offered, tools always allowed run."""
    if store is None or conversation is None:
        return None
    from deepseek_tui.tools.choices import Choices

    stored = store.tool_choices(conversation.id)
    return Choices(set(stored.off), set(stored.allowed), conversation.id)


def _offered(host: ToolHost | None, choices: Choices | None) -> ToolBox | None:
    if host is None or choices is None:
        return host
    from deepseek_tui.tools.choices import OfferedTools

    return OfferedTools(host, choices)


def _approver(*, yes: bool) -> Approve:
    """``ask`` never waits for input: ``--yes`` runs every call, otherwise a call
    of a tool not listed under ``trust`` is declined (the model is told so)."""

    async def approve(calls: Sequence[ProposedCall]) -> list[bool]:
        if not yes:
            for call in calls:
                print(
                    f"deepseek-tui: note: declined {clean(call.wire_name)} (not in the server's "
                    "trust list; --yes runs tool calls without asking)",
                    file=sys.stderr,
                )
        return [yes] * len(calls)

    return approve


def _tool_event(
    event: ToolCallsProposed | ToolCallDone | NextRound, text: _AskOutput, *, quiet: bool
) -> None:
    """Tool calls on stderr, one line each, so stdout stays the answer."""
    from deepseek_tui.turn_events import ToolCallDone, ToolCallsProposed

    if isinstance(event, ToolCallsProposed):
        text.pause()
        if not quiet:
            for call in event.calls:
                args = " ".join(call.arguments.split())
                if len(args) > 200:
                    args = args[:199] + "…"
                print(f"deepseek-tui: tool: {clean(call.wire_name)} {clean(args)}", file=sys.stderr)
    elif isinstance(event, ToolCallDone) and not quiet:
        first = next((line for line in event.result.content.splitlines() if line.strip()), "")
        if len(first) > 200:
            first = first[:199] + "…"
        status = event.result.status
        print(
            f"deepseek-tui: {status}: {clean(event.call.wire_name)}: {name_bidi(clean(first))}",
            file=sys.stderr,
        )


@contextlib.contextmanager
def _ending_signals(turn: Turn, received: list[signal.Signals]) -> Iterator[None]:
    """While ``ask`` streams, SIGTERM and SIGHUP (a closed terminal) end it the
    way Ctrl+C does: the turn is cancelled and its row closed as interrupted
    with what arrived, instead of the process dying with the row `streaming`."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    wanted = (signal.SIGTERM, signal.SIGHUP)

    def on_signal(signum: signal.Signals) -> None:
        if not received:
            received.append(signum)
            turn.interrupt(f"the process was ended ({signum.name})")
            if task is not None:
                task.cancel()

    for signum in wanted:
        loop.add_signal_handler(signum, on_signal, signum)
    try:
        yield
    finally:
        for signum in wanted:
            loop.remove_signal_handler(signum)


class _AskOutput:
    """Where ``ask`` writes: the answer to stdout as it arrives, the reasoning
    (with ``--reasoning``) to stderr. A closed stdout (``| head``) is not an
    error: :attr:`closed` says so and the caller stops quietly.

    The text arrives cleaned of control sequences; bidi controls are shown
    by name here (:func:`~deepseek_tui.sanitize.name_bidi`), as the TUI shows
    them, whether stdout is a terminal or a pipe."""

    def __init__(self, out: TextIO, *, stream: bool, reasoning: bool) -> None:
        self._out = out
        self._stream = stream
        self._show_reasoning = reasoning and stream
        self._reasoning_open = False
        self._last = ""
        self.closed = False

    def reasoning(self, text: str) -> None:
        if self._show_reasoning:
            self._reasoning_open = True
            sys.stderr.write(name_bidi(text))
            sys.stderr.flush()

    def answer(self, text: str) -> None:
        if not self._stream:
            return
        if self._reasoning_open:  # reasoning is done: end its line before the answer
            sys.stderr.write("\n")
            self._reasoning_open = False
        self._write(name_bidi(text))

    def pause(self) -> None:
        """Tool calls come next (on stderr): end the lines begun so far, so the
        answer that follows them starts on a line of its own."""
        if self._reasoning_open:
            sys.stderr.write("\n")
            self._reasoning_open = False
        if self._last and not self._last.endswith("\n"):
            self._write("\n")

    def end(self) -> bool:
        """End the output with a newline; ``False`` when stdout went away."""
        if self._reasoning_open:
            sys.stderr.write("\n")
        if self._last and not self._last.endswith("\n"):
            self._write("\n")
        return not self.closed

    def _write(self, text: str) -> None:
        if self.closed or not text:
            return
        try:
            self._out.write(text)
            self._out.flush()
        except BrokenPipeError:
            self.closed = True
            return
        self._last = text


def _output_closed() -> int:
    """stdout was closed by its reader: stop quietly, as ``yes | head`` does.

    Python would report the failed flush of stdout at exit, so stdout is
    pointed at /dev/null first. 141 is what a shell reports for SIGPIPE."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a real file: nothing left to flush
    return 141


def _notes(event: Prepared, model: str) -> None:
    """Say once, on stderr, what the request left out or changed."""
    prepared = event.request
    if prepared.dropped:
        dropped = ", ".join(prepared.dropped)
        print(
            f"deepseek-tui: note: {clean(model)} ignores {dropped} while thinking;"
            " left out of the request",
            file=sys.stderr,
        )
    for note in prepared.notes:
        print(f"deepseek-tui: note: {clean(note)}", file=sys.stderr)


def _option_notes(
    args: argparse.Namespace, event: Prepared, conversation: Conversation | None
) -> None:
    """Say on stderr when an option given to ``ask`` has no effect, or changed
    more than this answer (a continued conversation's system prompt)."""
    prepared = event.request
    spec = prepared.spec
    model = clean(prepared.request.model)
    notes: list[str] = []
    if args.thinking is not None and spec.thinking != "switchable":
        fixed_on = spec.thinking == "on"
        if (args.thinking == "on") != fixed_on:
            what = "always thinks" if fixed_on else "cannot think"
            notes.append(
                f"{model} {what} (its catalog entry fixes thinking {spec.thinking});"
                f" --thinking {args.thinking} has no effect"
            )
    if args.effort is not None and prepared.request.reasoning_effort is None:
        why = "takes no reasoning effort" if prepared.thinking else "is not thinking"
        notes.append(f"{model} {why}; --effort {args.effort} has no effect")
    if (
        args.system is not None
        and conversation is not None
        and conversation.system
        and conversation.system != args.system
    ):
        notes.append(
            "--system replaced this conversation's system prompt;"
            " it is kept for the next answers too"
        )
    for note in notes:
        print(f"deepseek-tui: note: {clean(note)}", file=sys.stderr)


def _retired_hint(spec: ModelSpec, message: str, *, resumed_with: str | None) -> str:
    """The retired-id message plus the one command that gets going again.

    A resumed conversation remembers its model, so the hint says so: the same
    ``-c``/``--resume`` with ``--model`` switches it for good (the new model is
    stored with the conversation), keeping the history.
    """
    if not spec.successor:
        return f"{message}; pick another model with --model (deepseek-tui models lists them)"
    hint = f"--model {spec.successor}"
    if spec.successor_thinking is not None:
        hint += " --thinking " + ("on" if spec.successor_thinking else "off")
    if resumed_with:
        return (
            f"this conversation uses {spec.id}: {message}; continue it with: "
            f"deepseek-tui ask {resumed_with} {hint}"
        )
    return f"{message}; try: {hint}"


def _ask_json(o: TurnOutcome, error: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "content": clean(o.content),
        "reasoning": clean(o.reasoning) if o.reasoning else None,
        "model": o.model,
        "finish_reason": o.finish_reason,
        "usage": (usage.to_dict() if (usage := o.total_usage()) else None),
        "conversation_id": o.conversation_id,
        "cost": o.total_cost(),
        "status": o.status,
        "tool_calls": [
            {
                "id": call.id,
                "name": call.wire_name,
                "arguments": call.arguments,
                "result": result.content,
                "status": result.status,
            }
            for call, result in o.calls
        ],
    }
    if error is not None:
        data["error"] = error
    return data


def _conversation_to_continue(args: argparse.Namespace, store: Store | None) -> Conversation | None:
    resume = getattr(args, "resume", None)
    cont = getattr(args, "continue_", False)
    if not (resume or cont):
        return None
    if store is None:
        raise UsageError("--no-save cannot continue a saved conversation")
    from deepseek_tui.store import StoreError

    try:
        if resume:
            return store.get_conversation(resume)
        latest = store.latest_conversation()
    except StoreError as exc:
        raise Failure(str(exc)) from None
    if latest is None:
        raise Failure("there is no saved conversation to continue yet")
    return latest
