from .urls_evidence import urlpatterns as evidence_urls
from .urls_frameworks import urlpatterns as framework_urls

app_name = "assessments"

urlpatterns = [
    *framework_urls,
    *evidence_urls,
]
