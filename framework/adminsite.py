"""The site's admin: every model's pages, and the quality report (framework.quality) beside them.

A module of its own, registering nothing: the admin imports it to make the site that the apps'
``admin.py`` modules then register their models with (config.apps.AdminConfig)."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse

from framework import access, quality

# Findings on one page of the admin's quality report.
REPORT_PAGE_SIZE = 100


def reads_quality_report(request: HttpRequest) -> bool:
    """Whether the admin's user reads the quality report: any role but the public's, as in the API."""
    return access.role_of(request.user) is not access.Role.ANONYMOUS


class AdminSite(admin.AdminSite):
    """The admin, with a read-only quality report at ``/admin/quality/``, listed on the index."""

    def get_urls(self) -> list[URLPattern | URLResolver]:
        return [
            path("quality/", self.admin_view(self.quality_report_view), name="quality_report"),
            *super().get_urls(),
        ]

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        app_list = super().get_app_list(request, app_label)
        if app_label is None and reads_quality_report(request):
            url = reverse("admin:quality_report", current_app=self.name)
            app_list.append(
                {
                    "name": "Data quality",
                    "app_label": "quality",
                    "app_url": url,
                    "has_module_perms": True,
                    "models": [
                        {
                            "name": "Quality report",
                            "object_name": "QualityReport",
                            "admin_url": url,
                            "add_url": None,
                            "view_only": True,
                            "perms": {"view": True, "add": False, "change": False, "delete": False},
                        }
                    ],
                }
            )
        return app_list

    def quality_report_view(self, request: HttpRequest) -> TemplateResponse:
        """The findings about the records the user may read, a page at a time, each linked to its
        record's change page and its API URL; ``?code=`` (repeatable) keeps those of some checks."""
        if not reads_quality_report(request):
            raise PermissionDenied
        codes = request.GET.getlist("code")
        unknown = [code for code in codes if code not in quality.CHECKS]
        for code in unknown:
            messages.error(request, f"There is no check {code!r}: the report shows every check.")
        wanted = codes if codes and not unknown else None
        report = quality.report(request.user, codes=wanted)
        page = Paginator(report, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [
            {
                "finding": finding,
                "admin_url": reverse(
                    f"admin:{finding.model._meta.app_label}_{finding.model._meta.model_name}_change",
                    args=[finding.record_id],
                    current_app=self.name,
                ),
                "api_url": request.build_absolute_uri(finding.api_path),
            }
            for finding in page.object_list
        ]
        context = {
            **self.each_context(request),
            "title": "Quality report",
            "checks": quality.checks(),
            "selected": set(wanted or ()),
            "page": page,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/quality_report.html", context)
