"""What the audits app tells the layers above it (docs/architecture.md)."""

from django.dispatch import Signal

# The committee's decision on a case was recorded, sent inside the decision's transaction with
# `decision` and `by`. A receiver that refuses (AuditRefused) undoes the decision too: the
# certificates app applies a surveillance decision to the certificate this way.
decision_recorded = Signal()
