"""The OpenAPI document: a valid 3.1 document, built from the routes the gateway has and the
wire-shape models they declare; the models refuse input exactly as the services' rules do;
docs/api.md's generated tables are current."""

from __future__ import annotations

import inspect
import re
from datetime import date, datetime
from types import SimpleNamespace
from typing import NotRequired, get_origin, get_type_hints, is_typeddict

import pytest
from openapi_spec_validator import validate
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway import api_docs
from gateway.errors import ApiError
from gateway.http import NO_CONTENT, ROUTES, Context, documentation
from gateway.openapi import openapi_document
from gateway.service import GatewayService
from services.applications import domain as applications_domain
from services.applications import schemas as applications_schemas
from services.case_binding import schemas as case_binding_schemas
from services.common.infra import shapes
from services.common.infra.errors import DomainError
from services.common.infra.wire import Answer
from services.identity import schemas as identity_schemas
from services.review import domain as review_domain
from services.review import schemas as review_schemas

# Routes whose body or answer the document does not describe yet. This set may only
# shrink (every route is described today): a route described since fails the test below
# until it is taken off, and a new route without its schemas fails it too.
LOOSE: set[tuple[str, str]] = set()


def _described(spec) -> bool:
    return spec.answer is not None and (spec.body is None or spec.request is not None)


@pytest.fixture(scope="module")
def doc():
    return openapi_document()


def test_the_document_is_valid_openapi_3_1(doc):
    assert doc["openapi"] == "3.1.0"
    validate(doc)  # raises on any error


def test_every_route_is_in_the_document_once_with_a_unique_operation_id(doc):
    operations = [(path, method) for path, ops in doc["paths"].items() for method in ops]
    assert len(operations) == len(ROUTES) == len(set(operations))
    ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    for spec in ROUTES:
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", spec.path)
        op = doc["paths"][path][spec.method.lower()]
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), spec.path


def test_every_route_describes_its_body_and_answer_unless_it_is_listed_as_loose():
    loose = {(spec.method, spec.path) for spec in ROUTES if not _described(spec)}
    assert loose - LOOSE == set(), "describe the body and answer of these routes"
    assert LOOSE - loose == set(), "these are described now: take them off LOOSE"


def test_a_route_that_reads_idempotency_key_documents_it():
    # The key is read only by ctx.command, and only on a route declared idempotent.
    for spec in ROUTES:
        source = inspect.getsource(getattr(GatewayService, spec.operation_id))
        assert "ctx.idempotency_key()" not in source, spec.path
        if spec.idempotent:
            assert "ctx.command(" in source, spec.path


def _context(spec, body: bytes, key: str | None):
    headers = {"Content-Type": "application/json"} | ({"Idempotency-Key": key} if key else {})
    request = Request(EnvironBuilder(method="POST", data=body, headers=headers).get_environ())
    sent = []
    rpc = SimpleNamespace(call=lambda service, method, **kwargs: sent.append((service, method, kwargs)) or "answer")
    ctx = Context(SimpleNamespace(rpc=rpc), request, 1024, spec)
    ctx.user = {"id": 7, "role": "clerk", "session_expires_at": "2026-01-01T00:00:00+08:00"}
    return ctx, sent


def test_a_command_sends_the_body_and_the_key_its_route_declares():
    by_name = {spec.operation_id: spec for spec in ROUTES}
    ctx, sent = _context(by_name["decide"], b'{"decision": "approve"}', "k-1")
    assert ctx.command("review", "decide", application_id="42") == "answer"
    actor = {"id": 7, "role": "clerk"}
    body = {"decision": "approve"}
    assert sent == [
        ("review", "decide", {"application_id": "42", "body": body, "idempotency_key": "k-1", "actor": actor})
    ]
    # not idempotent: no key; the body the route passes itself wins
    ctx, sent = _context(by_name["decide_binding"], b"[1]", "k-2")
    ctx.command("case_binding", "decide_binding", body={"approve": True}, binding_id=3)
    assert sent == [("case_binding", "decide_binding", {"body": {"approve": True}, "binding_id": 3, "actor": actor})]
    # no body declared (withdraw): none sent; a body that may be left out is {} when it is
    ctx, sent = _context(by_name["withdraw_application"], b"", None)
    ctx.command("applications", "withdraw", application_id="5")
    assert sent[0][2] == {"application_id": "5", "idempotency_key": None, "actor": actor}
    ctx, sent = _context(by_name["create_print"], b"", "k-3")
    ctx.command("dossier", "create_print", application_id="5")
    assert sent[0][2]["body"] == {} and sent[0][2]["idempotency_key"] == "k-3"
    # a body that must be an object is refused before any call
    ctx, sent = _context(by_name["set_calendar_year"], b"[1]", None)
    with pytest.raises(ApiError) as refused:
        ctx.command("review", "set_calendar_year", year="2026")
    assert refused.value.code == "validation_error" and sent == []


