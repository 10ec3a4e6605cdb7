"""The ALD list's one dated change: décret n° 2011-726 struck the ALD 12 (hypertension artérielle sévère) off the list
(CSS D160-4) from 27 June 2011; existing exonérations run on, no new admission (parameter ald.admission_ald_12)."""

from __future__ import annotations

from datetime import date

from secu.register.ald import ALD, admissible


def test_no_new_admission_in_ald_12_from_27_june_2011() -> None:
    assert admissible("12", date(2011, 6, 26))
    assert not admissible("12", date(2011, 6, 27))
    assert not admissible("12", date(2026, 1, 1))
    assert all(admissible(code, date(2026, 1, 1)) for code in ALD if code != "12")
