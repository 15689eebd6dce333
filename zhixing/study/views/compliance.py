"""The compliance matrix (合规矩阵), its cell detail and xlsx export; per-person attendance rates; "我的学习".

Thin, like views.py: parse the filters, fetch the root through the user's VIEW scope (outside = 404), call
ONE compliance() (matrix.build_matrix) or ONE aggregate (queries.rates.attendance_rates), render.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from zhixing.core import clock, xlsx
from zhixing.core.periods import parse_key
from zhixing.core.scoping import Action, get_or_404, scope_for
from zhixing.core.xlsx import XLSX_CONTENT_TYPE
from zhixing.orgs.models import Organization, Person
from zhixing.orgs.policy import can_change
from zhixing.study import matrix
from zhixing.study.choices import counted_kinds
from zhixing.study.models import Activity, Attendance, Norm
from zhixing.study.queries import STATUS_LABELS, Cell, Status, compliance
from zhixing.study.queries.rates import SORTS, attendance_rates

STATUS_CHOICES = [("", "全部"), *((s.value, f"有{label}") for s, label in STATUS_LABELS.items())]
SORT_CHOICES = [
    ("-rate", "出席率从高到低"),
    ("rate", "出席率从低到高"),
    ("expected", "应到次数"),
    ("name", "姓名"),
]


def _year_choices() -> list[tuple[int, str]]:
    this = clock.today().year
    return [(y, f"{y}年") for y in range(this + 1, this - 6, -1)]


class _Filters(forms.Form):
    """Bad values fall back to the defaults: a filter never errors, it shows the default view."""

    root = forms.TypedChoiceField(label="组织范围（含下级）", coerce=int, required=False, empty_value=None)
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)

    def __init__(self, data: Any, *, orgs: list[Organization], **kwargs: Any) -> None:
        # Rendered unbound, with the resolved values as `initial`; the query string is only read by value().
        super().__init__(None, **kwargs)
        self.raw = data or {}
        base = min((o.depth for o in orgs), default=0)
        self.fields["root"].choices = [  # type: ignore[attr-defined]
            (o.pk, "\u3000" * (o.depth - base) + o.name) for o in orgs
        ]
        self.fields["year"].choices = _year_choices()  # type: ignore[attr-defined]
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-select form-select-sm")

    def value(self, name: str) -> Any:
        raw = self.raw.get(name)
        if raw in (None, ""):
            return None
        field = self.fields[name]
        if isinstance(field, forms.TypedChoiceField):
            # an id outside the offered choices is looked up (and refused with 404), not silently replaced
            try:
                number = int(str(raw))
            except ValueError:
                return None
            if name == "year" and not matrix.MIN_YEAR <= number <= matrix.MAX_YEAR:
                return None
            return number
        try:
            return field.clean(raw)
        except forms.ValidationError:
            return None


class MatrixFilters(_Filters):
    norm = forms.TypedChoiceField(label="学习制度规范", coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label="只看", choices=STATUS_CHOICES, required=False)

    def __init__(self, data: Any, *, orgs: list[Organization], norms: list[Norm], **kwargs: Any) -> None:
        super().__init__(data, orgs=orgs, **kwargs)
        self.fields["norm"].choices = [(n.pk, n.label) for n in norms]  # type: ignore[attr-defined]
        self.fields["norm"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["status"].widget.attrs["class"] = "form-select form-select-sm"


class RateFilters(_Filters):
    sort = forms.ChoiceField(label="排序", choices=SORT_CHOICES, required=False)

    def __init__(self, data: Any, *, orgs: list[Organization], **kwargs: Any) -> None:
        super().__init__(data, orgs=orgs, **kwargs)
        self.fields["sort"].widget.attrs["class"] = "form-select form-select-sm"


def _selected_matrix(request: HttpRequest) -> tuple[matrix.Matrix | None, MatrixFilters]:
    """The matrix the filters ask for (root in scope, else 404). Queries: orgs for the filter, root, norms,
    kinds under the root, and compliance()'s two."""
    user = request.user
    if scope_for(user, Action.VIEW).nothing:
        raise Http404("没有找到该页面。")
    orgs = matrix.filter_orgs(user)
    norms = matrix.active_norms()
    form = MatrixFilters(request.GET or None, orgs=orgs, norms=norms)
    root_id = form.value("root")
    root = matrix.choose_root(user, orgs, root_id)
    year = form.value("year") or clock.today().year
    norm_id = form.value("norm")
    norm = matrix.pick_norm(norms, norm_id, ()) if norm_id is not None else None
    if norm is None:  # none asked for, or one that is not (or no longer) active: the first that applies here
        norm = matrix.pick_norm(norms, None, matrix.kinds_in(root))
    status = form.value("status") or ""
    form.initial = {"root": root.pk, "year": year, "norm": norm.pk if norm else None, "status": status}
    if norm is None:
        return None, form
    return matrix.build_matrix(root, norm, year, status=status, today=clock.today()), form


