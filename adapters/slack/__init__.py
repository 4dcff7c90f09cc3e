"""The Slack adapter: a slack-bolt AsyncApp (Socket Mode or HTTP) and the Slack Notifier."""

from adapters.slack.app import build_slack_app, wait_idle
from adapters.slack.client import make_client
from adapters.slack.config import validate_slack_settings
from adapters.slack.notifier import SlackNotifier
from adapters.slack.server import serve_slack

__all__ = ["SlackNotifier", "build_slack_app", "make_client", "serve_slack", "validate_slack_settings", "wait_idle"]
