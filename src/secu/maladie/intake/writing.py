"""A lot's outcome written in bulk, in the lot's transaction: the FSE, their lines, the counters, the ledger, the journal.

A statement per table, whatever the number of FSE (``insert().values`` lists, executemany): the FSE rows are
written in the order of their numbers, so two lots that share numbers wait for each other rather than deadlock.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from secu.core import ledger
from secu.core.db import bulk_insert, table_of
from secu.core.security import Action, Caller, Ressource, journal_many
from secu.maladie import etapes
from secu.maladie.intake.liquidation import Candidat
from secu.maladie.intake.schemas import Collision, FseIn, Rejet
from secu.maladie.models import CompteurAnnuel, Fse, LigneFse, LotFse
from secu.register.models import ProfessionnelSante

_TOTALS = ("rembourse_cents", "verse_cents", "a_recuperer_cents", "montant_amo_cents", "participation_forfaitaire_cents", "franchise_cents")


@dataclass
class Liquidee:
    candidat: Candidat
    lignes: list[dict[str, Any]]  # ligne_fse's columns, without fse_id; their ``explication``, the steps as JSON (for the answer)
    explications: list[list[Any]]  # each line's steps (stored compactly in its ``explication``: secu.maladie.etapes)
    fse_id: int = 0
    totals: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.totals = {column: sum(int(line[column]) for line in self.lignes) for column in _TOTALS}

    def total(self, column: str) -> int:
        return self.totals[column]


@dataclass
class Rejetee:
    fse_in: FseIn
    empreinte: str
    rejet: Rejet


_FSE_COLUMNS = (
    "professionnel_id",
    "numero",
    "empreinte",
    "soins_empreinte",
    "lot_id",
    "personne_id",
    "organisme_code",
    "date_soins",
    "tiers_payant",
    "branche",
    "statut",
    "code_rejet",
    "motif_rejet",
    "rembourse_cents",
    "verse_cents",
    "a_recuperer_cents",
    "recupere_cents",
)  # updated in place: recue_le stays the first reception's


def write(
    session: Session,
    caller: Caller,
    pro: ProfessionnelSante,
    lot: LotFse,
    today: date,
    liquidees: list[Liquidee],
    rejetees: list[Rejetee],
    existing: dict[str, Fse],
) -> None:
    """Store every outcome; set each Liquidee's ``fse_id``. A rejected FSE is kept as a trace (sent again, it is
    examined anew); a stored rejection under the same number is overwritten in place."""
    now = datetime.now(UTC)
    rows: list[tuple[dict[str, Any], Liquidee | None]] = []
    for done in liquidees:
        fse_in, candidat = done.candidat.fse_in, done.candidat
        rows.append(
            (
                {
                    "professionnel_id": pro.id,
                    "numero": fse_in.numero,
                    "empreinte": candidat.empreinte,
                    "soins_empreinte": candidat.soins_empreinte,
                    "lot_id": lot.id,
                    "personne_id": candidat.patient.id,
                    "organisme_code": candidat.organisme_code,
                    "date_soins": fse_in.date_soins,
                    "tiers_payant": fse_in.tiers_payant,
                    "branche": "atmp" if fse_in.atmp else "maladie",
                    "statut": "liquidee",
                    "code_rejet": None,
                    "motif_rejet": None,
                    "rembourse_cents": done.total("rembourse_cents"),
                    "verse_cents": done.total("verse_cents"),
                    "a_recuperer_cents": done.total("a_recuperer_cents"),
                    "recupere_cents": 0,
                    "recue_le": now,
                },
                done,
            )
        )
    for refused in rejetees:
        if refused.rejet.code == "NUMERO_REUTILISE":
            continue  # the number belongs to another claim: nothing of this one is kept under it
        fse_in = refused.fse_in
        rows.append(
            (
                {
                    "professionnel_id": pro.id,
                    "numero": fse_in.numero,
                    "empreinte": refused.empreinte,
                    "soins_empreinte": "",
                    "lot_id": lot.id,
                    "personne_id": None,
                    "organisme_code": None,
                    "date_soins": fse_in.date_soins,
                    "tiers_payant": fse_in.tiers_payant,
                    "branche": "maladie",
                    "statut": "rejetee",
                    "code_rejet": refused.rejet.code,
                    "motif_rejet": refused.rejet.motif[:300],
                    "rembourse_cents": 0,
                    "verse_cents": 0,
                    "a_recuperer_cents": 0,
                    "recupere_cents": 0,
                    "recue_le": now,
                },
                None,
            )
        )
    rows.sort(key=lambda pair: pair[0]["numero"])
    new = [(row, done) for row, done in rows if row["numero"] not in existing]
    again = [(row, done) for row, done in rows if row["numero"] in existing]
    if new:
        ids = bulk_insert(session, table_of(Fse), [row for row, _ in new], ids=True)
        for (_, made), fse_id in zip(new, ids, strict=True):
            if made is not None:
                made.fse_id = fse_id
    if again:
        # Rejected earlier, examined anew: lock those rows (in id order) and make sure no concurrent lot liquidated
        # them since they were read; if one did, the lot is run again and answers that claim.
        ids = sorted(existing[row["numero"]].id for row, _ in again)
        still = session.scalars(select(Fse.id).where(Fse.id.in_(ids), Fse.statut == "rejetee").order_by(Fse.id).with_for_update()).all()
        if len(still) != len(ids):
            raise Collision("une feuille de soins du lot a été liquidée entre-temps par un autre envoi")
        table = table_of(Fse)
        statement = update(table).where(table.c.id == bindparam("_id")).values({c: bindparam(c) for c in _FSE_COLUMNS})
        session.execute(statement, [{**{c: row[c] for c in _FSE_COLUMNS}, "_id": existing[row["numero"]].id} for row, _ in again])
        for row, made in again:
            if made is not None:
                made.fse_id = existing[row["numero"]].id
        session.expire_all()  # the ORM's copies of those rows are stale now
    if liquidees:
        # each line stores its steps by reference to the shared table (secu.maladie.etapes), not their 3 kB of text
        stored = iter(etapes.compact(session, [steps for done in liquidees for steps in done.explications]))
        bulk_insert(session, table_of(LigneFse), [{**line, "fse_id": done.fse_id, "explication": next(stored)} for done in liquidees for line in done.lignes])
        _count(session, liquidees)
        ledger.post_many(session, [entry for done in liquidees if (entry := _entry(done, pro, today)) is not None])
        journal_many(session, caller, Action.CREATION, Ressource.FSE, [(done.fse_id, done.candidat.patient.id) for done in liquidees])


def _count(session: Session, liquidees: list[Liquidee]) -> None:
    """Add what the lot's claims bore to the yearly counters (locked by loading.lock_counters since the start)."""
    added: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for done in liquidees:
        key = (done.candidat.patient.id, done.candidat.fse_in.date_soins.year)
        added[key][0] += done.total("participation_forfaitaire_cents")
        added[key][1] += done.total("franchise_cents")
    table = table_of(CompteurAnnuel)
    ordered = sorted(added.items())
    if session.get_bind().dialect.name == "postgresql":  # one statement, whatever the number of person-years
        session.execute(
            text(
                "UPDATE compteur_annuel AS k SET participation_forfaitaire_cents = k.participation_forfaitaire_cents + v.pf, "
                "franchise_cents = k.franchise_cents + v.fr FROM unnest(CAST(:p AS integer[]), CAST(:a AS integer[]), CAST(:pf AS bigint[]), "
                "CAST(:fr AS bigint[])) AS v(p, a, pf, fr) WHERE k.personne_id = v.p AND k.annee = v.a"
            ),
            {"p": [p for (p, _), _ in ordered], "a": [a for (_, a), _ in ordered], "pf": [v[0] for _, v in ordered], "fr": [v[1] for _, v in ordered]},
        )
        return
    statement = (
        update(table)
        .where(table.c.personne_id == bindparam("_p"), table.c.annee == bindparam("_a"))
        .values(
            participation_forfaitaire_cents=table.c.participation_forfaitaire_cents + bindparam("_pf"),
            franchise_cents=table.c.franchise_cents + bindparam("_fr"),
        )
    )
    session.execute(statement, [{"_p": p, "_a": a, "_pf": pf, "_fr": fr} for (p, a), (pf, fr) in ordered])


