"""The keyboard reaches everything: scrolling from the prompt, find, moving
between messages and acting on the focused one, reasoning, alternatives on
screen, and [keys] mappings that collide with another key."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.app import DeepSeekApp
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.findbar import FindBar
from deepseek_tui.ui.widgets.message import AssistantMessage, UserMessage
from deepseek_tui.ui.widgets.prompt import PromptInput
from deepseek_tui.ui.widgets.reasoning import ReasoningBlock
from deepseek_tui.ui.widgets.sidebar import SettingsSidebar

from .conftest import SIZE, make_app, notified, screen_text, wait_for

LONG = "\n\n".join(f"Paragraph {i} of a long answer." for i in range(60))


async def chat_with(pilot: Pilot[None], app: DeepSeekApp, *prompts: str) -> ChatScreen:
    """Send ``prompts`` one after the other, each once the answer before ended."""
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
    chat = app.screen
    assert isinstance(chat, ChatScreen)
    for n, prompt in enumerate(prompts, 1):
        await pilot.press(*prompt, "enter")

        def done(n: int = n) -> bool:
            views = chat.query(AssistantMessage)
            return len(views) == n and views.last().state == "complete"

        await wait_for(pilot, done)
    return chat


async def test_page_keys_scroll_the_conversation_from_the_prompt(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content="The very first answer."), Reply(content=LONG))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        chat = await chat_with(pilot, app, "opening question", "tell me more")
        pane = chat.pane
        await wait_for(pilot, lambda: pane.scroll_y == pane.max_scroll_y > 0)
        assert chat.prompt.has_focus
        bottom = pane.scroll_y
        await pilot.press("pageup")
        await wait_for(pilot, lambda: pane.scroll_y < bottom)
        assert chat.prompt.has_focus
        await pilot.press("ctrl+home")
        await wait_for(pilot, lambda: "opening question" in screen_text(app))
        assert pane.scroll_y == 0
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: pane.scroll_y > 0)
        await pilot.press("ctrl+end")
        await wait_for(pilot, lambda: pane.scroll_y == pane.max_scroll_y)
        # A prompt longer than it shows keeps PageUp for its own text.
        chat.prompt.load_text("\n".join(f"line {i}" for i in range(40)))
        chat.prompt.move_cursor(chat.prompt.document.end)
        await wait_for(pilot, lambda: chat.prompt.max_scroll_y > 0)
        row = chat.prompt.cursor_location[0]
        await pilot.press("pageup")
        await wait_for(pilot, lambda: chat.prompt.cursor_location[0] < row)
        assert pane.scroll_y == pane.max_scroll_y


async def test_find_shows_an_earlier_match_with_its_count(server: FakeDeepSeek, home: Path) -> None:
    server.push(
        Reply(content="A zebra crossing, then a zebra again.", reasoning="I pondered a zebra."),
        Reply(content=LONG),
        Reply(content=LONG),
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        chat = await chat_with(pilot, app, "first", "second", "third")
        assert "zebra" not in screen_text(app)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: chat.query(FindBar) and chat.query_one(FindBar).display)
        bar = chat.query_one(FindBar)
        await pilot.press(*"ZEBRA")
        # Reasoning is shown (folded): it is searched too, and opened for its match.
        await wait_for(pilot, lambda: "1/3" in screen_text(app))
        await wait_for(pilot, lambda: "I pondered a zebra." in screen_text(app))

        # Every match on screen is drawn highlighted, the current one the most.
        def hits() -> list[tuple[str, bool]]:
            return [(str(m.content), m.has_class("-current")) for m in chat.query(".find-hit")]

        await wait_for(
            pilot, lambda: hits() == [("zebra", True), ("zebra", False), ("zebra", False)]
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: "2/3" in screen_text(app))
        assert "A zebra crossing, then a zebra again." in screen_text(app)
        await wait_for(pilot, lambda: [c for _, c in hits()] == [False, True, False])
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: bar.count == "1/3")  # wraps round
        await pilot.press("shift+enter")
        await wait_for(pilot, lambda: bar.count == "3/3")
        await pilot.press(*" stripes")
        await wait_for(pilot, lambda: "no matches" in screen_text(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not bar.display and chat.prompt.has_focus)
        assert not chat.query(".find-hit")
        # With reasoning hidden, only the answers are searched.
        await pilot.press("ctrl+r")  # find opened the reasoning: open -> hidden
        await wait_for(pilot, lambda: chat.pane.has_class("-hide-reasoning"))
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: bar.display)
        await pilot.press(*"zebra")  # over the selected earlier text
        await wait_for(pilot, lambda: bar.count.endswith("/2"))


async def test_alt_up_marks_a_message_and_the_keys_act_on_it(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(
        Reply(content="first answer"),
        Reply(content="second answer"),
        Reply(content="first answer, again"),
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        chat = await chat_with(pilot, app, "q1", "q2")
        await pilot.press("alt+up")  # the last answer
        await pilot.press("alt+up", "alt+up")  # its prompt, then the first answer
        first = chat.query(AssistantMessage).first()
        await wait_for(pilot, lambda: first.has_class("-focused"))
        assert chat.prompt.has_focus  # typing goes on
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.clipboard == "first answer")
        await pilot.press("alt+up")
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.clipboard == "q1")
        await pilot.press("alt+down", "alt+down", "alt+down", "alt+down")
        await wait_for(pilot, lambda: not chat.query(".-focused"))
        await pilot.press("f2")  # no mark: the last answer
        await wait_for(pilot, lambda: app.clipboard == "second answer")
        # Regenerate the first answer: the branch from there is asked again.
        await pilot.press("alt+up", "alt+up", "alt+up", "ctrl+g")
        await wait_for(
            pilot,
            lambda: (
                [a.content for a in chat.query(AssistantMessage)] == ["first answer, again"]
                and chat.query(AssistantMessage).last().state == "complete"
            ),
        )
        assert [m["content"] for m in server.chat_requests[-1].body["messages"]] == ["q1"]
        await wait_for(pilot, lambda: "‹ 2/2 ›" in screen_text(app))
        await pilot.press("alt+left")
        await wait_for(pilot, lambda: "second answer" in screen_text(app))
        await wait_for(pilot, lambda: "‹ 1/2 ›" in screen_text(app))


async def test_ctrl_r_opens_folds_and_hides_reasoning(server: FakeDeepSeek, home: Path) -> None:
    server.push(
        Reply(content="one", reasoning="Thoughts about the first."),
        Reply(content="two", reasoning="Thoughts about the second."),
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        chat = await chat_with(pilot, app, "q1", "q2")
        first, last = (a.reasoning for a in chat.query(AssistantMessage))
        assert first is not None and last is not None
        await wait_for(pilot, lambda: last.collapsed)
        assert "Thoughts about the second." not in screen_text(app)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "Thoughts about the second." in screen_text(app))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "▶ Reasoning" not in screen_text(app))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen_text(app).count("▶ Reasoning") == 2)
        assert last.collapsed
        # The focused answer's reasoning opens the same way.
        await pilot.press("alt+up", "alt+up", "alt+up", "ctrl+r")
        await wait_for(pilot, lambda: "Thoughts about the first." in screen_text(app))
        assert last.collapsed
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: first.collapsed)
        assert len(chat.query(ReasoningBlock)) == 2


async def test_a_key_mapped_onto_a_taken_key_is_reported_and_the_action_still_works(
    server: FakeDeepSeek, home: Path
) -> None:
    cfg = home / "config.toml"
    cfg.write_text(cfg.read_text() + '\n[keys]\nsidebar = "f6"\nregenerate = "f2"\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        await wait_for(pilot, lambda: notified(app, "sidebar"))
        about_f6 = [n.message for n in app._notifications if "sidebar" in n.message]
        assert len(about_f6) == 1
        assert "f6" in about_f6[0] and "the prompt" in about_f6[0] and "ctrl+s" in about_f6[0]
        about_f2 = [n.message for n in app._notifications if "regenerate" in n.message]
        assert len(about_f2) == 1 and "copy-answer" in about_f2[0]
        assert chat.query_one(PromptInput).has_focus
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: chat.query_one(SettingsSidebar).display)
        # F1 lists both keys the action answers to.
        (settings,) = [keys.lower() for _, keys, ident in app.key_rows() if ident == "sidebar"]
        assert "f6" in settings and ("^s" in settings or "ctrl+s" in settings)


async def test_f4_edits_the_marked_prompt_and_sends_it_as_a_branch(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content="a1"), Reply(content="a2"), Reply(content="a1 edited"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        chat = await chat_with(pilot, app, "q1 typo", "q2")
        await pilot.press("alt+up", "alt+up", "alt+up", "alt+up", "f4")  # up to the first prompt
        await wait_for(pilot, lambda: chat.prompt.text == "q1 typo")
        await pilot.press(*["backspace"] * 4, *"fixed", "enter")
        await wait_for(
            pilot,
            lambda: (
                [a.content for a in chat.query(AssistantMessage)] == ["a1 edited"]
                and chat.query(AssistantMessage).last().state == "complete"
            ),
        )
        assert [m["content"] for m in server.chat_requests[-1].body["messages"]] == ["q1 fixed"]
        await wait_for(pilot, lambda: "‹ 2/2 ›" in screen_text(app))


async def test_alt_up_reaches_messages_above_the_loaded_page(
    server: FakeDeepSeek, home: Path
) -> None:
    from deepseek_tui.store import Store

    with Store.open(home / "conversations.db").store as store:
        c = store.create_conversation(title="long one", model="deepseek-v4-flash")
        for i in range(40):
            _, answer = store.begin_turn(
                c.id, user_content=f"question {i}", model="deepseek-v4-flash", params={}
            )
            store.finish_message(
                answer.id, content=f"answer {i}", reasoning=None, status="complete"
            )
    app = make_app(resume=c.id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        await wait_for(pilot, lambda: "answer 39" in screen_text(app))
        assert "question 0" not in [m.text for m in chat.query(UserMessage)]  # not loaded
        await pilot.press(*["alt+up"] * 80)
        await wait_for(pilot, lambda: "question 0" in screen_text(app))
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.clipboard == "question 0")
        # Regenerating it asks again from the start of the conversation.
        server.push(Reply(content="a new first answer"))
        await pilot.press("alt+down", "ctrl+g")
        await wait_for(pilot, lambda: "a new first answer" in screen_text(app))
        assert [m["content"] for m in server.chat_requests[-1].body["messages"]] == ["question 0"]
