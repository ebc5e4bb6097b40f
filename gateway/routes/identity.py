"""Identity and administration routes (API.md "Identity", "Administration")."""

from __future__ import annotations

from gateway.http import Context, route, token_digest


class IdentityRoutes:
    @route(
        "POST",
        "/api/v1/auth/register",
        auth=False,
        body="json",
        summary="注册（当事人、律师）",
        responses={
            201: "user",
            409: "phone_taken",
            422: "invalid_phone, weak_password, invalid_id_number, license_not_verified, validation_error",
        },
    )
    def register(self, ctx: Context):
        return 201, ctx.call("identity", "register", body=ctx.json_object())

    @route(
        "POST",
        "/api/v1/auth/login",
        auth=False,
        body="json",
        summary="登录",
        responses={200: "{token, expires_at, user}", 401: "invalid_credentials", 429: "rate_limited"},
    )
    def login(self, ctx: Context):
        body = ctx.json_object()
        return ctx.call("identity", "login", phone=body.get("phone"), password=body.get("password"))

    @route("POST", "/api/v1/auth/logout", summary="退出登录", responses={204: "the token stops working"})
    def logout(self, ctx: Context):
        self.tokens.drop(token_digest(ctx.token))
        ctx.call("identity", "logout", token=ctx.token)
        return 204, None

    @route("GET", "/api/v1/me", summary="当前用户（手机号、身份证号脱敏）")
    def me(self, ctx: Context):
        return ctx.call("identity", "me", user_id=ctx.user["id"])

    @route(
        "POST",
        "/api/v1/admin/staff",
        roles=("admin",),
        body="json",
        summary="创建工作人员账号",
        responses={201: "user", 409: "phone_taken"},
    )
    def create_staff(self, ctx: Context):
        return 201, ctx.call("identity", "create_staff", actor=ctx.actor, body=ctx.json_object())

    @route(
        "POST",
        "/api/v1/admin/lawyers",
        roles=("admin",),
        body="json",
        summary="导入律师名册",
        responses={200: "{imported}"},
    )
    def import_lawyers(self, ctx: Context):
        return ctx.call("identity", "import_lawyers", actor=ctx.actor, body=ctx.json_object())
