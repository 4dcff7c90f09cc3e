"""A loopback Slack: the Web API methods StudyBot calls, a response_url sink and a Socket Mode link.

Real slack-sdk and slack-bolt talk to it over HTTP on 127.0.0.1 (port 0); it records every call
with its parameters and token, can answer any method with a planned run of 429s, and keeps the
reactions of the messages it was asked to post so ``reactions.get`` answers like Slack.
For OAuth distribution it also plays Slack's consent page (``GET /oauth/v2/authorize``: the installer
clicks Allow and is sent to ``redirect_url`` with a one-time code) and ``oauth.v2.access`` (the code,
with the app's client id and secret, buys the workspace's bot token).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_USER = "UBOT"
TOKENS = {"xoxb-test-one": "T1", "xoxb-test-two": "T2"}  # fake tokens, never real ones
APP_TOKEN = "xapp-test-socket"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CLIENT_ID = "1111111111.2222222222"  # fake OAuth app credentials
CLIENT_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
INSTALLER = "UINSTALLER"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None
    at: float  # loop time
    peer: tuple[str, int] | None = None  # the caller's end of the TCP connection the call came on

    @property
    def team(self) -> str | None:
        return TOKENS.get(self.token or "")


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)  # bodies POSTed to response_urls
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    admins: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)  # users.info tz (default America/Los_Angeles)
    refuse_channels: dict[str, str] = field(default_factory=dict)  # channel -> Slack error code
    not_in_channel: set[str] = field(default_factory=set)  # public channels the bot must join first
    list_at_most: int = 1000  # reactions.get lists at most this many users per reaction (Slack may cut lists)
    # (team, channel, ts) -> reaction name -> users
    reactions: dict[tuple[str, str, str], dict[str, set[str]]] = field(default_factory=dict)
    messages: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    redirect_url: str = ""  # the app's Redirect URL (OAuth & Permissions): where the consent page sends installers
    oauth_codes: dict[str, str] = field(default_factory=dict)  # one-time code -> team
    consents: list[dict[str, str]] = field(default_factory=list)  # query strings the consent page was opened with
    refuse_files: set[str] = field(default_factory=set)  # teams whose token lacks files:write
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)  # file id -> name, alt, bytes, channel
    views: dict[str, dict[str, Any]] = field(default_factory=dict)  # view id -> the modal opened (views.open)
    _limits: dict[str, list[int]] = field(default_factory=dict)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _ws: list[web.WebSocketResponse] = field(default_factory=list)
    base: str = ""
    _runner: web.AppRunner | None = None

    # -- control ------------------------------------------------------------------------------
    def rate_limit(self, method: str, times: int, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP 429 and ``Retry-After``."""
        self._limits[method] = [retry_after] * times

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def react(self, team: str, channel: str, ts: str, name: str, user: str, added: bool = True) -> None:
        users = self.reactions.setdefault((team, channel, ts), {}).setdefault(name, set())
        (users.add if added else users.discard)(user)

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    @property
    def socket_url(self) -> str:
        return self.base.replace("http", "ws", 1) + "/link"

    def response_url(self, key: str = "r") -> str:
        return f"{self.base}/response/{key}"

    async def push_envelope(self, envelope: dict[str, Any]) -> None:
        """Socket Mode: send an envelope down every open link."""
        for ws in list(self._ws):
            await ws.send_str(json.dumps(envelope))

    # -- server -------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link", self._link)
        app.router.add_get("/oauth/v2/authorize", self._consent)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for ws in list(self._ws):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update({k: str(v) for k, v in (await request.post()).items()})
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.pop("token", None)
        peer = request.transport.get_extra_info("peername") if request.transport is not None else None
        self.calls.append(Call(method, params, token, asyncio.get_running_loop().time(), peer))
        plan = self._limits.get(method)
        if plan:
            retry_after = plan.pop(0)
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
            )
        if method == "oauth.v2.access":
            return web.json_response(self._oauth_v2_access(auth, params))
        if method == "apps.connections.open":
            if token != APP_TOKEN:
                return web.json_response({"ok": False, "error": "invalid_auth"})
            return web.json_response({"ok": True, "url": self.socket_url})
        team = TOKENS.get(token or "")
        if team is None:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        body = handler(team, params) if handler is not None else {"ok": True}
        return web.json_response(body)

    def _m_auth_test(self, team: str, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{team.lower()}.slack.test/",
            "team": f"team {team}",
            "user": "studybot",
            "team_id": team,
            "user_id": BOT_USER,
            "bot_id": "BSTUDY",
            "is_enterprise_install": False,
        }

    def _m_chat_postMessage(self, team: str, p: dict[str, Any]) -> dict[str, Any]:
        channel = str(p.get("channel"))
        if channel in self.refuse_channels:
            return {"ok": False, "error": self.refuse_channels[channel]}
        if channel in self.not_in_channel:
            return {"ok": False, "error": "not_in_channel"}
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        self.messages[(team, channel, ts)] = p
        return {"ok": True, "channel": channel, "ts": ts, "message": {"text": p.get("text"), "ts": ts}}

    def _m_chat_update(self, team: str, p: dict[str, Any]) -> dict[str, Any]:
        key = (team, str(p.get("channel")), str(p.get("ts")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        self.messages[key] = {**self.messages[key], **p}
        return {"ok": True, "channel": key[1], "ts": key[2], "text": p.get("text")}

    def _m_conversations_join(self, team: str, p: dict[str, Any]) -> dict[str, Any]:
        self.not_in_channel.discard(str(p.get("channel")))
        return {"ok": True, "channel": {"id": p.get("channel")}}

    def _m_conversations_open(self, team: str, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": f"D{p.get('users')}"}}

    def _m_files_getUploadURLExternal(self, team: str, p: dict[str, Any]) -> dict[str, Any]:
        if team in self.refuse_files:
            return {"ok": False, "error": "missing_scope", "needed": "files:write"}
        file_id = f"F{next(self._ts):06d}"
        self.uploads[file_id] = {
            "team": team,
            "filename": p.get("filename"),
            "length": int(p.get("length") or 0),
            "alt_txt": p.get("alt_txt"),
            "data": b"",
            "channel": None,
        }
        return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, team: str, p: dict[str, Any]) -> dict[str, Any]:
        files = json.loads(p["files"]) if isinstance(p.get("files"), str) else p.get("files") or []
        for f in files:
            self.uploads[f["id"]]["channel"] = p.get("channel_id")
            self.uploads[f["id"]]["title"] = f.get("title")
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    async def _upload(self, request: web.Request) -> web.Response:
        entry = self.uploads.get(request.match_info["file_id"])
        if entry is None:
            return web.Response(status=404)
        entry["data"] = await request.read()
        return web.Response(text="OK - " + str(len(entry["data"])))

    def _m_chat_postEphemeral(self, team: str, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": f"{int(time.time())}.{next(self._ts):06d}"}

    def _m_reactions_add(self, team: str, p: dict[str, Any]) -> dict[str, Any]:
        key = (team, str(p.get("channel")), str(p.get("timestamp")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        users = self.reactions.setdefault(key, {}).setdefault(str(p.get("name")), set())
        if BOT_USER in users:
            return {"ok": False, "error": "already_reacted"}
        users.add(BOT_USER)
        return {"ok": True}

    def _m_reactions_get(self, team: str, p: dict[str, Any]) -> dict[str, Any]:
        key = (team, str(p.get("channel")), str(p.get("timestamp")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        reactions = [
            {"name": n, "users": sorted(u)[: self.list_at_most], "count": len(u)}
            for n, u in self.reactions.get(key, {}).items()
            if u
        ]
        return {
            "ok": True,
            "type": "message",
            "channel": key[1],
            "message": {"type": "message", "ts": key[2], "reactions": reactions},
        }

    def _m_users_info(self, team: str, p: dict[str, Any]) -> dict[str, Any]:
        user = str(p.get("user"))
        name = self.names.get(user, user.lower())
        return {
            "ok": True,
            "user": {
                "id": user,
                "team_id": team,
                "name": name,
                "real_name": name.title(),
                "is_admin": user in self.admins,
                "is_owner": False,
                "is_bot": user == BOT_USER,
                "profile": {"display_name": name, "real_name": name.title()},
                "tz": self.zones.get(user, "America/Los_Angeles"),
            },
        }

    def _m_views_open(self, team: str, p: dict[str, Any]) -> dict[str, Any]:
        """A modal opened from a trigger id (an interaction's, valid once); the stored view gets an id."""
        view = json.loads(p["view"]) if isinstance(p.get("view"), str) else p.get("view")
        if not p.get("trigger_id") or not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        if view.get("type") != "modal" or not view.get("title") or len(view.get("blocks") or []) > 100:
            return {"ok": False, "error": "invalid_arguments"}
        view_id = f"V{next(self._ts):06d}"
        self.views[view_id] = {"team": team, "trigger_id": p["trigger_id"], **view}
        return {"ok": True, "view": {"id": view_id, "team_id": team, **view}}

    def _m_views_publish(self, team: str, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "view": {"id": "V1", **(p.get("view") or {})}}

    def grant(self, team: str) -> str:
        """A one-time code, as Slack's consent page issues when someone in ``team`` clicks Allow."""
        code = f"code-{team}-{next(self._ts)}"
        self.oauth_codes[code] = team
        return code

    async def _consent(self, request: web.Request) -> web.Response:
        """Slack's consent page, Allow clicked: back to the app's Redirect URL with a code and the state."""
        query = dict(request.query)
        self.consents.append(query)
        if query.get("client_id") != CLIENT_ID or not self.redirect_url:
            return web.Response(status=400, text="invalid_client_id")
        back = {"code": self.grant(query.get("team") or "T1"), "state": query.get("state", "")}
        raise web.HTTPFound(f"{self.redirect_url}?{urllib.parse.urlencode(back)}")

    def _oauth_v2_access(self, auth: str, p: dict[str, Any]) -> dict[str, Any]:
        client_id, client_secret = p.get("client_id"), p.get("client_secret")
        if auth.startswith("Basic "):  # slack-sdk sends the app's credentials as HTTP Basic auth
            client_id, _, client_secret = base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
        if client_id != CLIENT_ID:
            return {"ok": False, "error": "invalid_client_id"}
        if client_secret != CLIENT_SECRET:
            return {"ok": False, "error": "bad_client_secret"}
        team = self.oauth_codes.pop(str(p.get("code")), None)  # a code works once
        if team is None:
            return {"ok": False, "error": "invalid_code"}
        token = next(t for t, tm in TOKENS.items() if tm == team)
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": "chat:write,commands,reactions:read,reactions:write,users:read,channels:join,im:write,files:write",
            "bot_user_id": BOT_USER,
            "app_id": "ASTUDY",
            "team": {"id": team, "name": f"team {team}"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": INSTALLER},
        }

    async def _response(self, request: web.Request) -> web.Response:
        self.responses.append({"key": request.match_info["key"], **(await request.json())})
        return web.Response(text="ok")

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._ws.append(ws)
        await ws.send_str(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "fake"},
                    "connection_info": {"app_id": "ASTUDY"},
                }
            )
        )
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self.socket_acks.append(json.loads(msg.data))
        finally:
            self._ws.remove(ws)
        return ws


def signed_headers(
    body: bytes, *, secret: str = SIGNING_SECRET, ts: int | None = None, content_type: str = "application/json"
) -> dict[str, str]:
    """Headers Slack sends: ``v0=`` + HMAC-SHA256(secret, ``v0:{ts}:{raw body}``)."""
    stamp = str(int(time.time()) if ts is None else ts)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}", "Content-Type": content_type}


def form_body(fields: dict[str, str]) -> bytes:
    return urllib.parse.urlencode(fields).encode()
