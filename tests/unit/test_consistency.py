"""The rules by which applications, review and dossier agree, without I/O."""

from __future__ import annotations

from services.common.court import consistency

ONLINE = {
    "opinion": "approve",
    "mode": "online",
    "valid_until": "2026-05-22",
    "documents": [3, 5],
    "print": False,
    "attended": None,
    "borrowed_at": None,
    "returned_at": None,
}


def source(**changes) -> dict:
    return {"id": "1", "status": "approved", **ONLINE, **changes}


def dossier(**changes) -> dict:
    return {"id": "1", **{k: ONLINE[k] for k in ("opinion", "mode", "valid_until", "documents", "print")}, **changes}


def test_replicas_that_hold_the_same_facts_agree():
    assert consistency.disagreements(source(), source(), dossier(withdrawn=False, revoked=False)) == []
    pending = source(status="pending", opinion=None, mode=None, valid_until=None, documents=None, print=None)
    assert consistency.disagreements(pending, pending, {"id": "1", "opinion": None, "mode": None}) == []
    assert consistency.disagreements(pending, pending, None) == []  # dossier need not know a pending one


def test_each_kind_of_disagreement_is_named():
    assert consistency.disagreements(source(), None, dossier()) == ["review has never heard of it"]
    said = consistency.disagreements(source(), source(status="pending"), dossier())
    assert said == ["status: applications approved, review pending"]
    wider = consistency.disagreements(source(), source(documents=None), dossier(documents=None))
    assert wider == [
        "grant documents: applications [3, 5], review None",
        "grant documents: applications [3, 5], dossier None",
    ]
    assert consistency.disagreements(source(), source(), None) == ["dossier has no grant for an online approval"]
    ended = consistency.disagreements(source(), source(), dossier(revoked=True))
    assert ended == ["dossier does not grant an online approval"]
    withdrawn = source(status="withdrawn")
    assert consistency.disagreements(withdrawn, withdrawn, dossier()) == [
        "dossier grants reading of a withdrawn application"
    ]
    assert consistency.disagreements(withdrawn, withdrawn, dossier(withdrawn=True)) == []
    onsite = source(mode="onsite", valid_until=None, documents=None, print=None, attended=True)
    assert consistency.disagreements(onsite, dict(onsite, attended=None), None) == [
        "attendance attended: applications True, review None"
    ]


def test_only_what_is_still_wrong_on_a_second_look_counts():
    pages = [[source(id="1"), source(id="2")], []]
    suspects = consistency.check(
        lambda after, limit: pages.pop(0),
        lambda ids: {"1": source(id="1")},
        lambda ids: {"1": dossier(id="1"), "2": dossier(id="2")},
    )
    assert list(suspects) == ["2"]
    # by the second look review has heard of 2: nothing remains
    healed = consistency.confirm(
        suspects,
        lambda ids: {"2": source(id="2")},
        lambda ids: {"2": source(id="2")},
        lambda ids: {"2": dossier(id="2")},
    )
    assert healed == {}
