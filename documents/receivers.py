"""How documents react to the apps beneath them."""

from django.dispatch import receiver

from documents.services import issue_for_results
from results.signals import results_finalised


@receiver(results_finalised, dispatch_uid="documents.issue_for_results")
def issue_certificates(sender, *, snapshot, actor, **kwargs):
    """Final results bring the cohort's certificates in line with them."""
    issue_for_results(snapshot=snapshot, actor=actor)
