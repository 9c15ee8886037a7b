"""The demo province and every app's demo data (`manage.py seed_demo`, `demo_logins`).

This app sits on top of all the others: it imports them, none imports it (docs/architecture.md).
`seeding` builds the organization tree, host units, users and people; `common` holds what the
apps' seeds share (the demo's fixed "today", the seed, the demo worker); `<app>.py` seeds one app."""
