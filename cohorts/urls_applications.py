"""Applications to enrol in a cohort."""

urlpatterns = []
