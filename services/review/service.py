"""Review (审查): the queue of each court, decisions, on-site arrangements and attendance,
and the applicant's messages (站内信) with their text-message copies.

Configuration (nameko config or environment):
- ``REVIEW_ONSITE_NOTICES`` (JSON object court → notice) or ``REVIEW_ONSITE_NOTICES_FILE``:
  the reading room's 温馨提示 per court; 广东省广州市中级人民法院 has the manual's text built in.
- ``SMS_PROVIDER`` (``outbox`` with ``SMS_OUTBOX_FILE``, ``log``, ``aliyun``, or
  ``package.module:Class``) and its keys: the text-message copies, each a template of
  ``services.common.infra.sms`` with the case number (see that module and the README).
- ``REVIEW_RPC_TIMEOUT`` (5 s) for case_binding and dossier; ``OUTBOX_RELAY_SECONDS`` (1 s) for the
  outbox relay; ``REVIEW_SWEEP_SECONDS`` (5 s) for the sweeps of reminders (an online approval's
  last day, the day before a booked on-site slot).
- ``COURT_FAULT_FILE``: tests only (see ``services.common.testing.faults``); never set it in
  production.
"""

from __future__ import annotations

import logging

from nameko.rpc import rpc

from services.common.court import verification
from services.common.infra import housekeeping, idempotency, metrics
from services.common.infra.db import Database
from services.common.infra.entrypoints import UnitsOfWork, announces
from services.common.infra.errors import DomainError
from services.common.infra.events import AnnouncingDispatcher, handles
from services.common.infra.health import HealthMixin
from services.common.infra.messaging import OutboxRelay, RelaysOutbox
from services.common.infra.rpc import actor_rpc
from services.common.infra.timers import configured_timer
from services.common.testing.faults import fault_point
from services.review import exports, repository, usecases
from services.review.dependencies import Sms, case_directory, dossier_directory
from services.review.models import IdempotencyKey, Inbox, Outbox

log = logging.getLogger("review")


