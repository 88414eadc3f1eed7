"""Writes of reported figures, each checked against every rule of its model and saved with its
writer in the history (framework.services)."""

from figures.models import ReportedFigure
from framework.access import User
from framework.services import Data, Writes, record_create, record_delete, record_update


def reported_figure_create(*, user: User, data: Data) -> ReportedFigure:
    """A new reported figure with ``data`` (field name → value)."""
    return record_create(model=ReportedFigure, user=user, data=data)


def reported_figure_update(*, reported_figure: ReportedFigure, user: User, data: Data) -> ReportedFigure:
    """``reported_figure`` with the fields in ``data`` changed, and only those written."""
    return record_update(record=reported_figure, user=user, data=data)


def reported_figure_delete(*, reported_figure: ReportedFigure, user: User) -> None:
    """Delete ``reported_figure``; ``ProtectedError`` while other records refer to it."""
    record_delete(record=reported_figure, user=user)


REPORTED_FIGURE_WRITES = Writes(
    model=ReportedFigure,
    keyword="reported_figure",
    create=reported_figure_create,
    update=reported_figure_update,
    delete=reported_figure_delete,
)
