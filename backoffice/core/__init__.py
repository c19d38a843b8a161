"""The business core. It knows nothing of HTTP or of any vendor's wire format."""

# Registering the business rules is part of loading the core.
from . import events as _events  # noqa: F401  (bookings' and invoices' rules)
from . import rules as _rules  # noqa: F401
from . import timesheets as _timesheets  # noqa: F401  (jobs' and time's rules)
