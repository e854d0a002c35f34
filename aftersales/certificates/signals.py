"""What the certificates app tells the layers above it (docs/architecture.md)."""

from django.dispatch import Signal

# A certificate's chain moved (any event: issue, change, suspension…), sent inside the change's
# transaction with `number`; the registry publishes the public record again once it commits.
certificate_changed = Signal()
