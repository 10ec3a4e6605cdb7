"""Assurance Maladie: feuilles de soins, liquidation, payment."""
