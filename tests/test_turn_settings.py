"""What a conversation remembers of its settings comes back exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from deepseek_tui.turn_settings import TurnSettings

maybe_float = st.none() | st.floats(-2, 2, allow_nan=False)

settings = st.builds(
    TurnSettings,
    model=st.sampled_from(["deepseek-flash", "deepseek-v4-pro", "deepseek-ai/DeepSeek-R1"]),
    thinking=st.none() | st.booleans(),
    effort=st.none() | st.sampled_from(["low", "high", "max"]),
    temperature=maybe_float,
    top_p=maybe_float,
    max_tokens=st.none() | st.integers(1, 1_000_000),
    presence_penalty=maybe_float,
    frequency_penalty=maybe_float,
    json_mode=st.booleans(),
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
