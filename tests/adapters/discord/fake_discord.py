"""FakeDiscord: a loopback Discord gateway + REST double for running the real discord.py client.

Bound to 127.0.0.1 port 0. It speaks just enough of API v10 for StudyBot, with the realism
discord.py 2.7 depends on (protocols.md §2.3): JSON bodies with ``Content-Type: application/json``
exactly; 429 with ``Via`` and a JSON ``retry_after`` (retried by discord.py) or without ``Via``
(treated as a Cloudflare ban, not retried); interaction callbacks answered with a JSON
``with_response`` body; READY with ``resume_gateway_url``; RESUME replaying buffered frames with
their original sequence numbers, or INVALID_SESSION when told to.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import json
import mimetypes
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import WSMsgType, web

from tests.adapters.discord import discord_payloads as P

JSON = {"Content-Type": "application/json"}
BODY = web.RequestKey("body", object)  # the parsed JSON body (or multipart payload_json)
FILES = web.RequestKey(
    "files", list
)  # the multipart files[n] parts: (filename, content type, bytes)  # exactly this: discord.py compares the header string


def jresp(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, body=json.dumps(data).encode(), headers={**JSON, **(headers or {})})


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    auth: str | None
    at: float
    status: int = 0
    files: list[str] = field(default_factory=list)


@dataclass
class Upload:
    """A file that arrived in a multipart request (``files[n]``), as Discord stores an attachment."""

    channel_id: str
    filename: str
    description: str | None
    content_type: str
    data: bytes
    via: str  # "channel" (a bot message) or "interaction" (a callback, followup or edit)


@dataclass
class RateRule:
    method: str
    pattern: re.Pattern[str]
    times: int
    retry_after: float
    via: bool = True
    is_global: bool = False


@dataclass
class StoredMessage:
    data: dict[str, Any]
    guild_id: str | None
    reactions: dict[str, list[str]] = field(default_factory=dict)  # emoji -> user ids, in order

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def channel_id(self) -> str:
        return str(self.data["channel_id"])

    def full(self) -> dict[str, Any]:
        d = dict(self.data)
        d["reactions"] = [P.reaction_summary(e, len(us), P.BOT_ID in us) for e, us in self.reactions.items() if us]
        return d


@dataclass
class Session:
    id: str
    shard: tuple[int, int]
    seq: int = 0
    frames: list[dict[str, Any]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None


@dataclass
class InteractionRecord:
    id: str
    token: str
    kind: int
    created: float
    guild_id: str | None
    channel_id: str
    callbacks: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    original: StoredMessage | None = None
    followups: list[StoredMessage] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    modal: dict[str, Any] | None = None  # the form a type 9 (MODAL) callback opened
    payload: dict[str, Any] = field(default_factory=dict)  # the INTERACTION_CREATE data sent

    @property
    def callback_types(self) -> list[int]:
        return [body["type"] for _t, body in self.callbacks]

    def callback_delay(self) -> float:
        return self.callbacks[0][0] - self.created


class FakeDiscord:
    def __init__(self, *, token: str = P.TOKEN, shards: int = 1) -> None:
        self.token = token
        self.shard_count = shards
        self.bot = P.user(P.BOT_ID, "StudyBot", bot=True)
        self.guilds: dict[str, dict[str, Any]] = {}
        self.channel_guild: dict[str, str] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, StoredMessage] = {}
        self.calls: list[Call] = []
        self.rate_rules: list[RateRule] = []
        self.forbidden_channels: set[str] = set()
        self.commands: list[list[dict[str, Any]]] = []  # PUT bodies of the global commands
        self.guild_commands: dict[str, list[list[dict[str, Any]]]] = {}
        self.registered: dict[str, list[dict[str, Any]]] = {}  # what GET returns ("" = global)
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.sessions: dict[str, Session] = {}
        self.active: dict[int, Session] = {}  # shard -> current session
        self.interactions: dict[str, InteractionRecord] = {}
        self.dm_channels: dict[str, str] = {}  # dm channel id -> recipient
        self.refuse_dms: set[str] = set()  # users who accept no DMs from the bot (403, code 50007)
        self.uploads: list[Upload] = []
        self.refuse_files: set[str] = set()  # channels where a message with files gets 403 (no Attach Files)
        self.invalidate_next_resume = False
        self.replay_seen = 0  # a RESUME also replays this many frames the client already saw (at-least-once)
        self._gateway_open = asyncio.Event()
        self._gateway_open.set()
        self._send_lock = asyncio.Lock()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/ws", self._ws)
        api = "/api/v10"
        r = app.router
        r.add_get(api + "/users/@me", self._me)
        r.add_post(api + "/users/@me/channels", self._create_dm)
        r.add_get(api + "/oauth2/applications/@me", self._app_info)
        r.add_get(api + "/gateway", self._gateway)
        r.add_get(api + "/gateway/bot", self._gateway_bot)
        r.add_post(api + "/channels/{channel}/messages", self._post_message)
        r.add_get(api + "/channels/{channel}/messages/{message}", self._get_message)
        r.add_patch(api + "/channels/{channel}/messages/{message}", self._edit_message)
        r.add_put(api + "/channels/{channel}/messages/{message}/reactions/{emoji}/@me", self._put_reaction)
        r.add_get(api + "/channels/{channel}/messages/{message}/reactions/{emoji}", self._reaction_users)
        r.add_put(api + "/applications/{app}/commands", self._put_commands)
        r.add_get(api + "/applications/{app}/commands", self._get_commands)
        r.add_put(api + "/applications/{app}/guilds/{guild}/commands", self._put_commands)
        r.add_get(api + "/applications/{app}/guilds/{guild}/commands", self._get_commands)
        r.add_post(api + "/interactions/{iid}/{token}/callback", self._callback)
        r.add_post(api + "/webhooks/{app}/{token}", self._followup)
        r.add_patch(api + "/webhooks/{app}/{token}/messages/{mid}", self._edit_webhook_message)
        r.add_get(api + "/webhooks/{app}/{token}/messages/{mid}", self._get_webhook_message)
        r.add_delete(api + "/webhooks/{app}/{token}/messages/{mid}", self._delete_webhook_message)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        for s in self.sessions.values():
            if s.ws is not None and not s.ws.closed:
                await s.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return self.base + "/api/v10"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    # -- world -----------------------------------------------------------------------------------
    def add_guild(self, gid: str, name: str, channels: dict[str, str], owner_id: str = "1190000000000000099") -> None:
        self.guilds[gid] = P.guild(gid, name, owner_id, channels)
        for cid in channels:
            self.channel_guild[cid] = gid

    def person(self, uid: str, name: str, *, bot: bool = False) -> dict[str, Any]:
        self.users[uid] = P.user(uid, name, bot=bot)
        return self.users[uid]

    def shard_of(self, guild_id: str | None) -> int:
        return 0 if guild_id is None else (int(guild_id) >> 22) % self.shard_count

    # -- plans -----------------------------------------------------------------------------------
    def rate_limit(
        self,
        method: str,
        path_regex: str,
        *,
        times: int = 1,
        retry_after: float = 0.2,
        via: bool = True,
        is_global: bool = False,
    ) -> None:
        self.rate_rules.append(RateRule(method, re.compile(path_regex), times, retry_after, via, is_global))

    def calls_to(self, method: str, path_regex: str) -> list[Call]:
        rx = re.compile(path_regex)
        return [c for c in self.calls if c.method == method and rx.search(c.path)]

    # -- REST ------------------------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        if request.path == "/ws":
            return await handler(request)  # type: ignore[no-any-return]
        body: Any = None
        files: list[tuple[str, str, bytes]] = []
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "multipart/form-data":
                body, files = _multipart(request.headers["Content-Type"], raw)
            elif request.content_type == "application/json" and raw:
                body = json.loads(raw)
            else:
                body = raw.decode(errors="replace")
        request[BODY] = body
        request[FILES] = files
        call = Call(
            request.method,
            request.path,
            dict(request.query),
            body,
            request.headers.get("Authorization"),
            time.monotonic(),
            files=[name for name, _t, _d in files],
        )
        self.calls.append(call)
        response = await self._respond(request, handler, call)
        call.status = response.status
        return response

    async def _respond(
        self, request: web.Request, handler: Callable[[web.Request], Any], call: Call
    ) -> web.StreamResponse:
        webhookish = "/interactions/" in request.path or "/webhooks/" in request.path
        if not webhookish and call.auth != f"Bot {self.token}":
            return jresp({"message": "401: Unauthorized", "code": 0}, 401)
        for rule in self.rate_rules:
            if rule.times > 0 and rule.method == request.method and rule.pattern.search(request.path):
                rule.times -= 1
                headers = {
                    "Retry-After": str(max(1, round(rule.retry_after))),
                    "X-RateLimit-Scope": "global" if rule.is_global else "user",
                }
                if rule.via:
                    headers["Via"] = "1.1 google"
                if rule.is_global:
                    headers["X-RateLimit-Global"] = "true"
                return jresp(
                    {
                        "message": "You are being rate limited.",
                        "retry_after": rule.retry_after,
                        "global": rule.is_global,
                    },
                    429,
                    headers,
                )
        channel = request.match_info.get("channel")
        if channel is not None and channel in self.forbidden_channels:
            return jresp({"message": "Missing Permissions", "code": 50013}, 403)
        if request[FILES]:
            rec = self._record_for(request) if "token" in request.match_info else None
            where = channel or (rec.channel_id if rec else "")
            if where in self.refuse_files:
                return jresp({"message": "Missing Permissions", "code": 50013}, 403)
        return await handler(request)  # type: ignore[no-any-return]

    @staticmethod
    def _json(request: web.Request) -> Any:
        return request[BODY]

    def _attach(self, request: web.Request, body: dict[str, Any], channel_id: str, via: str) -> list[dict[str, Any]]:
        """Store the request's files as this message's attachments (descriptions from ``attachments``)."""
        declared = {str(a.get("id")): a for a in body.get("attachments") or []}
        out: list[dict[str, Any]] = []
        for index, (filename, content_type, data) in enumerate(request[FILES]):
            meta = declared.get(str(index), {})
            description = meta.get("description")
            self.uploads.append(Upload(channel_id, filename, description, content_type, data, via))
            aid = P.snowflake()
            url = f"{self.base}/attachments/{channel_id}/{aid}/{filename}"
            out.append(
                {
                    "id": aid,
                    "filename": filename,
                    "description": description,
                    "size": len(data),
                    "url": url,
                    "proxy_url": url,
                    "content_type": content_type,
                }
            )
        return out

    async def _me(self, request: web.Request) -> web.Response:
        return jresp(self.bot)

    async def _app_info(self, request: web.Request) -> web.Response:
        return jresp(P.application(P.user("1190000000000000099", "owner")))

    async def _gateway(self, request: web.Request) -> web.Response:
        return jresp({"url": self.ws_url})

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        return jresp(
            {
                "url": self.ws_url,
                "shards": self.shard_count,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
            }
        )

    async def _create_dm(self, request: web.Request) -> web.Response:
        body = self._json(request)
        recipient = str(body["recipient_id"])
        cid = P.snowflake()
        self.dm_channels[cid] = recipient
        return jresp(
            {"id": cid, "type": 1, "recipients": [P.user(recipient, "owner")], "last_message_id": None, "flags": 0}
        )

    def _new_message(
        self,
        channel_id: str,
        body: dict[str, Any],
        *,
        author: dict[str, Any] | None = None,
        flags: int = 0,
        webhook: bool = False,
    ) -> StoredMessage:
        gid = self.channel_guild.get(channel_id)
        data = P.message(
            P.snowflake(),
            channel_id,
            author or self.bot,
            guild_id=gid,
            content=body.get("content") or "",
            embeds=body.get("embeds"),
            components=body.get("components"),
            flags=flags | int(body.get("flags") or 0),
            webhook_id=P.APP_ID if webhook else None,
        )
        stored = StoredMessage(data, gid)
        self.messages[stored.id] = stored
        return stored

    async def _post_message(self, request: web.Request) -> web.Response:
        channel = request.match_info["channel"]
        if channel not in self.channel_guild and channel not in self.dm_channels:
            return jresp({"message": "Unknown Channel", "code": 10003}, 404)
        if self.dm_channels.get(channel) in self.refuse_dms:
            return jresp({"message": "Cannot send messages to this user", "code": 50007}, 403)
        body = self._json(request)
        stored = self._new_message(channel, body)
        stored.data["attachments"] = self._attach(request, body, channel, "channel")
        return jresp(stored.full())

    def _message(self, request: web.Request) -> StoredMessage | None:
        stored = self.messages.get(request.match_info["message"])
        if stored is None or stored.channel_id != request.match_info["channel"]:
            return None
        return stored

    async def _get_message(self, request: web.Request) -> web.Response:
        stored = self._message(request)
        if stored is None:
            return jresp({"message": "Unknown Message", "code": 10008}, 404)
        return jresp(stored.full())

    async def _edit_message(self, request: web.Request) -> web.Response:
        stored = self._message(request)
        if stored is None:
            return jresp({"message": "Unknown Message", "code": 10008}, 404)
        body = self._json(request)
        for key in ("content", "embeds", "components"):
            if key in body:
                stored.data[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        stored.data["edited_timestamp"] = P.EPOCH
        return jresp(stored.full())

    async def _put_reaction(self, request: web.Request) -> web.Response:
        stored = self._message(request)
        if stored is None:
            return jresp({"message": "Unknown Message", "code": 10008}, 404)
        emoji = unquote(request.match_info["emoji"])
        await self.react(P.BOT_ID, stored.id, emoji)  # Discord also sends the bot its own reaction event
        return web.Response(status=204)

    async def _reaction_users(self, request: web.Request) -> web.Response:
        stored = self._message(request)
        if stored is None:
            return jresp({"message": "Unknown Message", "code": 10008}, 404)
        emoji = unquote(request.match_info["emoji"])
        limit = min(100, int(request.query.get("limit", "25")))
        after = int(request.query.get("after", "0"))
        ids = sorted(int(u) for u in stored.reactions.get(emoji, []) if int(u) > after)[:limit]
        return jresp(
            [self.users.get(str(u), P.user(str(u), f"user{u}")) if str(u) != P.BOT_ID else self.bot for u in ids]
        )

    async def _put_commands(self, request: web.Request) -> web.Response:
        body = self._json(request)
        guild = request.match_info.get("guild")
        (self.guild_commands.setdefault(guild, []) if guild else self.commands).append(body)
        out = [
            {
                "id": P.snowflake(),
                "application_id": P.APP_ID,
                "version": P.snowflake(),
                "type": 1,
                "default_member_permissions": None,
                "dm_permission": True,
                "nsfw": False,
                **c,
            }
            for c in body
        ]
        self.registered[guild or ""] = out
        return jresp(out)

    async def _get_commands(self, request: web.Request) -> web.Response:
        return jresp(self.registered.get(request.match_info.get("guild") or "", []))

    # -- interactions ----------------------------------------------------------------------------
    async def _callback(self, request: web.Request) -> web.Response:
        rec = self.interactions.get(request.match_info["iid"])
        if rec is None or rec.token != request.match_info["token"]:
            return jresp({"message": "Unknown interaction", "code": 10062}, 404)
        if rec.callbacks:
            return jresp({"message": "Interaction has already been acknowledged.", "code": 40060}, 400)
        body = self._json(request)
        now = time.monotonic()
        if now - rec.created > 3.0:  # Discord invalidates the token after 3 s without an initial response
            return jresp({"message": "Unknown interaction", "code": 10062}, 404)
        kind = body["type"]
        data = body.get("data") or {}
        if kind == 9:
            problem = _modal_problem(data) if rec.kind in (2, 3) else "a modal submit cannot be answered with a modal"
            if problem is not None:
                return jresp({"message": "Invalid Form Body", "code": 50035, "errors": problem}, 400)
            rec.modal = data
        rec.callbacks.append((now, body))
        interaction = {"id": rec.id, "type": rec.kind, "activity_instance_id": None}
        out: dict[str, Any] = {"interaction": interaction}
        if kind in (4, 5):
            flags = int(data.get("flags") or 0)
            loading = kind == 5
            stored = self._new_message(rec.channel_id, data, flags=flags | (128 if loading else 0), webhook=True)
            rec.original = stored
            interaction.update(
                response_message_id=stored.id,
                response_message_loading=loading,
                response_message_ephemeral=bool(flags & 64),
            )
            out["resource"] = {"type": kind, "message": stored.full()}
        elif kind in (6, 7) and rec.kind == 3:
            if kind == 7 and rec.original is not None:
                rec.original.data.update({k: v for k, v in data.items() if k in ("content", "embeds", "components")})
        if request.query.get("with_response") in ("1", "true", "True"):
            return jresp(out)
        return web.Response(status=204)

    def _record_for(self, request: web.Request) -> InteractionRecord | None:
        token = request.match_info["token"]
        return next((r for r in self.interactions.values() if r.token == token), None)

    async def _followup(self, request: web.Request) -> web.Response:
        rec = self._record_for(request)
        if rec is None or not rec.callbacks:
            return jresp({"message": "Unknown Webhook", "code": 10015}, 404)
        body = self._json(request)
        if rec.original is not None and rec.original.data["flags"] & 128:
            # Discord: the first followup after a deferred (type 5) response edits the loading message,
            # and keeps its ephemeral flag whatever the followup asked for.
            keep = rec.original.data["flags"] & 64
            rec.original.data.update(
                content=body.get("content") or "",
                embeds=body.get("embeds") or [],
                components=body.get("components") or [],
                flags=keep,
                attachments=self._attach(request, body, rec.channel_id, "interaction"),
            )
            rec.edits.append(body)
            return jresp(rec.original.full())
        stored = self._new_message(rec.channel_id, body, webhook=True)
        stored.data["attachments"] = self._attach(request, body, rec.channel_id, "interaction")
        rec.followups.append(stored)
        return jresp(stored.full())

    def _webhook_message(self, request: web.Request, rec: InteractionRecord) -> StoredMessage | None:
        mid = request.match_info["mid"]
        if mid == "@original":
            return rec.original
        return self.messages.get(mid)

    async def _edit_webhook_message(self, request: web.Request) -> web.Response:
        rec = self._record_for(request)
        if rec is None:
            return jresp({"message": "Unknown Webhook", "code": 10015}, 404)
        target = self._webhook_message(request, rec)
        if target is None:
            return jresp({"message": "Unknown Message", "code": 10008}, 404)
        body = self._json(request)
        for key in ("content", "embeds", "components"):
            if key in body:
                target.data[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        if "attachments" in body:  # kept ones are named by id; new ones arrive as files[n]
            kept = {str(a.get("id")) for a in body["attachments"] or []}
            target.data["attachments"] = [a for a in target.data.get("attachments", []) if str(a["id"]) in kept]
            target.data["attachments"] += self._attach(request, body, rec.channel_id, "interaction")
        target.data["flags"] = target.data["flags"] & ~128
        rec.edits.append(body)
        return jresp(target.full())

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        rec = self._record_for(request)
        target = self._webhook_message(request, rec) if rec else None
        if target is None:
            return jresp({"message": "Unknown Message", "code": 10008}, 404)
        return jresp(target.full())

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def send_interaction(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        guild_id: str | None,
        channel_id: str,
        user: dict[str, Any],
        permissions: str = P.MEMBER_PERMS,
        message: StoredMessage | None = None,
    ) -> InteractionRecord:
        iid = P.snowflake()
        token = "itoken-" + uuid.uuid4().hex
        cname = "channel"
        if guild_id is not None:
            for ch in self.guilds[guild_id]["channels"]:
                if ch["id"] == channel_id:
                    cname = ch["name"]
        payload = P.interaction(
            iid=iid,
            token=token,
            kind=kind,
            data=data,
            guild_id=guild_id,
            channel_id=channel_id,
            channel_name=cname,
            u=user,
            permissions=permissions,
            msg=message.full() if message else None,
        )
        rec = InteractionRecord(iid, token, kind, time.monotonic(), guild_id, channel_id, payload=payload)
        if message is not None:
            rec.original = message
        self.interactions[iid] = rec
        await self.dispatch("INTERACTION_CREATE", payload, guild_id=guild_id)
        return rec

    async def slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        guild_id: str,
        channel_id: str,
        user: dict[str, Any],
        admin: bool = False,
    ) -> InteractionRecord:
        perms = P.MANAGE_GUILD if admin else P.MEMBER_PERMS
        if admin:
            perms = str(int(P.MEMBER_PERMS) | int(P.MANAGE_GUILD))
        return await self.send_interaction(
            2, P.slash_data(name, options), guild_id=guild_id, channel_id=channel_id, user=user, permissions=perms
        )

    async def autocomplete(
        self, name: str, options: dict[str, Any], focused: str, *, guild_id: str, channel_id: str, user: dict[str, Any]
    ) -> InteractionRecord:
        return await self.send_interaction(
            4, P.slash_data(name, options, focused=focused), guild_id=guild_id, channel_id=channel_id, user=user
        )

    async def press(self, message: StoredMessage, custom_id: str, *, user: dict[str, Any]) -> InteractionRecord:
        gid = message.guild_id or self.channel_guild.get(message.channel_id)
        return await self.send_interaction(
            3, P.button_data(custom_id), guild_id=gid, channel_id=message.channel_id, user=user, message=message
        )

    async def replay(self, rec: InteractionRecord) -> None:
        """Deliver the same INTERACTION_CREATE again (same id and token: a RESUME replay); its callback is refused."""
        await self.dispatch("INTERACTION_CREATE", rec.payload, guild_id=rec.guild_id)

    async def submit_modal(
        self, opened: InteractionRecord, values: dict[str, Any], *, user: dict[str, Any]
    ) -> InteractionRecord:
        """Someone sends the form ``opened`` showed (type 5, MODAL_SUBMIT): each input's answer by custom id
        (a select's chosen values as a list, a text input's text; an input left out is sent empty)."""
        assert opened.modal is not None, "no modal was opened by that interaction"
        rows: list[dict[str, Any]] = []
        for n, top in enumerate(opened.modal["components"], start=1):
            if top["type"] == 10:  # a text display comes back as its type and id only
                rows.append({"type": 10, "id": n})
                continue
            inner = top["component"]
            answer: dict[str, Any] = {"type": inner["type"], "id": 100 + n, "custom_id": inner["custom_id"]}
            if inner["type"] == 3:
                answer["values"] = list(values.get(inner["custom_id"]) or [])
            else:
                answer["value"] = str(values.get(inner["custom_id"]) or "")
            rows.append({"type": 18, "id": n, "component": answer})
        data = {"custom_id": opened.modal["custom_id"], "components": rows}
        gid = opened.guild_id
        return await self.send_interaction(5, data, guild_id=gid, channel_id=opened.channel_id, user=user)

    # -- reactions -------------------------------------------------------------------------------
    async def react(
        self,
        user_id: str,
        message_id: str,
        emoji: str,
        *,
        added: bool = True,
        emoji_id: str | None = None,
        send_event: bool = True,
    ) -> None:
        """Change the REST state and send the gateway event (buffered if the bot is disconnected).

        ``send_event=False`` changes only what ``GET .../reactions`` shows (an event Discord never delivered).
        """
        stored = self.messages[message_id]
        key = f"{emoji}:{emoji_id}" if emoji_id else emoji
        users = stored.reactions.setdefault(key, [])
        if added and user_id not in users:
            users.append(user_id)
        elif not added and user_id in users:
            users.remove(user_id)
        if not send_event:
            return
        u = self.users.get(user_id, self.bot if user_id == P.BOT_ID else P.user(user_id, f"user{user_id}"))
        event = P.reaction_event(
            added=added,
            user_id=user_id,
            channel_id=stored.channel_id,
            message_id=message_id,
            guild_id=stored.guild_id or "",
            emoji=emoji,
            emoji_id=emoji_id,
            member_data=P.member(u),
            author_id=str(stored.data["author"]["id"]),
        )
        await self.dispatch(
            "MESSAGE_REACTION_ADD" if added else "MESSAGE_REACTION_REMOVE", event, guild_id=stored.guild_id
        )

    # -- gateway ---------------------------------------------------------------------------------
    async def dispatch(self, t: str, d: dict[str, Any], *, guild_id: str | None = None) -> None:
        session = self.active.get(self.shard_of(guild_id))
        if session is None:
            return
        session.seq += 1
        frame = {"op": 0, "t": t, "s": session.seq, "d": d}
        session.frames.append(frame)
        if session.ws is not None and not session.ws.closed:
            await self._send(session.ws, frame)

    async def _send(self, ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        async with self._send_lock:
            if not ws.closed:
                await ws.send_str(json.dumps(frame))

    async def drop(self, code: int = 4000, *, hold: bool = True, shard: int | None = None) -> None:
        """Close the gateway connection(s) with ``code``; with ``hold``, new connections wait for :meth:`release`."""
        if hold:
            self._gateway_open.clear()
        for sid, s in list(self.active.items()):
            if shard is not None and sid != shard:
                continue
            ws, s.ws = s.ws, None
            if ws is not None and not ws.closed:
                await ws.close(code=code, message=b"fake drop")

    def release(self) -> None:
        self._gateway_open.set()

    def connected(self) -> bool:
        return any(s.ws is not None and not s.ws.closed for s in self.active.values())

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoclose=True, max_msg_size=0)
        await ws.prepare(request)
        assert request.query.get("v") == "10" and request.query.get("encoding") == "json", request.query
        await self._gateway_open.wait()
        await self._send(ws, {"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        session: Session | None = None
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            op, d = frame.get("op"), frame.get("d")
            if op == 1:
                await self._send(ws, {"op": 11, "d": None, "s": None, "t": None})
            elif op == 2:
                if d.get("token") != self.token:
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                self.identifies.append(d)
                shard = tuple(d.get("shard") or (0, 1))
                session = Session(uuid.uuid4().hex, (int(shard[0]), int(shard[1])), ws=ws)
                self.sessions[session.id] = session
                self.active[session.shard[0]] = session
                gids = [g for g in self.guilds if self.shard_of(g) == session.shard[0]]
                await self._dispatch_to(
                    session, "READY", P.ready(session.id, self.ws_url, gids, session.shard, self.bot)
                )
                for g in gids:
                    await self._dispatch_to(session, "GUILD_CREATE", self.guilds[g])
            elif op == 6:
                self.resumes.append(d)
                old = self.sessions.get(d.get("session_id", ""))
                if old is None or self.invalidate_next_resume or d.get("token") != self.token:
                    self.invalidate_next_resume = False
                    if old is not None:
                        self.sessions.pop(old.id, None)
                        if self.active.get(old.shard[0]) is old:
                            del self.active[old.shard[0]]
                    await self._send(ws, {"op": 9, "d": False, "s": None, "t": None})
                    continue
                session = old
                session.ws = ws
                self.active[session.shard[0]] = session
                last = int(d.get("seq") or 0)
                replay = [f for f in session.frames if f["s"] > last - self.replay_seen]
                self.replay_seen = 0
                for f in replay:
                    await self._send(ws, f)
                await self._dispatch_to(session, "RESUMED", {})
        if session is not None and session.ws is ws:
            session.ws = None
        return ws

    async def _dispatch_to(self, session: Session, t: str, d: dict[str, Any]) -> None:
        session.seq += 1
        frame = {"op": 0, "t": t, "s": session.seq, "d": d}
        session.frames.append(frame)
        if session.ws is not None:
            await self._send(session.ws, frame)


def _modal_problem(data: dict[str, Any]) -> str | None:
    """Why Discord would refuse a modal (developers/interactions/receiving-and-responding.mdx, "Modal";
    components/reference.mdx: Label, String Select, Text Input, Text Display), or None."""
    title, custom_id, rows = data.get("title") or "", data.get("custom_id") or "", data.get("components") or []
    if not 1 <= len(title) <= 45 or not 1 <= len(custom_id) <= 100 or not 1 <= len(rows) <= 5:
        return "title 1-45, custom_id 1-100 and 1-5 components"
    for row in rows:
        if row.get("type") == 10:
            continue
        if (
            row.get("type") != 18
            or not 1 <= len(row.get("label") or "") <= 45
            or len(row.get("description") or "") > 100
        ):
            return "a top-level modal component must be a text display or a label (label 1-45, description <= 100)"
        inner = row.get("component") or {}
        if inner.get("type") == 3 and not 1 <= len(inner.get("options") or []) <= 25:
            return "a string select needs 1-25 options"
        if inner.get("type") == 4 and ("label" in inner and inner["label"] is not None):
            return "a text input inside a label has no label of its own"
        if inner.get("type") not in (3, 4):
            return f"component type {inner.get('type')} is not supported in this double's modals"
    return None


def _multipart(content_type: str, raw: bytes) -> tuple[Any, list[tuple[str, str, bytes]]]:
    """Discord's multipart form: ``payload_json`` (the JSON body) and ``files[n]`` parts."""
    parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    body: Any = None
    files: list[tuple[str, str, bytes]] = []
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if name == "payload_json":
            body = json.loads(data)
        elif isinstance(name, str) and name.startswith("files["):
            filename = str(part.get_filename())
            # discord.py sends application/octet-stream; Discord types the attachment by its name.
            content_type = mimetypes.guess_type(filename)[0] or part.get_content_type()
            files.append((filename, content_type, data))
    return body, files


async def wait_until(predicate: Callable[[], bool], within: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(0.01)
