from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "figures"
    verbose_name = "Reported figures"

    def ready(self) -> None:
        from figures import quality
        from figures.models import ReportedFigure
        from figures.services import REPORTED_FIGURE_WRITES
        from framework import sync
        from framework.services import register_writes

        register_writes(REPORTED_FIGURE_WRITES)
        sync.register_collection(ReportedFigure, "reported-figures")
        quality.register_checks()
