"""Identity and administration routes (API.md "Identity", "Accounts people can trust",
"Administration")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.http import ADMIN, APPLICANTS, NO_CONTENT, Context, client_address, get, post, token_digest
from services.common.court.verification import VERIFICATION_GRANT
from services.common.infra.wire import Empty
from services.identity import schemas

if TYPE_CHECKING:
    from gateway.dependencies import TokenCache


class IdentityRoutes:
    tokens: TokenCache  # the gateway service's dependency (gateway.service)

    # -- sign-up, sign-in ------------------------------------------------------------------
    @post("/api/v1/auth/sms-codes", auth=False, request=schemas.SmsCodeRequest, answer=Empty)
    def send_sms_code(self, ctx: Context):
        """获取短信验证码（注册、找回密码）；无论号码是否注册，回答相同

        202: {}
        422: invalid_phone, validation_error
        429: rate_limited
        """
        body = ctx.body(schemas.SmsCodeRequest)
        ctx.call("identity", "send_sms_code", phone=body.phone, purpose=body.purpose)
        return 202, {}

    @post("/api/v1/auth/register", auth=False, request=schemas.Registration, answer=schemas.User)
    def register(self, ctx: Context):
        """注册（当事人、律师），需短信验证码

        201: user
        409: phone_taken, id_number_taken, license_taken
        422: invalid_phone, weak_password, invalid_id_number, invalid_sms_code, license_not_verified, validation_error
        """
        return 201, ctx.call("identity", "register", body=ctx.json_object())  # checked there: schemas.Registration

    @post("/api/v1/auth/login", auth=False, request=schemas.Credentials, answer=schemas.SignIn)
    def login(self, ctx: Context):
        """登录

        200: {token, expires_at, user}
        401: invalid_credentials
        403: account_disabled
        429: rate_limited
        """
        body = ctx.body(schemas.Credentials)
        return ctx.call(
            "identity",
            "login",
            phone=body.phone,
            password=body.password,
            client=client_address(ctx.request),
        )

    @post("/api/v1/auth/logout", request=schemas.Logout, body_optional=True, answer=NO_CONTENT)
    def logout(self, ctx: Context):
        """退出登录；{"everywhere": true} 退出该账号的所有设备

        204: the token (or every token of the account) stops working
        """
        everywhere = bool(ctx.body(schemas.Logout, optional=True).everywhere)
        self.tokens.drop(token_digest(ctx.session_token))
        if everywhere:
            self.tokens.drop_user(ctx.actor["id"])
        ctx.call("identity", "logout", token=ctx.token, everywhere=everywhere)
        return 204, None

    # -- recovery --------------------------------------------------------------------------
    @post("/api/v1/auth/password-reset", auth=False, request=schemas.PasswordReset, answer=NO_CONTENT)
    def reset_password(self, ctx: Context):
        """找回密码（短信验证码）；该账号的所有登录随即失效

        204:
        422: invalid_phone, invalid_sms_code, weak_password
        """
        body = ctx.body(schemas.PasswordReset)
        ctx.call("identity", "reset_password", phone=body.phone, sms_code=body.sms_code, new_password=body.new_password)
        return 204, None

    @post("/api/v1/me/password", request=schemas.PasswordChange, answer=NO_CONTENT)
    def change_password(self, ctx: Context):
        """修改密码；该账号的其他登录随即失效

        204:
        422: wrong_password, weak_password
        429: rate_limited
        """
        body = ctx.body(schemas.PasswordChange)
        ctx.call(
            "identity",
            "change_password",
            token=ctx.token,
            old_password=body.old_password,
            new_password=body.new_password,
        )
        self.tokens.drop_user(ctx.actor["id"])
        return 204, None

    @get("/api/v1/me", answer=schemas.Me)
    def me(self, ctx: Context):
        """当前用户（手机号、身份证号脱敏；实名认证状态）"""
        return ctx.call("identity", "me", user_id=ctx.actor["id"])

    # -- real-name verification (实名认证) ---------------------------------------------------
    @post(
        "/api/v1/me/verification",
        roles=APPLICANTS,
        request=schemas.VerificationRequest,
        answer=schemas.VerificationCreated,
    )
    def request_verification(self, ctx: Context):
        """申请实名认证（上传的本人身份证件，kind=identity）

        201: {id, status}
        404: not_found (a material that is not the caller's)
        409: already_verified, duplicate_pending
        422: materials_missing, validation_error
        """
        material_ids = ctx.json_object().get("material_ids")
        materials = ctx.call(
            "applications", "describe_materials", actor=ctx.actor, material_ids=material_ids, court=VERIFICATION_GRANT
        )
        result = ctx.call("identity", "request_verification", actor=ctx.actor, materials=materials)
        self.tokens.drop_user(ctx.actor["id"])
        return 201, result

    @get(
        "/api/v1/staff/verifications",
        roles=("clerk", "admin"),
        query=schemas.VerificationQuery,
        answer=schemas.VerificationPage,
    )
    def staff_verifications(self, ctx: Context):
        """实名认证审核队列（待审核先到先审；已通过、未通过从最新的申请起）

        200: {items, next_cursor}
        400: bad_request (limit or cursor)
        422: validation_error (status)
        """
        return ctx.call("identity", "staff_verifications", actor=ctx.actor, **ctx.query())

    @post(
        "/api/v1/staff/verifications/<verification_id>/decision",
        roles=("clerk", "admin"),
        request=schemas.VerificationDecision,
        answer=schemas.VerificationView,
    )
    def decide_verification(self, ctx: Context, verification_id: str):
        """实名认证审核：通过或不通过（需说明）

        200: the verification
        404: not_found
        409: invalid_state
        422: validation_error
        """
        result = ctx.command("identity", "decide_verification", verification_id=verification_id)
        self.tokens.drop_user(result["user"]["id"])
        return result

    # -- administration --------------------------------------------------------------------
    @get("/api/v1/admin/users", roles=ADMIN, query=schemas.UserQuery, answer=schemas.AdminUserPage)
    def list_users(self, ctx: Context):
        """账号管理：按角色、姓名或手机号查找账号

        200: {items, next_cursor}
        400: bad_request (limit or cursor)
        422: validation_error (role, q)
        """
        return ctx.call("identity", "list_users", actor=ctx.actor, **ctx.query())

    @post("/api/v1/admin/users/<user_id>/disable", roles=ADMIN, answer=NO_CONTENT)
    def disable_user(self, ctx: Context, user_id: str):
        """停用账号：其登录随即失效，之后登录得到 account_disabled

        204:
        404: not_found
        409: cannot_disable_self
        """
        ctx.call("identity", "set_disabled", actor=ctx.actor, user_id=user_id, disabled=True)
        self._forget(user_id)
        return 204, None

    @post("/api/v1/admin/users/<user_id>/enable", roles=ADMIN, answer=NO_CONTENT)
    def enable_user(self, ctx: Context, user_id: str):
        """恢复已停用的账号

        204:
        404: not_found
        """
        ctx.call("identity", "set_disabled", actor=ctx.actor, user_id=user_id, disabled=False)
        self._forget(user_id)
        return 204, None

    def _forget(self, user_id: str) -> None:
        if user_id.isascii() and user_id.isdigit():
            self.tokens.drop_user(int(user_id))

    @post("/api/v1/admin/staff", roles=ADMIN, request=schemas.StaffAccount, answer=schemas.User)
    def create_staff(self, ctx: Context):
        """创建工作人员账号

        201: user
        409: phone_taken
        422: invalid_phone, weak_password, validation_error
        """
        return 201, ctx.command("identity", "create_staff")

    @post("/api/v1/admin/lawyers", roles=ADMIN, request=schemas.LawyerRegistry, answer=schemas.Imported)
    def import_lawyers(self, ctx: Context):
        """导入律师名册

        200: {imported}
        422: validation_error
        """
        return ctx.command("identity", "import_lawyers")
