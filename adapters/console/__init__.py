"""The terminal adapter: the local default when no platform token is set, and the e2e harness."""

from adapters.console.chat import ConsoleChat
from adapters.console.notifier import ConsoleNotifier, save_chart

__all__ = ["ConsoleChat", "ConsoleNotifier", "save_chart"]