def _query(operation_id: str, query_string: str) -> dict:
    (spec,) = [spec for spec in ROUTES if spec.operation_id == operation_id]
    request = Request(EnvironBuilder(method="GET", query_string=query_string).get_environ())
    return Context(SimpleNamespace(), request, 1024, spec).query()


def test_a_route_reads_the_query_parameters_its_model_declares():
    # each as sent, or the field's default when left out or empty; unknown ones are not read
    assert _query("staff_applications", "status=pending&mode=&limit=5&other=x") == {
        "status": "pending",
        "mode": None,
        "case_no": None,
        "applicant": None,
        "limit": 5,
        "cursor": None,
    }
    assert _query("staff_verifications", "") == {"status": "pending", "limit": 20, "cursor": None}
    assert _query("lookup_case", "") == {"case_no": None}
    assert _query("reading_room", "court=广州市中级人民法院") == {"court": "广州市中级人民法院"}
    export = {"format": "csv", "status": None, "mode": None, "case_no": None, "applicant": None, "to": None}
    assert _query("export", "from=2026-01-01&format=") == export | {"from": "2026-01-01", "year": None}
    # the owning service checks the values (422); the gateway checks a list's limit and cursor (400)
    assert _query("list_bindings", "status=nonsense")["status"] == "nonsense"
    assert _query("messages", "limit=500&cursor=c-1") == {"limit": 100, "cursor": "c-1"}
    for bad in ("limit=x", "limit=-1", "cursor=%20"):
        with pytest.raises(ApiError) as refused:
            _query("messages", bad)
        assert refused.value.code == "bad_request"


def test_a_route_is_documented_by_its_handlers_docstring():
    def configure():
        """设置阅卷室：{slots: [...]}（1-12个不重叠的时段）, closed_dates?:
        [YYYY-MM-DD]；周末闭馆

        200: {court, slots, closed_dates,
            configured: true}
        204:
        404: not_found (another
            court's)
        """

    summary = "设置阅卷室：{slots: [...]}（1-12个不重叠的时段）, closed_dates?: [YYYY-MM-DD]；周末闭馆"
    answers = {200: "{court, slots, closed_dates, configured: true}", 204: "", 404: "not_found (another court's)"}
    assert documentation(configure) == (summary, answers)

    def summary_only():
        """当前用户"""

    assert documentation(summary_only) == ("当前用户", {})

    def stray_line():
        """摘要

        200: ok
        not a status line
        """

    def undocumented():
        pass

    for handler in (stray_line, undocumented):
        with pytest.raises(ValueError):
            documentation(handler)


def test_a_described_route_has_its_schemas_in_the_document(doc):
    schemas = doc["components"]["schemas"]
    for spec in ROUTES:
        if not _described(spec):
            continue
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", spec.path)
        op = doc["paths"][path][spec.method.lower()]
        ok = next(status for status in op["responses"] if int(status) < 400)
        if spec.answer is NO_CONTENT:
            assert "content" not in op["responses"][ok], spec.path
        else:
            assert op["responses"][ok]["content"], spec.path
        for media in op["responses"][ok].get("content", {}).values():
            ref = media["schema"].get("$ref")
            assert ref is None or ref.rsplit("/", 1)[-1] in schemas, spec.path
        if spec.body:
            (media,) = op["requestBody"]["content"].values()
            assert media["schema"]["$ref"].rsplit("/", 1)[-1] in schemas, spec.path
            assert op["requestBody"]["required"] is not spec.body_optional


