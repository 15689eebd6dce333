"""The REST API: one NinjaAPI instance under /api/v1/, its authentication and its error format.

Layering: core imports no domain app, so this module only builds the instance. The project package
(zhixing/api_urls.py, the composition root next to urls.py) adds each app's router — `zhixing.orgs.api.router`,
later study, ledger, ... — and zhixing/urls.py mounts `api.urls` at "api/v1/".

Authentication, tried in this order:
1. `Authorization: Bearer <token>` — a per-user ApiToken (`zhixing token create USER`). Only the SHA-256 of the
   token is stored; a revoked token, an unknown token, an expired one (ZHIXING_API_TOKEN_DAYS) or an inactive user
   is 401. A password change or disabling the account revokes the account's tokens (core/security.py). No CSRF token is needed, since
   a browser never adds this header on its own.
2. The Django session of a logged-in browser. Unsafe methods (POST, PATCH, ...) then need the CSRF token
   (header `X-CSRFToken`), exactly as a form post would; without it the answer is 403.

Errors are JSON `{"detail": ...}` in Chinese:
- 401 not authenticated; 403 CSRF check failed; 404 not found *or* outside the caller's scope (never 403);
- 409 `{"detail", "id", "version"}` when someone saved the record since the caller read `version`;
- 422 `{"detail": [{"field", "message"}]}` for bad input, from pydantic (types) or from the services (rules).
"""

from __future__ import annotations

import hashlib
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from enum import Enum
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Field, NinjaAPI, Schema, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PaginationBase, paginate
from ninja.renderers import JSONRenderer
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import ConfigDict

from zhixing.core import clock
from zhixing.core.models import ApiToken
from zhixing.core.services import ConflictError

NOT_FOUND = "没有找到该记录，或您无权查看。"
NOT_AUTHENTICATED = "请先登录，或在请求头中提供有效的 API 令牌：Authorization: Bearer <令牌>。"
BAD_TOKEN = "API 令牌无效、已吊销或所属账号已停用，请重新生成令牌（zhixing token create 用户名）。"
TOKEN_EXPIRED = "API 令牌已过期，请重新生成令牌（zhixing token create 用户名）。"
CSRF_FAILED = "CSRF 校验失败：使用登录会话调用写操作时，请在请求头 X-CSRFToken 中附上 csrftoken Cookie 的值。"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- Authentication -------------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """`Authorization: Bearer zx_...`. A header that is present but wrong is refused outright (401), rather than
    falling through to the session, so that a script with a revoked token learns about it."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        row = (
            ApiToken.objects.select_related("user").filter(key_hash=hash_token(token)).first()
            if token
            else None
        )
        if row is None or row.revoked or not row.user.is_active:
            raise AuthenticationError(401, BAD_TOKEN)
        now = clock.now()
        if row.expires_at is not None and row.expires_at <= now:
            raise AuthenticationError(401, TOKEN_EXPIRED)
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            # At most one write a minute per token; a plain UPDATE, not an audited change.
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


class SessionAuth(APIKeyCookie):
    """The browser's Django session. The CSRF check runs only for a logged-in session, so that an anonymous
    call is answered 401 (log in) rather than 403."""

    param_name = "sessionid"

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, CSRF_FAILED)
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


def api_user(request: HttpRequest) -> Any:
    """The authenticated user of an API call (set by whichever of the two auth methods succeeded)."""
    return request.auth  # type: ignore[attr-defined]


class InputSchema(Schema):
    """Request bodies: an unknown field (a typo such as "nmae") is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- Paging ---------------------------------------------------------------------------------------

MAX_LIMIT = 200
# No list is anywhere near this long; a larger offset is a mistake (or a probe) and is answered 422, before it
# reaches the database (SQLite cannot even bind an integer above 2**63).
MAX_OFFSET = 1_000_000


class Paging(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"每页条数，1 至 {MAX_LIMIT}，默认 50")
    offset: int = Field(
        0, ge=0, le=MAX_OFFSET, description=f"跳过前面多少条，0 至 {MAX_OFFSET}，默认 0；超过总数时返回空列表"
    )


