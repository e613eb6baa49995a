"""What results tell the apps above them. results imports none of them: an
app that reacts (documents issues the certificates) connects a receiver."""

from django.dispatch import Signal

# Sent inside `results.services.finalise`'s transaction, after the snapshot is
# frozen and the outcomes are set, with `snapshot` (the final ResultSnapshot)
# and `actor`. A receiver that raises undoes the finalising.
results_finalised = Signal()
