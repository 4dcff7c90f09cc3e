"""The scheduler: decides *when* to ask the service to act, in each channel's time zone.

Jobs call :class:`bot.service.QuizService` and nothing else. One process at a time runs the
scheduler, chosen by a lease in the database (:class:`SchedulerNode`).
"""

from scheduler.channels import ChannelScheduler
from scheduler.leader import ClockJumpDetector, LeaseStore, SchedulerNode
from scheduler.triggers import LocalTimeTrigger, ScheduledRun, daily_trigger, next_runs, weekly_trigger

__all__ = [
    "ChannelScheduler",
    "ClockJumpDetector",
    "LeaseStore",
    "LocalTimeTrigger",
    "ScheduledRun",
    "SchedulerNode",
    "daily_trigger",
    "next_runs",
    "weekly_trigger",
]
