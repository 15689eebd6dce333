"""Project middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed, JsonResponse

API_PREFIX = "/api/"


class MethodNotAllowedInChinese:
    """Django's require_http_methods and django-ninja answer a wrong method with an empty body or the English
    "Method not allowed". Say in Chinese which methods the address takes — as JSON `{"detail": ...}` under
    /api/ (the API's error format, core/api.py), as text elsewhere — and keep the Allow header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        detail = f"此地址不接受 {request.method} 请求，可用的方法：{allowed}。"
        replacement: HttpResponse
        if request.path.startswith(API_PREFIX):
            replacement = JsonResponse({"detail": detail}, status=405)
        else:
            replacement = HttpResponse(detail, status=405, content_type="text/plain; charset=utf-8")
        replacement["Allow"] = allowed
        return replacement
