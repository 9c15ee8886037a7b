"""Signals of the accounts app, for the apps above it (the layer order: docs/architecture.md).

`user_registered` is sent inside the registration's transaction, once the account exists, with
`user`, `name`, `phone`, `email` and `ip`. The talent database answers it by linking the new
account to its profile (kejia.people.linking.link_after_registration): a receiver returns
(outcome, person), outcome one of "linked", "review", "none"."""

import django.dispatch

user_registered = django.dispatch.Signal()
