"""The autosave kernel that self-assessment answers and scorecard scores
share: the conflict check, the stash for what was typed after the log-in
session expired, and the htmx view that answers with one status fragment.

Each app supplies only what differs: which object and fields, which
permission, which save service, which page to go back to (see
AutosaveView's hooks). core imports none of our apps, so everything here
takes plain values, the request, or callables."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from core.errors import ServiceError

STATUS_TEMPLATE = "core/_save_status.html"
MAX_PENDING = 50  # fields kept per session after it expired


# The conflict check ----------------------------------------------------------


class Conflict(ServiceError):
    """The stored value changed since the page was loaded: neither version
    is thrown away, the person chooses. `mine` is what they typed, `theirs`
    what is stored."""

    def __init__(self, message: str, *, field: str, mine: str, theirs: str, at: datetime):
        super().__init__(message)
        self.field, self.mine, self.theirs, self.at = field, mine, theirs, at

    @property
    def token(self) -> str:
        """Names this conflict (both versions), so that a repeat of it is recognised."""
        return hashlib.sha256(f"{self.theirs}\0{self.mine}".encode()).hexdigest()[:16]


def normalise(value: str | None, *, strip: bool) -> str:
    """A submitted value as it is compared and stored: one kind of line
    break, no NUL (PostgreSQL refuses it), and without surrounding spaces
    when `strip` (numbers, levels, scores; never prose)."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return value.strip() if strip else value


def needs_write(*, stored: str, current: str, base: str, force: bool, conflict: Callable[[], Conflict]) -> bool:
    """The three-way check of one field: `stored` is what the new value will
    read as once saved, `current` what is saved now, `base` what the page
    started from. False when there is nothing to write (already saved);
    raises `conflict()` when someone else saved since the page loaded,
    unless `force` (the person chose to keep their version)."""
    if stored == current:
        return False
    if current != base and not force:
        raise conflict()
    return True


# What was typed after the log-in session expired ------------------------------
#
# It is kept in the (new, anonymous) session, which Django carries across
# log-in; when the person signs in again and comes back to the page, it is
# saved for them, with the usual conflict check.


@dataclass(frozen=True)
class Outcome:
    saved: bool
    message: str


def keep(request, *, session_key: str, owner: str, owner_pk: int, code: str, field: str) -> None:
    """Keep what was typed into `field` (from the POST) in the session, under
    `session_key`, replacing an older value for the same place."""
    entry = {
        owner: owner_pk,
        "code": code,
        "field": field,
        "value": request.POST.get(field, ""),
        "base": request.POST.get(f"base_{field}", ""),
    }
    pending = [
        item
        for item in request.session.get(session_key, [])
        if (item[owner], item["code"], item["field"]) != (owner_pk, code, field)
    ]
    request.session[session_key] = [*pending, entry][-MAX_PENDING:]


def take(request, *, session_key: str, owner: str, owner_pk: int) -> list[dict]:
    """Remove and return what is kept for one owner (an assessment, an assignment)."""
    pending = request.session.get(session_key, [])
    mine = [item for item in pending if item[owner] == owner_pk]
    if mine:
        request.session[session_key] = [item for item in pending if item[owner] != owner_pk]
    return mine


def replay(items: list[dict], *, save: Callable[[dict], str | None], where: Callable[[dict], str]) -> list[Outcome]:
    """Save each kept item with `save(item)`, which returns how the field
    reads in a sentence ("the comment"), or None when its place is gone.
    One outcome per item, to show as a message: `where(item)` starts it."""
    outcomes = []
    for item in items:
        typed = item["value"][:500]
        try:
            label = save(item)
        except Conflict as conflict:
            outcomes.append(
                Outcome(
                    False,
                    f"{where(item)}: {conflict.message} What you typed before your session ended was: “{typed}”",
                )
            )
        except ServiceError as error:
            outcomes.append(Outcome(False, f"{where(item)}: {error.message} What you typed was: “{typed}”"))
        else:
            if label is not None:
                outcomes.append(Outcome(True, f"{where(item)}: {label} you typed before your session ended is saved."))
    return outcomes


