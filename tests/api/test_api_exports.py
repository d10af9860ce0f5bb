"""``deepseek_tui.api`` exports exactly its public names, and imports no Textual."""

from __future__ import annotations

import subprocess
import sys
import types

import deepseek_tui.api as api


def test_all_matches_the_public_names() -> None:
    for name in api.__all__:  # the lazy ones (the client) appear once asked for
        getattr(api, name)
    public = {
        name
        for name, value in vars(api).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(api.__all__) == public
    assert len(api.__all__) == len(set(api.__all__))
    for name in api.__all__:
        assert getattr(api, name) is not None


def test_public_classes_and_functions_have_docstrings() -> None:
    for name in api.__all__:
        value = getattr(api, name)
        if isinstance(value, type) or callable(value) and not hasattr(value, "__args__"):
            assert (value.__doc__ or "").strip(), f"{name} has no docstring"


def test_httpx_loads_with_the_client_not_with_the_types() -> None:
    code = (
        "import sys, deepseek_tui.api as api; print('httpx' in sys.modules); "
        "api.DeepSeekClient; print('httpx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_importing_the_client_does_not_import_textual() -> None:
    code = "import sys, deepseek_tui.api; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
