"""Chart images into Slack with ``files_upload_v2`` (files.getUploadURLExternal, the upload, then
files.completeUploadExternal), after the text reply has gone out.

A chart never replaces text: the reply's tables were sent first, so a failed upload loses nothing.
A refused upload (no ``files:write`` scope, a channel that takes no files) is logged once per
workspace with what to grant, and the first admin who runs a command there is told once as well.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.charts import ChartImage

__all__ = ["GRANT_FILES", "PERMISSION_ERRORS", "ChartUploads"]

log = logging.getLogger(__name__)

# Slack error codes that mean "not allowed to upload here", as opposed to a passing failure.
PERMISSION_ERRORS = frozenset(
    {
        "missing_scope",
        "not_allowed_token_type",
        "no_permission",
        "restricted_action",
        "not_in_channel",
        "channel_not_found",
        "is_archived",
    }
)
GRANT_FILES = (
    "Charts are not shown here: Slack refused the upload ({error}). Add the files:write scope "
    "(slack-app-manifest.yaml has it) and reinstall the app; the text reports keep working meanwhile."
)


class ChartUploads:
    """Uploads chart images; remembers which workspaces were already warned about a refused upload."""

    def __init__(self) -> None:
        self._logged: set[str] = set()
        self._told: set[str] = set()
        self._home: dict[tuple[str, str], tuple[str, str]] = {}  # (workspace, user) -> (png digest, file id)

    async def upload(
        self, client: AsyncWebClient, image: ChartImage, channel: str, workspace: str, *, token: str | None = None
    ) -> str | None:
        """Upload ``image`` into ``channel``; None when it worked, else the reason (nothing is raised).

        ``token``: the workspace's bot token when the client serves several workspaces.
        """
        _files, error = await self._upload(client, image, workspace, channel=channel, token=token)
        return error

    async def home_file(self, client: AsyncWebClient, image: ChartImage, workspace: str, user: str) -> str | None:
        """The id of a private upload of ``image`` for an App Home image block, or None if refused.

        The same picture for the same person is uploaded once: reopening the Home tab with
        unchanged figures reuses the file instead of adding another one.
        """
        digest = hashlib.sha256(image.png).hexdigest()
        cached = self._home.get((workspace, user))
        if cached is not None and cached[0] == digest:
            return cached[1]
        files, _error = await self._upload(client, image, workspace)
        file_id = next((str(f["id"]) for f in files if isinstance(f, dict) and f.get("id")), None)
        if file_id is not None:
            self._home[(workspace, user)] = (digest, file_id)
        return file_id

    async def _upload(
        self,
        client: AsyncWebClient,
        image: ChartImage,
        workspace: str,
        *,
        channel: str | None = None,
        token: str | None = None,
    ) -> tuple[list[Any], str | None]:
        """files_upload_v2 (into ``channel``, or private to the bot without one): (files, None) or ([], reason)."""
        kwargs: dict[str, Any] = {"token": token} if token else {}
        if channel:
            kwargs["channel"] = channel
        try:
            response = await client.files_upload_v2(
                file=image.png, filename=image.filename, title=image.alt[:200], alt_txt=image.alt[:1000], **kwargs
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "unknown_error")
            if error not in PERMISSION_ERRORS:
                log.warning("chart upload failed (%s); the text reply went out", error, extra={"workspace": workspace})
            elif workspace not in self._logged:
                self._logged.add(workspace)
                log.warning(
                    "Slack refused a chart upload (%s): add the files:write scope and reinstall; text only until then",
                    error,
                    extra={"workspace": workspace, "channel": channel},
                )
            return [], error
        except (SlackRequestError, OSError, TimeoutError) as exc:
            log.warning(
                "chart upload failed (%s); the text reply went out", type(exc).__name__, extra={"workspace": workspace}
            )
            return [], type(exc).__name__
        files = response.get("files") or ([response["file"]] if response.get("file") else [])
        return list(files), None

    def admin_notice(self, workspace: str, error: str | None, is_admin: bool) -> str | None:
        """The one-time line for an admin after a refused upload (None when none is due)."""
        if error not in PERMISSION_ERRORS or not is_admin or workspace in self._told:
            return None
        self._told.add(workspace)
        return GRANT_FILES.format(error=error)

    async def direct_channel(self, client: AsyncWebClient, user: str) -> str | None:
        """The DM with ``user``: private charts go there, since ephemeral messages cannot carry files."""
        try:
            opened = await client.conversations_open(users=user)
        except SlackApiError as exc:
            log.warning("cannot open a DM for a private chart (%s)", exc.response.get("error"))
            return None
        channel = opened.get("channel")
        return str(channel["id"]) if isinstance(channel, dict) and channel.get("id") else None
