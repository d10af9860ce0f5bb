"""What a conversation remembers of its settings comes back exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from deepseek_tui import params
from deepseek_tui.turn_settings import TurnSettings


def _valid(name: str) -> st.SearchStrategy[float | int | None]:
    """Values the parameter accepts (its row in the table), or unset."""
    p = params.by_name(name)
    if p.kind is int:
        return st.none() | st.integers(int(p.lo), int(p.hi))
    return st.none() | st.floats(p.lo, p.hi, allow_nan=False)


settings = st.builds(
    TurnSettings,
    model=st.sampled_from(["deepseek-flash", "deepseek-v4-pro", "deepseek-ai/DeepSeek-R1"]),
    thinking=st.none() | st.booleans(),
    effort=st.none() | st.sampled_from(["low", "high", "max"]),
    json_mode=st.booleans(),
    stop=st.lists(st.text(min_size=1), max_size=16, unique=True).map(tuple),
    **{name: _valid(name) for name in params.SAMPLING},
)


@given(settings)
def test_params_round_trip(t: TurnSettings) -> None:
    params = t.to_params()
    assert "model" not in params
    assert None not in params.values()
    assert TurnSettings.from_params(t.model, params) == t


def test_thinking_off_is_remembered_and_json_mode_off_is_not_stored() -> None:
    params = TurnSettings(model="m", thinking=False).to_params()
    assert params == {"thinking": False}


def test_stored_values_that_cannot_be_used_are_left_out() -> None:
    # What an old database, a hand edit or an imported file may hold.
    stored = {
        "temperature": "hot",
        "top_p": 7,
        "max_tokens": 1.5,
        "presence_penalty": float("nan"),
        "frequency_penalty": True,
        "thinking": "yes",
        "effort": "\x1b[2Jmax",
        "json_mode": 1,
        "stop": "END",
        "unknown": 3,
    }
    assert TurnSettings.from_params("m", stored) == TurnSettings(model="m")
    kept = {"temperature": 0.3, "max_tokens": 100, "thinking": False, "effort": "max"}
    assert TurnSettings.from_params("m", kept).to_params() == kept


def test_stored_stop_sequences_keep_only_strings() -> None:
    stored = {"stop": ["END", 3, None, "", ["x"], "END", "\n\n", *[f"s{i}" for i in range(20)]]}
    stop = TurnSettings.from_params("m", stored).stop
    assert stop[:2] == ("END", "\n\n") and len(stop) == 16
    assert all(isinstance(s, str) and s for s in stop)
    assert TurnSettings.from_params("m", {"stop": {"a": 1}}).stop == ()
    assert TurnSettings(model="m", stop=("a", "b")).to_params() == {"stop": ["a", "b"]}
