"""Pilotage (DSS): the national accounts in the CCSS's shape from the ledger, and the LFSS as dated data."""
