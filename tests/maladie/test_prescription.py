"""CSS L332-1: the action in payment is prescribed by two years from the first day of the quarter following
the care (parameter prescription.action_paiement_soins; see its note on the text's scope since 2016)."""

from __future__ import annotations

from datetime import date

import pytest

from secu.maladie.rules import action_prescrite


@pytest.mark.parametrize(
    ("soins", "today", "prescrite"),
    [
        (date(2023, 2, 15), date(2025, 3, 31), False),  # quarter after: 2023-04-01; two years: 2025-04-01
        (date(2023, 2, 15), date(2025, 4, 1), True),
        (date(2023, 11, 30), date(2025, 12, 31), False),  # quarter after: 2024-01-01
        (date(2023, 11, 30), date(2026, 1, 1), True),
        (date(2024, 7, 1), date(2026, 9, 30), False),  # quarter after: 2024-10-01
        (date(2024, 7, 1), date(2026, 10, 1), True),
    ],
)
def test_two_years_from_the_first_day_of_the_next_quarter(soins: date, today: date, prescrite: bool) -> None:
    assert action_prescrite(soins, today) is prescrite
