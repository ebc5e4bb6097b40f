"""The facts the services announce to each other, as the events carry them
(docs/contracts.md). One declaration per event, read by the service that builds it and by
every service that hears it: the publisher's builder returns it, so mypy checks what goes
in; a consumer's reader takes it, so a field read under a wrong name is caught before it
runs. No service imports another's modules, which is why they live in the shared kernel.

What arrives off the broker is untrusted: ``messaging.read_event`` hands a consumer's
reader the payload and drops an event whose fields are missing or of the wrong kind. Every
payload also carries the envelope the outbox adds (``Envelope``). Fields an earlier
version did not send are ``NotRequired``, and readers use ``.get`` for them.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

from services.common.infra.ids import ApplicationId
from services.common.infra.shapes import ApplicantJson, MaterialRefJson


class Envelope(TypedDict):
    """What ``messaging.record_event`` adds to every payload: the id consumers record in
    their inbox, and the request that caused the event (for the logs only)."""

    event_id: NotRequired[str]
    request_id: NotRequired[str]


# -- applications -----------------------------------------------------------------------------
class EventApplicant(ApplicantJson):
    """The applicant as review shows them to its clerks (``reading.applicant``), with the
    account's id and the verified phone for review's text messages, sealed for review alone
    (``services.common.infra.contact``)."""

    id: int
    phone_sealed: NotRequired[str]
    phone: NotRequired[str]  # where no sealing key is set, and in older events


class ApplicationSubmitted(Envelope):
    """``applications.application_submitted``: a new 阅卷申请, or a 重新申请 of one."""

    application_id: ApplicationId
    applicant: EventApplicant
    case_no: str
    court: str
    scope: str
    reason: str
    materials: list[MaterialRefJson]
    applied_at: str | None
    reapplied_from: NotRequired[ApplicationId | None]


class ApplicationWithdrawn(Envelope):
    """``applications.application_withdrawn``: the reader withdrew it (撤回)."""

    application_id: ApplicationId


class ApplicationRevoked(Envelope):
    """``applications.application_revoked``: the reader's relation to the case ended
    (已终止): whatever was granted is taken back."""

    application_id: ApplicationId
    applicant_id: int
    case_no: str
    court: str
    reason: str | None
    revoked_at: str | None


# -- review -----------------------------------------------------------------------------------
class ApplicationDecided(Envelope):
    """``review.application_decided``: the clerk's decision (审查). An online approval
    carries its grant (``valid_until``, the chosen ``documents`` or None for all of the
    正卷, ``print``); an on-site one its dates and notice."""

    application_id: ApplicationId
    applicant_id: int
    case_no: str
    court: str
    opinion: str | None  # approve | reject | return; set whenever the event is announced
    mode: str | None
    explanation: str | None
    reviewer: str | None
    reviewed_at: str | None
    valid_until: NotRequired[str | None]
    documents: NotRequired[list[int] | None]
    document_titles: NotRequired[list[str] | None]
    print: NotRequired[bool]
    start_date: NotRequired[str | None]
    end_date: NotRequired[str | None]
    notice: NotRequired[str | None]


class AttendanceRecorded(Envelope):
    """``review.attendance_recorded``: the archivist's record of an on-site reading;
    ``recorded_at`` (to the microsecond) orders corrections."""

    application_id: ApplicationId
    recorded_at: str
    attended: bool | None
    borrowed_at: str | None
    returned_at: str | None


class OnsiteBooked(Envelope):
    """``review.onsite_booked``: the reader's slot in the reading room (预约到场);
    ``version`` orders rebookings."""

    application_id: ApplicationId
    applicant_id: int
    case_no: str
    court: str
    date: str
    start: str
    end: str
    version: int
    booked_at: str | None


# -- case_binding -----------------------------------------------------------------------------
class BindingFacts(Envelope):
    """Which binding (案件绑定), whose, of which case, with the lawyer's phone for review's text."""

    binding_id: int
    lawyer_id: int
    case_no: str
    court: str
    lawyer_phone: str | None


class BindingDecided(BindingFacts):
    """``case_binding.binding_decided``: the clerk approved or rejected it."""

    party_name: str
    decision: str  # approve | reject
    explanation: str | None
    decided_at: str


class BindingRevoked(BindingFacts):
    """``case_binding.binding_revoked``: the clerk revoked an approved binding (撤销绑定)."""

    explanation: str
    revoked_at: str


class RepresentationEnded(Envelope):
    """``case_binding.representation_ended``: a reader's relation to a case ended (the feed
    dropped them, a binding was revoked); ``ended_at`` to the microsecond, compared with
    the claim an application was submitted under."""

    case_no: str
    user_id: int
    reason: str
    ended_at: str


# -- dossier ----------------------------------------------------------------------------------
class DocumentIngested(Envelope):
    """``dossier.document_ingested``: a case now has (more of) its electronic dossier."""

    case_no: str
    document_id: int


# -- identity (broadcast to every replica of the gateway, not through an outbox) ---------------
class SessionRevoked(TypedDict):
    """``identity.session_revoked``: a sign-in ended (退出登录); caches drop it at once."""

    token_hash: str


class AccountChanged(TypedDict):
    """``identity.account_changed``: an account was disabled, verified or changed."""

    user_id: int