def test_each_error_answer_names_its_codes_and_has_the_contract_shape(doc):
    op = doc["paths"]["/api/v1/applications"]["post"]
    conflict = op["responses"]["409"]["content"]["application/json"]["schema"]
    assert conflict["allOf"] == [{"$ref": "#/components/schemas/Error"}]
    assert conflict["properties"]["error"]["properties"]["code"]["enum"] == ["binding_required", "duplicate_pending"]
    codes = op["responses"]["422"]["content"]["application/json"]["schema"]["properties"]["error"]["properties"]
    assert {"invalid_case_no", "materials_missing", "validation_error", "idempotency_key_reused"} <= set(
        codes["code"]["enum"]
    )
    assert op["responses"]["401"]["description"].endswith("`unauthenticated`")
    assert doc["components"]["schemas"]["Error"]["required"] == ["error"]
    # an anonymous route answers 401 only for what it names itself
    login = doc["paths"]["/api/v1/auth/login"]["post"]["responses"]["401"]["content"]["application/json"]["schema"]
    assert login["properties"]["error"]["properties"]["code"]["enum"] == ["invalid_credentials"]
    assert "401" not in doc["paths"]["/api/v1/auth/sms-codes"]["post"]["responses"]


def test_idempotent_routes_document_the_header_and_lists_their_paging(doc):
    submit = doc["paths"]["/api/v1/applications"]["post"]
    (header,) = [p for p in submit["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key" and header["required"] is False
    listing = {p["name"]: p for p in doc["paths"]["/api/v1/applications"]["get"]["parameters"]}
    assert listing["limit"]["schema"]["maximum"] == 100 and listing["limit"]["schema"]["default"] == 20
    assert listing["status"]["schema"]["enum"] == list(applications_domain.STATUSES)
    assert "cursor" in listing
    lookup = {p["name"]: p for p in doc["paths"]["/api/v1/cases/lookup"]["get"]["parameters"]}
    assert lookup["case_no"]["required"] is True
    assert "parameters" not in doc["paths"]["/api/v1/me"]["get"]


def test_request_bodies_say_what_is_required_and_carry_examples(doc):
    schemas = doc["components"]["schemas"]
    submission = schemas["ApplicationSubmission"]
    assert submission["required"] == ["case_no", "scope", "reason"]
    assert submission["properties"]["scope"]["maxLength"] == 500
    assert schemas["Registration"]["properties"]["role"]["enum"] == ["party", "lawyer"]
    media = doc["paths"]["/api/v1/applications"]["post"]["requestBody"]["content"]["application/json"]
    applications_schemas.ApplicationSubmission.parse(media["example"])  # the example itself is valid
    login = doc["paths"]["/api/v1/auth/login"]["post"]["requestBody"]["content"]["application/json"]
    assert login["example"] == {"phone": "13800000000", "password": "Court-2026"}


def _refusal(model, body) -> tuple[str, str, dict]:
    with pytest.raises(DomainError) as caught:
        model.parse(body)
    return caught.value.code, caught.value.message, caught.value.details


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ([], ("validation_error", "输入有误，请检查后重试", {"fields": {"body": "应为对象"}})),
        ({}, ("invalid_case_no", "请填写案号，例如（2021）粤01民初1号", {})),
        ({"case_no": "（2021）粤01民初1号"}, ("validation_error", "请填写申请内容", {"fields": {"scope": "必填"}})),
        (
            {"case_no": "（2021）粤01民初1号", "scope": "全案卷宗", "reason": 5},
            ("validation_error", "输入有误，请检查后重试", {"fields": {"reason": "应为文本"}}),
        ),
        (
            {"case_no": "（2021）粤01民初1号", "scope": "全案卷宗", "reason": "r", "material_ids": "a"},
            ("validation_error", "输入有误，请检查后重试", {"fields": {"material_ids": "应为材料编号的列表"}}),
        ),
    ],
)
def test_an_application_is_refused_with_the_contracts_codes_and_details(body, expected):
    assert _refusal(applications_schemas.ApplicationSubmission, body) == expected
    with pytest.raises(DomainError) as caught:  # the service's own parsing is the model
        applications_domain.parse_submission(body)
    assert (caught.value.code, caught.value.message, caught.value.details) == expected


