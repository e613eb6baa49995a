"""The audit trail as people read it: filtered by kind, person and dates,
one page at a time, or exported as CSV.

A cohort's trail is every entry whose object is the cohort or belongs to it
(AuditEvent.cohort, set by core.audit.record): enrolments, applications,
self-assessments, the panel, conflicts, assignments, scorecards, reminders,
results and certificates."""

import json
from collections.abc import Iterable, Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from core import audit, csvs
from core.models import AuditEvent

SYSTEM = "system"


class TrailFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", required=False)
    person = forms.ChoiceField(label="Person", required=False)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, people: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All kinds"), *audit.kind_choices()]
        self.fields["person"].choices = [("", "Everyone"), *people, (SYSTEM, "The system (automatic)")]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned


def people_in(events: QuerySet[AuditEvent]) -> list[tuple[str, str]]:
    """(user id, name) of everyone who acted in these entries, by name. One query."""
    rows = (
        events.filter(actor__isnull=False)
        .order_by()
        .values_list("actor_id", "actor__full_name", "actor__email")
        .distinct()
    )
    people = sorted((f"{name} ({email})" if name else email, str(pk)) for pk, name, email in rows)
    return [(pk, label) for label, pk in people]


def filtered(events: QuerySet[AuditEvent], form: TrailFilterForm, *, time_zone: str) -> QuerySet[AuditEvent]:
    """The entries that pass the form's filters (all of them when it is not
    valid); dates are whole days in `time_zone`."""
    if not form.is_valid():
        return events
    data = form.cleaned_data
    if data["kind"]:
        events = events.filter(audit.kind_filter(data["kind"]))
    if data["person"] == SYSTEM:
        events = events.filter(actor__isnull=True)
    elif data["person"]:
        events = events.filter(actor_id=data["person"])
    zone = ZoneInfo(time_zone)
    if data["date_from"]:
        events = events.filter(created_at__gte=datetime.combine(data["date_from"], time.min, tzinfo=zone))
    if data["date_to"]:
        next_day = data["date_to"] + timedelta(days=1)
        events = events.filter(created_at__lt=datetime.combine(next_day, time.min, tzinfo=zone))
    return events


def for_listing(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    return events.select_related("actor", "object_type").order_by("-created_at", "-id")


def cohort_trail(cohort) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(cohort=cohort)


def history(*targets, actions: Iterable[str] | None = None, limit: int | None = 20):
    """The entries about `targets`, newest first with their actors, for a
    page's history panel: one query whatever the number of targets. Each
    target is an object or a queryset (every object in it, by a subquery:
    an organisation's memberships, a cohort's panel seats). `actions`
    keeps only those actions; `limit` the newest few (None: a queryset of
    them all)."""
    query = Q(pk__in=[])
    for target in targets:
        if target is None:
            continue
        if isinstance(target, QuerySet):
            text_ids = target.order_by().annotate(text_id=Cast("pk", CharField())).values("text_id")
            query |= Q(object_type=ContentType.objects.get_for_model(target.model), object_id__in=text_ids)
        else:
            query |= Q(object_type=ContentType.objects.get_for_model(target), object_id=str(target.pk))
    events = AuditEvent.objects.filter(query)
    if actions is not None:
        events = events.filter(action__in=list(actions))
    events = for_listing(events)
    return events if limit is None else events[:limit]


def recent(*, prefixes: Iterable[str] = (), limit: int = 15):
    """The newest entries of the whole site, of the actions starting with
    one of `prefixes` ("role.") when given, with their actors."""
    events = AuditEvent.objects.all()
    if prefixes:
        query = Q(pk__in=[])
        for prefix in prefixes:
            query |= Q(action__startswith=prefix)
        events = events.filter(query)
    return for_listing(events)[:limit]


def everything() -> QuerySet[AuditEvent]:
    """The whole trail, for the site-wide trail page."""
    return AuditEvent.objects.all()


def object_trail(*objects) -> QuerySet[AuditEvent]:
    """The entries of several objects together (an enrolment with its
    self-assessment, for instance), newest first."""
    query = Q(pk__in=[])
    for obj in objects:
        if obj is not None:
            query |= Q(object_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
    return for_listing(AuditEvent.objects.filter(query))


CSV_HEADER = ["time", "actor", "action", "what", "object type", "object", "before", "after", "note"]


def csv_rows(events: QuerySet[AuditEvent], *, time_zone: str) -> Iterator[list[str]]:
    """The header, then one row per entry (core.csvs escapes the cells)."""
    zone = ZoneInfo(time_zone)
    yield CSV_HEADER
    for event in events.iterator(chunk_size=2000):
        yield [
            event.created_at.astimezone(zone).isoformat(timespec="seconds"),
            event.actor_repr or SYSTEM,
            event.action,
            audit.action_label(event.action),
            event.object_type.model if event.object_type_id else "",
            event.object_repr,
            json.dumps(event.before, ensure_ascii=False, sort_keys=True) if event.before is not None else "",
            json.dumps(event.after, ensure_ascii=False, sort_keys=True) if event.after is not None else "",
            event.note,
        ]


def csv_export(events: QuerySet[AuditEvent], *, time_zone: str, filename: str):
    """The entries as a streamed CSV download."""
    return csvs.csv_response(filename, csv_rows(events, time_zone=time_zone), stream=True, bom=True)


def about_person(user) -> QuerySet[AuditEvent]:
    """Entries by the person, about their account, or naming their address
    (an invitation sent to them, say), oldest first: their data download."""
    user_type = ContentType.objects.get_for_model(user)
    return (
        audit.with_text()
        .filter(Q(actor=user) | Q(object_type=user_type, object_id=str(user.pk)) | audit.mentions([user.email]))
        .order_by("created_at", "id")
    )


def oldest_first(*targets) -> QuerySet[AuditEvent]:
    """The entries about `targets` (objects or querysets, as `history`), oldest first: an export."""
    return history(*targets, limit=None).order_by("created_at", "id")
