"""The OpenFisca-France harness of the famille differential test (issue 5, items 6 and 7).

* ``runner.py``: executed by the python of the isolated OpenFisca venv
  (built by ``tests/recouvrement/openfisca/environment.py`` from its pinned
  ``requirements.txt``), computes OpenFisca's AF, CF, PAJE allocation de
  base and ARS for a set of households (mapping documented there);
* ``population.py``: deterministic synthetic households in the frame contract
  of ``secu.famille.rules`` (src/secu/famille/README.md);
* ``compare.py``: secu against OpenFisca, to the cent, with the named
  exceptions where OpenFisca and the law differ.

Used by ``tests/famille/test_openfisca_differential.py`` and
``bench/famille.py``.
"""
