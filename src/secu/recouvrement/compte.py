"""The employer's account with the URSSAF: what is due per due date, payments, late fees, formal notice.

Each movement is a row of ``mouvement_cotisant`` (positive: owed by the
employer; negative: paid) and a ledger entry, both under one idempotency key,
so nothing is booked twice. Payments settle the oldest periods first.

* Due date (CSS R243-6): the contributions on the pay of month M are due on
  the 5th of M+1 for an employer of 50 employees or more, on the 15th for the
  others; a due date on a non-working day moves to the next working day.
* Late fees (CSS R243-16, since 1 January 2020, décret n° 2019-1050): 5 % of
  the contributions unpaid on the due date, and 0.2 % of those still due per
  month or fraction of month elapsed since the due date.
* The threshold, the days and the rates are dated parameters
  (``src/secu/parametres/recouvrement/exigibilite``, ``majorations``); the
  fees are rounded half-up to the cent (``secu.core.money.apply_rate``).
* Formal notice (mise en demeure, CSS L244-2): before any recovery action,
  the employer is called to pay within one month.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secu.core import ledger
from secu.core.dates import add_jours_ouvres, is_jour_ouvre
from secu.core.errors import Conflict, InvalidField
from secu.core.money import apply_rate
from secu.core.parameters import parameters
from secu.recouvrement.models import MiseEnDemeure, MouvementCotisant

REFERENCE_EXIGIBILITE = "CSS R243-6 (date limite de paiement : le 5 ou le 15 du mois suivant selon l'effectif)"
REFERENCE_RETARD = "CSS R243-16 I (majoration de retard de 5 %), décret n° 2019-1050 du 11 octobre 2019"
REFERENCE_COMPLEMENTAIRE = "CSS R243-16 II (majoration complémentaire de 0,2 % par mois ou fraction de mois)"
REFERENCE_MISE_EN_DEMEURE = "CSS L244-2 (mise en demeure de régulariser dans le délai d'un mois)"
ACCOUNT = "creances.cotisants"


def _law(name: str, on: date) -> Any:
    """A dated parameter of the recouvrement (src/secu/parametres/recouvrement/exigibilite, majorations)."""
    return parameters().get(name).at(on).value


def due_date(mois: date, effectif: int, departement: str) -> date:
    """When the contributions on the pay of ``mois`` are due (CSS R243-6), moved to a working day."""
    following = (mois.replace(day=28) + timedelta(days=4)).replace(day=1)
    large = effectif >= _law("exigibilite.seuil_effectif", mois)
    day = following.replace(day=_law("exigibilite.jour_50_et_plus" if large else "exigibilite.jour_moins_de_50", mois))
    return day if is_jour_ouvre(day, departement) else add_jours_ouvres(day, 1, departement)


def _move(session: Session, *, siren: str, siret: str | None, urssaf: str, nature: str, mois: date | None, date_valeur: date,
          montant: int, libelle: str, reference: str | None, cle: str, declaration_id: int | None = None,
          ledger_lines: tuple[ledger.Ligne, ...] | None = None) -> MouvementCotisant | None:
    """Book one movement once (its key) with its ledger entry; returns None if it was already booked."""
    if session.scalar(select(MouvementCotisant.id).where(MouvementCotisant.cle_idempotence == cle)) is not None:
        return None
    move = MouvementCotisant(siren=siren, siret=siret, organisme_code=urssaf, nature=nature, mois=mois, date_valeur=date_valeur,
                             montant_cents=montant, libelle=libelle, reference=reference, cle_idempotence=cle, declaration_id=declaration_id)
    session.add(move)
    session.flush()
    lines = ledger_lines
    if lines is None and nature in ("majoration_retard", "majoration_complementaire"):
        lines = (ledger.Ligne("recouvrement", urssaf, ACCOUNT, montant), ledger.Ligne("recouvrement", urssaf, "produits.majorations", -montant))
    if lines:
        ledger.post(session, ledger.NouvelleEcriture(cle_idempotence=f"cotisant:{cle}", date_operation=date_valeur, libelle=libelle,
                                                   document_source=f"compte cotisant {siren}", lignes=lines))
    return move


# --------------------------------------------------------------------------
# Payments


def record_payment(session: Session, *, siren: str, urssaf: str, montant_cents: int, recu_le: date, reference: str) -> MouvementCotisant:
    """A payment received from the employer; the same bank reference twice is one payment."""
    if montant_cents <= 0:
        raise InvalidField("montant", "le montant du versement doit être positif")
    if not reference or len(reference) > 60:
        raise InvalidField("reference", "la référence du versement est obligatoire (60 caractères au plus)")
    key = f"versement:{siren}:{reference}"
    existing = session.scalar(select(MouvementCotisant).where(MouvementCotisant.cle_idempotence == key))
    if existing is not None:
        if existing.montant_cents != -montant_cents or existing.date_valeur != recu_le:
            raise Conflict("cette référence de versement a déjà servi pour un autre montant ou une autre date", field="reference")
        return existing
    move = _move(session, siren=siren, siret=None, urssaf=urssaf, nature="versement", mois=None, date_valeur=recu_le, montant=-montant_cents,
                 libelle=f"Versement reçu ({reference})", reference=None, cle=key,
                 ledger_lines=(ledger.Ligne("recouvrement", urssaf, "tresorerie.encaissements", montant_cents),
                               ledger.Ligne("recouvrement", urssaf, ACCOUNT, -montant_cents)))
    assert move is not None
    return move


# --------------------------------------------------------------------------
# Periods: what was due, what is left, on any date


@dataclass
class Periode:
    mois: date
    date_exigibilite: date
    du_cents: int = 0  # contributions (and regularisations) of the period
    majorations_cents: int = 0
    paye_cents: int = 0  # payments imputed on the period
    reste_du_cents: int = 0


@dataclass
class Compte:
    siren: str
    au: date
    periodes: list[Periode] = field(default_factory=list)
    mouvements: list[MouvementCotisant] = field(default_factory=list)
    solde_cents: int = 0
    non_impute_cents: int = 0  # paid in advance of anything due

    @property
    def en_retard(self) -> list[Periode]:
        return [p for p in self.periodes if p.reste_du_cents > 0 and p.date_exigibilite < self.au]


def _movements(session: Session, siren: str, until: date) -> list[MouvementCotisant]:
    return list(session.scalars(select(MouvementCotisant).where(MouvementCotisant.siren == siren, MouvementCotisant.date_valeur <= until)
                                .order_by(MouvementCotisant.date_valeur, MouvementCotisant.id)))


def account(session: Session, siren: str, on: date) -> Compte:
    """The account as it stands on ``on``: payments imputed on the oldest periods first, contributions before fees."""
    moves = _movements(session, siren, on)
    periods: dict[date, Periode] = {}
    for move in moves:
        if move.mois is None:
            continue
        period = periods.setdefault(move.mois, Periode(move.mois, move.date_valeur))
        if move.nature == "cotisations":
            period.date_exigibilite = move.date_valeur
        if move.nature.startswith("majoration"):
            period.majorations_cents += move.montant_cents
        else:
            period.du_cents += move.montant_cents
    paid = -sum(m.montant_cents for m in moves if m.nature == "versement")
    for period in sorted(periods.values(), key=lambda p: p.mois):
        owed = max(0, period.du_cents) + period.majorations_cents
        period.paye_cents = min(paid, owed)
        paid -= period.paye_cents
        period.reste_du_cents = owed - period.paye_cents
    ordered = sorted(periods.values(), key=lambda p: p.mois)
    return Compte(siren, on, ordered, moves, sum(m.montant_cents for m in moves), paid)


def _unpaid_contributions(session: Session, siren: str, mois: date, at: date) -> int:
    """Contributions of ``mois`` still unpaid at the end of day ``at`` (fees aside: they bear no fees)."""
    period = next((p for p in account(session, siren, at).periodes if p.mois == mois), None)
    if period is None:
        return 0
    return max(0, period.reste_du_cents - period.majorations_cents)


def apply_late_fees(session: Session, *, siren: str, urssaf: str, on: date) -> list[MouvementCotisant]:
    """Book the late fees due by ``on`` (CSS R243-16); booking again the same day adds nothing."""
    booked: list[MouvementCotisant] = []
    for period in account(session, siren, on).periodes:
        due = period.date_exigibilite
        if due >= on:
            continue
        unpaid = _unpaid_contributions(session, siren, period.mois, due)
        if unpaid > 0:
            fee = apply_rate(unpaid, _law("majorations.retard", due))
            move = _move(session, siren=siren, siret=None, urssaf=urssaf, nature="majoration_retard", mois=period.mois, date_valeur=due + timedelta(days=1),
                         montant=fee, libelle=f"Majoration de retard de 5 % sur {unpaid / 100:.2f} € impayés au {due:%d/%m/%Y}".replace(".", ","),
                         reference=REFERENCE_RETARD, cle=f"majoration:{siren}:{period.mois}:retard")
            if move:
                booked.append(move)
        month = 0
        start = due
        while start < on:  # each month or fraction of month elapsed since the due date
            unpaid = _unpaid_contributions(session, siren, period.mois, start)
            if unpaid <= 0:
                break
            fee = apply_rate(unpaid, _law("majorations.complementaire", start))
            move = _move(session, siren=siren, siret=None, urssaf=urssaf, nature="majoration_complementaire", mois=period.mois,
                         date_valeur=start + timedelta(days=1), montant=fee,
                         libelle=f"Majoration complémentaire de 0,2 % (mois de retard n° {month + 1})", reference=REFERENCE_COMPLEMENTAIRE,
                         cle=f"majoration:{siren}:{period.mois}:complementaire:{month + 1}")
            if move:
                booked.append(move)
            month += 1
            start = _add_months(due, month)
    return booked


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    target = date(day.year + year, month + 1, 1)
    last = ((target.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)).day
    return target.replace(day=min(day.day, last))


def issue_formal_notice(session: Session, *, siren: str, urssaf: str, on: date, emise_par: int | None) -> MiseEnDemeure:
    """A mise en demeure for every period overdue on ``on``: pay within one month (CSS L244-2)."""
    existing = session.scalar(select(MiseEnDemeure).where(MiseEnDemeure.siren == siren, MiseEnDemeure.date_emission == on))
    if existing is not None:
        return existing
    apply_late_fees(session, siren=siren, urssaf=urssaf, on=on)
    overdue = account(session, siren, on).en_retard
    if not overdue:
        raise InvalidField("siren", "aucune période échue impayée : pas de mise en demeure à adresser")
    fees = sum(min(p.majorations_cents, p.reste_du_cents) for p in overdue)
    total = sum(p.reste_du_cents for p in overdue)
    notice = MiseEnDemeure(
        siren=siren, organisme_code=urssaf, date_emission=on, date_limite=_add_months(on, 1), cotisations_cents=total - fees,
        majorations_cents=fees, emise_par=emise_par,
        periodes=json.dumps([{"mois": p.mois.isoformat(), "date_exigibilite": p.date_exigibilite.isoformat(), "reste_du_cents": p.reste_du_cents}
                             for p in overdue]),
    )
    session.add(notice)
    session.flush()
    return notice


def notices(session: Session, siren: str) -> list[MiseEnDemeure]:
    return list(session.scalars(select(MiseEnDemeure).where(MiseEnDemeure.siren == siren).order_by(MiseEnDemeure.date_emission)))


def balance(session: Session, siren: str, on: date) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(MouvementCotisant.montant_cents), 0))
                              .where(MouvementCotisant.siren == siren, MouvementCotisant.date_valeur <= on)) or 0)
