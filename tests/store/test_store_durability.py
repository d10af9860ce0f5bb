"""Nothing is lost: damaged files, two writing processes, kill -9 mid-stream, errors."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from deepseek_tui.store import Store, StoreError
from deepseek_tui.store._errors import translate


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def moved_aside(path: Path) -> list[Path]:
    """The damaged database files moved aside (not their -wal/-shm companions)."""
    found = path.parent.glob(f"{path.name}.corrupt-*")
    return sorted(p for p in found if not p.name.endswith(("-wal", "-shm", "-journal")))


def assert_fresh_store_works(path: Path) -> None:
    with Store.open(path).store as s:
        conv = s.create_conversation(title="after the damage")
        assert [c.id for c in s.list_conversations(search="damage")] == [conv.id]


# --- damaged files ---------------------------------------------------------------


def test_random_bytes_are_moved_aside(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    junk = random.Random(7).randbytes(10_000)
    db_path.write_bytes(junk)
    wal = db_path.with_name(db_path.name + "-wal")
    wal.write_bytes(b"not a wal either")

    opened = Store.open(db_path)
    opened.store.close()
    (moved,) = moved_aside(db_path)
    assert moved.read_bytes() == junk
    assert moved.with_name(moved.name + "-wal").read_bytes() == b"not a wal either"
    assert len(opened.notices) == 1
    notice = opened.notices[0]
    assert "damaged" in notice and str(moved) in notice and "new one" in notice
    assert not opened.read_only
    assert_fresh_store_works(db_path)


def test_truncated_database_is_moved_aside(db_path: Path) -> None:
    with Store.open(db_path).store as s:
        for i in range(60):
            conv = s.create_conversation(title=f"conversation {i}")
            _, a = s.begin_turn(conv.id, user_content="lorem ipsum " * 100, model="m", params={})
            s.finish_message(a.id, content=f"answer {i} " * 200, reasoning=None, status="complete")
    assert not db_path.with_name(db_path.name + "-wal").exists()  # checkpointed on close
    whole = db_path.read_bytes()
    assert len(whole) > 200_000
    db_path.write_bytes(whole[: len(whole) // 2])

    opened = Store.open(db_path)
    opened.store.close()
    assert len(opened.notices) == 1 and "damaged" in opened.notices[0]
    (moved,) = moved_aside(db_path)
    assert moved.read_bytes() == whole[: len(whole) // 2]
    assert_fresh_store_works(db_path)


def test_damaged_page_is_caught_by_quick_check(db_path: Path) -> None:
    with Store.open(db_path).store as s:
        for i in range(40):
            conv = s.create_conversation(title=f"c{i}")
            s.begin_turn(conv.id, user_content="x" * 3000, model="m", params={})
    data = bytearray(db_path.read_bytes())
    page = 4096
    for offset in range(3 * page, len(data), 2 * page):  # scribble over every other page
        data[offset : offset + 64] = b"\xff" * 64
    db_path.write_bytes(bytes(data))

    opened = Store.open(db_path)
    opened.store.close()
    assert len(opened.notices) == 1 and "damaged" in opened.notices[0]
    assert len(moved_aside(db_path)) == 1
    assert_fresh_store_works(db_path)


def test_two_damaged_opens_keep_both_copies(db_path: Path, clock) -> None:
    db_path.parent.mkdir(parents=True)
    for n in range(2):
        db_path.write_bytes(b"garbage %d" % n * 500)
        Store.open(db_path, clock=lambda: clock.now).store.close()  # same time stamp
    assert len(moved_aside(db_path)) == 2


def test_unopenable_path_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("I am a file, not a directory")
    with pytest.raises(StoreError) as info:
        Store.open(blocker / "conversations.db")
    assert "could not create the conversation database" in str(info.value)
    assert str(blocker) in str(info.value)


def test_sqlite_errors_become_one_line_store_errors(db_path: Path) -> None:
    with Store.open(db_path).store:
        pass
    holder = sqlite3.connect(db_path, isolation_level=None)
    other = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError) as raw:
            other.execute("BEGIN IMMEDIATE")
        error = translate(raw.value, db_path, "save the message")
        text = str(error)
        assert text.startswith("could not save the message: the database stayed busy")
        assert str(db_path) in text and "\n" not in text and "locked" not in text
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        other.close()


# --- two processes ----------------------------------------------------------------

WRITER = r"""
import sys, time, pathlib
from deepseek_tui.store import Store
path, cid, tag, turns, go = sys.argv[1:]
store = Store.open(path).store
pathlib.Path(go + "." + tag).touch()
while not pathlib.Path(go).exists():
    time.sleep(0.001)
