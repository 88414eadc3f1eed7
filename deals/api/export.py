"""Exports of the deal list: the rows ``/api/deals/`` lists for the same filters and caller, in
the same order, all of them, as CSV (streamed) or XLSX."""

import datetime
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from deals import export
from deals.filtersets import DealFilterSet
from framework import access
from framework.api.filters import check_query_parameters
from framework.api.schema import AutoSchema

CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An XLSX file up to this size is built in memory, a larger one in a temporary file.
XLSX_SPOOL_BYTES = 8 * 1024 * 1024

EXPORT_DESCRIPTION = (
    "Every deal `/api/deals/` lists for the same filters and caller, in the same order (`ordering` honoured), "
    "without pagination. Columns: {columns}. Markets and categories are names joined with `; `; times are "
    "UTC. Text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` so no "
    "spreadsheet runs it as a formula. The file is named `deals-YYYY-MM-DD.{extension}` (today, UTC)."
)


class CSVRenderer(BaseRenderer):
    """Lets content negotiation accept ``text/csv``; the view writes the body itself."""

    media_type = CSV_MEDIA_TYPE
    format = "csv"
    charset = "utf-8"


class XLSXRenderer(BaseRenderer):
    """Lets content negotiation accept the XLSX media type; the view writes the body itself."""

    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None


class ExportSchema(AutoSchema):
    """Error responses are JSON in the one error shape, whatever the file type of the export."""

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        if media_types is None and not status_code.startswith("2"):
            media_types = [JSONRenderer.media_type]
        return super()._get_response_for_code(serializer, status_code, media_types, direction)


def export_filename(extension: str) -> str:
    """``deals-YYYY-MM-DD.<extension>``, dated today in UTC."""
    return f"deals-{timezone.now().astimezone(datetime.UTC).date().isoformat()}.{extension}"


# The base of both exports (a comment, not a docstring: the schema would take a docstring as the
# operations' description). Authentication, permissions and throttling are the API's defaults;
# the query parameters are exactly DealFilterSet's (no limit/offset); errors are JSON.
class DealExportView(GenericAPIView):
    http_method_names = ["get", "head", "options"]
    queryset = export.deal_export_list()
    filterset_class = DealFilterSet
    filter_backends = [DjangoFilterBackend]
    pagination_class = None
    schema = ExportSchema()
    chunk_size = export.CHUNK_SIZE

    def get_queryset(self):
        return access.scope_for_read(super().get_queryset(), self.request.user)

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        check_query_parameters(
            self,
            request,
            allowed=DealFilterSet.parameter_names(),
            multi_valued=DealFilterSet.multi_value_parameters(),
        )

    def finalize_response(self, request, response, *args, **kwargs):
        # Only errors (and OPTIONS) are DRF responses here: they are JSON, whatever the Accept header.
        if isinstance(response, Response):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def deals(self):
        return self.filter_queryset(self.get_queryset())


class DealCSVExportView(DealExportView):
    renderer_classes = [CSVRenderer]

    @extend_schema(
        tags=["deals"],
        summary="Export deals as CSV",
        operation_id="deals_export_csv",
        description=EXPORT_DESCRIPTION.format(columns=", ".join(export.COLUMNS), extension="csv")
        + " Streamed: UTF-8, a header row first; decimals as exact strings, dates and times in ISO 8601.",
        filters=True,
        responses={(200, CSV_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The deals as CSV.")},
    )
    def get(self, request, *args, **kwargs) -> StreamingHttpResponse:
        response = StreamingHttpResponse(
            export.deal_csv(self.deals(), chunk_size=self.chunk_size),
            content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{export_filename("csv")}"'
        return response


class DealXLSXExportView(DealExportView):
    renderer_classes = [XLSXRenderer]

    @extend_schema(
        tags=["deals"],
        summary="Export deals as XLSX",
        operation_id="deals_export_xlsx",
        description=EXPORT_DESCRIPTION.format(columns=", ".join(export.COLUMNS), extension="xlsx")
        + " One sheet, `Deals`, with a bold header row; numbers as numbers, dates as dates.",
        filters=True,
        responses={(200, XLSX_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The deals as XLSX.")},
    )
    def get(self, request, *args, **kwargs) -> FileResponse:
        file = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115 - FileResponse closes it
        try:
            export.write_deal_xlsx(self.deals(), file, chunk_size=self.chunk_size)
            file.seek(0)
        except BaseException:
            file.close()
            raise
        return FileResponse(file, as_attachment=True, filename=export_filename("xlsx"), content_type=XLSX_MEDIA_TYPE)
