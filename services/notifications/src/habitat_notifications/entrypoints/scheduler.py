"""The worker loop that runs due reminder slots (every check interval; a slot runs once, see reminders)."""

from __future__ import annotations

import logging

from habitat_common.messaging.polling import BackgroundLoop
from habitat_common.metrics import NOTIFICATIONS_MESSAGES
from habitat_notifications import bootstrap
from habitat_notifications.service_layer import reminders

log = logging.getLogger(__name__)


class ReminderScheduler(BackgroundLoop):
    """Looks for due runs at start and every check_interval_seconds; a failing look is logged and retried."""

    def __init__(self, container: bootstrap.Container) -> None:
        super().__init__(f"{bootstrap.SERVICE}-reminders")
        self.container = container
        self.settings = container.settings.reminders

    async def tick(self) -> int:
        """Run what is due now; how many runs this worker did."""
        c = self.container
        done = await reminders.run_due(c.uow, c.mailroom, self.settings.schedule(), c.settings.coop.zone)
        for run, written in done:
            log.info("reminder run %s %s: %d mails", run.kind, run.key, len(written))
            for message in written:
                NOTIFICATIONS_MESSAGES.labels(message.kind, "queued").inc()
        return len(done)

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.tick()
            except Exception:  # the database may be down: try again next tick
                log.exception("%s failed; retrying", self.name)
            await self.pause(self.settings.check_interval_seconds)
