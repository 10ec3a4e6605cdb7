"""Prestations en espèces: IJ maladie, maternité, paternité, AT/MP; invalidité; capital décès (README inside)."""
