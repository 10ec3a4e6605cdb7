"""The ledger (``secu.core.ledger``) over HTTP: post an entry, read balances."""
