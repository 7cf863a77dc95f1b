"""The background service: schedules source refreshes and owns the process life."""

from scraper.service.scheduler import Service, run_once

__all__ = ["Service", "run_once"]
