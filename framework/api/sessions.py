"""The login session of the browsable docs: a page where API users (analysts too, who are not
staff and so cannot use the admin's login) log in for Swagger UI's "Try it out", and log out."""

import math
from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy
from rest_framework.throttling import ScopedRateThrottle


class LoginView(auth_views.LoginView):
    """The login form; after logging in, the page ``next`` names on this site, else Swagger UI.
    Attempts are counted with the token endpoint's (scope ``login``, per client address), so the
    two together allow no more guesses than either alone."""

    template_name = "api/login.html"
    next_page = reverse_lazy("swagger-ui")  # type: ignore[assignment]  # Django takes a lazy URL
    throttle_scope = "login"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        throttle = ScopedRateThrottle()
        # DRF's throttle counts this Django view's requests too: it reads only the scope and the address.
        if throttle.allow_request(request, self):  # type: ignore[arg-type]
            return super().post(request, *args, **kwargs)
        # An unbound form: the password is not checked while the caller is throttled.
        seconds = math.ceil(throttle.wait() or 1)
        context = self.get_context_data(form=self.get_form_class()(request), throttled_for=seconds)
        return self.render_to_response(context, status=429, headers={"Retry-After": str(seconds)})


class LogoutView(auth_views.LogoutView):
    """Logging out (a POST); then the page ``next`` names on this site, else the login page."""

    next_page = reverse_lazy("api-login")  # type: ignore[assignment]  # Django takes a lazy URL
