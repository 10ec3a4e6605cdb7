"""A claim line's explanation stored compactly: its steps named by reference to a shared table, with its amounts.

Each step of :func:`secu.maladie.explication.explain` is a label, an amount and a reference. The labels and
references are few (some forty distinct pairs explain a national day's claims) and long (the references cite
conventions and decrees: 3 kB of JSON a line); the amounts are the line's own. A line stores
``[[id, montant_cents], …]``, each ``id`` a row of ``etape_explication`` (label and reference, stored once,
never changed), and reads back exactly the steps it was given: the same keys, in the same order, the same
texts and amounts (``expand(compact(steps)) == steps``). Lines stored before (the steps written out in full)
read as they are.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import cast

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from secu.core.db import among, table_of
from secu.core.explication import Etape
from secu.maladie.models import EtapeExplication

Cle = tuple[str, str | None]  # (etape, reference)


def _empreinte(key: Cle) -> str:
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()


def compact(session: Session, explanations: Sequence[Sequence[Etape]]) -> list[str]:
    """Each explanation as the text its line stores; the steps not yet in the shared table are added to it
    (in the session's transaction, in the order of their fingerprints: two lots adding the same ones wait for
    each other rather than deadlock)."""
    keys = {(step["etape"], step["reference"]) for steps in explanations for step in steps}
    ids = _ids(session, keys)
    return [
        json.dumps([[ids[step["etape"], step["reference"]], step["montant_cents"]] for step in steps], separators=(",", ":"), default=str)
        for steps in explanations
    ]


def _ids(session: Session, keys: set[Cle]) -> dict[Cle, int]:
    if not keys:
        return {}
    by_fingerprint = {_empreinte(key): key for key in keys}
    found = _known(session, by_fingerprint)
    missing = sorted(fingerprint for fingerprint in by_fingerprint if fingerprint not in found)
    if missing:
        rows = [{"empreinte": f, "etape": by_fingerprint[f][0], "reference": by_fingerprint[f][1]} for f in missing]
        table = table_of(EtapeExplication)
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
        session.execute(insert.on_conflict_do_nothing(index_elements=["empreinte"]), rows)
        found.update(_known(session, {f: by_fingerprint[f] for f in missing}))
    return {by_fingerprint[fingerprint]: step_id for fingerprint, step_id in found.items()}


def _known(session: Session, by_fingerprint: dict[str, Cle]) -> dict[str, int]:
    query = select(EtapeExplication.empreinte, EtapeExplication.id).where(among(session, EtapeExplication.empreinte, by_fingerprint))
    return {row.empreinte: row.id for row in session.execute(query)}


def expand(session: Session, texts: Iterable[str]) -> list[list[Etape]]:
    """The steps of each stored explanation (one query for all of them)."""
    parsed = [json.loads(text) for text in texts]
    ids = {item[0] for steps in parsed for item in steps if isinstance(item, list)}
    names: dict[int, tuple[str, str | None]] = {}
    if ids:
        query = select(EtapeExplication.id, EtapeExplication.etape, EtapeExplication.reference).where(among(session, EtapeExplication.id, ids))
        names = {row.id: (row.etape, row.reference) for row in session.execute(query)}
    return [
        [cast(Etape, item) if isinstance(item, dict) else Etape(etape=names[item[0]][0], montant_cents=item[1], reference=names[item[0]][1]) for item in steps]
        for steps in parsed
    ]
