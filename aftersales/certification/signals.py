"""What the certification app announces to the layers above (docs/architecture.md)."""

from django.dispatch import Signal

# sent with `case` (its enterprise, scheme version and kind) when a case is opened and when its
# application is submitted, inside the step's transaction: a receiver that raises a refusal stops
# the step (the certificates app refuses an initial application from a holder of a live certificate)
application_checked = Signal()
