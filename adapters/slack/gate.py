"""The edge of the Slack adapter: every inbound request is checked before bolt or the service sees it.

HTTP mode: the body size is capped, the signature is verified on the raw bytes first (an unsigned,
forged or stale request gets 401 and costs nothing more), then the body must be UTF-8 and parse as a
JSON object (or a form whose ``payload`` is one): anything else gets 400. In both HTTP and Socket Mode
the payload's fields that listeners read are checked against typed models (:func:`payload_problem`), so
a signed but malformed payload is answered 400 with one log line and never raises inside a listener.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["MAX_BODY_BYTES", "GateResult", "check_http_request", "payload_problem"]

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024  # Slack's own payloads are a few KB; a view submission stays far below this
MAX_DEPTH = 32
SIGNATURE_MAX_AGE = 5 * 60  # seconds, as Slack and slack-sdk use


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Id(_Loose):
    id: str | None = None


class _Item(_Loose):
    type: str | None = None
    channel: str | None = None
    ts: str | None = None


class _Event(_Loose):
    type: str


class _ReactionEvent(_Loose):
    type: str
    user: str | None = None
    reaction: str | None = None
    item: _Item | None = None
    item_user: str | None = None
    event_ts: str | None = None


class _HomeEvent(_Loose):
    type: str
    user: str | None = None
    tab: str | None = None
    channel: str | None = None


class _EventCallback(_Loose):
    type: str
    team_id: str | None = None
    event_id: str | None = None
    event: _Event


_EVENT_MODELS: dict[str, type[BaseModel]] = {
    "reaction_added": _ReactionEvent,
    "reaction_removed": _ReactionEvent,
    "app_home_opened": _HomeEvent,
}


class _Action(_Loose):
    action_id: str
    value: str | None = None


class _User(_Loose):
    id: str
    username: str | None = None
    name: str | None = None
    team_id: str | None = None


class _Channel(_Loose):
    id: str | None = None
    name: str | None = None


class _Team(_Loose):
    id: str | None = None
    domain: str | None = None


class _Container(_Loose):
    channel_id: str | None = None


class _BlockActions(_Loose):
    type: str
    user: _User
    team: _Team | None = None
    channel: _Channel | None = None
    container: _Container | None = None
    actions: list[_Action] = Field(min_length=1)


class _View(_Loose):
    id: str | None = None
    type: str
    callback_id: str


class _ViewPayload(_Loose):
    type: str
    user: _User
    team: _Team | None = None
    view: _View


class _Command(_Loose):
    command: str
    text: str | None = None
    user_id: str
    team_id: str | None = None
    channel_id: str | None = None


_MODELS: dict[str, type[BaseModel]] = {
    "event_callback": _EventCallback,
    "block_actions": _BlockActions,
    "view_submission": _ViewPayload,
    "view_closed": _ViewPayload,
}


def _depth(value: Any, limit: int = MAX_DEPTH) -> int:
    depth, layer = 0, [value]
    while layer:
        depth += 1
        if depth > limit:
            return depth
        nxt: list[Any] = []
        for v in layer:
            if isinstance(v, dict):
                nxt.extend(v.values())
            elif isinstance(v, list):
                nxt.extend(v)
        layer = nxt
    return depth


# Fields bolt itself reads from every payload (team, user, channel, enterprise ids) before any listener
_OBJECT_FIELDS = ("event", "team", "user", "channel", "enterprise", "container", "view", "message", "state")
_STRING_FIELDS = (
    "type",
    "team_id",
    "enterprise_id",
    "user_id",
    "channel_id",
    "api_app_id",
    "event_id",
    "command",
    "text",
    "trigger_id",
    "response_url",
    "callback_id",
    "token",
    "action_ts",
)


def _top_level_problem(body: dict[str, Any]) -> str | None:
    for key in _OBJECT_FIELDS:  # bolt reads these with body.get(key, {}).get(...): a null breaks it too
        if key in body and not isinstance(body[key], dict) and not (key == "enterprise" and body[key] is None):
            return f"'{key}' is not an object"
    for key in _STRING_FIELDS:
        if body.get(key) is not None and not isinstance(body[key], str):
            return f"'{key}' is not a string"
    for key in ("authorizations", "actions"):
        value = body.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            return f"'{key}' is not a list of objects"
    if not isinstance(body.get("is_enterprise_install", False), bool | str):
        return "'is_enterprise_install' is not a boolean"
    return None


def payload_problem(body: Any) -> str | None:
    """Why a (signature-checked) payload cannot be handled, or None if its fields have the right types."""
    if not isinstance(body, dict):
        return f"the payload is a {type(body).__name__}, not an object"
    if _depth(body) > MAX_DEPTH:
        return f"the payload is nested deeper than {MAX_DEPTH} levels"
    top = _top_level_problem(body)
    if top is not None:
        return top
    event = body.get("event")
    if event is not None:
        if not isinstance(event.get("type"), str):
            return "'event.type' is not a string"
        for key in ("message", "previous_message", "item", "workflow_step"):
            if event.get(key) is not None and not isinstance(event[key], dict):
                return f"'event.{key}' is not an object"
        for key in ("channel_type", "subtype", "thread_ts", "bot_id", "tab", "user", "channel"):
            if event.get(key) is not None and not isinstance(event[key], str | dict):
                return f"'event.{key}' has the wrong type"
    kind = body.get("type")
    model = _MODELS.get(kind) if isinstance(kind, str) else None
    if model is None and "command" in body:
        model = _Command
    if model is None:
        if kind is not None and not isinstance(kind, str):
            return "'type' is not a string"
        return None  # url_verification, shortcuts, options, app rate limits: bolt answers these itself
    try:
        model.model_validate(body)
        if model is _EventCallback:
            event_model = _EVENT_MODELS.get(body["event"]["type"])
            if event_model is not None:
                event_model.model_validate(body["event"])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "payload"
        return f"{kind or 'command'}: {where}: {first['msg']}"
    return None


def _signature_ok(raw: bytes, ts: str, sig: str, secret: str, now: float | None = None) -> bool:
    """Slack's v0 signature over the raw bytes (slack-sdk's verifier decodes the body as UTF-8 first, so
    it cannot tell a forged request from a signed one that is not UTF-8); stale after five minutes."""
    if abs((time.time() if now is None else now) - int(ts)) > SIGNATURE_MAX_AGE:
        return False
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, sig)


class GateResult:
    """The outcome of :func:`check_http_request`: the body text for bolt, or a status and reason."""

    __slots__ = ("reason", "status", "text")

    def __init__(self, text: str | None = None, status: int = 200, reason: str = "") -> None:
        self.text, self.status, self.reason = text, status, reason


def check_http_request(raw: bytes, headers: Any, content_type: str, signing_secret: str) -> GateResult:
    """Signature first, then encoding and shape. Never raises."""
    ts = str(headers.get("X-Slack-Request-Timestamp") or "")
    sig = str(headers.get("X-Slack-Signature") or "")
    if not (ts.isascii() and ts.isdigit() and 0 < len(ts) <= 12) or not sig.startswith("v0="):
        return GateResult(status=401, reason="missing or malformed signature headers")
    if not _signature_ok(raw, ts, sig, signing_secret):
        return GateResult(status=401, reason="invalid or stale signature")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return GateResult(status=400, reason="the body is not UTF-8")
    try:
        if content_type.startswith("application/json") or text.startswith("{"):  # as bolt decides
            body: Any = json.loads(text)
        else:
            form = {k: v[0] for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items()}
            body = json.loads(form["payload"]) if "payload" in form else form
    except (ValueError, RecursionError) as exc:
        return GateResult(status=400, reason=f"the body does not parse ({type(exc).__name__})")
    problem = payload_problem(body)
    if problem is not None:
        return GateResult(status=400, reason=problem)
    return GateResult(text=text)
