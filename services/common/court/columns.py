"""How wide the court's words are stored: the column types every service's tables use for
a 案号, a court's name, a person's name, and a lawyer's license number and law firm, so that
what one service stores fits in another's table (``case_no: Mapped[CaseNo]``,
``court: Mapped[CourtName | None]`` where it may be missing). Widening one is a migration
in each service that stores it."""

from __future__ import annotations

from typing import Annotated

from sqlalchemy import String
from sqlalchemy.orm import mapped_column

CaseNo = Annotated[str, mapped_column(String(64))]
CourtName = Annotated[str, mapped_column(String(100))]
PersonName = Annotated[str, mapped_column(String(50))]
LicenseNo = Annotated[str, mapped_column(String(32))]
LawFirm = Annotated[str, mapped_column(String(100))]
