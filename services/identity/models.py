from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.court.columns import CourtName, LawFirm, LicenseNo, PersonName
from services.common.infra.db import IntPk, OptionalTimestamp, Timestamp


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[IntPk]
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[PersonName]
    # One account per person: an ID number and a license number belong to one account.
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True, unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16), index=True)
    license_no: Mapped[LicenseNo | None] = mapped_column(unique=True, index=True)
    law_firm: Mapped[LawFirm | None]
    court: Mapped[CourtName | None]
    created_at: Mapped[Timestamp]
    # 实名认证: when and how the account was proven to be its holder's (None: not yet).
    verified_at: Mapped[OptionalTimestamp]
    verified_via: Mapped[str | None] = mapped_column(String(32), nullable=True)
    disabled_at: Mapped[OptionalTimestamp]


class Session(Base):
    """A sign-in. Only the SHA-256 of the token is kept: a leaked table opens nothing."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[Timestamp]
    expires_at: Mapped[Timestamp] = mapped_column(index=True)  # housekeeping purges by it
    revoked_at: Mapped[OptionalTimestamp]


class LoginThrottle(Base):
    """Login attempts counted per key: a phone, or ``addr:<client address>``."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column("phone", String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[OptionalTimestamp]
    locked_until: Mapped[OptionalTimestamp]


class RegisteredLawyer(Base):
    """The lawyer registry (律师名册) that sign-ups are checked against."""

    __tablename__ = "lawyer_registry"

    license_no: Mapped[LicenseNo] = mapped_column(primary_key=True)
    name: Mapped[PersonName]
    law_firm: Mapped[LawFirm]


class SmsCode(Base):
    """A 6-digit code texted to a phone (短信验证码). Only a keyed digest is kept."""

    __tablename__ = "sms_codes"

    id: Mapped[IntPk]
    phone: Mapped[str] = mapped_column(String(11), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[Timestamp] = mapped_column(index=True)
    expires_at: Mapped[Timestamp]
    tries: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[OptionalTimestamp]


class Verification(Base):
    """A request for real-name verification (实名认证) and its outcome."""

    __tablename__ = "verifications"

    id: Mapped[IntPk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending, approved, rejected
    via: Mapped[str] = mapped_column(String(32))  # the provider that decides: manual, ...
    materials: Mapped[str] = mapped_column(Text)  # JSON list of material refs (id, kind, filename, ...)
    submitted_at: Mapped[Timestamp]
    decided_at: Mapped[OptionalTimestamp]
    decided_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decided_by_name: Mapped[PersonName | None]
    explanation: Mapped[str | None] = mapped_column(String(500), nullable=True)
