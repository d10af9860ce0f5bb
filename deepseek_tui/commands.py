"""The command-line commands behind ``cli.py``: each takes the parsed arguments and
an output stream, and returns an exit status or raises :class:`errors.Failure`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from deepseek_tui.config import BadOverride, ConfigError, Settings, UnknownProvider, load_settings
from deepseek_tui.errors import EXIT_OK, Failure, UsageError
from deepseek_tui.paths import Paths
from deepseek_tui.sanitize import clean, json_text, name_bidi

if TYPE_CHECKING:
    from deepseek_tui.models import Catalog
    from deepseek_tui.store import Store


def _settings(args: argparse.Namespace, paths: Paths) -> Settings:
    """Settings for this run; a bad config stops every command with one message."""
    try:
        settings = load_settings(
            paths,
            model=getattr(args, "model", None),
            base_url=getattr(args, "base_url", None),
            theme=getattr(args, "theme", None),
            provider=getattr(args, "provider", None),
        )
    except UnknownProvider as exc:
        raise UsageError(str(exc)) from None
    except BadOverride as exc:  # not the file's fault: no word about the file
        raise (UsageError if exc.flag else Failure)(str(exc)) from None
    except ConfigError as exc:
        raise Failure(f"{exc} (the file was left unchanged)") from None
    for notice in settings.notices:
        print(f"deepseek-tui: {clean(notice)}", file=sys.stderr)
    return settings


def paths(args: argparse.Namespace, out: TextIO) -> int:
    """Print where config and data live (whether or not the files exist yet)."""
    p = Paths.resolve()
    rows = [
        ("config", p.config_file),
        ("data", p.data_dir),
        ("database", p.database),
        ("themes", p.themes_dir),
    ]
    for label, path in rows:
        out.write(f"{label:<9} {path}\n")
    if os.environ.get("DEEPSEEK_TUI_HOME"):
        out.write("(from DEEPSEEK_TUI_HOME)\n")
    return EXIT_OK


def _open_store(paths: Paths) -> Store:
    """Open the conversation database; its notices go to stderr."""
    from deepseek_tui.store import Store, StoreError

    try:
        opened = Store.open(paths.database)
    except StoreError as exc:
        raise Failure(str(exc)) from None
    for notice in opened.notices:
        print(f"deepseek-tui: {clean(notice)}", file=sys.stderr)
    return opened.store


def ask(args: argparse.Namespace, out: TextIO) -> int:
    """Stream one answer to stdout (see :mod:`deepseek_tui.ask`)."""
    from deepseek_tui.ask import ask as run_ask

    return run_ask(args, out)


def _usable_key(settings: Settings) -> str:
    """The key to send, or one line saying why there is none that can be sent."""
    key = settings.api_key()
    if not key:
        raise Failure(
            "no API key: set DEEPSEEK_API_KEY, or run deepseek-tui once to enter and save one"
        )
    problem = settings.api_key_problem()
    if problem is not None:
        raise Failure(problem)
    return key


def _catalog(settings: Settings) -> Catalog:
    from deepseek_tui.models import Catalog, CatalogError

    try:
        return Catalog.load(settings.models)
    except CatalogError as exc:
        raise Failure(f"{settings.source}: {exc}") from None


@contextlib.contextmanager
def _stored(paths_: Paths) -> Iterator[Store]:
    """The store for ``history``, ``export`` and ``import``; a failure is one line.

    Its notices (an upgrade, a damaged file moved aside, a read-only database)
    go to stderr once the command is done, unless it failed because a newer
    deepseek-tui wrote the database: the failure says just that, in one line.
    """
    from deepseek_tui.store import NewerSchemaError, Store, StoreError

    try:
        opened = Store.open(paths_.database)
    except StoreError as exc:
        raise Failure(str(exc)) from None
    notices = opened.notices
    try:
        yield opened.store
    except NewerSchemaError as exc:
        notices = ()  # a read-only database's only notice, which this repeats
        raise Failure(str(exc)) from None
    except StoreError as exc:
        raise Failure(str(exc)) from None
    finally:
        opened.store.close()
        for notice in notices:
            print(f"deepseek-tui: {clean(notice)}", file=sys.stderr)


def history(args: argparse.Namespace, out: TextIO) -> int:
    """List saved conversations, newest first."""
    paths_ = Paths.resolve()
    _settings(args, paths_)
    with _stored(paths_) as store:
        rows = store.list_conversations(search=args.search)
    if args.json:
        out.write(json_text([r.to_json() for r in rows], indent=2) + "\n")
        return EXIT_OK
    if not rows:
        print("no conversations" + (" match" if args.search else " yet"), file=sys.stderr)
        return EXIT_OK
    for r in rows:
        title = name_bidi(clean(r.title)).replace("\n", " ") or "(untitled)"
        updated = r.updated[:16].replace("T", " ")
        ident, model = clean(r.id), " ".join(name_bidi(clean(r.model or "-")).split())
        out.write(f"{ident}  {clean(updated)}  {model:<20}  {title}\n")
    return EXIT_OK


def export(args: argparse.Namespace, out: TextIO) -> int:
    """Print one conversation as Markdown or JSON."""
    paths_ = Paths.resolve()
    _settings(args, paths_)
    with _stored(paths_) as store:
        conversation = store.get_conversation(args.id)
        if args.format == "json":
            text = json_text(store.export_json(conversation.id), indent=2)
        else:
            # each field sanitized; bidi controls named, as ask and history show them
            text = store.export_markdown(conversation.id)
    out.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK


def import_(args: argparse.Namespace, out: TextIO) -> int:
    """Add a conversation from a JSON export, trusting none of it; print its new id."""
    from pathlib import Path

    from deepseek_tui.transfer import TransferError, add, parse, read

    paths_ = Paths.resolve()
    _settings(args, paths_)
    source = "stdin" if args.file == "-" else args.file
    try:
        data = parse(sys.stdin.buffer.read() if source == "stdin" else read(Path(source)), source)
        with _stored(paths_) as store:  # only once the file is known to be JSON
            conversation = add(store, data, source)
    except TransferError as exc:
        raise Failure(str(exc)) from None
    out.write(conversation.id + "\n")
    return EXIT_OK


def models(args: argparse.Namespace, out: TextIO) -> int:
    """The host's model ids joined with what the catalog knows about them."""
    settings = _settings(args, Paths.resolve())
    key = _usable_key(settings)
    return asyncio.run(_models(args, out, settings, key))


