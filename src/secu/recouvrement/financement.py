"""Where the money collected on a DSN goes: each branch and fund it finances, as ledger lines.

The URSSAF collects the contributions of the régime général and those of
third parties (CSS L213-1); it does not collect the Agirc-Arrco contributions,
paid by the employer to the retraite complémentaire institutions. Each line of
a payslip names its recipient (``attributaire``); the CSG is shared between
the branches and funds by the points CSS L131-8 assigns to each (dated
parameters ``affectation_csg_activite.*``); the réduction générale is
charged to the contributions it reduces, pro rata of their employer amounts
(CSS L241-13, D241-7), so the Agirc-Arrco share of it lowers what the
institutions receive, not what the URSSAF collects.

Every split is made in integer cents by the largest remainder, so the parts
add up to the whole to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from secu.core import ledger
from secu.core.parameters import parameters

# Recipients outside the URSSAF's collection.
RETRAITE_COMPLEMENTAIRE = "agirc_arrco"

# The branches of the régime général and the national caisse that carries each in the ledger.
BRANCHES = {
    "maladie": ("maladie", "CNAM"),
    "atmp": ("atmp", "CNAM"),
    "vieillesse": ("retraite", "CNAV"),
    "famille": ("famille", "CNAF"),
    "autonomie": ("autonomie", "CNSA"),
}
CSG_PARTS = ("maladie", "autonomie", "famille", "unedic", "cades")
"""The recipients of the CSG on earned income (CSS L131-8), each a dated parameter ``affectation_csg_activite.<part>``."""

# The contributions the réduction générale reduces (CSS L241-13 I and D241-7; Agirc-Arrco since 2019).
REDUITES = ("maladie", "vieillesse_plafonnee", "vieillesse_deplafonnee", "allocations_familiales", "atmp", "csa", "fnal",
            "chomage", "agirc_arrco_t1", "ceg_t1")
REDUCTION = "reduction_generale"


@dataclass(frozen=True)
class Ligne:
    """What one payslip line gives: its code, its recipient, the employee and employer amounts."""

    code: str
    attributaire: str
    salarial_cents: int
    patronal_cents: int


def largest_remainder(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Split ``total`` cents in proportion to ``weights``, the parts summing exactly to ``total``."""
    positive = {k: w for k, w in weights.items() if w > 0}
    whole = sum(positive.values())
    if not positive or total == 0:
        return {k: 0 for k in weights}
    sign = -1 if total < 0 else 1
    amount = abs(total)
    parts = {k: amount * w // whole for k, w in positive.items()}
    rest = amount - sum(parts.values())
    for key in sorted(positive, key=lambda k: (-(amount * positive[k] % whole), k))[:rest]:
        parts[key] += 1
    return {k: sign * parts.get(k, 0) for k in weights}


def csg_shares(on: date) -> dict[str, int]:
    """The points of CSG each recipient gets on ``on``, as integer millionths of the base (weights for the split)."""
    shares = {}
    for part in CSG_PARTS:
        value = parameters().get(f"affectation_csg_activite.{part}").at(on).value
        shares[part] = int(value * 1_000_000)  # type: ignore[operator]
    return shares


def by_recipient(lines: Iterable[Ligne], on: date) -> dict[str, int]:
    """The amounts a declaration gives each recipient, réduction charged and CSG split.

    Keys are the lines' recipients, and ``csg:<part>`` for each share of the CSG (and of nothing else).
    """
    lines = list(lines)
    totals: dict[str, int] = defaultdict(int)
    reduced: dict[tuple[str, str], int] = defaultdict(int)  # (code, attributaire) → employer amount the réduction bears on
    reduction = 0
    for line in lines:
        if line.code == REDUCTION:
            reduction += line.patronal_cents + line.salarial_cents
            continue
        totals[line.attributaire] += line.salarial_cents + line.patronal_cents
        if line.code in REDUITES:
            reduced[(line.code, line.attributaire)] += line.patronal_cents
    if reduction:
        weights = {f"{code}|{attributaire}": cents for (code, attributaire), cents in reduced.items()}
        for key, share in largest_remainder(reduction, weights).items():
            totals[key.split("|", 1)[1]] += share
    csg = totals.pop("csg", 0)
    if csg:
        for part, share in largest_remainder(csg, csg_shares(on)).items():
            totals[f"csg:{part}"] += share
    return {k: v for k, v in totals.items() if v}


def collected_by_urssaf(recipients: Mapping[str, int]) -> int:
    return sum(v for k, v in recipients.items() if k != RETRAITE_COMPLEMENTAIRE)


def ledger_lines(recipients: Mapping[str, int], urssaf: str) -> tuple[ledger.Ligne, ...]:
    """The DSN in the ledger: the employer owes the URSSAF; each branch earns its share; third parties are owed theirs.

    Debits are positive. The Agirc-Arrco share is not the URSSAF's business and stays out.
    """
    due = collected_by_urssaf(recipients)
    lines = [ledger.Ligne("recouvrement", urssaf, "creances.cotisants", due)]
    for recipient, cents in sorted(recipients.items()):
        if recipient == RETRAITE_COMPLEMENTAIRE:
            continue
        kind, _, name = recipient.rpartition(":")  # "csg:maladie" is the CSG's share for the maladie branch
        account = "produits.csg" if kind == "csg" else "produits.cotisations"
        if name in BRANCHES:
            branche, caisse = BRANCHES[name]
            lines.append(ledger.Ligne(branche, caisse, account, -cents, contrepartie=urssaf))
        else:
            lines.append(ledger.Ligne("recouvrement", urssaf, f"dettes.attributaires.{recipient.replace(':', '.')}", -cents))
    return tuple(line for line in lines if line.montant_cents)