class ReviewService(HealthMixin, RelaysOutbox):
    name = "review"

    db = Database("review")
    dispatch = AnnouncingDispatcher()
    outbox = OutboxRelay(Outbox)
    case_binding = case_directory()
    dossier = dossier_directory()
    accounts = verification.account_directory("REVIEW_RPC_TIMEOUT")
    sms = Sms()
    review = UnitsOfWork(repository.unit_of_work)

    # -- RPC (from the gateway) ----------------------------------------------------------------
    @rpc(expected_exceptions=DomainError)
    def consistency_facts(self, ids):
        """For the consistency check (services.common.court.consistency): what this service holds."""
        return usecases.consistency_facts(self.review, ids)

    @actor_rpc(expected_exceptions=DomainError)
    def staff_queue(self, actor, status=None, mode=None, limit=20, cursor=None, case_no=None, applicant=None):
        return usecases.staff_queue(
            self.review,
            actor,
            status=status,
            mode=mode,
            limit=limit,
            cursor=cursor,
            verifications=self.accounts,
            case_no=case_no,
            applicant=applicant,
        )

    @actor_rpc(expected_exceptions=DomainError)
    def staff_application(self, actor, application_id):
        return usecases.staff_application(self.review, actor, application_id, verifications=self.accounts)

    @actor_rpc(expected_exceptions=DomainError)
    def staff_counts(self, actor, mode=None):
        return usecases.staff_counts(self.review, actor, mode=mode)

    # -- the work calendar: holidays and 调休 working days, uploaded by an admin per year ------
    @actor_rpc(expected_exceptions=DomainError)
    def calendar_year(self, actor, year):
        return usecases.calendar_year(self.review, actor, year)

    @actor_rpc(expected_exceptions=DomainError)
    def set_calendar_year(self, actor, year, body):
        return usecases.set_calendar_year(self.review, actor, year, body)

    @actor_rpc(expected_exceptions=DomainError)
    def export_page(self, actor, kind, params=None, cursor=None):
        """导出: a page of the queue, the decisions of a period or a year's statistics."""
        return exports.export_page(self.review, actor, kind, params=params, cursor=cursor)

    @actor_rpc(expected_exceptions=DomainError)
    @announces
    def decide(self, actor, application_id, body, idempotency_key=None):
        return usecases.decide(
            self.review,
            actor,
            application_id,
            body,
            lambda case_no: self.case_binding.call("case_summary", case_no=case_no),
            idempotency_key=idempotency_key,
            fault=fault_point,
            grantable_documents=lambda staff, case_no: self.dossier.call(
                "grantable_documents", actor=staff, case_no=case_no
            ),
        )

    @actor_rpc(expected_exceptions=DomainError)
    @announces
    def record_attendance(self, actor, application_id, body, idempotency_key=None):
        return usecases.record_attendance(self.review, actor, application_id, body, idempotency_key=idempotency_key)

    # -- the reading room (阅卷室) ----------------------------------------------------------------
    @actor_rpc(expected_exceptions=DomainError)
    def reading_room(self, actor, court=None):
        return usecases.reading_room(self.review, actor, court=court)

    @actor_rpc(expected_exceptions=DomainError)
    def configure_reading_room(self, actor, body, court=None, idempotency_key=None):
        return usecases.configure_reading_room(self.review, actor, body, court=court, idempotency_key=idempotency_key)

    @actor_rpc(expected_exceptions=DomainError)
    def onsite_slots(self, actor, application_id):
        return usecases.onsite_slots(self.review, actor, application_id)

    @actor_rpc(expected_exceptions=DomainError)
    @announces
    def book_onsite(self, actor, application_id, body, idempotency_key=None):
        return usecases.book_onsite(self.review, actor, application_id, body, idempotency_key=idempotency_key)

    @actor_rpc(expected_exceptions=DomainError)
    def room_bookings(self, actor, date=None):
        return usecases.room_bookings(self.review, actor, day=date)

    @actor_rpc(expected_exceptions=DomainError)
    def messages(self, actor, limit=20, cursor=None):
        return usecases.list_messages(self.review, actor, limit=limit, cursor=cursor)

    @actor_rpc(expected_exceptions=DomainError)
    def mark_read(self, actor, message_id):
        usecases.mark_read(self.review, actor, message_id)

    # -- events ----------------------------------------------------------------------------------
    # Retried with back-off on error, then parked as a dead letter (services.common.infra.events):
    # losing a submission would lose an application from the queue. Payloads that cannot
    # be read are dropped by the use case (logged): no retry would read them either.
    @handles("applications", "application_submitted")
    def on_application_submitted(self, payload):
        usecases.receive_submitted(self.review, payload)

    @handles("applications", "application_withdrawn")
    def on_application_withdrawn(self, payload):
        usecases.receive_withdrawn(self.review, payload)

    @handles("applications", "application_revoked")
    def on_application_revoked(self, payload):
        usecases.receive_revoked(self.review, self.sms, payload)

    @handles("case_binding", "binding_decided")
    def on_binding_decided(self, payload):
        usecases.notify_binding(self.review, self.sms, payload)

    @handles("case_binding", "binding_revoked")
    def on_binding_revoked(self, payload):
        usecases.notify_binding(self.review, self.sms, payload, revoked=True)

    @handles("review", "application_decided")
    def on_application_decided(self, payload):
        usecases.notify_decision(self.review, self.sms, payload)

    @handles("review", "attendance_recorded")
    def on_attendance_recorded(self, payload):
        usecases.notify_attendance(self.review, self.sms, payload)

    @handles("review", "onsite_booked")
    def on_onsite_booked(self, payload):
        usecases.notify_booking(self.review, self.sms, payload)

    # -- timers ------------------------------------------------------------------------------------
    @configured_timer("REVIEW_SWEEP_SECONDS", 5.0, eager=True)
    def expiry_reminders(self):
        usecases.send_expiry_reminders(self.review, self.sms)

    @configured_timer("REVIEW_SWEEP_SECONDS", 5.0, eager=True)
    def booking_reminders(self):
        """The day before a booked slot (现场阅卷提醒); every replica may run it: once each."""
        usecases.send_booking_reminders(self.review, self.sms)

    @configured_timer("REVIEW_GAUGE_SECONDS", 15.0, eager=True)
    def refresh_gauges(self):
        metrics.set_review_queues(*usecases.queue_by_court(self.review))

    @configured_timer("HOUSEKEEPING_SECONDS", 3600.0)
    def purge_old_rows(self):
        housekeeping.run(
            [
                *housekeeping.messaging_purges(self.db, Outbox, Inbox),
                ("idempotency keys", lambda: idempotency.purge(self.db, IdempotencyKey)),
            ]
        )