def test_an_application_is_read_and_normalised_by_the_model():
    parsed = applications_domain.parse_submission(
        {
            "case_no": "(2021)粤01民初1号",
            "scope": " 全案卷宗 ",
            "reason": "r",
            "material_ids": ["a", "a", "b"],
            "status": "approved",
        }
    )
    assert parsed == applications_domain.Submission("（2021）粤01民初1号", "全案卷宗", "r", ("a", "b"))


def test_a_correction_keeps_what_it_leaves_out():
    before = applications_domain.Submission("（2021）粤01民初1号", "全案卷宗", "old", ("a",))
    assert applications_domain.amend(before, None) == before
    assert applications_domain.amend(before, {"scope": None, "reason": "new"}) == before.__class__(
        before.case_no, "全案卷宗", "new", ("a",)
    )
    assert applications_domain.amend(before, {"material_ids": []}).material_ids == ()
    with pytest.raises(DomainError) as caught:
        applications_domain.amend(before, {"reason": 7})
    assert caught.value.details == {"fields": {"reason": "应为文本"}}


def test_sign_in_and_sign_up_are_refused_as_identity_refuses_them():
    assert _refusal(identity_schemas.Credentials, {}) == (
        "validation_error",
        "请输入手机号码和密码",
        {"fields": {"phone": "应为文本", "password": "应为文本"}},
    )
    assert _refusal(identity_schemas.Credentials, {"phone": "13800000000", "password": ""})[2] == {
        "fields": {"password": "应为文本"}
    }
    assert _refusal(identity_schemas.Registration, {"role": "clerk"})[:2] == (
        "validation_error",
        "请选择身份：当事人或律师",
    )
    lawyer = {
        "role": "lawyer",
        "name": "李律师",
        "phone": "13800000000",
        "password": "Court-2026",
        "id_number": "11010519491231002X",
    }
    assert _refusal(identity_schemas.Registration, lawyer) == (
        "validation_error",
        "请填写执业证号",
        {"fields": {"license_no": "必填"}},
    )
    assert _refusal(identity_schemas.Registration, {**lawyer, "phone": "12"})[0] == "invalid_phone"
    assert _refusal(identity_schemas.Registration, {**lawyer, "password": "short"})[0] == "weak_password"
    assert _refusal(identity_schemas.SmsCodeRequest, {"phone": "13800000000", "purpose": "x"})[1] == "验证码用途不正确"
    assert _refusal(identity_schemas.PasswordChange, {"old_password": 1})[2] == {
        "fields": {"old_password": "应为文本", "new_password": "应为文本"}
    }
    party = identity_schemas.Registration.parse({**lawyer, "role": "party", "license_no": "x"})
    assert party.license_no is None  # a party's license number is never read


def test_the_answer_models_accept_what_the_services_build():
    row = SimpleNamespace(
        id=12,
        status="approved",
        case_no="（2021）粤01民初1号",
        court="广州市中级人民法院",
        applicant_name="李律师",
        applicant_role="lawyer",
        applicant_relation="lawyer_of_record",
        applied_at=datetime(2026, 5, 18, 1, 30),
        scope="全案卷宗",
        reason="r",
        opinion="approve",
        mode="online",
        reviewer="王审查",
        reviewed_at=datetime(2026, 5, 18, 2),
        explanation="同意",
        valid_until=date(2026, 6, 2),
        start_date=None,
        end_date=None,
        attended=None,
        notice=None,
        granted_documents=None,
        print_allowed=True,
        booking_date=None,
        booking_start=None,
        booking_end=None,
        reapplied_from=None,
        revoked_at=None,
        revoked_reason=None,
    )
    built = applications_schemas.application(row, [], date(2026, 5, 20))
    answer = applications_schemas.Application.model_validate(built)
    assert answer.reading.mode == "online" and answer.review.opinion == "approve"
    message = SimpleNamespace(
        id=1, created_at=datetime(2026, 5, 18), title="t", body="b", application_id="12", read_at=None
    )
    assert review_schemas.InboxMessage.model_validate(review_schemas.message(message)).application_id == 12


