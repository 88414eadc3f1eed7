from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "figures"
    verbose_name = "Reported figures"

    def ready(self) -> None:
        from figures import quality
        from figures.models import FigureStatement, ReportedFigure
        from figures.services import FIGURE_STATEMENT_WRITES, REPORTED_FIGURE_WRITES
        from framework import sync
        from framework.services import register_writes

        register_writes(REPORTED_FIGURE_WRITES)
        register_writes(FIGURE_STATEMENT_WRITES)
        sync.register_collection(ReportedFigure, "reported-figures", changed_with=(FigureStatement,))
        sync.register_collection(FigureStatement, "figure-statements")
        quality.register_checks()
