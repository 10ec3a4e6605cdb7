"""Import of past years into the compte de carrière (what came before secu): one CSV file, all or nothing, idempotent.

Format: UTF-8, comma-separated, a header line, one line per person × year × nature.

| column | required | meaning |
|---|---|---|
| ``nir`` | yes | the person's NIR (15 characters, registered in secu) |
| ``annee`` | yes | the calendar year (from 1930, not after the current year nor before the birth year) |
| ``nature`` | yes | ``salaire``, ``avpf``, ``chomage``, ``service_national``, ``maladie``, ``maternite``, ``atmp``, ``invalidite``, |
| | | ``autre_regime``, or ``enfant`` |
| ``montant`` | ``salaire`` | gross salary reported to the régime général that year, euros (``31250.50`` or ``31250,50``), uncapped |
| ``jours`` | ``chomage``, ``service_national``, ``maladie``, ``maternite``, ``atmp`` | days of the period in that year (a ``maternite`` line is one congé) |
| ``trimestres`` | ``invalidite``, ``autre_regime`` | quarters validated (0 to 4) |
| ``mois`` | ``avpf`` | months of affiliation to the AVPF that year (1 to 12) |
| ``origine`` | no | the employer, the régime or the payer, as the source names it (a year may have several salaries: one per origine) |
| ``date_naissance_enfant`` | ``enfant`` | a child for the majorations of L. 351-4: its birth date (``AAAA-MM-JJ``); ``annee`` is its year |
| ``lien`` | ``enfant`` | ``naissance`` or ``adoption`` |
| ``parent`` | ``enfant`` | ``mere`` or ``pere``: which parent this person is |
| ``option_education`` | no | the parents' option for the education quarters: ``mere`` (default), ``pere``, ``partage`` |
| ``trimestres_education`` | with ``partage`` | this parent's share (0 to 4) |

A column a nature does not use stays empty. Every line is checked before anything is written; any error refuses the
whole file, each message naming the line and the column. The same file imported again changes nothing (its
fingerprint); a line already in the compte with the same values is skipped, with other values refused (a correction
goes through a demande de correction).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from secu.acces import Permission, exiger
from secu.core.errors import InvalidField
from secu.core.security import Action, Caller, Ressource, journal, journal_many
from secu.register.models import Personne
from secu.retraite.carriere import verifier_fait
from secu.retraite.models import NATURES, EnfantMajoration, ImportCarriere, ReportCarriere

COLONNES = ("nir", "annee", "nature", "montant", "jours", "trimestres", "mois", "origine")
COLONNES_ENFANT = ("date_naissance_enfant", "lien", "parent", "option_education", "trimestres_education")
MAX_ERREURS = 50
MAX_LIGNES = 1_000_000


@dataclass
class Bilan:
    import_id: int
    lignes: int
    ajoutees: int
    deja_importe: bool


def _entier(valeur: str, ligne: int, colonne: str) -> int:
    try:
        return int(valeur) if valeur else 0
    except ValueError:
        raise InvalidField(colonne, f"ligne {ligne}, colonne {colonne} : nombre entier attendu, pas « {valeur} »") from None


def _euros(valeur: str, ligne: int) -> int:
    if not valeur:
        return 0
    try:
        montant = Decimal(valeur.replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except InvalidOperation:
        raise InvalidField("montant", f"ligne {ligne}, colonne montant : montant en euros attendu, pas « {valeur} »") from None
    if montant < 0 or montant != montant.quantize(Decimal("0.01")) or montant >= Decimal(10**9):
        raise InvalidField("montant", f"ligne {ligne}, colonne montant : montant positif en euros, deux décimales au plus")
    return int(montant * 100)


def _date(valeur: str, ligne: int, colonne: str) -> date:
    try:
        return date.fromisoformat(valeur)
    except ValueError:
        raise InvalidField(colonne, f"ligne {ligne}, colonne {colonne} : date AAAA-MM-JJ attendue, pas « {valeur} »") from None


def _lire(texte: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    lecteur = csv.reader(io.StringIO(texte))
    try:
        entete = [c.strip().lower() for c in next(lecteur)]
    except StopIteration:
        raise InvalidField("fichier", "le fichier est vide : la première ligne doit être l'en-tête " + ",".join(COLONNES)) from None
    manquantes = [c for c in COLONNES if c not in entete]
    inconnues = [c for c in entete if c not in COLONNES + COLONNES_ENFANT]
    if manquantes or inconnues:
        raise InvalidField("fichier", "ligne 1 (en-tête) : " + "; ".join(
            ([f"colonne(s) manquante(s) : {', '.join(manquantes)}"] if manquantes else [])
            + ([f"colonne(s) inconnue(s) : {', '.join(inconnues)}"] if inconnues else [])))
    lignes: list[tuple[int, dict[str, str]]] = []
    for numero, cellules in enumerate(lecteur, start=2):
        if not any(c.strip() for c in cellules):
            continue
        if len(cellules) != len(entete):
            raise InvalidField("fichier", f"ligne {numero} : {len(cellules)} colonnes au lieu de {len(entete)}")
        if len(lignes) >= MAX_LIGNES:
            raise InvalidField("fichier", f"plus de {MAX_LIGNES} lignes : découpez le fichier")
        lignes.append((numero, {k: v.strip() for k, v in zip(entete, cellules, strict=True)}))
    return entete, lignes


def _verifier(session: Session, lignes: list[tuple[int, dict[str, str]]], today: date) -> tuple[list[dict[str, Any]], list[str]]:
    """Every line as a fact to write, or the errors (line, column, French message)."""
    nirs = {c["nir"] for _, c in lignes}
    personnes = {p.nir: p for p in session.scalars(select(Personne).where(Personne.nir.in_(nirs)))} if nirs else {}
    faits: list[dict[str, Any]] = []
    erreurs: list[str] = []
    vues: dict[tuple[int, str], int] = {}
    for numero, c in lignes:
        try:
            personne = personnes.get(c["nir"])
            if personne is None:
                raise InvalidField("nir", f"ligne {numero}, colonne nir : aucune personne de ce NIR n'est immatriculée")
            annee = _entier(c["annee"], numero, "annee")
            nature = c["nature"]
            if nature == "enfant":
                faits.append(_enfant(numero, c, personne, annee) | {"ligne": numero})
                continue
            if nature not in NATURES:
                raise InvalidField("nature", f"ligne {numero}, colonne nature : « {nature} » inconnue ({', '.join((*NATURES, 'enfant'))})")
            fait: dict[str, Any] = {
                "ligne": numero, "personne_id": personne.id, "annee": annee, "nature": nature, "montant_cents": _euros(c["montant"], numero),
                "jours": _entier(c["jours"], numero, "jours"), "trimestres": _entier(c["trimestres"], numero, "trimestres"),
                "mois": _entier(c["mois"], numero, "mois"), "origine": c["origine"][:100],
            }
            try:
                verifier_fait(nature, fait["montant_cents"], fait["jours"], fait["trimestres"], fait["mois"], annee, today=today,
                              naissance=personne.date_naissance)
            except InvalidField as error:
                colonne = {"montant_cents": "montant"}.get(error.field or "", error.field or "nature")
                raise InvalidField(colonne, f"ligne {numero}, colonne {colonne} : {error.message}") from None
            if fait["trimestres"] > 4 or fait["mois"] > 12:
                raise InvalidField("trimestres", f"ligne {numero} : au plus 4 trimestres et 12 mois par an")
            fait["cle"] = f"import:{annee}:{nature}:{fait['origine']}"
            if (personne.id, fait["cle"]) in vues:
                raise InvalidField("origine", f"ligne {numero} : même personne, année, nature et origine qu'à la ligne {vues[(personne.id, fait['cle'])]}")
            vues[(personne.id, fait["cle"])] = numero
            faits.append(fait)
        except InvalidField as error:
            erreurs.append(error.message)
            if len(erreurs) >= MAX_ERREURS:
                break
    return faits, erreurs


def _enfant(numero: int, c: dict[str, str], personne: Personne, annee: int) -> dict[str, Any]:
    naissance = _date(c.get("date_naissance_enfant", ""), numero, "date_naissance_enfant")
    if naissance.year != annee:
        raise InvalidField("annee", f"ligne {numero}, colonne annee : une ligne enfant porte l'année de naissance de l'enfant")
    lien, parent, option = c.get("lien", ""), c.get("parent", ""), c.get("option_education", "") or "mere"
    if lien not in ("naissance", "adoption"):
        raise InvalidField("lien", f"ligne {numero}, colonne lien : naissance ou adoption")
    if parent not in ("mere", "pere"):
        raise InvalidField("parent", f"ligne {numero}, colonne parent : mere ou pere")
    if option not in ("mere", "pere", "partage"):
        raise InvalidField("option_education", f"ligne {numero}, colonne option_education : mere, pere ou partage")
    part = _entier(c.get("trimestres_education", ""), numero, "trimestres_education") if c.get("trimestres_education") else None
    if option == "partage" and (part is None or not 0 <= part <= 4):
        raise InvalidField("trimestres_education", f"ligne {numero}, colonne trimestres_education : avec un partage, la part de ce parent (0 à 4)")
    if option != "partage" and part is not None:
        raise InvalidField("trimestres_education", f"ligne {numero}, colonne trimestres_education : seulement avec l'option partage")
    if naissance < personne.date_naissance:
        raise InvalidField("date_naissance_enfant", f"ligne {numero}, colonne date_naissance_enfant : antérieure à la naissance du parent")
    return {"enfant": True, "personne_id": personne.id, "date_naissance": naissance, "lien": lien, "parent": parent, "option_education": option,
            "trimestres_education": part}


def importer(session: Session, caller: Caller, contenu: bytes, *, nom_fichier: str = "", today: date | None = None) -> Bilan:
    """Import a file of past years: everything or nothing; the same file twice is one import."""
    exiger(caller, Permission.RETRAITE_IMPORTER_CARRIERE)
    today = today or date.today()
    empreinte = hashlib.sha256(contenu).hexdigest()
    deja = session.scalar(select(ImportCarriere).where(ImportCarriere.empreinte == empreinte))
    if deja is not None:
        return Bilan(deja.id, deja.lignes, deja.ajoutees, True)
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidField("fichier", "le fichier doit être encodé en UTF-8") from None
    _, lignes = _lire(texte)
    faits, erreurs = _verifier(session, lignes, today)
    existants = {(r.personne_id, r.cle): r for r in session.scalars(
        select(ReportCarriere).where(ReportCarriere.personne_id.in_({f["personne_id"] for f in faits})))} if faits else {}
    dsn = _annees_dsn(session, {f["personne_id"] for f in faits if f.get("nature") == "salaire"})
    nouveaux = []
    for f in faits:
        if f.get("enfant"):
            nouveaux.append(f)
            continue
        if f["nature"] == "salaire" and f["annee"] in dsn.get(f["personne_id"], set()):
            erreurs.append(f"ligne {f['ligne']}, colonne annee : les salaires de {f['annee']} sont déjà déclarés au compte par la DSN")
            continue
        avant = existants.get((f["personne_id"], f["cle"]))
        if avant is None:
            nouveaux.append(f)
        elif (avant.montant_cents, avant.jours, avant.trimestres, avant.mois) != (f["montant_cents"], f["jours"], f["trimestres"], f["mois"]):
            erreurs.append(f"ligne {f['ligne']} : l'année {f['annee']} ({f['nature']}, {f['origine'] or 'sans origine'}) est déjà au compte avec d'autres "
                           "valeurs ; une modification passe par une demande de correction")
    if erreurs:
        raise InvalidField("fichier", f"fichier refusé, rien n'est importé ({len(erreurs)} erreur(s)) : " + " ; ".join(erreurs[:MAX_ERREURS]))
    lot = ImportCarriere(empreinte=empreinte, nom_fichier=nom_fichier[:200], lignes=len(lignes), ajoutees=0, importe_par=caller.user_id)
    session.add(lot)
    session.flush()
    ajoutees = 0
    enfants_existants = {(e.personne_id, e.date_naissance, e.lien) for e in session.scalars(
        select(EnfantMajoration).where(EnfantMajoration.personne_id.in_({f["personne_id"] for f in nouveaux if f.get("enfant")})))}
    for f in nouveaux:
        if f.get("enfant"):
            if (f["personne_id"], f["date_naissance"], f["lien"]) in enfants_existants:
                continue
            session.add(EnfantMajoration(personne_id=f["personne_id"], date_naissance=f["date_naissance"], lien=f["lien"], parent=f["parent"],
                                         option_education=f["option_education"], trimestres_education=f["trimestres_education"], source="import",
                                         import_id=lot.id))
        else:
            session.add(ReportCarriere(personne_id=f["personne_id"], annee=f["annee"], nature=f["nature"], montant_cents=f["montant_cents"],
                                       jours=f["jours"], trimestres=f["trimestres"], mois=f["mois"], origine=f["origine"], source="import",
                                       cle=f["cle"], import_id=lot.id, date_effet=today))
        ajoutees += 1
    lot.ajoutees = ajoutees
    session.flush()
    journal(session, caller, Action.CREATION, Ressource.IMPORT_CARRIERE, lot.id, detail=f"{len(lignes)} lignes, {ajoutees} ajoutées")
    # whose comptes the import wrote to: one row per person (never the data)
    journal_many(session, caller, Action.MODIFICATION, Ressource.CARRIERE, [(lot.id, p) for p in sorted({f["personne_id"] for f in nouveaux})])
    return Bilan(lot.id, len(lignes), ajoutees, False)


def _annees_dsn(session: Session, personnes: set[int]) -> dict[int, set[int]]:
    if not personnes:
        return {}
    from secu.recouvrement.models import DeclarationDsn, Remuneration

    out: dict[int, set[int]] = {}
    for personne_id, mois in session.execute(
        select(Remuneration.personne_id, Remuneration.mois).join(DeclarationDsn, DeclarationDsn.id == Remuneration.declaration_id)
        .where(Remuneration.personne_id.in_(personnes), DeclarationDsn.remplacee_par_id.is_(None))
    ):
        if personne_id is not None:
            out.setdefault(int(personne_id), set()).add(mois.year)
    return out
