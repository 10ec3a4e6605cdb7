"""The law of the retraite de base, vectorised: one module per rule (see each module's docstring)."""
