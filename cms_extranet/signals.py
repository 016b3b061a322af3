from django.dispatch import Signal

# The agency changed a partner account in the admin: sent with ``request``, ``account``
# and ``changes`` ({field label: (before, after)}) so the audit trail can record it.
partner_account_changed = Signal()
