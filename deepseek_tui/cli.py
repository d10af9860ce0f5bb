"""Command line: parse arguments, then open the TUI or run a one-shot command.

Exit status: 0 success; 1 API, network, storage or configuration failure, with
one line on stderr that says what to do; 2 usage errors; 130 when interrupted.
Nothing heavy is imported until the chosen command needs it, so ``--help`` and
``paths`` are instant.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, TextIO

from deepseek_tui import __version__, params
from deepseek_tui.errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, Failure

_ENV_HELP = """\
environment:
  DEEPSEEK_API_KEY    API key (wins over the config file)
  DEEPSEEK_BASE_URL   base URL of the API host (with or without /v1)
  DEEPSEEK_TUI_HOME   one directory for config.toml, conversations.db and themes/
  NO_COLOR            turn off colour

run 'deepseek-tui paths' to see which files are in use.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _add_connection_options(p: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    p.add_argument(
        "--model", metavar="M", default=default, help="model id to use, e.g. deepseek-flash"
    )
    p.add_argument(
        "--provider",
        metavar="NAME",
        default=default,
        help="use the configured [providers.NAME] profile for this run",
    )
    p.add_argument(
        "--base-url",
        metavar="URL",
        default=default,
        help="API base URL of an OpenAI-compatible host (with or without /v1)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="deepseek-tui",
        description="A terminal chat client for DeepSeek models. "
        "With no command, opens the chat TUI.",
        epilog=_ENV_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"deepseek-tui {__version__}")
    _add_connection_options(parser, suppress=False)
    parser.add_argument("--theme", metavar="T", help="colour theme for this run")
    start = parser.add_mutually_exclusive_group()
    start.add_argument(
        "-c",
        "--continue",
        dest="continue_",
        action="store_true",
        help="reopen the most recently updated conversation",
    )
    start.add_argument(
        "--resume", metavar="ID", help="reopen conversation ID (a unique prefix is enough)"
    )
    start.add_argument(
        "--demo",
        action="store_true",
        help="run against the built-in offline replay server (no key, no network)",
    )

    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    ask = sub.add_parser(
        "ask",
        help="one-shot: stream the answer to stdout",
        description="Ask once and stream the answer to stdout. The prompt is read from "
        "stdin when PROMPT is absent or '-'. The exchange is saved to history unless "
        "--no-save.",
    )
    ask.add_argument("prompt", nargs="?", metavar="PROMPT", help="the question; '-' reads stdin")
    _add_connection_options(ask, suppress=True)
    ask.add_argument(
        "--thinking", choices=("on", "off"), help="turn the model's thinking on or off"
    )
    ask.add_argument("--effort", choices=params.EFFORTS, help="reasoning effort when thinking")
    ask.add_argument("--system", metavar="TEXT", help="system prompt for this conversation")
    for param in params.PARAMS:
        if param.flag is not None:
            ask.add_argument(
                param.flag,
                dest=param.name,
                type=params.parse_flag(param),
                metavar=param.metavar,
                help=f"{param.help}, {param.allowed}",
            )
    ask.add_argument(
        "--stop",
        action="append",
        metavar="TEXT",
        type=_stop_sequence,
        help="end the answer where the model writes TEXT (cut from the answer); repeatable, "
        "up to 16; \\n is a newline, \\t a tab, \\\\ a backslash",
    )
    ask.add_argument(
        "--json-mode",
        action=argparse.BooleanOptionalAction,
        help="ask for one JSON object (the API's JSON output; --no-json-mode turns off "
        "json_mode from the config or a continued conversation)",
    )
    ask.add_argument(
        "--attach",
        action="append",
        metavar="PATH",
        default=[],
        help="attach a text file, image (PNG, JPEG, GIF, WebP) or document (PDF, DOCX, "
        "XLSX, PPTX) to the prompt; repeatable. Text is inlined for models that take no "
        "files; images need a model that takes images",
    )
    resume = ask.add_mutually_exclusive_group()
    resume.add_argument(
        "-c",
        "--continue",
        dest="continue_",
        action="store_true",
        default=argparse.SUPPRESS,
        help="continue the most recently updated conversation",
    )
    resume.add_argument(
        "--resume",
        metavar="ID",
        default=argparse.SUPPRESS,
        help="continue conversation ID (a unique prefix is enough)",
    )
    ask.add_argument("--reasoning", action="store_true", help="also stream the reasoning to stderr")
    ask.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object at the end instead of streaming text",
    )
    ask.add_argument("--no-save", action="store_true", help="do not save this exchange to history")
    ask.add_argument(
        "--quote",
        action="store_true",
        help="print what the message would cost (cached, new and answer tokens, at this "
        "hour's price) and send nothing; with --json, one JSON object",
    )
    ask.add_argument(
        "--off-peak",
        nargs="?",
        const="wait",
        choices=("wait", "fail"),
        metavar="fail",
        help="send in DeepSeek's off-peak window (half price): wait for it at peak hours "
        "(Ctrl+C cancels), or with --off-peak=fail exit 2 instead of waiting",
    )
    ask.add_argument(
        "--tools",
        action="store_true",
        help="offer the configured MCP servers' tools ([mcp.NAME] in config.toml)",
    )
    ask.add_argument(
        "--yes",
        action="store_true",
        help="with --tools, run the model's tool calls without asking "
        "(otherwise calls of tools not in a server's trust list are declined)",
    )

    history = sub.add_parser("history", help="list saved conversations, newest first")
    history.add_argument("--search", metavar="TEXT", help="only conversations matching TEXT")
    history.add_argument("--json", action="store_true", help="print a JSON array")

    export = sub.add_parser("export", help="print one conversation")
    export.add_argument("id", metavar="ID", help="conversation id (a unique prefix is enough)")
    export.add_argument(
        "--format", choices=("markdown", "json"), default="markdown", help="output format"
    )

    imports = sub.add_parser(
        "import",
        help="add a conversation from a JSON export; print its new id",
        description="Add a conversation from the JSON that 'export --format json' writes "
        "and print its new id. Nothing in the file is trusted: every field is checked and "
        "its text cleaned of terminal control sequences.",
    )
    imports.add_argument("file", metavar="FILE", help="the JSON export; '-' reads stdin")

    models = sub.add_parser("models", help="list the models the configured host offers")
    _add_connection_options(models, suppress=True)
    models.add_argument("--json", action="store_true", help="print a JSON array")

    sub.add_parser("paths", help="print the config file and data directory in use")
    return parser


