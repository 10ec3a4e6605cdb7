"""Recouvrement (URSSAF): cotisations and contributions sociales on salaries (README inside)."""
