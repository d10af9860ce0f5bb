"""``GET /models`` and ``GET /user/balance``.

Only DeepSeek's own host has a balance; the model list is what the host
offers, in its order. Both are read leniently: an entry that is not what we
expect is skipped rather than failing the whole list.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from deepseek_tui.api._body import Call
from deepseek_tui.api._errors import HTTPStatusError, UnexpectedResponse
from deepseek_tui.api._responses import Responses
from deepseek_tui.api._types import Balance, BalanceInfo, ModelInfo
from deepseek_tui.sanitize import clean


class ModelsAndBalance(Responses):
    """The ``/models`` and ``/user/balance`` methods of
    :class:`~deepseek_tui.api.DeepSeekClient`."""

    async def list_models(self) -> list[ModelInfo]:
        """``GET /models``: the model ids this host offers (in the host's order)."""
        raw = await self._get_json("/models")
        entries = raw.get("data") if isinstance(raw, dict) else raw
        if not isinstance(entries, list):
            raise UnexpectedResponse(
                f"unexpected response from {self._host.netloc} (HTTP 200, no model list): "
                "check the base URL",
                status=200,
            )
        models: list[ModelInfo] = []
        scrub = self._scrub  # ids are shown and quoted in messages: never with the key
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"]:
                owner = entry.get("owned_by")
                models.append(
                    ModelInfo(
                        id=scrub(entry["id"]),
                        owned_by=scrub(owner) if isinstance(owner, str) else None,
                    )
                )
            elif isinstance(entry, str) and entry:
                models.append(ModelInfo(id=scrub(entry)))
        return models

    async def balance(self) -> Balance | None:
        """``GET /user/balance``; None when the host has no such endpoint.

        Only DeepSeek's own host has it; others answer 404/405 (or JSON that is
        not a balance), which is not an error here. An HTML page still is: it
        means the base URL points somewhere else.
        """
        try:
            raw = await self._get_json("/user/balance")
        except (HTTPStatusError, UnexpectedResponse) as exc:
            if exc.status in (404, 405, 501):
                return None
            raise
        if not isinstance(raw, dict) or not isinstance(raw.get("balance_infos"), list):
            return None
        infos: list[BalanceInfo] = []
        for info in raw["balance_infos"]:
            if not isinstance(info, dict):
                continue
            scrub = self._scrub
            infos.append(
                BalanceInfo(
                    currency=_amount(info.get("currency"), scrub) or "?",
                    total=_amount(info.get("total_balance"), scrub) or "0",
                    granted=_amount(info.get("granted_balance"), scrub),
                    topped_up=_amount(info.get("topped_up_balance"), scrub),
                )
            )
        return Balance(is_available=raw.get("is_available") is not False, infos=tuple(infos))

    async def _get_json(self, path: str) -> Any:
        loop = asyncio.get_running_loop()
        call = Call(loop.time(), min(self._timeouts.total, self._timeouts.first_token))
        response = await self._open("GET", path, None, call, None)
        try:
            return await self._read_json_body(response, call)
        finally:
            await response.aclose()


def _amount(value: Any, scrub: Callable[[str], str]) -> str | None:
    if isinstance(value, str):
        return scrub(clean(value))[:40]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None
