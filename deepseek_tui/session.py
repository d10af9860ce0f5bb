"""A session with one host, UI-free: the one owner of the settings in force,
the store, the model catalog and the network client. ``ask`` and the TUI both
start their turns here (:meth:`Session.turn`) and consume the turn's events
(:mod:`deepseek_tui.turn`); neither keeps a copy of the settings.

The settings change in three ways, all through this object, so none of them
can undo another: the user saves the sidebar's values as the defaults
(:meth:`Session.save_defaults`), switches to another ``[providers.NAME]``
(:meth:`Session.switch_provider`), or enters a key on first start
(:meth:`Session.use_key`).

Which model a new conversation uses is decided in one place,
:func:`choose_model`, for ``ask`` and the TUI alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from deepseek_tui import params
from deepseek_tui.config import DEFAULT_PROVIDER, Generation, Settings, update_config_file
from deepseek_tui.errors import ProviderUnavailable
from deepseek_tui.models import Catalog, ModelSpec, default_model
from deepseek_tui.turn_settings import TurnSettings

if TYPE_CHECKING:
    from deepseek_tui.api import DeepSeekClient
    from deepseek_tui.attachments import Attachment
    from deepseek_tui.store import Conversation, Message, Store
    from deepseek_tui.toolloop import Approve, ToolBox
    from deepseek_tui.turn import Turn

__all__ = ["Choice", "ProviderUnavailable", "Session", "choose_model", "listed"]


class Choice(NamedTuple):
    model: str
    note: str = ""
    """What to tell the user about the choice ("" when there is nothing to say)."""


def choose_model(
    settings: Settings,
    catalog: Catalog,
    offered: Collection[str] | None = None,
    *,
    now: datetime | None = None,
) -> Choice:
    """The model a new conversation uses.

    The user's choice (``--model``, ``model =`` in the config or the
    provider's profile) always wins. Otherwise the catalog's default for the
    host -- kept when the host's ``offered`` list (``None``: not known) names
    it or one of its aliases; else a usable id the host lists: a catalog
    default for any host, then the first known id, never a retired one.
    """
    host = settings.active.catalog_host
    model = default_model(settings, catalog)
    chosen = settings.model or settings.active.model
    if offered is None or listed(catalog, host, model, offered):
        return Choice(model)
    unlisted = f"This host does not list {model}; pick another model with Ctrl+S."
    if chosen:
        return Choice(model, unlisted)

    def usable(m: str, *, known: bool) -> bool:
        spec = catalog.lookup(m, host)
        return (spec.known or not known) and not spec.is_retired(now) and m in offered

    pick = next(
        (m for m in catalog.defaults.values() if usable(m, known=False)),
        next((m for m in offered if usable(m, known=True)), None),
    )
    if pick is None:
        return Choice(model, unlisted)
    return Choice(pick, f"This host does not list {model}; using {pick} (Ctrl+S to change).")


def listed(catalog: Catalog, host: str, model: str, offered: Collection[str]) -> bool:
    """Whether ``offered`` names ``model`` itself or another name of the same entry."""
    if model in offered:
        return True
    spec = catalog.lookup(model, host)
    return spec.known and any(
        (s := catalog.lookup(o, host)).known and s.id == spec.id and s.host == spec.host
        for o in offered
    )


class Session:
    """The settings in force, the store, the catalog and the client for one run.

    ``make_client`` builds a client for the active provider (tests and the
    demo pass their own); it is called on first use, off the event loop.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store | None,
        catalog: Catalog,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        make_client: Callable[[Settings, str], DeepSeekClient] | None = None,
    ) -> None:
        self._settings = settings
        self.store = store
        self.catalog = catalog
        self.now = now
        self._make_client = make_client
        self._client: DeepSeekClient | None = None
        self._old_clients: list[DeepSeekClient] = []
        self._lock = asyncio.Lock()

    # --- settings -----------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def host(self) -> str:
        """The catalog host of the active provider (``deepseek`` or ``*``)."""
        return self._settings.active.catalog_host

    def spec(self, model: str) -> ModelSpec:
        return self.catalog.lookup(model, self.host)

    def default_model(self) -> str:
        return default_model(self._settings, self.catalog)

    def settings_for(self, conversation: Conversation | None) -> tuple[TurnSettings, str]:
        """The turn settings and system prompt a conversation (or a new one) uses."""
        if conversation is not None:
            model = conversation.model or self.default_model()
            return TurnSettings.from_params(model, conversation.params), conversation.system or ""
        g = self._settings.generation
        return TurnSettings.from_generation(self.default_model(), g), g.system_prompt

    def replace_settings(self, settings: Settings) -> None:
        """Use ``settings`` from now on (the demo's server, a key just entered)."""
        self._settings = settings

    def crash_report(self, error: BaseException) -> str:
        """Write a private report of ``error`` next to the database (its
        traceback without locals, every key masked); return one line naming
        its type and the report, for a person to read."""
        from deepseek_tui import crash

        s = self._settings
        keys = [p.api_key for p in s.providers.values() if p.api_key]
        keys.append(s.api_key() or "")
        folder = self.store.path.parent if self.store is not None else None
        return crash.report(error, folder, keys)

    def use_key(self, key: str) -> None:
        """Use ``key`` for the active provider from now on (saved by the caller):
        it was just entered, so for this run it wins even over an environment
        variable (one that holds a key that cannot be sent, say)."""
        s = self._settings
        providers = dict(s.providers)
        providers[s.provider] = replace(s.active, api_key=key, api_key_env=None)
        self._settings = replace(s, providers=providers)

    async def switch_provider(self, name: str) -> None:
        """Use ``[providers.NAME]`` from now on; the next request opens its client.
        Raises :class:`ProviderUnavailable` when it has no key."""
        settings = replace(self._settings, provider=name)
        if not settings.api_key():
            env = settings.active.api_key_env
            raise ProviderUnavailable(
                f"no API key for {name}: set api_key in [providers.{name}]"
                + (f" or {env}" if env else "")
            )
        problem = settings.api_key_problem()
        if problem is not None:
            raise ProviderUnavailable(problem)
        async with self._lock:
            if self._client is not None:  # answers may still stream through it
                self._old_clients.append(self._client)
            self._client = None
            self._settings = settings

    def save_defaults(self, values: TurnSettings, system: str) -> Settings:
        """Write ``values`` to the config file as the defaults for new
        conversations (values left at the model's default are removed there),
        and use them from now on. Blocking: run it on a thread. Raises
        :class:`~deepseek_tui.config.ConfigError` or :class:`OSError`."""
        s = self._settings
        if s.source is None:
            raise OSError("no config file in use")
        generation = self.generation_table(values, system)
        provider = s.provider
        catalog_default = self.catalog.default_model(self.host)

        def change(data: dict[str, Any]) -> None:
            table = data.get("generation")
            table = dict(table) if isinstance(table, dict) else {}
            for name in params.GENERATION_KEYS:
                table.pop(name, None)
            table.update(generation)
            if table:
                data["generation"] = table
            else:
                data.pop("generation", None)
            if data.get("provider", DEFAULT_PROVIDER) == provider:
                if values.model == catalog_default and not s.active.model:
                    data.pop("model", None)
                else:
                    data["model"] = values.model
            else:
                entry = data.setdefault("providers", {}).setdefault(provider, {})
                entry["model"] = values.model

        update_config_file(s.source, change)
        self._settings = replace(
            self._settings, model=values.model, generation=Generation(**generation)
        )
        return self._settings

    def generation_table(self, values: TurnSettings, system: str) -> dict[str, Any]:
        """The ``[generation]`` entries for ``values``: only what differs from the
        model's own defaults."""
        spec = self.spec(values.model)
        out: dict[str, Any] = {}
        if values.thinking is not None and values.thinking != spec.thinks(None):
            out["thinking"] = values.thinking
        if values.effort is not None and values.effort != spec.default_effort:
            out["effort"] = values.effort
        for name in params.SAMPLING:
            value = getattr(values, name)
            if value is not None:
                out[name] = value
        if system:
            out["system_prompt"] = system
        if values.json_mode:
            out["json_mode"] = True
        if values.stop:
            out["stop"] = list(values.stop)
        return out

    # --- the client ------------------------------------------------------------------

    async def client(self) -> DeepSeekClient:
        """The client for the active provider, made on first use on a thread
        (importing httpx and building its TLS context takes ~60 ms)."""
        async with self._lock:
            if self._client is None:
                key = self._settings.api_key()
                if not key:
                    raise ProviderUnavailable("no API key")
                problem = self._settings.api_key_problem()
                if problem is not None:
                    raise ProviderUnavailable(problem)
                make = self._make_client
                if make is None:
                    from deepseek_tui.request import client_for

                    make = client_for
                self._client = await asyncio.to_thread(make, self._settings, key)
            return self._client

    async def aclose(self) -> None:
        """Close every client this session made."""
        async with self._lock:
            clients = [*self._old_clients, *([self._client] if self._client else [])]
            self._client, self._old_clients = None, []
        for client in clients:
            await client.aclose()

    # --- turns -----------------------------------------------------------------------

    def turn(
        self,
        prompt: str,
        settings: TurnSettings,
        *,
        conversation: Conversation | None,
        system: str | None,
        attachments: Sequence[Attachment] = (),
        drop_oldest: int = 0,
        branch_from: int | None = None,
        tools: ToolBox | None = None,
        approve: Approve | None = None,
        answer_limit: int | None = None,
    ) -> Turn:
        """A turn on the active provider; run it with ``async for e in turn.run()``.
        ``tools`` offers their tools to the model; ``approve`` decides calls of
        tools that are not trusted; ``answer_limit`` lowers ``max_tokens`` for
        this turn only (a ``[budget]`` cap, :func:`deepseek_tui.budget.check`)."""
        from deepseek_tui.turn import Turn

        return Turn(
            client=self.client,
            store=self.store,
            catalog=self.catalog,
            host=self.host,
            prompt=prompt,
            settings=settings,
            conversation=conversation,
            system=system,
            provider=self._settings.provider,
            attachments=attachments,
            temperature_max=self._settings.active.temperature_max,
            drop_oldest=drop_oldest,
            branch_from=branch_from,
            tools=tools,
            approve=approve,
            tools_config=self._settings.tools,
            now=self.now,
            answer_limit=answer_limit,
        )

    @property
    def continues_in_place(self) -> bool:
        """Whether a cut-off answer is continued with DeepSeek's chat prefix
        completion (joined into one answer) rather than a "continue" message:
        only DeepSeek's own API offers it (its ``/beta`` base)."""
        return self.host == "deepseek"

    def continuation(
        self,
        partial: Message,
        settings: TurnSettings,
        *,
        conversation: Conversation | None,
        system: str | None,
    ) -> Turn:
        """A turn that continues the stored answer ``partial`` in place
        (see :attr:`continues_in_place`)."""
        from deepseek_tui.turn import Turn

        return Turn(
            client=self.client,
            store=self.store,
            catalog=self.catalog,
            host=self.host,
            prompt="",
            settings=settings,
            conversation=conversation,
            system=system,
            provider=self._settings.provider,
            temperature_max=self._settings.active.temperature_max,
            continuing=partial,
            now=self.now,
        )