class LimitOffset(PaginationBase):
    """ninja's pagination (`@paginate(LimitOffset)` under a `response=list[ItemOut]`), with our bounds and our
    page shape `{count, limit, offset, items}`. Two queries whatever the size: the count and one page of rows.
    The view returns a queryset (or a list, for figures computed in Python); ninja serialises the page's rows
    through the item schema."""

    Input = Paging  # type: ignore[assignment]  # our bounds and descriptions, not ninja's

    class Output(Schema):
        count: int = Field(description="符合条件的总数")
        limit: int = Field(description="每页条数")
        offset: int = Field(description="跳过的条数")
        items: list[Any] = Field(description="本页记录")

    def paginate_queryset(
        self, queryset: QuerySet[Any] | list[Any], pagination: Paging, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        count = self._items_count(queryset)  # type: ignore[arg-type]
        rows = list(queryset[pagination.offset : pagination.offset + pagination.limit])
        self.after_page(request, rows)
        return {"count": count, "limit": pagination.limit, "offset": pagination.offset, "items": rows}

    def after_page(self, request: HttpRequest, rows: list[Any]) -> None:
        """A hook for an endpoint that must act on the rows it hands out (the people list audits unmasked reads)."""


def paged(
    pagination: type[PaginationBase] = LimitOffset,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`ninja.pagination.paginate(pagination)`, for modules with `from __future__ import annotations`: ninja reads
    the wrapped view's annotations in the namespace of ninja's own wrapper, where "Query[OrgQuery]" means nothing,
    so they are resolved here first, in the view's module."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        view.__annotations__ = typing.get_type_hints(view, include_extras=True)
        decorated: Callable[..., Any] = paginate(pagination)(view)
        return decorated

    return decorate


def plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Enum members (choices) as their codes, ready for the services."""
    return {k: (v.value if isinstance(v, Enum) else v) for k, v in values.items()}


def refuse_nulls(values: Mapping[str, Any], fields: Iterable[str]) -> None:
    errors = {
        name: "不能为空（null）；不修改该项时请不要提交它。"
        for name in fields
        if name in values and values[name] is None
    }
    if errors:
        raise DjangoValidationError(errors)


# --- Error format ---------------------------------------------------------------------------------


class FieldError(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]


class ConflictOut(Schema):
    detail: str
    id: int
    version: int


ERROR_RESPONSES: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERROR_RESPONSES: dict[int, type[Schema]] = {**ERROR_RESPONSES, 403: ErrorOut, 409: ConflictOut}


def django_errors(exc: DjangoValidationError) -> list[dict[str, str | None]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": None if name == NON_FIELD_ERRORS else name, "message": str(message)}
            for name, errors in exc.error_dict.items()
            for error in errors
            for message in error.messages
        ]
    return [{"field": None, "message": str(m)} for m in exc.messages]


@contextmanager
def renamed_fields(names: Mapping[str, str]) -> Iterator[None]:
    """Services name model fields ("parent"); the API names its inputs ("parent_id"). Errors say the latter."""
    try:
        yield
    except ConflictError:
        raise
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise DjangoValidationError({names.get(k, k): v for k, v in exc.error_dict.items()}) from exc


_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": "必填项，请填写。",
    "string_type": "应为文本。",
    "string_too_short": "内容太短。",
    "string_too_long": "内容太长，最多 {max_length} 个字符。",
    "int_type": "应为整数。",
    "int_parsing": "应为整数。",
    "int_from_float": "应为整数。",
    "bool_type": "应为 true 或 false。",
    "bool_parsing": "应为 true 或 false。",
    "date_type": "应为日期，格式 YYYY-MM-DD。",
    "date_parsing": "日期格式应为 YYYY-MM-DD，例如 2024-07-01。",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD，例如 2024-07-01。",
    "date_from_datetime_inexact": "应为日期（不含时间），格式 YYYY-MM-DD。",
    "enum": "取值无效，可选值：{expected}。",
    "literal_error": "取值无效，可选值：{expected}。",
    "greater_than_equal": "不能小于 {ge}。",
    "less_than_equal": "不能大于 {le}。",
    "greater_than": "应大于 {gt}。",
    "less_than": "应小于 {lt}。",
    "extra_forbidden": "不认识的字段，请删除。",
    "model_attributes_type": "请求体应为 JSON 对象。",
    "dict_type": "请求体应为 JSON 对象。",
    "json_invalid": "请求体不是有效的 JSON。",
}


_HTTP_MESSAGES = {
    "Cannot parse request body": "请求体无法解析：请发送 JSON（Content-Type: application/json）。",
    "CSRF check Failed": CSRF_FAILED,
    "Forbidden": "无权执行此操作。",
}


def pydantic_message(error: Mapping[str, Any]) -> str:
    template = _PYDANTIC_MESSAGES.get(str(error.get("type", "")))
    if template is None:
        return f"格式不正确：{error.get('msg', '')}"
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return template.split("{")[0].rstrip("：，") + "。"


def pydantic_field(loc: Any) -> str | None:
    """("body", "payload", "name") -> "name"; ("query", "limit") -> "limit"; ("body", "payload") -> None."""
    parts = [str(p) for p in (loc or ())]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
        if parts and parts[0] in {"payload", "filters", "ninja_pagination"}:
            parts = parts[1:]
    return ".".join(parts) or None


def _install_handlers(api: NinjaAPI) -> None:
    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": NOT_FOUND}, status=404)

    def on_conflict(request: HttpRequest, exc: Any) -> HttpResponse:
        current = exc.current
        body = {"detail": exc.messages[0], "id": current.pk, "version": getattr(current, "version", None)}
        return api.create_response(request, body, status=409)

    def on_django_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": django_errors(exc)}, status=422)

    def on_ninja_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = [{"field": pydantic_field(e.get("loc")), "message": pydantic_message(e)} for e in exc.errors]
        return api.create_response(request, {"detail": detail}, status=422)

    def on_auth(request: HttpRequest, exc: Any) -> HttpResponse:
        message = exc.message if exc.message != "Unauthorized" else NOT_AUTHENTICATED
        return api.create_response(request, {"detail": message}, status=401)

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        message = _HTTP_MESSAGES.get(exc.message, exc.message)
        return api.create_response(request, {"detail": message}, status=exc.status_code)

    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)
    api.add_exception_handler(ConflictError, on_conflict)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(NinjaValidationError, on_ninja_validation)
    api.add_exception_handler(AuthenticationError, on_auth)


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Chinese as characters, not \\u escapes: readable in curl and logs."""

    json_dumps_params: Mapping[str, Any] = {"ensure_ascii": False}


def docs_for_users_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API docs and openapi.json describe every endpoint and field: logged-in users only (a session or an API
    token). Anonymous: the docs page sends to the log-in page, openapi.json answers 401 in the API's format."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            if request.headers.get("Authorization", "").startswith("Bearer "):
                try:
                    TokenAuth().authenticate(request, request.headers["Authorization"][7:])
                except AuthenticationError:
                    return JsonResponse(
                        {"detail": BAD_TOKEN}, status=401, json_dumps_params={"ensure_ascii": False}
                    )
                return view(request, *args, **kwargs)
            return JsonResponse(
                {"detail": NOT_AUTHENTICATED}, status=401, json_dumps_params={"ensure_ascii": False}
            )
        return redirect_to_login(request.get_full_path())

    return wrapper


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="知行 Zhixing API",
        version="1",
        description=(
            "知行 REST 接口。认证：登录后的浏览器会话（写操作需 X-CSRFToken 请求头），"
            "或个人 API 令牌 `Authorization: Bearer <令牌>`（命令 `zhixing token create 用户名` 生成）。"
            "所有数据按您的授权范围过滤：范围之外的记录一律返回 404。"
        ),
        urls_namespace="api",
        # Swagger UI from django-ninja's own static files ("ninja" in INSTALLED_APPS), never a CDN; and no
        # validator badge, which would send the schema to validator.swagger.io.
        docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
        auth=[TokenAuth(), SessionAuth()],
        docs_decorator=docs_for_users_only,
        renderer=ChineseJSONRenderer(),
    )
    _install_handlers(api)
    return api


api = build_api()
