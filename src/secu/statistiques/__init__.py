"""Aggregates that leave secu (counts without name or NIR), under the rule of statistical secrecy."""
