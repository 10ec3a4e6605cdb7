"""DSN intake: parse, check, compute every contribution line, store, book what the employer owes and who it finances.

One DSN is one transaction: it is stored whole or refused whole. The same
file sent twice is one DSN. A month already declared is refused, unless the
DSN is an "annule et remplace": it then supersedes the earlier version — its
salary records and lines stop counting, the employer's account takes the
difference, the ledger entry of the earlier version is reversed and the new
one booked.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

import polars as pl
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from secu.acces import Permission, Portee, couvre_organisme, exiger, portee, refus
from secu.core import ledger
from secu.core.errors import Conflict, InvalidField, NotFound
from secu.core.security import Action, Caller, Ressource, journal
from secu.organismes import route
from secu.recouvrement import compte, dsn, financement, rules
from secu.recouvrement.models import DeclarationDsn, LigneCotisation, Remuneration
from secu.register.models import Employeur, Etablissement, Personne


@dataclass(frozen=True)
class Recu:
    declaration: DeclarationDsn
    deja_recue: bool


def urssaf_of(etablissement: Etablissement) -> str:
    return route(etablissement.departement, "recouvrement", commune=etablissement.commune).code


def establishment(session: Session, siret: str) -> Etablissement:
    etab = session.scalar(select(Etablissement).where(Etablissement.siret == siret))
    if etab is None:
        raise NotFound(f"établissement {siret} inconnu du répertoire des employeurs", field="siret")
    return etab


def check_employer_access(session: Session, caller: Caller, siren: str, *, write: bool = False) -> str:
    """Who may see (or act on) an employer's account: the employer, the URSSAF of its establishments, an administrator.

    Returns the URSSAF code of the employer (that of its first establishment)."""
    employeur = session.scalar(select(Employeur).where(Employeur.siren == siren))
    if employeur is None:
        raise NotFound("employeur inconnu", field="siren")
    urssafs = sorted({urssaf_of(e) for e in employeur.etablissements})
    if not urssafs:
        raise NotFound("cet employeur n'a aucun établissement", field="siren")
    reach = portee(caller, Permission.GERER_COMPTE_COTISANT if write else Permission.LIRE_COMPTE_COTISANT)
    if reach is Portee.TOUT or (reach is Portee.LE_SIEN and caller.employeur_id == employeur.id):
        return urssafs[0]
    if reach is Portee.SA_CAISSE and caller.organisme_code in urssafs:
        return caller.organisme_code
    raise refus("accès refusé : cet employeur ne relève pas de votre périmètre")


def _parse(content: str | bytes | dict[str, Any]) -> tuple[dsn.Declaration, str, str]:
    """The declaration, its format and its text as stored (a file in Latin-1 is kept as text all the same)."""
    if isinstance(content, dict):
        return dsn.parse_dsn_json(content), "json", json.dumps(content, ensure_ascii=False, sort_keys=True)
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            text = content.decode("latin-1")
    else:
        text = content
    return dsn.parse_dsn(content), "texte", text


def receive(session: Session, caller: Caller, content: str | bytes | dict[str, Any], *, today: date) -> Recu:
    """Take in one monthly DSN (text or JSON); raises DsnError (line-numbered, French) or another SecuError."""
    exiger(caller, Permission.DEPOSER_DSN)  # who may deposit at all, before reading a byte of it
    declaration, fmt, text = _parse(content)
    fingerprint = hashlib.sha256(text.encode("utf-8")).hexdigest()
    siret, mois = dsn.identity(declaration)
    etab = establishment(session, siret)
    employeur = etab.employeur
    reach = portee(caller, Permission.DEPOSER_DSN)
    if reach is Portee.LE_SIEN and caller.employeur_id != employeur.id:
        raise refus("un employeur ne dépose que les DSN de ses propres établissements")
    urssaf = urssaf_of(etab)
    if reach is Portee.SA_CAISSE and not couvre_organisme(caller, reach, urssaf):
        raise refus("accès refusé : cet établissement relève d'une autre URSSAF")
    exiger(caller, Permission.DEPOSER_DSN)
    if mois > today.replace(day=1):
        raise InvalidField("mois", f"le mois déclaré ({mois:%m/%Y}) n'est pas encore commencé")

    # One deposit per establishment at a time: its row is locked (a write, so on SQLite too) until the commit, so
    # that a concurrent deposit of the same file reads this one's declaration below instead of colliding with it.
    session.execute(update(Etablissement).where(Etablissement.id == etab.id).values(id=Etablissement.id))
    same = session.scalar(select(DeclarationDsn).where(DeclarationDsn.siret == siret, DeclarationDsn.mois == mois, DeclarationDsn.empreinte == fingerprint))
    if same is not None:
        return Recu(same, True)
    current = session.scalar(select(DeclarationDsn).where(DeclarationDsn.siret == siret, DeclarationDsn.mois == mois,
                                                          DeclarationDsn.remplacee_par_id.is_(None)))
    if current is not None and not dsn.is_replacement(declaration):
        raise Conflict(f"le mois {mois:%m/%Y} est déjà déclaré pour l'établissement {siret} : envoyer une DSN « annule et remplace »",
                       field="mois")
    if current is None and dsn.is_replacement(declaration):
        raise InvalidField("type", f"DSN « annule et remplace » sans DSN d'origine pour {siret} en {mois:%m/%Y}")

    payslips = dsn.payslips(declaration)
    lines, nets = _compute(payslips)
    recipients = financement.by_recipient(lines)
    largest = payslips["effectif"].max() if payslips.height else None
    effectif = int(cast(int, largest)) if largest is not None else etab.effectif
    record = DeclarationDsn(
        siren=employeur.siren, siret=siret, mois=mois, version=(current.version + 1) if current else 1,
        type_declaration=declaration.type_libelle[:30], empreinte=fingerprint, format=fmt, contenu=text, organisme_code=urssaf,
        effectif=effectif, salaries=payslips.height, date_exigibilite=compte.due_date(mois, effectif, etab.departement),
        brut_cents=int(payslips["brut_cents"].sum() or 0),
        salarial_cents=int(lines["montant_salarial_cents"].sum() or 0), patronal_cents=int(lines["montant_patronal_cents"].sum() or 0),
        du_urssaf_cents=financement.collected_by_urssaf(recipients), deposee_par=caller.user_id,
    )
    session.add(record)
    session.flush()
    if current is not None:
        current.remplacee_par_id = record.id
    _store_lines(session, record, payslips, lines, nets)
    _book(session, record, current, recipients)
    journal(session, caller, Action.CREATION, Ressource.DECLARATION_DSN, record.id)
    return Recu(record, False)


def _compute(payslips: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    if payslips.height == 0:
        return pl.DataFrame(schema={"bulletin": pl.String, "code": pl.String, "montant_salarial_cents": pl.Int64,
                                    "montant_patronal_cents": pl.Int64, "attributaire": pl.String}), pl.DataFrame()
    return rules.contributions(payslips), rules.net(payslips)


def _text(value: object) -> str | None:
    return None if value is None else str(Decimal(str(value)).normalize()) if isinstance(value, Decimal) else str(value)


def _store_lines(session: Session, record: DeclarationDsn, payslips: pl.DataFrame, lines: pl.DataFrame, nets: pl.DataFrame) -> None:
    if payslips.height == 0:
        return
    people = dict(session.execute(select(Personne.nir, Personne.id).where(Personne.nir.in_(payslips["nir"].unique().to_list()))).all())
    net_of = {r["bulletin"]: r for r in nets.iter_rows(named=True)}
    ids: dict[str, int] = {}
    for row in payslips.iter_rows(named=True):
        totals = net_of.get(row["bulletin"], {})
        remuneration = Remuneration(
            declaration_id=record.id, nir=row["nir"], personne_id=people.get(row["nir"]), siret=record.siret, mois=record.mois,
            numero_contrat=row.get("numero_contrat"), brut_cents=row["brut_cents"], heures=_text(row.get("heures")),
            heures_contrat=_text(row.get("heures_contrat")), cadre=bool(row.get("cadre")), date_entree=row.get("date_entree"),
            date_sortie=row.get("date_sortie"), salarial_cents=int(totals.get("total_salarial_cents", 0) or 0),
            patronal_cents=int(totals.get("total_patronal_cents", 0) or 0), net_avant_impot_cents=int(totals.get("net_avant_impot_cents", 0) or 0),
        )
        session.add(remuneration)
        session.flush()
        ids[row["bulletin"]] = remuneration.id
    rows = [
        {
            "remuneration_id": ids[r["bulletin"]], "code": r["code"], "libelle": (r.get("libelle") or r["code"])[:120],
            "assiette_cents": int(r.get("assiette_cents") or 0), "taux_salarial": _text(r.get("taux_salarial")),
            "taux_patronal": _text(r.get("taux_patronal")), "montant_salarial_cents": int(r["montant_salarial_cents"] or 0),
            "montant_patronal_cents": int(r["montant_patronal_cents"] or 0), "attributaire": r["attributaire"] or "",
            "reference": r.get("reference") or "",
        }
        for r in lines.iter_rows(named=True)
    ]
    if rows:
        session.execute(insert(LigneCotisation), rows)


def _book(session: Session, record: DeclarationDsn, replaced: DeclarationDsn | None, recipients: dict[str, int]) -> None:
    """The employer's account and the ledger: what the URSSAF is owed and whom it finances; a replacement books the difference."""
    lines = financement.ledger_lines(recipients, record.organisme_code)
    if replaced is not None:
        entry = session.scalar(select(ledger.Ecriture).where(ledger.Ecriture.cle_idempotence == f"dsn:{replaced.id}"))
        if entry is not None:
            ledger.post(session, ledger.NouvelleEcriture(
                cle_idempotence=f"dsn:{replaced.id}:annulation", date_operation=record.date_exigibilite,
                libelle=f"Annulation de la DSN {replaced.siret} {replaced.mois:%m/%Y} (version {replaced.version}), remplacée",
                document_source=f"DSN {record.id}",
                lignes=tuple(ledger.Ligne(line.branche, line.organisme_code, line.compte, -line.montant_cents, line.regime, line.contrepartie)
                                for line in entry.lignes),
            ))
    if lines:
        ledger.post(session, ledger.NouvelleEcriture(
            cle_idempotence=f"dsn:{record.id}", date_operation=record.date_exigibilite,
            libelle=f"Cotisations de la DSN {record.siret} {record.mois:%m/%Y} (version {record.version})",
            document_source=f"DSN {record.id}", lignes=lines,
        ))
    difference = record.du_urssaf_cents - (replaced.du_urssaf_cents if replaced else 0)
    compte._move(
        session, siren=record.siren, siret=record.siret, urssaf=record.organisme_code,
        nature="regularisation" if replaced else "cotisations", mois=record.mois, date_valeur=record.date_exigibilite, montant=difference,
        libelle=(f"DSN {record.mois:%m/%Y} remplacée (version {record.version}) : écart" if replaced
                 else f"Cotisations dues sur la DSN {record.mois:%m/%Y}"),
        reference=compte.REFERENCE_EXIGIBILITE, cle=f"dsn:{record.siret}:{record.mois}:v{record.version}", declaration_id=record.id,
        ledger_lines=(),  # the DSN's own entry already carries the receivable
    )


# --------------------------------------------------------------------------
# Reading


def active_declarations(session: Session, siren: str) -> list[DeclarationDsn]:
    return list(session.scalars(select(DeclarationDsn).where(DeclarationDsn.siren == siren, DeclarationDsn.remplacee_par_id.is_(None))
                                .order_by(DeclarationDsn.mois.desc(), DeclarationDsn.siret)))


def salary_records(session: Session, personne: Personne, *, du: date | None = None, au: date | None = None) -> list[Remuneration]:
    """The person's salary records from the DSN still in force (replaced versions left out)."""
    query = (select(Remuneration).join(DeclarationDsn).where(DeclarationDsn.remplacee_par_id.is_(None),
                                                              (Remuneration.personne_id == personne.id) | (Remuneration.nir == personne.nir)))
    if du:
        query = query.where(Remuneration.mois >= du)
    if au:
        query = query.where(Remuneration.mois <= au)
    return list(session.scalars(query.order_by(Remuneration.mois, Remuneration.id)))
