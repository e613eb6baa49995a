"""Organisations, their members, and the CSV import."""

urlpatterns = []