for i in range(int(turns)):
    _, a = store.begin_turn(cid, user_content=f"{tag} question {i}", model="m", params={})
    store.checkpoint(a.id, f"{tag} partial {i}", None)
    store.finish_message(a.id, content=f"{tag} answer {i}", reasoning=None, status="complete")
    if i % 25 == 0:
        store.create_conversation(title=f"{tag} side {i}")
store.close()
print("done")
"""


def test_two_processes_writing_at_once_lose_nothing(db_path: Path, spawn, tmp_path: Path) -> None:
    turns = 150  # 300 messages per process
    with Store.open(db_path).store as s:
        cid = s.create_conversation(title="shared").id
    go = tmp_path / "go"
    procs = [spawn(WRITER, str(db_path), cid, tag, str(turns), str(go)) for tag in ("A", "B")]
    deadline = time.monotonic() + 30
    while not all(Path(f"{go}.{tag}").exists() for tag in ("A", "B")):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.005)
    go.touch()
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert out.strip() == "done"
        assert "locked" not in err and "Error" not in err

    assert integrity(db_path) == "ok"
    with Store.open(db_path).store as s:
        msgs = s.messages(cid)
        assert len(msgs) == 2 * 2 * turns
        assert [m.seq for m in msgs] == list(range(1, 4 * turns + 1))
        for user, answer in zip(msgs[::2], msgs[1::2], strict=True):
            tag, _, i = user.content.split()
            assert answer.content == f"{tag} answer {i}" and answer.status == "complete"
        for tag in ("A", "B"):
            asked = [int(m.content.split()[2]) for m in msgs if m.content.startswith(f"{tag} q")]
            assert asked == list(range(turns))
        assert len(s.list_conversations()) == 1 + 2 * len(range(0, turns, 25))
        assert len(s.list_conversations(search="answer")) == 1


OPENER = r"""
import sys, time, pathlib
from deepseek_tui.store import Store
path, go, tag = sys.argv[1:]
pathlib.Path(go + "." + tag).touch()
while not pathlib.Path(go).exists():
    time.sleep(0.001)
opened = Store.open(path)
with opened.store as store:
    store.create_conversation(title=tag)
print(len(opened.notices))
"""


def test_processes_creating_the_database_at_once(db_path: Path, spawn, tmp_path: Path) -> None:
    go = tmp_path / "go"
    tags = [f"opener{n}" for n in range(3)]
    procs = [spawn(OPENER, str(db_path), str(go), tag) for tag in tags]
    deadline = time.monotonic() + 30
    while not all(Path(f"{go}.{tag}").exists() for tag in tags):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.005)
    go.touch()
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert out.strip() == "0"
    with Store.open(db_path).store as s:
        assert sorted(c.title for c in s.list_conversations(search="opener")) == tags
    assert list(db_path.parent.glob("*.bak-*")) == []


# --- kill -9 ------------------------------------------------------------------------

STREAMER = r"""
import sys
from deepseek_tui.store import Store
store = Store.open(sys.argv[1]).store
conv = store.create_conversation()
_, a = store.begin_turn(conv.id, user_content="question that must survive", model="m", params={})
print(conv.id, a.id, flush=True)
i = 0
while True:
    i += 1
    store.checkpoint(a.id, " ".join(map(str, range(i))), "r" * i)
    print(i, flush=True)
"""


def test_kill_9_while_checkpointing_leaves_an_intact_database(db_path: Path, spawn) -> None:
    rng = random.Random()
    for run in range(5):
        proc = spawn(STREAMER, str(db_path))
        assert proc.stdout is not None
        conv_id, message_id = proc.stdout.readline().split()
        assert proc.stdout.readline().strip() == "1"  # at least one checkpoint committed
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(proc.pid, signal.SIGKILL)
        rest, _ = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        reported = [int(line) for line in rest.split() if line.isdigit()]
        last = reported[-1] if reported else 1

        assert integrity(db_path) == "ok", f"run {run}"
        opened = Store.open(db_path)
        assert opened.notices == ()
        with opened.store as s:
            user, answer = s.messages(conv_id)
            assert (user.content, user.status) == ("question that must survive", "complete")
            assert answer.id == int(message_id) and answer.status == "streaming"
            saved = len(answer.reasoning or "")
            # Every reported checkpoint was committed; at most one more made it.
            assert saved in (last, last + 1), (saved, last)
            assert answer.content == " ".join(map(str, range(saved)))
            assert s.recover_interrupted() == 1
            recovered = s.get_message(answer.id)
            assert recovered.status == "interrupted"
            assert (recovered.content, recovered.reasoning) == (answer.content, answer.reasoning)
