"""Volunteer service: teams, service demands, services and the ledger of hours."""