# The htmx view -------------------------------------------------------------


class AutosaveView(View):
    """htmx: save one field as the person types; answer with the status
    fragment (saved, conflict, refused, invalid, signed out) and the new
    base value.

    Subclasses set `progress_template` and the conflict's wording, and
    implement the hooks below; `self.field` and `self.code` are set before
    any of them is called."""

    progress_template = ""
    conflict_labels: dict[str, str] = {}  # theirs, mine, keep, load: how the conflict box reads

    # Hooks -----------------------------------------------------------------

    def get_code(self) -> str:
        """Which criterion the field belongs to ("" for none)."""
        raise NotImplementedError

    def page_url(self) -> str:
        """The page to go back to after signing in again."""
        raise NotImplementedError

    def stash(self) -> None:
        """Keep what was typed for after the next log-in (the session expired)."""
        raise NotImplementedError

    def load(self) -> None:
        """Fetch what is edited, raising Http404 when the user may not see it."""
        raise NotImplementedError

    def refusal(self) -> str | None:
        """Why the user may not change it at all (a 403), or None."""
        raise NotImplementedError

    def save(self, *, value: str, base: str, force: bool):
        """Call the app's save service; return the saved object."""
        raise NotImplementedError

    def field_value(self, saved) -> str:
        """The stored value of the field as the page shows it."""
        raise NotImplementedError

    def progress(self):
        raise NotImplementedError

    def get_context(self) -> dict[str, Any]:
        """What the status fragment and the progress partial need besides the kernel's."""
        return {}

    def suffix(self) -> str:
        """What tells apart the same field in several places on one page
        (the element ids are status-<field><suffix>, base_<field><suffix>)."""
        return ""

    def keep_sync(self) -> str:
        """The hx-sync of the conflict's "keep my version" button."""
        return "closest form:queue all"

    def reload_url(self) -> str:
        """The link that loads the saved version."""
        raise NotImplementedError

    # The kernel ----------------------------------------------------------

    def post(self, request, *args, **kwargs):
        self.field = request.POST.get("field", "")
        self.code = self.get_code()
        if not request.user.is_authenticated:
            # The log-in session expired: keep what was typed, save it after log-in.
            self.stash()
            login_url = f"{reverse('account_login')}?next={self.page_url()}"
            return self.status("signed_out", status=401, login_url=login_url)
        self.load()
        refusal = self.refusal()
        if refusal:
            return self.status("refused", status=403, message=refusal)
        try:
            saved = self.save(
                value=request.POST.get(self.field, ""),
                base=request.POST.get(f"base_{self.field}", ""),
                force=request.POST.get("force") == "1",
            )
        except Conflict as conflict:
            if request.POST.get(f"conflict_{self.field}") == conflict.token:
                # The page shows this very conflict already: leave it, with its focus, alone.
                unchanged = HttpResponse(status=409)
                unchanged["HX-Reswap"] = "none"
                return unchanged
            return self.status("conflict", status=409, conflict=conflict, token=conflict.token)
        except ServiceError as error:
            return self.status("invalid", status=422, message=error.message)
        return self.status(
            "saved",
            saved_at=timezone.localtime(saved.updated_at),
            base=self.field_value(saved),
            progress=self.progress(),
        )

    def status(self, state: str, *, status: int = 200, **context) -> HttpResponse:
        if state != "signed_out":
            context = {
                "field": self.field,
                "code": self.code,
                "suffix": self.suffix(),
                "progress_template": self.progress_template,
                "labels": self.conflict_labels,
                "autosave_url": self.request.path,
                **self.get_context(),
                **context,
            }
            if state == "conflict":
                context.update(keep_sync=self.keep_sync(), reload_url=self.reload_url())
        return render(self.request, STATUS_TEMPLATE, {**context, "state": state}, status=status)
