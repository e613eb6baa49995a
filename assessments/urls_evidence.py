"""Evidence files: upload, download, remove."""

urlpatterns = []