_ICONS = {
    Status.MET: "check-circle-fill",
    Status.DUE: "hourglass-split",
    Status.MISSED: "x-circle-fill",
    Status.UPCOMING: "dash-circle",
}
_CELL = (
    '<td class="zx-cell zx-{}" data-period="{}" data-status="{}"><a href="{}" title="{}">'
    '<i class="bi bi-{}" aria-hidden="true"></i><span class="visually-hidden">{}</span>'
    '<div class="small">{}/{}</div>{}</a></td>'
)


def _look(c: Cell) -> tuple[str, str, str]:
    """CSS status, icon and label of a cell: the engine's own state (a period not begun is 未开始 there)."""
    label = c.status_label
    if c.scheduled:
        label = f"{label}（已安排 {c.scheduled} 次）"
    return c.status, _ICONS[c.status], label


def _scheduled_badge(c: Cell) -> str:
    return (
        f'<div class="small zx-scheduled" title="已安排，未开展">+{c.scheduled} 已安排</div>'
        if c.scheduled
        else ""
    )


def cells_html(row: matrix.Row, norm_id: int, today: dt.date) -> str:
    """A row's cells as HTML, built here rather than in the template: 100 rows x 12 cells through the template
    engine cost more than the compliance computation itself."""
    base = f"{reverse('study:compliance_cell')}?norm={norm_id}&org={row.organization.pk}&period="
    looks = [(c, _look(c)) for c in row.cells]
    return format_html_join(
        "",
        _CELL,
        (
            (css, c.period.key, c.status, base + c.period.key, label)
            + (icon, label, c.count, c.required, mark_safe(_scheduled_badge(c)))  # noqa: S308 - ints only
            for c, (css, icon, label) in looks
        ),
    )


@login_required
@require_GET
def compliance_matrix(request: HttpRequest) -> HttpResponse:
    grid, form = _selected_matrix(request)
    context: dict[str, Any] = {"filters": form, "grid": grid, "today": clock.today()}
    if grid is not None:
        page = Paginator(grid.rows, matrix.ROWS_PER_PAGE).get_page(request.GET.get("page"))
        context["page_obj"] = page
        context["rows"] = [(r, cells_html(r, grid.norm.pk, context["today"])) for r in page]
        context["totals"] = grid.totals
        context["columns"] = [
            {"period": p, "short": matrix.short_label(p), "current": p.contains(context["today"])}
            for p in grid.periods
        ]
        context["query"] = request.GET.urlencode()
    return render(request, "study/compliance.html", context)


@login_required
@require_GET
def compliance_cell(request: HttpRequest) -> HttpResponse:
    """One cell: the activities counted and, for a condition, those falling short. Full page, or the
    fragment the matrix loads into its dialog (htmx)."""
    try:
        org_id, norm_id = int(request.GET.get("org", "")), int(request.GET.get("norm", ""))
    except ValueError:
        raise Http404("没有找到该单元格。") from None
    org = get_or_404(Organization, request.user, Action.VIEW, pk=org_id, is_active=True)
    norm = Norm.objects.filter(pk=norm_id, is_active=True).first()
    if norm is None:
        raise Http404("没有找到该学习制度规范。")
    try:
        period = parse_key(norm.period_kind, request.GET.get("period", ""))
    except ValueError:
        raise Http404("没有找到该期间。") from None
    today = clock.today()
    cell = next(
        (
            c
            for c in compliance(org, (period.start, period.end), [norm], today=today)
            if c.organization.pk == org.pk
        ),
        None,
    )
    if cell is None:
        raise Http404("该学习制度规范不适用于该组织。")
    activities = list(
        Activity.objects.restrict(request.user)
        .filter(pk__in=cell.activity_ids)
        .select_related("organization")
        .order_by("date", "id")
    )
    failing = set(cell.failing_ids)
    scheduled: list[Activity] = []
    if cell.scheduled:
        sources = [org.pk]
        if norm.include_children:
            sources += list(Organization.objects.filter(parent=org).values_list("pk", flat=True))
        scheduled = list(
            Activity.objects.restrict(request.user)
            .filter(
                organization_id__in=sources,
                kind__in=counted_kinds(norm.activity_kind),
                date__gt=today,
                date__gte=period.start,
                date__lte=period.end,
                cancelled_at__isnull=True,
            )
            .select_related("organization")
            .order_by("date", "id")
        )
    context = {
        "scheduled": scheduled,
        "cell": cell,
        "activities": activities,
        "failing": [a for a in activities if a.pk in failing],
        "failing_ids": failing,
        "can_record": can_change(request.user, org),
        "matrix_query": f"root={org.pk}&norm={norm.pk}&year={period.start.year}",
    }
    template = (
        "study/_compliance_cell.html" if request.headers.get("HX-Request") else "study/compliance_cell.html"
    )
    return render(request, template, context)


