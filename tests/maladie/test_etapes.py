"""A line's explanation stored by reference to shared steps reads back exactly as it was given (both databases)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.explication import etape
from secu.maladie import etapes
from secu.maladie.models import EtapeExplication

STEPS = [
    etape("Montant facturé (G, quantité 1)", 3000, "CSS L161-33 (feuille de soins : frais exposés)"),
    etape("Exonération du ticket modérateur : affection de longue durée (soins en rapport)", None, "CSS L160-14 3°"),
    etape("Participation forfaitaire déduite", 200, None),
]


@pytest.fixture(scope="module")
def sessions(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


def test_the_steps_read_back_as_given_and_each_is_stored_once(sessions) -> None:  # type: ignore[no-untyped-def]
    other = [etape("Montant facturé (G, quantité 1)", 2500, "CSS L161-33 (feuille de soins : frais exposés)")]
    with unit_of_work(sessions) as s:
        texts = etapes.compact(s, [STEPS, other, []])
    with unit_of_work(sessions) as s:
        again = etapes.compact(s, [STEPS])  # known steps: the same references, nothing added
        assert etapes.expand(s, [*texts, *again]) == [STEPS, other, [], STEPS]
        assert again == texts[:1] and s.scalar(sa.select(sa.func.count()).select_from(EtapeExplication)) == 3
    # the keys in their order, as every branch gives them (the API writes the stored JSON as it is)
    with unit_of_work(sessions) as s:
        (read,) = etapes.expand(s, texts[:1])
    assert [json.dumps(step, ensure_ascii=False) for step in read] == [json.dumps(step, ensure_ascii=False) for step in STEPS]
    assert max(len(text) for text in texts) < 40


def test_a_line_stored_before_with_its_steps_written_out_reads_as_it_is(sessions) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        assert etapes.expand(s, [json.dumps(STEPS, ensure_ascii=False)]) == [STEPS]


def test_a_shared_step_cannot_be_changed_or_deleted(sessions) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        etapes.compact(s, [STEPS])
    for statement in ("UPDATE etape_explication SET etape = 'autre'", "DELETE FROM etape_explication"):
        with pytest.raises(DBAPIError, match="ajout seul"), unit_of_work(sessions) as s:
            s.execute(sa.text(statement))
