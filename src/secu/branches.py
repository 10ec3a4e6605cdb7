"""The branches secu books, each declared by its own ``secu.<branche>.comptes`` module.

A branch plugs into the batch job (:mod:`secu.batch.jobs`), the simulated year
(:mod:`secu.simulation.run`) and the analyst pages (:mod:`secu.web.analyste`)
by having a ``comptes`` module listed in :data:`MODULES` (or given to
:func:`register`); none of them names a branch. A ``comptes`` module declares:

* ``BRANCHES``: the :class:`Branche` it owns — its code in the accounts frame
  (``branche`` of ``src/secu/batch/README.md`` §3), its French labels and the
  branch of the ledger (:mod:`secu.core.ledger`) its accounts are booked on;
* ``du_mois(partition, mois)`` and ``de_l_annee(partition, jusqu_au)``: the
  accounts its rules give for a partition of the synthetic dataset
  (:class:`secu.batch.jobs.Partition`), for one month or for each month from
  January;
* optionally ``GRAND_LIVRE``: accounts lines that go to another ledger branch
  than their own — ``(branche, sens, poste)`` → ``(ledger branch, account)``
  (the AAH the CAF advances for the State, say) — and ``HORS_GRAND_LIVRE``:
  recipients whose accounts never enter the ledger (what the URSSAF does not
  collect).

The national caisse that carries a ledger branch is the organismes' own (the
national organism of the régime général serving that branch), never a copy.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from secu.core.errors import InvalidField

MODULES: list[str] = [
    "secu.maladie.comptes", "secu.recouvrement.comptes", "secu.retraite.comptes", "secu.famille.comptes", "secu.autonomie.comptes",
    "secu.especes.comptes",
]
"""The ``comptes`` modules, in the order their branches are shown."""

REGIMES_AGRICOLES = frozenset({"CCMSA", "MSA"})


@dataclass(frozen=True)
class Branche:
    """A branch of the régime général as the accounts know it."""

    code: str
    """Its ``branche`` in the accounts frame (``vieillesse``); a ledger-only branch has none of its own accounts."""
    libelle: str
    """Its French name (« Accidents du travail et maladies professionnelles »)."""
    libelle_court: str
    """Its short French name, for tables (« AT-MP »)."""
    grand_livre: str
    """The ledger branch its accounts are booked on (:data:`secu.core.ledger.BRANCHES`: ``retraite`` for ``vieillesse``)."""
    simulee: bool = True
    """Whether the simulated year has accounts of its own for it (the recouvrement only passes money on)."""
    organisme: str | None = None
    """The organism whose books carry it when no caisse nationale of the régime général does (the FSV, a fund)."""


def register(module: str) -> None:
    """Plug one more ``comptes`` module in (a new branch, or a test's)."""
    if module not in MODULES:
        MODULES.append(module)
        _loaded.cache_clear()


def unregister(module: str) -> None:
    if module in MODULES:
        MODULES.remove(module)
        _loaded.cache_clear()


@cache
def _loaded(names: tuple[str, ...]) -> tuple[ModuleType, ...]:
    return tuple(importlib.import_module(name) for name in names)


def modules() -> tuple[ModuleType, ...]:
    """The ``comptes`` modules of every branch, imported."""
    return _loaded(tuple(MODULES))


def branches() -> tuple[Branche, ...]:
    """Every branch declared, in the modules' order (each code once)."""
    found: dict[str, Branche] = {}
    for module in modules():
        for branche in getattr(module, "BRANCHES", ()):
            if branche.code in found:
                raise ValueError(f"branche {branche.code!r} déclarée deux fois ({module.__name__})")
            found[branche.code] = branche
    return tuple(found.values())


def simulees() -> tuple[Branche, ...]:
    """The branches the simulated year has accounts for."""
    return tuple(b for b in branches() if b.simulee)


def branche(code: str) -> Branche | None:
    return next((b for b in branches() if b.code == code), None)


def libelles_grand_livre() -> dict[str, str]:
    """Ledger branch → French name, in the modules' order."""
    labels: dict[str, str] = {}
    for b in branches():
        labels.setdefault(b.grand_livre, b.libelle)
    return labels


def grand_livre_special() -> dict[tuple[str, str, str], tuple[str, str]]:
    """(branche, sens, poste) of the accounts → (ledger branch, account), for the lines booked outside their own branch."""
    found: dict[tuple[str, str, str], tuple[str, str]] = {}
    for module in modules():
        found.update(getattr(module, "GRAND_LIVRE", {}))
    return found


def hors_grand_livre() -> frozenset[str]:
    """Recipients whose accounts stay out of the ledger."""
    return frozenset(code for module in modules() for code in getattr(module, "HORS_GRAND_LIVRE", ()))


def caisse_nationale(grand_livre: str) -> str:
    """The code of the national caisse of the régime général that carries ``grand_livre`` (organismes' data), else
    the organism its branch declares (:attr:`Branche.organisme`)."""
    caisse = _caisses().get(grand_livre) or next((b.organisme for b in branches() if b.grand_livre == grand_livre and b.organisme), None)
    if caisse is None:
        raise InvalidField("branche", f"aucune caisse nationale du régime général pour la branche {grand_livre!r}")
    return caisse


@cache
def _caisses() -> dict[str, str]:
    from secu.organismes import all_organismes

    caisses: dict[str, str] = {}
    for organisme in all_organismes():
        if organisme.national and organisme.type not in REGIMES_AGRICOLES:
            for name in sorted(organisme.branches):
                caisses.setdefault(name, organisme.code)
    return caisses

