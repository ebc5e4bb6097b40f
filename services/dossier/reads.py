"""Who read my case (B13): a party of a case sees who else read its dossier through a
reading grant, one row per reader and day: the documents, the pages viewed and the prints.
Staff previews are the court's own log (case_access_log), not shown here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.common import case_numbers, clock, paging
from services.common.actor import Actor
from services.common.errors import DomainError, not_found
from services.dossier import domain
from services.dossier.repository import DossierWork

NO_CASE = "案件不存在"
# A reader's day of reading is at most thousands of entries; a case's whole history is
# grouped in one pass, bounded so that no request reads without limit.
MAX_ENTRIES = 200_000
READS = (domain.VIEW_PAGE, domain.DOWNLOAD_PDF)  # what counts as reading; link use does not

Relation = Callable[[Actor, str], dict]


@dataclass
class ReaderDay:
    day: date
    reader_id: int
    name: str
    role: str | None
    documents: list[str] = field(default_factory=list)
    pages: int = 0
    prints: int = 0
    # the print being counted: its instant and the documents seen in it
    _print: tuple[Any, set] = field(default=(None, set()), repr=False)

    def count_print(self, at: Any, document_id: Any) -> None:
        """A print job's download logs each of its documents at one instant: together they
        are one print. A new instant, or a document again, is another print."""
        instant, documents = self._print
        if at != instant or document_id in documents:
            self.prints += 1
            self._print = (at, {document_id})
        else:
            documents.add(document_id)

    def as_row(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "reader": {"name": self.name, "role": self.role},
            "documents": self.documents,
            "pages": self.pages,
            "prints": self.prints,
        }


def reader_days(entries, titles: dict[int, str]) -> list[ReaderDay]:
    """Access-log entries (newest first) grouped by court day and reader, newest first."""
    days: dict[tuple[date, int], ReaderDay] = {}
    for entry in entries:
        day = clock.as_aware(entry.at).astimezone(clock.COURT_TZ).date()
        row = days.get((day, entry.actor_id))
        if row is None:
            row = days[(day, entry.actor_id)] = ReaderDay(day, entry.actor_id, entry.actor_name, entry.actor_role)
        title = titles.get(entry.document_id)
        if title and title not in row.documents:
            row.documents.append(title)
        if entry.action == domain.VIEW_PAGE:
            row.pages += 1
        elif entry.action == domain.DOWNLOAD_PDF:
            row.count_print(entry.at, entry.document_id)
    return sorted(days.values(), key=lambda r: (r.day, r.reader_id), reverse=True)


def case_reads(
    uow: DossierWork, relation_of: Relation, actor: Actor, case_no: Any, limit: Any = 20, cursor: Any = None
) -> dict:
    """The reads of others under reading grants of the case, for a party of it; anyone
    else learns nothing (404, as for a missing case)."""
    if not isinstance(actor, dict) or actor.get("role") != "party":
        raise not_found(NO_CASE)
    number = case_numbers.canonical(case_no)
    answer = relation_of(actor, number)  # case_binding decides who is a party; its not_found stands
    if answer.get("relation") != "party":
        raise not_found(NO_CASE)
    size, after = paging.limit_of(limit), _position(cursor)
    with uow.read() as dossiers:
        entries = dossiers.others_reads(number, actor["id"], READS, MAX_ENTRIES)
        titles = dossiers.titles_of_case(number)
    rows = reader_days(entries, titles)
    if after is not None:
        rows = [r for r in rows if (r.day, r.reader_id) < after]
    page = rows[:size]
    more = len(rows) > size
    return {
        "items": [r.as_row() for r in page],
        "next_cursor": f"{page[-1].day.isoformat()}:{page[-1].reader_id}" if more else None,
    }


def _position(cursor: Any) -> tuple[date, int] | None:
    if cursor in (None, ""):
        return None
    try:
        day, reader = str(cursor).split(":")
        return date.fromisoformat(day), int(reader)
    except ValueError:
        raise DomainError("bad_request", "参数 cursor 无效") from None
