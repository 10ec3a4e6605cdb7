"""The one explanation-step type: its three keys in order, its builder and the formatters of its labels."""

from __future__ import annotations

import json
from decimal import Decimal

from secu.core.explication import Etapes, etape, euros, ligne, nombre, pourcent, references, texte

NBSP = "\u00a0"


def test_a_step_has_three_keys_in_order_and_its_reference_as_text() -> None:
    class Categorical:  # a reference column's value prints as its text
        def __str__(self) -> str:
            return "CSS L160-13"

    assert list(etape("Remboursement", 1_234, Categorical())) == ["etape", "montant_cents", "reference"]
    assert etape("Remboursement", 1_234, Categorical()) == {"etape": "Remboursement", "montant_cents": 1_234, "reference": "CSS L160-13"}
    assert etape("Enfants à charge : 2") == {"etape": "Enfants à charge : 2", "montant_cents": None, "reference": None}


def test_the_builder_writes_steps_in_order_and_serialises_as_a_plain_list() -> None:
    steps = Etapes()
    steps.ajoute("Base", 2_650, "NGAP")
    steps.ajoute("Participation forfaitaire déduite", 200, None)
    assert steps == [
        {"etape": "Base", "montant_cents": 2_650, "reference": "NGAP"},
        {"etape": "Participation forfaitaire déduite", "montant_cents": 200, "reference": None},
    ]
    assert json.dumps(steps, ensure_ascii=False) == (
        '[{"etape": "Base", "montant_cents": 2650, "reference": "NGAP"}, '
        '{"etape": "Participation forfaitaire déduite", "montant_cents": 200, "reference": null}]'
    )


def test_amounts_in_euros_the_french_way() -> None:
    assert euros(123_456) == f"1{NBSP}234,56{NBSP}€"
    assert euros(-5) == f"-0,05{NBSP}€"
    assert euros(None) == f"0,00{NBSP}€"


def test_numbers_and_rates_without_useless_zeros_with_a_decimal_comma() -> None:
    assert nombre(Decimal("1.70")) == "1,7"
    assert nombre(Decimal("100")) == "100"  # not 1E+2
    assert nombre(2) == "2"
    assert pourcent(Decimal("0.7")) == f"70{NBSP}%"
    assert pourcent(Decimal("0.005")) == f"0,5{NBSP}%"
    assert pourcent("0.0050") == f"0,5{NBSP}%"
    assert pourcent(Decimal("0.653")) == f"65,3{NBSP}%"


def test_references_joined_and_text() -> None:
    assert references("CSS L160-13", None, "", "CSS R160-22") == "CSS L160-13 ; CSS R160-22"
    assert references(None, "") is None
    assert texte(None) is None
    assert texte(12) == "12"


def test_a_step_as_a_line_of_text() -> None:
    assert ligne(etape("Versé à l'assuré", 1_870, "CSS L160-13")) == f"- Versé à l'assuré : 18,70{NBSP}€ [CSS L160-13]"
    assert ligne(etape("Hors parcours de soins coordonné")) == "- Hors parcours de soins coordonné"
    assert ligne(etape("Pas de CRDS", 0, None)) == f"- Pas de CRDS : 0,00{NBSP}€"
