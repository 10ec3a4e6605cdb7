"""The OpenFisca-France-Pension harness of the retraite differential test (issue 14, item 9).

* ``requirements.txt``: OpenFisca-France-Pension, the OpenFisca-Core it needs
  and every transitive dependency, pinned; its own venv
  (``.venv-openfisca-pension/``, ``SECU_OPENFISCA_PENSION_VENV``), built by
  ``tests/recouvrement/openfisca/environment.py``'s :class:`Environment`
  (``compare.PENSION``);
* ``runner.py``: executed by that venv's python, computes OpenFisca's
  régime général pension of a set of careers (mapping documented there);
* ``population.py``: deterministic synthetic careers and cas-types;
* ``compare.py``: secu against OpenFisca, with the named écarts where
  OpenFisca and the law differ and the known disagreements where secu does;
* ``test_differential.py``: the test.
"""
