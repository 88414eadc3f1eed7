"""How enterprises are imported into the admin from CSV/XLSX and exported from its change list."""

from delegations.models import Enterprise
from framework.resources import RecordResource


class EnterpriseResource(RecordResource):
    """An enterprise as a spreadsheet row. A row with an id updates that enterprise; a row
    without one adds a new enterprise. ``source`` is the id of a source."""

    class Meta:
        model = Enterprise
        fields = ("id", *Enterprise.FIELDS)
