"""A lot of feuilles de soins, taken in one transaction: checked, liquidated by one vectorized call, written in bulk.

1. every FSE is validated (pydantic) and checked on its own; a bad FSE gets its code and French label and never
   sinks its lot;
2. what the checks and the law need is loaded for the whole lot in a few set-based queries (loading.py), the
   patients' yearly counters locked in a fixed order;
3. all the lines are liquidated by one call of the rules (liquidation.py); an FSE with a line the rules reject
   is rejected whole, and the others are liquidated again without it, so that it takes no part in the caps;
4. everything is written with one statement per table (writing.py).

Concurrency: a second sending of the same FSE (same professional, number and content) answers the first result;
the same care under another number is refused (DOUBLON) by a unique index the database enforces; two lots that
collide on one of those keys, or deadlock, or fail to serialize are simply run again
(:func:`receive_lot_retrying`), and then see what the first one wrote.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from secu.acces import Permission, Portee, exiger, portee, refus
from secu.core.db import unit_of_work
from secu.core.errors import InvalidField, NotFound
from secu.core.identifiers import parse_nir, validate_rpps
from secu.core.security import Caller
from secu.maladie import etapes
from secu.maladie.intake import liquidation, loading
from secu.maladie.intake.liquidation import Candidat
from secu.maladie.intake.schemas import REJETS, Collision, FseIn, LotIn, Rejet, Resultat
from secu.maladie.intake.writing import Liquidee, Rejetee, write
from secu.maladie.models import Fse, LigneFse, LotFse
from secu.register.models import ProfessionnelSante

ATTEMPTS = 6
"""How many times a lot is run when it collides with a concurrent one (each run sees what the others committed)."""


def fingerprint(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def care_fingerprint(personne_id: int, professionnel_id: int, fse_in: FseIn, dumped: dict[str, Any] | None = None) -> str:
    """What "the same care" means: the same patient, seen by the same professional on the same day, for the same
    lines (each line's act, quantity, coefficient, fees, unit price and flags, in any order). The FSE number,
    the tiers payant and the declared parcours are not part of it: the same care sent again under another number,
    or with another way of paying, is still the same care, paid once.

    The values are written one way whatever way they were sent ("30", 30 or "30.0" are 30.00 €; "g" is G), so
    a duplicate cannot pass for new care by its spelling. (The form is that of the feuilles stored before: amounts
    with two decimals, coefficients without trailing zeros, acts in capitals.) ``dumped``: the FSE's
    ``model_dump(mode="json")`` when the caller has it already."""
    lines = [
        {
            **line,
            "acte": line["acte"].upper(),
            "montant": _cents_text(line["montant"]),
            "base_unitaire": None if line["base_unitaire"] is None else _cents_text(line["base_unitaire"]),
            "coefficient": format(Decimal(line["coefficient"]).normalize(), "f"),
        }
        for line in (dumped or fse_in.model_dump(mode="json"))["lignes"]
    ]
    return fingerprint([personne_id, professionnel_id, fse_in.date_soins.isoformat(), sorted(json.dumps(line, sort_keys=True) for line in lines)])


def _cents_text(amount: str) -> str:
    return str(Decimal(amount).quantize(Decimal("0.01")))


def receive_lot_retrying(sessions: sessionmaker[Session], caller: Caller, data: LotIn, *, today: date) -> tuple[int, str, list[Resultat]]:
    """:func:`receive_lot` in a transaction of its own, run again when it collides with a concurrent lot."""
    for attempt in range(ATTEMPTS):
        try:
            with unit_of_work(sessions) as session:
                lot, results = receive_lot(session, caller, data, today=today)
                return lot.id, lot.numero, results
        except (DBAPIError, Collision) as error:
            if attempt == ATTEMPTS - 1 or (isinstance(error, DBAPIError) and not _collision(error)):
                raise
            time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311 - a jitter, not a secret
    raise AssertionError("unreachable")


def _collision(error: DBAPIError) -> bool:
    """A concurrent transaction got there first: a unique key taken meanwhile, a deadlock, a serialization failure,
    SQLite's single writer busy. Anything else (a foreign key, a check) is a real error, raised at once."""
    state = getattr(error.orig, "sqlstate", None)
    if state is not None:
        return state in ("23505", "40001", "40P01")
    message = str(error.orig)
    if isinstance(error, IntegrityError):
        return "UNIQUE constraint failed" in message
    return isinstance(error, OperationalError) and "database is locked" in message


def receive_lot(session: Session, caller: Caller, data: LotIn, *, today: date) -> tuple[LotFse, list[Resultat]]:
    pro = _professional(session, data.professionnel_rpps)
    if portee(caller, Permission.TRANSMETTRE_FSE) is Portee.LE_SIEN and caller.professionnel_id != pro.id:
        raise refus("un professionnel ne transmet que ses propres feuilles de soins")
    exiger(caller, Permission.TRANSMETTRE_FSE)
    lot = session.scalar(select(LotFse).where(LotFse.professionnel_id == pro.id, LotFse.numero == data.numero))
    if lot is None:
        lot = LotFse(professionnel_id=pro.id, numero=data.numero)
        session.add(lot)
        session.flush()
    return lot, _Lot(session, caller, pro, lot, today).receive(data.fse)


def _professional(session: Session, rpps: str) -> ProfessionnelSante:
    number = validate_rpps(rpps, field="professionnel_rpps")
    pro = session.scalar(select(ProfessionnelSante).where(ProfessionnelSante.rpps == number))
    if pro is None:
        raise NotFound("professionnel de santé inconnu", field="professionnel_rpps")
    return pro


class _Lot:
    """One lot's way through the steps; ``results`` holds each FSE's answer, by its rank in the lot."""

    def __init__(self, session: Session, caller: Caller, pro: ProfessionnelSante, lot: LotFse, today: date) -> None:
        self.session, self.caller, self.pro, self.lot, self.today = session, caller, pro, lot, today
        self.results: dict[int, Resultat] = {}
        self.rejetees: list[Rejetee] = []
        self.dumped: dict[int, dict[str, Any]] = {}  # each valid FSE's model_dump(mode="json"), by rank: both fingerprints read it

    def reject(self, index: int, fse_in: FseIn, empreinte: str, rejet: Rejet) -> None:
        champ = rejet.champ and f"fse[{index}].{rejet.champ}"
        self.results[index] = Resultat(fse_in.numero, "rejetee", rejet.code, rejet.motif, champ=champ)
        self.rejetees.append(Rejetee(fse_in, empreinte, rejet))

    def receive(self, raws: list[dict[str, Any]]) -> list[Resultat]:
        valid, repeats = self._validate(raws)
        existing = loading.existing_claims(self.session, self.pro.id, [fse_in.numero for _, fse_in, _ in valid])
        fresh = []
        for index, fse_in, empreinte in valid:
            stored = existing.get(fse_in.numero)
            if stored is not None and stored.statut == "liquidee":
                if stored.empreinte != empreinte:
                    self.results[index] = Resultat(fse_in.numero, "rejetee", "NUMERO_REUTILISE", REJETS["NUMERO_REUTILISE"], champ=f"fse[{index}].numero")
                else:
                    self.results[index] = _result_of(self.session, stored)
                continue
            fresh.append((index, fse_in, empreinte))
        candidats = self._checked(fresh)
        liquidees = self._liquidated(candidats)
        write(
            self.session, self.caller, self.pro, self.lot, self.today, liquidees, self.rejetees, {n: f for n, f in existing.items() if f.statut != "liquidee"}
        )
        for done in liquidees:
            self.results[done.candidat.index] = Resultat(
                done.candidat.fse_in.numero,
                "liquidee",
                fse_id=done.fse_id,
                rembourse_cents=done.total("rembourse_cents"),
                lignes=[line_out_of(line, steps) for line, steps in zip(done.lignes, done.explications, strict=True)],
                explications=[line["explication"] for line in done.lignes],
            )
        for index, first, same in repeats:
            answer = self.results[first]
            self.results[index] = (
                answer if same else Resultat(answer.numero, "rejetee", "NUMERO_REUTILISE", REJETS["NUMERO_REUTILISE"], champ=f"fse[{index}].numero")
            )
        return [self.results[index] for index in range(len(raws))]

    def _validate(self, raws: list[dict[str, Any]]) -> tuple[list[tuple[int, FseIn, str]], list[tuple[int, int, bool]]]:
        """The well-formed FSE (rank, content, fingerprint), the first of each number; and the repeats of a number
        within the lot (rank, rank of the first, same content), which answer what the first one gets."""
        valid: list[tuple[int, FseIn, str]] = []
        repeats: list[tuple[int, int, bool]] = []
        first_of: dict[str, tuple[int, str]] = {}
        for index, raw in enumerate(raws):
            numero = str(raw.get("numero")) if isinstance(raw, dict) and raw.get("numero") is not None else None
            try:
                fse_in = FseIn.model_validate(raw)
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                self.results[index] = Resultat(numero, "rejetee", "FORMAT", f"{REJETS['FORMAT']} : {where} — {first['msg']}", champ=f"fse[{index}].{where}")
                continue
            cents = next(
                (
                    f"lignes.{k}.{name}"
                    for k, line in enumerate(fse_in.lignes)
                    for name in ("montant", "base_unitaire")
                    if getattr(line, name) is not None and getattr(line, name) != getattr(line, name).quantize(Decimal("0.01"))
                ),
                None,
            )
            if cents is not None:  # a fraction of a cent cannot be paid: the FSE is malformed, its lot goes on
                self.results[index] = Resultat(
                    numero, "rejetee", "FORMAT", f"{REJETS['FORMAT']} : {cents} — au plus deux décimales", champ=f"fse[{index}].{cents}"
                )
                continue
            self.dumped[index] = dumped = fse_in.model_dump(mode="json")
            empreinte = fingerprint(dumped)
            if fse_in.numero in first_of:
                earlier, earlier_empreinte = first_of[fse_in.numero]
                repeats.append((index, earlier, empreinte == earlier_empreinte))
                continue
            first_of[fse_in.numero] = (index, empreinte)
            valid.append((index, fse_in, empreinte))
        return valid, repeats

    def _checked(self, fresh: list[tuple[int, FseIn, str]]) -> list[Candidat]:
        """The checks before liquidation, in the order their codes take precedence, each on the whole lot at once."""
        pro, today = self.pro, self.today
        nirs: dict[int, str] = {}
        for index, fse_in, empreinte in fresh:
            try:
                if fse_in.professionnel_rpps and fse_in.professionnel_rpps != pro.rpps:
                    raise Rejet("LOT_MIXTE", champ="professionnel_rpps")
                if pro.secteur == 3:
                    raise Rejet("PS_NON_CONVENTIONNE")
                try:
                    nirs[index] = parse_nir(fse_in.nir, field="nir").value
                except InvalidField as error:
                    raise Rejet("NIR_INVALIDE", error.message, champ="nir") from None
                if fse_in.date_soins > today:
                    raise Rejet("DATE_FUTURE", champ="date_soins")
                if action_prescrite(fse_in.date_soins, today):
                    raise Rejet("DATE_PRESCRITE", champ="date_soins")
            except Rejet as rejet:
                nirs.pop(index, None)
                self.reject(index, fse_in, empreinte, rejet)
        patients = loading.patients(self.session, nirs.values())
        known = []
        for index, fse_in, empreinte in fresh:
            if index not in nirs:
                continue
            patient = patients.get(nirs[index])
            if patient is None:
                self.reject(index, fse_in, empreinte, Rejet("PATIENT_INCONNU", champ="nir"))
            else:
                known.append((index, fse_in, empreinte, patient))
        droits = loading.droits(self.session, {(patient, fse_in.date_soins) for _, fse_in, _, patient in known})
        covered = []
        for index, fse_in, empreinte, patient in known:
            right = droits[patient.id, fse_in.date_soins]
            if right.organisme_code is None:
                self.reject(index, fse_in, empreinte, Rejet("SANS_DROITS", right.motif_absence, champ="date_soins"))
            else:
                covered.append((index, fse_in, empreinte, patient, right.organisme_code, care_fingerprint(patient.id, pro.id, fse_in, self.dumped[index])))
        twins = loading.liquidated_twins(self.session, [care for *_, care in covered])
        contextes = loading.contextes(self.session, {(patient.id, fse_in.date_soins) for _, fse_in, _, patient, _, _ in covered})
        candidats = []
        for index, fse_in, empreinte, patient, organisme, care in covered:
            twin = twins.get(care)
            if twin is not None and twin != fse_in.numero:
                self.reject(index, fse_in, empreinte, Rejet("DOUBLON", f"feuille {twin}"))
            else:
                candidats.append(Candidat(index, fse_in, empreinte, care, patient, organisme, contextes[patient.id, fse_in.date_soins]))
        return candidats

    def _liquidated(self, candidats: list[Candidat]) -> list[Liquidee]:
        """All the candidates' lines in one call of the rules; those with a rejected line, and the second of the
        same care within the lot, are refused, and the others liquidated again without them (they took part in the caps).

        The liquidation runs on the counters as read, without a lock; then the counters are locked (in a fixed
        order) and read again: unchanged, nothing of those person-years was written meanwhile and the amounts
        stand; changed, the lot is liquidated again under the lock. So the locks are held only while writing."""
        if not candidats:
            return []
        counters = loading.counters(self.session, {(c.patient.id, c.fse_in.date_soins.year) for c in candidats})
        borne = loading.borne_today(self.session, self.pro.id, {(c.patient.id, c.fse_in.date_soins) for c in candidats})
        while True:
            lines = liquidation.liquidate(liquidation.frame(candidats, self.pro, counters, borne))
            refused = self._refused(candidats, lines)
            if not refused:
                break
            candidats = [c for c in candidats if c.index not in refused]
            if not candidats:
                return []
        keys = {(c.patient.id, c.fse_in.date_soins.year) for c in candidats}
        locked = loading.lock_counters(self.session, keys)
        if any(locked[key] != counters[key] for key in keys):  # a concurrent lot bore on these person-years meanwhile
            borne = loading.borne_today(self.session, self.pro.id, {(c.patient.id, c.fse_in.date_soins) for c in candidats})
            lines = liquidation.liquidate(liquidation.frame(candidats, self.pro, locked, borne))  # same lines: no new rejection
        values, steps = zip(*(liquidation.line_values(row) for row in lines.iter_rows(named=True)), strict=True)  # the rows in lot order
        liquidees, start = [], 0
        for candidat in candidats:
            count = len(candidat.fse_in.lignes)
            liquidees.append(Liquidee(candidat, list(values[start : start + count]), list(steps[start : start + count])))
            start += count
        return liquidees

    def _refused(self, candidats: list[Candidat], lines: pl.DataFrame) -> set[int]:
        refused: set[int] = set()
        rejected = lines.filter(pl.col("rejet").is_not_null())
        by_index = {c.index: c for c in candidats}
        for row in rejected.unique("ordre", keep="first", maintain_order=True).iter_rows(named=True):
            candidat = by_index[row["ordre"]]
            code = "ACTE_INCONNU" if row["rejet"] in ("ACTE_INCONNU", "acte_inconnu") else "TARIF"
            self.reject(candidat.index, candidat.fse_in, candidat.empreinte, Rejet(code, row.get("motif"), champ=f"lignes[{row['numero'] - 1}].acte"))
            refused.add(candidat.index)
        seen: dict[str, str] = {}
        for candidat in candidats:
            if candidat.index in refused:
                continue
            twin = seen.setdefault(candidat.soins_empreinte, candidat.fse_in.numero)
            if twin != candidat.fse_in.numero:
                self.reject(candidat.index, candidat.fse_in, candidat.empreinte, Rejet("DOUBLON", f"feuille {twin}"))
                refused.add(candidat.index)
        return refused


def action_prescrite(date_soins: date, today: date) -> bool:
    from secu.maladie.rules import action_prescrite as rule

    return rule(date_soins, today)


def line_out_of(values: dict[str, Any], steps: list[Any] | None = None) -> dict[str, Any]:
    """A stored line (``ligne_fse``'s columns) as the API shows it; ``steps``, when given, are its explanation
    (what ``explication`` holds as JSON)."""
    return {
        "numero": values["numero"],
        "acte": values["acte"],
        "quantite": values["quantite"],
        "montant_cents": values["montant_cents"],
        "base_remboursement_cents": values["base_remboursement_cents"],
        "depassement_cents": values["depassement_cents"],
        "taux": values["taux"],
        "exoneration": values["exoneration"],
        "montant_amo_cents": values["montant_amo_cents"],
        "ticket_moderateur_cents": values["ticket_moderateur_cents"],
        "participation_forfaitaire_cents": values["participation_forfaitaire_cents"],
        "franchise_cents": values["franchise_cents"],
        "rembourse_cents": values["rembourse_cents"],
        "verse_cents": values["verse_cents"],
        "a_recuperer_cents": values["a_recuperer_cents"],
        "paye_a": values["paye_a"],
        "motif": values["motif"],
        "explication": json.loads(values["explication"]) if steps is None else steps,
    }


def lines_out(session: Session, lines: Sequence[LigneFse]) -> list[dict[str, Any]]:
    """Stored lines as the API shows them, their explanations read back in one query (secu.maladie.etapes)."""
    columns = LigneFse.__table__.columns.keys()
    steps = etapes.expand(session, [line.explication for line in lines])
    return [line_out_of({column: getattr(line, column) for column in columns}, found) for line, found in zip(lines, steps, strict=True)]


def _result_of(session: Session, fse: Fse) -> Resultat:
    lignes = lines_out(session, fse.lignes)
    return Resultat(
        fse.numero,
        "liquidee",
        fse_id=fse.id,
        rembourse_cents=fse.rembourse_cents,
        lignes=lignes,
        explications=[json.dumps(line["explication"], ensure_ascii=False, default=str) for line in lignes],
    )
