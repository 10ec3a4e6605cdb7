"""Shared foundations: money, dates, identifiers, parameters, database, security, ledger."""
