"""Chat-platform adapters: translate platform events into service calls and render neutral messages."""
