"""Phone and ID numbers travel over AMQP only to the services that use them. The one
event that carried one to a service that does not: ``application_submitted`` had the
applicant's phone in plain for review's texts, and dossier hears the same message. It now
carries the phone sealed for review (services/common/infra/contact.py): what dossier's queue
gets has neither the phone nor the ID number, and review still texts the applicant."""

from __future__ import annotations

import json
import uuid

from kombu import Connection, Exchange, Queue

from tests.e2e.test_applications import COURT, apply, import_case
from tests.support import create_staff, new_party, wait_until


def test_application_submitted_reaches_dossier_without_the_applicant_s_numbers(stack, admin):
    party = new_party(stack.base_url, "号码当事人")
    case_no = import_case(admin, parties=[party])
    clerk = create_staff(admin, "clerk", COURT)
    # a queue bound as dossier's is: it gets the same message dossier's queue gets
    listener = Queue(
        f"test-submitted-{uuid.uuid4().hex[:8]}",
        exchange=Exchange("applications.events", type="topic", durable=True, no_declare=True),
        routing_key="application_submitted",
        auto_delete=True,
    )
    with Connection(stack.amqp_uri) as connection:
        bound = listener.bind(connection.channel())
        bound.declare()
        try:
            submitted = apply(party, case_no)
            assert submitted.status_code == 201, submitted.text
            app_id = submitted.json()["id"]
            messages = []

            def heard() -> bool:
                message = bound.get(no_ack=True)
                if message is not None:
                    messages.append(json.loads(message.body))
                return any(m.get("application_id") == str(app_id) for m in messages)  # events carry the string

            assert wait_until(heard, 30), "application_submitted never came"
        finally:
            bound.delete()
    (event,) = [m for m in messages if m["application_id"] == str(app_id)]
    raw = json.dumps(event, ensure_ascii=False)
    assert party.phone not in raw and party.id_number not in raw
    assert "phone" not in event["applicant"] and event["applicant"]["phone_sealed"]
    # review opened it: the decision is texted to the applicant's phone
    decide = f"/api/v1/staff/applications/{app_id}/decision"
    assert wait_until(lambda: clerk.post(decide, json={"opinion": "approve", "mode": "online"}).status_code == 200)
    assert wait_until(lambda: any(case_no in text for text in stack.texts_to(party.phone)), 30)
