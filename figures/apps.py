from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "figures"
    verbose_name = "Reported figures"

    def ready(self) -> None:
        from figures.models import ReportedFigure
        from framework import sync

        sync.register_collection(ReportedFigure, "reported-figures")