async def _models(args: argparse.Namespace, out: TextIO, settings: Settings, key: str) -> int:
    from datetime import UTC, datetime

    from deepseek_tui.api import APIError
    from deepseek_tui.request import client_for
    from deepseek_tui.urls import BadBaseURL

    catalog = _catalog(settings)
    host = settings.active.catalog_host
    try:
        async with client_for(settings, key) as client:
            offered = await client.list_models()
    except APIError as exc:
        raise Failure(exc.message) from None
    except BadBaseURL as exc:
        raise Failure(str(exc)) from None
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for info in offered:
        spec = catalog.lookup(info.id, host)
        price = spec.price_at(now)
        rows.append(
            {
                "id": clean(info.id),
                "known": spec.known,
                "label": spec.label,
                "context": spec.context,
                "max_output": spec.max_output,
                "thinking": spec.thinking,
                "retired": spec.is_retired(now),
                "price": None
                if price is None
                else {
                    "currency": price.currency,
                    "cache_hit": price.hit,
                    "cache_miss": price.miss,
                    "output": price.output,
                    "peak": price.peak,
                },
            }
        )
    if args.json:
        out.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    out.write(f"{'model':<32} {'context':>9}  {'thinking':<10}  price per 1M (hit/miss/out)\n")
    for row in rows:
        context = f"{row['context'] // 1000}K" if row["context"] else "?"
        p = row["price"]
        price_text = (
            f"{p['currency']} {p['cache_hit']:g}/{p['cache_miss']:g}/{p['output']:g}"
            + (" (peak)" if p["peak"] else "")
            if p
            else "unknown"
        )
        flag = " (not in catalog)" if not row["known"] else ""
        flag += " (retired)" if row["retired"] else ""
        out.write(f"{row['id']:<32} {context:>9}  {row['thinking']:<10}  {price_text}{flag}\n")
    return EXIT_OK


def tui(args: argparse.Namespace, out: TextIO) -> int:
    """Open the chat TUI (Textual is imported only here)."""
    paths_ = Paths.resolve()
    settings = _settings(args, paths_)
    from deepseek_tui.ui import run_app

    return run_app(settings, paths_, resume=args.resume, continue_=args.continue_, demo=args.demo)
