from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import UtcDateTime


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)
    role: Mapped[str] = mapped_column(String(16), index=True)
    license_no: Mapped[str | None] = mapped_column(String(32), nullable=True)
    law_firm: Mapped[str | None] = mapped_column(String(100), nullable=True)
    court: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Session(Base):
    """A sign-in. Only the SHA-256 of the token is kept: a leaked table opens nothing."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)  # housekeeping purges by it
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class LoginThrottle(Base):
    __tablename__ = "login_throttle"

    phone: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class RegisteredLawyer(Base):
    """The lawyer registry (律师名册) that sign-ups are checked against."""

    __tablename__ = "lawyer_registry"

    license_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    law_firm: Mapped[str] = mapped_column(String(100))
