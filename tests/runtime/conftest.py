"""Runner and doctor tests reuse the scheduler tests' fixtures (migrated template database, small bank)."""

from tests.scheduler.conftest import bank_small, sched_db_url, svc, template_db

__all__ = ["bank_small", "sched_db_url", "svc", "template_db"]
