"""The accreditation levels, the outcomes a judged finalist's enrolment ends
with, as plain values: the pure scoring (results.scoring) computes them, and
the enrolment's status (cohorts.models.EnrolmentStatus) and a certificate's
level (documents.models.Certificate.Level) take their values from here. Plain
Python, like cohorts.timeline, so that the scoring stays free of Django while
the apps below results can still use the same values."""

DISTINCTION = "accredited_distinction"
ACCREDITED = "accredited"
NOT_ACCREDITED = "not_accredited"
NOT_JUDGED = "not_judged"
