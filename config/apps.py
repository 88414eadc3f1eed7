from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The site: settings, root URLs and the seed loader (``manage.py load_seed``)."""

    name = "config"
    verbose_name = "Site"
