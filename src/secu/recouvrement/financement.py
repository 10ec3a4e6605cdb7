"""Where the money collected on a DSN goes: each branch and fund it finances, as ledger lines.

The URSSAF collects the contributions of the régime général and those of
third parties (CSS L213-1); it does not collect the Agirc-Arrco contributions,
paid by the employer to the retraite complémentaire institutions. Each line of
a payslip names its recipient (``attributaire``); the CSG is shared between
the branches and funds by the points CSS L131-8 assigns to each (dated
parameters ``affectation_csg_activite.*``); the réduction générale is
charged to the contributions it reduces, pro rata of their rates in T
(CSS L241-13, D241-7), the retraite complémentaire bearing réduction × 6,01 % / T,
so the Agirc-Arrco share of it lowers what the institutions receive, not what
the URSSAF collects.

The splits themselves are a rule, :func:`secu.recouvrement.rules.financement`, made payslip by payslip:
the batch job (:mod:`secu.batch.jobs`) calls the same one, so a declaration and the payslips it carries give
the same amounts to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from secu import branches
from secu.core import ledger
from secu.recouvrement import rules

RETRAITE_COMPLEMENTAIRE = rules.RETRAITE_COMPLEMENTAIRE
"""The recipient outside the URSSAF's collection."""
# A recipient that is a branch of secu.branches is booked on its ledger branch at its national caisse (the
# organismes'); any other is a third party the URSSAF owes.

def by_recipient(lines: pl.DataFrame) -> dict[str, int]:
    """The amounts a declaration's contribution lines give each recipient, réduction imputed and CSG split.

    Keys are the lines' recipients, and ``csg:<part>`` for each share of the CSG (and of nothing else).
    """
    split = rules.financement(lines, by=())
    return {(f"csg:{r['attributaire']}" if r["produit"] == "csg" else r["attributaire"]): int(r["cents"])
            for r in split.iter_rows(named=True)}


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
        branche = branches.branche(name)
        if branche is not None and branche.simulee:
            caisse = branches.caisse_nationale(branche.grand_livre)
            lines.append(ledger.Ligne(branche.grand_livre, caisse, account, -cents, contrepartie=urssaf))
        else:
            lines.append(ledger.Ligne("recouvrement", urssaf, f"dettes.attributaires.{recipient.replace(':', '.')}", -cents))
    return tuple(line for line in lines if line.montant_cents)