def matrix_xlsx(grid: matrix.Matrix, *, today: dt.date) -> bytes:
    """Rows organisations, columns periods, each cell "已完成 1/1" on its colour (a period not begun is 未开始, not
    待完成; activities recorded ahead are "已安排 n"); totals at the right. Through the one writer, so
    organisation names are never formulas and the sheet prints as it is (title row, repeated header, landscape)."""
    columns = [
        xlsx.Column("组织", "org", width=28),
        xlsx.Column("组织编码", "code", width=14),
        *(xlsx.Column(p.label, p.key, width=14) for p in grid.periods),
        *(xlsx.Column(h, h, width=8) for h in ("已完成", "待完成", "未完成", "未开始", "已安排")),
    ]

    def rows() -> Any:
        for r in grid.rows:
            by_key = {c.period.key: c for c in r.cells}
            out: list[Any] = [r.organization.name, r.organization.code]
            for p in grid.periods:
                c = by_key.get(p.key)
                if c is None:
                    out.append("")
                    continue
                text = f"{c.status_label} {c.count}/{c.required}"
                if c.scheduled:
                    text += f" 已安排{c.scheduled}"
                out.append(xlsx.Styled(text, str(c.status)))
            yield [*out, r.met, r.due, r.missed, r.upcoming, r.scheduled]

    heading = f"{grid.root.name} {grid.year}年 {grid.norm.label} 合规矩阵（截至 {today:%Y年%m月%d日}）"
    buffer = io.BytesIO()
    xlsx.write_book(
        buffer, [xlsx.Sheet("合规矩阵", columns, rows(), heading=heading, freeze_columns=2, landscape=True)]
    )
    return buffer.getvalue()


@login_required
@require_GET
def compliance_export(request: HttpRequest) -> HttpResponse:
    grid, _ = _selected_matrix(request)
    if grid is None:
        raise Http404("没有可导出的学习制度规范。")
    response = HttpResponse(matrix_xlsx(grid, today=clock.today()), content_type=XLSX_CONTENT_TYPE)
    name = f"合规矩阵-{grid.root.code}-{grid.year}-{grid.norm.pk}.xlsx"
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


# --- Attendance rates -----------------------------------------------------------------------------


@login_required
@require_GET
def attendance_rate_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if scope_for(user, Action.VIEW).nothing:
        raise Http404("没有找到该页面。")
    orgs = matrix.filter_orgs(user)
    form = RateFilters(request.GET or None, orgs=orgs)
    root_id = form.value("root")
    root = matrix.choose_root(user, orgs, root_id)
    year = form.value("year") or clock.today().year
    sort = form.value("sort") or "-rate"
    form.initial = {"root": root.pk, "year": year, "sort": sort}
    start, end = matrix.year_range(year)
    qs = attendance_rates(root, start, end, today=clock.today()).order_by(*SORTS[sort])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "study/attendance_rates.html",
        {"filters": form, "page_obj": page, "root": root, "year": year},
    )


@login_required
@require_GET
def my_study(request: HttpRequest) -> HttpResponse:
    """The member's own activities of the year and their attendance rate. Only the user's own rows (the Person
    linked to the account); an activity outside their VIEW scope is listed without a link."""
    person = (
        Person.objects.filter(user_id=request.user.pk or 0, is_active=True).select_related("branch").first()
    )
    form = _Filters(request.GET or None, orgs=[])
    year = form.value("year") or clock.today().year
    form.initial = {"year": year}
    context: dict[str, Any] = {"person": person, "year": year, "filters": form, "today": clock.today()}
    if person is not None:
        start, end = matrix.year_range(year)
        context["rate"] = (
            attendance_rates(person.branch, start, end, today=clock.today()).filter(pk=person.pk).first()
        )
        rows = (
            Attendance.objects.filter(person=person, activity__date__gte=start, activity__date__lte=end)
            .select_related("activity", "activity__organization")
            .order_by("-activity__date", "-activity_id")
        )
        page = Paginator(rows, 30).get_page(request.GET.get("page"))
        scope = scope_for(request.user, Action.VIEW)
        context["page_obj"] = page
        context["openable"] = {r.activity_id for r in page if scope.covers(r.activity.organization.path)}
    return render(request, "study/my_study.html", context)