def test_the_client_guide_tables_are_generated_from_the_current_document(doc):
    text = api_docs.DOC.read_text(encoding="utf-8")
    assert api_docs.render(text, api_docs.generated(doc)) == text, "run: python -m gateway.api_docs"
    assert "`submit_application` | POST `/api/v1/applications`" in text


def _models_with_examples():
    seen = {}
    for spec in ROUTES:
        for model in (spec.request, spec.answer):
            if getattr(model, "example", None) is not None:
                seen[model] = None
    return list(seen)


@pytest.mark.parametrize("model", _models_with_examples(), ids=lambda m: m.__name__)
def test_every_example_fits_its_model(model):
    model.model_validate(model.example)


def test_the_described_examples_are_accepted_by_the_services_rules():
    """Bodies the services check themselves (their lookups come first): the document's
    examples are what those rules take."""
    from services.case_binding import domain as case_binding_domain
    from services.case_binding import schemas as case_binding_schemas
    from services.identity import domain as identity_domain
    from services.review import calendar
    from services.review import domain as review_domain

    today = date(2026, 5, 18)
    decision = review_domain.parse_decision(review_schemas.Decision.example, today)
    assert (decision.opinion, decision.mode, decision.valid_until) == ("approve", "online", date(2026, 6, 2))
    assert len(review_domain.parse_room(review_schemas.RoomSettings.example).slots) == 2
    assert calendar.parse_year("2026", review_schemas.CalendarUpload.example)[0] == 2026
    assert identity_domain.check_decision(identity_schemas.VerificationDecision.example)[0] == "reject"
    assert case_binding_domain.parse_decision(case_binding_schemas.BindingDecision.example)[0] == "approved"
    assert case_binding_domain.parse_revocation(case_binding_schemas.Revocation.example)
    (case,) = case_binding_domain.parse_import(case_binding_schemas.CaseFeed.example)
    assert case.case_no == "（2021）粤01民初1号"


def test_the_shared_shapes_name_the_statuses_and_limits_the_services_have():
    from services.common.infra import shapes
    from services.review import domain as review_domain

    assert shapes.STATUSES == applications_domain.STATUSES
    assert set(shapes.STATUSES) == set(review_domain.STATUSES)
    assert shapes.MAX_MATERIALS == applications_domain.MAX_MATERIALS


def _shapes():
    """Each TypedDict a builder returns, named after its Answer model (``Binding``: ``BindingJson``)."""
    for module, models in (
        (shapes, shapes),
        (applications_schemas, applications_schemas),
        (review_schemas, review_schemas),
        (review_domain, review_schemas),
        (case_binding_schemas, case_binding_schemas),
        (identity_schemas, identity_schemas),
    ):
        for name, shape in vars(module).items():
            if name.endswith("Json") and is_typeddict(shape) and shape.__module__ == module.__name__:
                yield getattr(models, name.removesuffix("Json"), None), shape


def test_the_shape_a_builder_returns_names_the_fields_of_its_answer():
    # mypy checks each builder against its TypedDict; this holds the TypedDict to the model
    pairs = list(_shapes())
    assert {shape.__name__ for _, shape in pairs} >= {"ApplicationJson", "QueueItemJson", "BindingJson", "MeJson"}
    for model, shape in pairs:
        assert isinstance(model, type) and issubclass(model, Answer), f"{shape.__name__} names no answer"
        hints = get_type_hints(shape, include_extras=True)
        optional = {name for name, hint in hints.items() if get_origin(hint) is NotRequired}
        fields = model.model_fields
        assert set(fields) <= set(hints), shape  # every field the document promises
        assert {name for name, f in fields.items() if f.is_required()} <= set(hints) - optional, shape
        assert set(hints) - set(fields) <= optional, shape  # more only where a response may carry it
