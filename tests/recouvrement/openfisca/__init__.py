"""The OpenFisca-France harness of the recouvrement differential test (issue 4, parts 6 and 7).

* ``requirements.txt``: OpenFisca-France, OpenFisca-Core, numpy and every
  transitive dependency, pinned;
* ``environment.py``: builds ``.venv-openfisca/`` from it (once per change of
  the file, under a file lock);
* ``runner.py``: executed by that venv's python, computes OpenFisca's lines
  for a set of payslips (modelling choices and variable mapping documented
  there);
* ``population.py``: deterministic synthetic payslips;
* ``compare.py``: secu against OpenFisca, to the cent, with the named
  exceptions where OpenFisca and the law differ.

Used by ``tests/recouvrement/test_openfisca_differential.py`` and
``bench/cotisations.py``.
"""
