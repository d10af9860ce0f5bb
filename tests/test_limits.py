"""Each model's limits on its host, applied to the settings a request is built from."""

from __future__ import annotations

import pytest

from deepseek_tui.limits import fit, limits
from deepseek_tui.models import Catalog
from deepseek_tui.turn_settings import TurnSettings


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_max_tokens_above_max_output_is_sent_as_it_with_a_note(catalog: Catalog) -> None:
    spec = catalog.lookup("deepseek-flash", "deepseek")
    fitted = fit(spec, TurnSettings("deepseek-flash", max_tokens=500_000), thinking=True)
    assert fitted.settings.max_tokens == 393_216
    assert fitted.notes == (
        "max_tokens 500,000 is above deepseek-flash's maximum output of 393,216 tokens"
        " on this host; sent 393,216",
    )
    within = TurnSettings("deepseek-flash", max_tokens=4_000)
    assert fit(spec, within, thinking=True) == (within, ())


def test_unset_max_tokens_becomes_the_catalog_default_quietly(catalog: Catalog) -> None:
    spec = catalog.lookup("deepseek-ai/DeepSeek-R1", "*")
    fitted = fit(spec, TurnSettings(spec.id), thinking=True)
    assert (fitted.settings.max_tokens, fitted.notes) == (8_192, ())
    mine = fit(spec, TurnSettings(spec.id, max_tokens=1_000), thinking=True)
    assert mine.settings.max_tokens == 1_000, "the user's own value wins"


def test_a_models_temperature_range_and_the_providers_override(catalog: Catalog) -> None:
    spec = catalog.lookup("deepseek-v3.2", "*")
    hot = TurnSettings("deepseek-v3.2", temperature=1.5)
    fitted = fit(spec, hot, thinking=False)
    assert fitted.settings.temperature == 1.0
    assert fitted.notes == (
        "temperature 1.5 is above this host's maximum of 1 for deepseek-v3.2; sent 1",
    )
    assert limits(spec)["temperature"].allowed == "0 to 1"
    # A provider's temperature_max replaces the catalog's bound (either way).
    assert fit(spec, hot, thinking=False, temperature_max=2.0).settings.temperature == 1.5
    assert limits(spec, temperature_max=0.5)["temperature"].allowed == "0 to 0.5"
    flash = catalog.lookup("deepseek-flash", "deepseek")
    assert limits(flash)["temperature"].allowed == "0 to 2"


def test_parameters_the_model_ignores_are_left_alone(catalog: Catalog) -> None:
    spec = catalog.lookup("deepseek-flash", "deepseek")
    hot = TurnSettings("deepseek-flash", temperature=1.5)
    assert fit(spec, hot, thinking=True, temperature_max=1.0) == (hot, ())
