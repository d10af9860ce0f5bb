"""One vocabulary for how an answer ended: complete, stopped, error, interrupted."""

from __future__ import annotations

import pytest

from deepseek_tui.store import FINAL_STATUSES, STATUSES, Store, ending_label


def test_ending_labels() -> None:
    assert ending_label("complete", None) == ""
    assert ending_label("complete", "ignored") == ""
    assert ending_label("stopped", None) == "stopped"
    assert ending_label("interrupted", None) == "interrupted"
    assert ending_label("error", "HTTP 500: server error") == "failed: HTTP 500: server error"
    assert ending_label("error", None) == "failed"
    assert ending_label("error", " \n ") == "failed"
    assert ending_label("error", "line one\n  line two") == "failed: line one line two"
    # A row still being written is, to anyone else, a partial answer.
    assert ending_label("streaming", None) == "interrupted"


def test_the_four_endings() -> None:
    assert FINAL_STATUSES == ("complete", "stopped", "interrupted", "error")
    assert set(STATUSES) == {"streaming", *FINAL_STATUSES}


def test_finish_message_accepts_stopped_and_only_endings(store: Store) -> None:
    conv = store.create_conversation()
    _, a = store.begin_turn(conv.id, user_content="q", model="m", params={})
    stopped = store.finish_message(a.id, content="half", reasoning="r", status="stopped")
    assert (stopped.status, stopped.content, stopped.error) == ("stopped", "half", None)
    assert store.checkpoint(a.id, "late", None) is False  # stopped is final
    assert store.recover_interrupted() == 0
    with pytest.raises(ValueError, match="stopped"):
        store.finish_message(a.id, content="x", reasoning=None, status="streaming")


def test_markdown_keeps_a_failure_reason_literal(store: Store) -> None:
    conv = store.create_conversation()
    _, a = store.begin_turn(conv.id, user_content="q", model="m", params={})
    store.finish_message(
        a.id, content="", reasoning=None, status="error", error="bad *input* in <b>\nbody"
    )
    text = store.export_markdown(conv.id)
    assert r"*(failed: bad \*input\* in \<b\> body)*" in text


def test_import_accepts_stopped(store: Store) -> None:
    conv = store.import_json(
        {
            "messages": [
                {"role": "user", "content": "q"},
                {"role": "assistant", "content": "half", "status": "stopped"},
            ]
        }
    )
    assert [m.status for m in store.messages(conv.id)] == ["complete", "stopped"]
    assert store.export_json(conv.id)["messages"][1]["status"] == "stopped"


def test_import_reads_an_older_file_s_esc_as_stopped(store: Store) -> None:
    """Files exported before ``stopped`` existed said ``interrupted`` + "stopped"
    for an Esc: they are read the way schema v4 converted the database."""
    conv = store.import_json(
        {
            "messages": [
                {"role": "user", "content": "q"},
                {"role": "assistant", "content": "a", "status": "interrupted", "error": "stopped"},
                {"role": "user", "content": "q2"},
                {"role": "assistant", "content": "b", "status": "interrupted", "error": "reset"},
                {"role": "user", "content": "q3"},
                {"role": "assistant", "content": "c", "status": "interrupted"},
            ]
        }
    )
    answers = [(m.status, m.error) for m in store.messages(conv.id) if m.role == "assistant"]
    assert answers == [("stopped", None), ("interrupted", "reset"), ("interrupted", None)]


def test_an_unknown_status_is_refused_naming_the_valid_ones(store: Store) -> None:
    from deepseek_tui.store import InvalidImportError

    with pytest.raises(InvalidImportError, match="complete, stopped, interrupted, error"):
        store.import_json({"messages": [{"role": "user", "content": "", "status": "done"}]})
