"""Show advisories at sign-in: a signed-in person with unacknowledged advisories is sent to
read them before any other page, until they acknowledge each one."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

# Never gate these: the acknowledgement pages themselves, sign-out, assets, the public
# status site and the API (scripts cannot click 'I have read this').
EXEMPT_PREFIXES = ("/advisories/", "/logout/", "/login/", "/static/", "/status/", "/api/")


class AdvisoryGateMiddleware:
    """Redirect page views to the pending-advisories page while any are unread."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._gated(request):
            from incidentroom.advisories.actions import pending_for

            if pending_for(request.user).exists():
                target = reverse("advisory-pending") + "?" + urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(target)
        return self.get_response(request)

    @staticmethod
    def _gated(request: HttpRequest) -> bool:
        # Only full page loads: HTMX polls and form posts carry on, so nothing typed is lost.
        return (
            request.method == "GET"
            and request.user.is_authenticated
            and "HX-Request" not in request.headers
            and not request.path.startswith(EXEMPT_PREFIXES)
        )
