"""StudyBot: a Slack and Discord study bot for the Databricks ML Professional certification."""

__version__ = "0.1.0"
