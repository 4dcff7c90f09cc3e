"""The terminal adapter: the local default when no platform token is set, and the e2e harness."""

from adapters.console.adapter import ConsoleChat, ConsoleNotifier

__all__ = ["ConsoleChat", "ConsoleNotifier"]
