"""One SQL repository per role port of :class:`bot.core.ports.Store`."""