def _entry(done: Liquidee, pro: ProfessionnelSante, today: date) -> ledger.NouvelleEcriture | None:
    """The claim in the ledger: the AMO's share as a charge, less the participations the assuré bears.

    The payee (the assuré, or the professional under tiers payant) is owed
    ``verse``; participations and franchises not deducted from it are a
    receivable on the assuré, recovered on later reimbursements (CSS L160-13).
    Debits are positive; the entry balances: AMO − participations − versé + à récupérer = 0.
    """
    fse_in, organisme = done.candidat.fse_in, done.candidat.organisme_code
    branche = "atmp" if fse_in.atmp else "maladie"
    amo = done.total("montant_amo_cents")
    participations = done.total("participation_forfaitaire_cents") + done.total("franchise_cents")
    payee = "professionnels" if fse_in.tiers_payant else "assures"
    lines = [
        ledger.Ligne(branche, organisme, "charges.prestations.soins", amo),
        ledger.Ligne(branche, organisme, "charges.prestations.participations_assures", -participations),
        ledger.Ligne(branche, organisme, f"dettes.prestations.{payee}", -done.total("verse_cents")),
        ledger.Ligne(branche, organisme, "creances.assures.participations", done.total("a_recuperer_cents")),
    ]
    lines = [line for line in lines if line.montant_cents]
    if not lines:
        return None
    return ledger.NouvelleEcriture(
        cle_idempotence=f"liquidation:fse:{done.fse_id}",
        date_operation=today,
        libelle=f"Liquidation de la feuille de soins {fse_in.numero}",
        document_source=f"FSE {pro.rpps}/{fse_in.numero}",
        lignes=tuple(lines),
    )
