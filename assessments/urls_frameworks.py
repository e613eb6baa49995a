"""Framework versions: list, view, copy, edit."""

urlpatterns = []
