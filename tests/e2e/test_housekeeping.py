"""Housekeeping over the real stack: with the clock moved past every retention, the rows
that have done their job go (this stack purges every 2 s: HOUSEKEEPING_SECONDS), with the
objects of materials nobody attached; what is still used, young or unpublished stays."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from tests.e2e.test_applications import apply as submit
from tests.e2e.test_bindings import apply as apply_binding
from tests.e2e.test_bindings import materials
from tests.e2e.test_cases import case_body, import_cases
from tests.e2e.test_uploads import png_bytes, upload
from tests.support import (
    Api,
    assert_error,
    create_staff,
    new_case_no,
    new_lawyer,
    new_party,
    new_phone,
    object_store,
    wait_until,
)

MESSAGING = ("applications", "review", "dossier", "case_binding")
LONG_AGO, FAR_AHEAD = "2000-01-01 00:00:00", "2100-01-01 00:00:00"


def ids(stack, service: str, statement: str, args: tuple = ()) -> set:
    return {row[0] for row in stack.sql(service, statement, args)}


def stamped_by_now(stack, service: str, statement: str) -> set:
    """Ids whose time (the statement's second column) is not after the real now: rows an
    earlier test wrote while it had moved the court's clock weeks ahead are not this
    test's to expect gone after forty days."""
    now = datetime.now(UTC)
    found = set()
    for key, at in stack.sql(service, statement):
        when = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        if (when if when.tzinfo else when.replace(tzinfo=UTC)) <= now:
            found.add(key)
    return found


def test_rows_past_their_retention_go_and_what_is_used_young_or_unpublished_stays(stack, admin, clock):
    # -- at the real time: rows of every kind ---------------------------------------------
    party = new_party(stack.base_url, name="张三")
    lawyer = new_lawyer(admin)
    case_no = new_case_no()
    import_cases(admin, case_body(case_no, parties=[party]))
    attached = upload(party, png_bytes(), "party_id", "id.png").json()["id"]
    application = submit(party, case_no, [attached])
    assert application.status_code == 201, application.text
    granted = materials(lawyer, "license", "authorization")
    binding = apply_binding(lawyer, case_no, granted)
    assert binding.status_code == 201, binding.text
    unattached = materials(lawyer, "other")[0]
    throttled = new_phone()
    failed = Api(stack.base_url).post("/api/v1/auth/login", json={"phone": throttled, "password": "Wrong-pass1"})
    assert_error(failed, 401, "invalid_credentials")
    assert ids(stack, "identity", "SELECT phone FROM login_throttle WHERE phone = ?", (throttled,))
    expired_link, live_link = uuid.uuid4().hex * 2, uuid.uuid4().hex * 2
    for token_hash, expires in ((expired_link, LONG_AGO), (live_link, FAR_AHEAD)):
        stack.sql(
            "dossier",
            "INSERT INTO links (token_hash, application_id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            (token_hash, "0", party.user["id"], LONG_AGO, expires),
        )
    # an event no relay will take before 2100: unpublished, it is never purged however old
    unpublished = str(uuid.uuid4())
    stack.sql(
        "applications",
        "INSERT INTO outbox (event_id, event_type, payload, created_at, attempts, next_attempt_at)"
        " VALUES (?, 'housekeeping_probe', '{}', ?, 1, ?)",
        (unpublished, LONG_AGO, FAR_AHEAD),
    )
    owners = (party.user["id"], lawyer.user["id"])
    keys = dict(stack.sql("applications", "SELECT id, key FROM materials WHERE owner_id IN (?, ?)", owners))
    session = hashlib.sha256(party.token.encode()).hexdigest()

    # what the submission announced is published and handled before time moves
    reviewed = (str(application.json()["id"]),)
    assert wait_until(lambda: ids(stack, "review", "SELECT id FROM applications WHERE id = ?", reviewed), seconds=20)
    published = {
        s: stamped_by_now(stack, s, "SELECT id, published_at FROM outbox WHERE published_at IS NOT NULL")
        for s in MESSAGING
    }
    # the events this test's submission caused, as each consumer recorded them (others' rows
    # may be handled again later, after a replay or a redelivery, and are not this test's)
    announced = ids(
        stack,
        "applications",
        "SELECT event_id FROM outbox WHERE payload LIKE ?",
        (f'%"application_id": "{application.json()["id"]}"%',),  # events carry the contract's string
    )
    handled_ids = {s: stamped_by_now(stack, s, "SELECT event_id, handled_at FROM inbox") & announced for s in MESSAGING}
    assert published["applications"] and handled_ids["review"] and handled_ids["dossier"]

    try:
        # -- forty days on: past every retention ------------------------------------------
        clock.set((datetime.now(UTC) + timedelta(days=40)).isoformat())
        newcomer = Api(stack.base_url)
        newcomer.register()
        young = upload(newcomer, png_bytes(), "other", "young.png")
        assert young.status_code == 201, young.text

        store = object_store(stack)

        def left() -> dict:
            # the material's row goes first, its object after the commit, then the note of it
            remaining = {
                "material object": {keys[unattached]} if store.exists(keys[unattached]) else set(),
                "discard note": set(stack.sql("applications", "SELECT key FROM discarded_objects")),
                "material": ids(stack, "applications", "SELECT id FROM materials WHERE id = ?", (unattached,)),
                "session": ids(stack, "identity", "SELECT token_hash FROM sessions WHERE token_hash = ?", (session,)),
                "throttle": ids(stack, "identity", "SELECT phone FROM login_throttle WHERE phone = ?", (throttled,)),
                "link": ids(stack, "dossier", "SELECT token_hash FROM links WHERE token_hash = ?", (expired_link,)),
            }
            for service in MESSAGING:
                remaining[f"{service} outbox"] = published[service] & ids(stack, service, "SELECT id FROM outbox")
                remaining[f"{service} inbox"] = handled_ids[service] & ids(stack, service, "SELECT event_id FROM inbox")
            return {name: rows for name, rows in remaining.items() if rows}

        assert wait_until(lambda: not left(), seconds=30, interval=0.5), left()

        # Used, young or unpublished: kept, with their objects.
        used_or_young = (attached, *granted, young.json()["id"])
        kept = ids(stack, "applications", "SELECT id FROM materials WHERE id IN (?, ?, ?, ?)", used_or_young)
        assert kept == set(used_or_young)
        assert all(store.exists(keys[m]) for m in (attached, *granted))
        assert not store.exists(keys[unattached])
        assert stack.sql("applications", "SELECT count(*) FROM discarded_objects") == [(0,)]
        assert ids(stack, "applications", "SELECT event_id FROM outbox WHERE event_id = ?", (unpublished,))
        assert ids(stack, "dossier", "SELECT token_hash FROM links WHERE token_hash = ?", (live_link,))
        assert newcomer.get("/api/v1/me").status_code == 200
    finally:
        clock.reset()
        stack.sql("applications", "DELETE FROM outbox WHERE event_id = ?", (unpublished,))
        stack.sql("dossier", "DELETE FROM links WHERE token_hash = ?", (live_link,))

    # Back at the real time the party's sign-in would still be valid, but its row is gone:
    # refused like any expired one (once the gateway's 2 s cache of it has lapsed).
    assert wait_until(lambda: party.get("/api/v1/me").status_code == 401, seconds=15), "the purged sign-in still works"
    assert_error(party.get("/api/v1/me"), 401, "unauthenticated")
    # The binding's materials still open for the clerks of its court.
    admin.login(stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"])  # its sign-in went too
    clerk = create_staff(admin, "clerk")
    assert all(clerk.get(f"/api/v1/uploads/{m}").status_code == 200 for m in granted)
