from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ConfigConfig(AppConfig):
    """The site: settings, root URLs and the seed loader (``manage.py load_seed``)."""

    name = "config"
    verbose_name = "Site"


class AdminConfig(admin_apps.AdminConfig):
    """The Django admin, on the site's own admin site: the models' pages and the quality report
    (framework.adminsite.AdminSite)."""

    default_site = "framework.adminsite.AdminSite"
    # INSTALLED_APPS names it; "config" alone still means ConfigConfig.
    default = False