def _stop_sequence(text: str) -> str:
    """An argparse ``type`` for ``--stop``: the sequence with its escapes read."""
    from deepseek_tui import stops

    sequence = stops.decode(text)
    if not sequence:
        raise argparse.ArgumentTypeError("a stop sequence cannot be empty")
    return sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``deepseek-tui`` script; returns the exit status."""
    parser = build_parser()
    raw = sys.argv[1:] if argv is None else argv
    text = _off_peak_alone([_as_text(arg) for arg in raw])
    args = parser.parse_args(text)
    problem = _check_args(args, [t for t, r in zip(text, raw, strict=True) if t != r])
    if problem is not None:
        return _fail(problem, EXIT_USAGE)
    if args.command is None:
        # The TUI runs without garbage collection until its first frame is out.
        from deepseek_tui import startup

        startup.hold()
    try:
        return _dispatch(args)
    except Failure as exc:
        return _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:  # unforeseen: one line, the details (no locals) in a file
        from deepseek_tui import crash
        from deepseek_tui.paths import Paths

        return _fail(crash.report(exc, Paths.resolve().data_dir), EXIT_FAILURE)
    finally:
        if args.command is None:
            startup.release()  # when it ended before its first frame


def _as_text(arg: str) -> str:
    """``arg`` as text that can be encoded: bytes the locale could not decode
    (which Python keeps as lone surrogates, and nothing downstream -- JSON, the
    database, the terminal -- can encode) become U+FFFD, once, here."""
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return os.fsencode(arg).decode(sys.getfilesystemencoding(), "replace")
        except UnicodeError:  # surrogates that did not come from undecodable bytes
            return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in arg)
    return arg


def _off_peak_alone(args: list[str]) -> list[str]:
    """A bare ``--off-peak`` as ``--off-peak=wait``, so the PROMPT after it is
    never taken for its optional value."""
    end = args.index("--") if "--" in args else len(args)
    return [("--off-peak=wait" if a == "--off-peak" and i < end else a) for i, a in enumerate(args)]


def _check_args(args: argparse.Namespace, replaced: list[str]) -> str | None:
    """What argparse cannot see: an empty conversation id, and a file name that
    had bytes :func:`_as_text` replaced (the file cannot be found by that name,
    and its name could not be sent or stored)."""
    resume = getattr(args, "resume", None)
    if resume is not None and not resume.strip():
        return "--resume needs a conversation id"
    if args.command == "export" and not args.id.strip():
        return "export needs a conversation id"
    stop = getattr(args, "stop", None)
    if stop:
        from deepseek_tui import stops

        problem = stops.check(stop)
        if problem is not None:
            return f"--stop: {problem}"
    for path in getattr(args, "attach", None) or ():
        if "\ufffd" in path and any(path in arg for arg in replaced):
            return f"cannot attach {path}: the file name is not valid UTF-8; rename the file"
    return None


def _dispatch(args: argparse.Namespace) -> int:
    from deepseek_tui import commands

    command: str | None = args.command
    if command == "paths":
        return commands.paths(args, sys.stdout)
    handlers: dict[str | None, Callable[[argparse.Namespace, TextIO], int]] = {
        "ask": commands.ask,
        "history": commands.history,
        "export": commands.export,
        "import": commands.import_,
        "models": commands.models,
        None: commands.tui,
    }
    return handlers[command](args, sys.stdout)


def _fail(message: str, code: int) -> int:
    from deepseek_tui.sanitize import clean, name_bidi

    print(f"deepseek-tui: {name_bidi(clean(message))}", file=sys.stderr)
    return code


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's final
    flush does not print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
