"""An applicant's phone on its way from applications to review, sealed for review alone.

``application_submitted`` goes to every service that hears it (a topic exchange hands
each queue the same message), and review is the only one that texts the applicant: the
phone number travels sealed (Fernet: AES-128-CBC with an HMAC) with ``CONTACT_KEY``, which
only applications and review hold (the local stack makes one per DATA_DIR; production
takes it from the two services' secrets). Dossier, and anyone else who reads that queue,
sees ``phone_sealed`` and cannot open it. Without the key (unit tests, a deployment that
has not set one yet) the phone travels plain, as it did before, and review reads both.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from services.common.infra import config

if TYPE_CHECKING:
    from services.common.court.events import EventApplicant

log = logging.getLogger(__name__)


def _fernet():
    from cryptography.fernet import Fernet

    key = config.get("CONTACT_KEY")
    return Fernet(str(key).encode()) if key else None


def new_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def seal_phone(applicant: EventApplicant, phone: str | None) -> None:
    """Add the phone to an event's ``applicant``: sealed when there is a key."""
    if not phone:
        return
    fernet = _fernet()
    if fernet is None:
        applicant["phone"] = phone
    else:
        applicant["phone_sealed"] = fernet.encrypt(phone.encode()).decode()


def phone_of(applicant: Mapping[str, Any]) -> str | None:
    """The phone an event's ``applicant`` carries, sealed or (older events) plain."""
    sealed = applicant.get("phone_sealed")
    if sealed:
        from cryptography.fernet import InvalidToken

        fernet = _fernet()
        if fernet is None:
            log.error("an applicant's phone came sealed and CONTACT_KEY is not set: no text to them")
            return None
        try:
            return fernet.decrypt(str(sealed).encode()).decode()
        except InvalidToken:
            log.error("an applicant's sealed phone does not open with CONTACT_KEY: no text to them")
            return None
    phone = applicant.get("phone")
    return str(phone) if phone else None
