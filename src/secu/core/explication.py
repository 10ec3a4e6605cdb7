"""One explanation-step type for every branch, its builder and the formatters of its labels.

A decision is explained to people as a list of steps, each an :class:`Etape`:
what the step is (``etape``, French text), its amount in cents when it has one
(``montant_cents``) and the text it applies (``reference``). The API, the pages,
the CLI and the stored decisions give exactly these three keys, in this order.

The branches' ``explication`` modules only format: every amount is a column of
a rules output row, every reference a reference column or an article. They
write their steps with :class:`Etapes` and their labels with the formatters
below, so that a rate, an amount or a number reads the same in every branch.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TypedDict

from secu.core.money import NBSP, format_eur


class Etape(TypedDict):
    """One step of an explanation."""

    etape: str
    """What the step is, for people (French)."""
    montant_cents: int | None
    """The step's amount in cents, or None for a step that states a fact (a condition, a ceiling, an exemption)."""
    reference: str | None
    """The legal text (or the rule of secu) the step applies, or None."""


def etape(libelle: str, montant_cents: int | None = None, reference: object = None) -> Etape:
    """One step; ``reference`` is any value of a reference column (a Categorical's text, a string, or None)."""
    return {"etape": libelle, "montant_cents": montant_cents, "reference": texte(reference)}


AjouteEtape = Callable[[str, int | None, object], None]
"""Writes the next step: its label, its amount in cents (or None) and its reference (see :meth:`Etapes.ajoute`)."""


class Etapes(list[Etape]):
    """The steps of one explanation, in order (a plain list of :class:`Etape` to JSON and to templates)."""

    def ajoute(self, libelle: str, montant_cents: int | None, reference: object) -> None:
        """Write the next step."""
        self.append(etape(libelle, montant_cents, reference))


def texte(value: object) -> str | None:
    """A reference or a code as text; None stays None."""
    return None if value is None else str(value)


def euros(cents: int | None) -> str:
    """An amount in cents written the French way ("1 234,56 €"); a missing amount reads 0,00 €."""
    return format_eur(cents or 0)


def nombre(value: object) -> str:
    """A decimal number without useless zeros, with a decimal comma: 1.70 -> "1,7", 100 -> "100"."""
    return format(Decimal(str(value)).normalize(), "f").replace(".", ",")


def pourcent(rate: object) -> str:
    """A rate as a percentage: 0.7 -> "70 %", 0.005 -> "0,5 %" (no-break space before %)."""
    return nombre(Decimal(str(rate)) * 100) + f"{NBSP}%"


def references(*parts: object) -> str | None:
    """Several references in one, separated by " ; " (the empty ones left out); None when there is none."""
    texts = [str(part) for part in parts if part]
    return " ; ".join(texts) if texts else None


def ligne(step: Etape) -> str:
    """A step as one line of text (a terminal, a notification): ``- label : amount [reference]``."""
    amount = "" if step["montant_cents"] is None else f" : {euros(step['montant_cents'])}"
    reference = f" [{step['reference']}]" if step["reference"] else ""
    return f"- {step['etape']}{amount}{reference}"


__all__ = ["AjouteEtape", "Etape", "Etapes", "etape", "euros", "ligne", "nombre", "pourcent", "references", "texte"]
