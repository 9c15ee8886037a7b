"""Activities: events, registration with capacity and waitlist, check-in, attendance certificates, calendars."""
