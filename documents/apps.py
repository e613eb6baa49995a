from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self):
        from documents import receivers  # noqa: F401, PLC0415 - connects the receivers once the apps are loaded
