"""Requests that no page of the portal can answer, refused before any view
looks anything up."""

from django.core.exceptions import BadRequest


class RefuseNulCharactersMiddleware:
    """A NUL character is in no URL, query or cookie the portal makes, and
    PostgreSQL refuses it even in a lookup (a 500 where the view would say
    "not found"). Such a request gets 400 Bad Request. Form data is left to
    the forms, which refuse NUL with a message, and to autosave, which drops it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _holds_nul(request.GET) or _holds_nul(request.COOKIES):
            raise BadRequest("The address or a cookie contains a NUL character.")
        return self.get_response(request)


def _holds_nul(data) -> bool:
    items = data.lists() if hasattr(data, "lists") else ((key, [value]) for key, value in data.items())
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in items)
