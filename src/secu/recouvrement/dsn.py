"""DSN mensuelle intake: read, check and explain a déclaration sociale nominative.

Parsing only (issue 4, part 1): this module turns a DSN file (the public text
format of the norme NEODeS) or its JSON twin into frozen dataclasses, refuses
a declaration with any error as a whole, and derives one payslip row per
contract and month for the contribution rules. Storing it is another
module's job.

API
===

* ``parse_dsn(data) -> Declaration``: one monthly DSN in the text format
  (bytes in UTF-8 or Latin-1, detected, or str; CRLF or LF).
* ``parse_dsn_envoi(data) -> tuple[Declaration, ...]``: an envoi may carry
  several declarations (S90.G00.90.002 counts them); ``parse_dsn`` refuses
  an envoi of more than one.
* ``parse_dsn_json(data) -> Declaration``: the same declaration in our JSON
  schema (see "JSON" below); str, bytes or an already decoded dict.
* ``to_dsn_text(declaration) -> str`` and ``to_dsn_json(declaration) -> dict``
  write a declaration back; ``parse_dsn(to_dsn_text(d)) == d`` and
  ``parse_dsn_json(to_dsn_json(d)) == d``.
* ``identity(declaration) -> (siret, mois)`` and ``is_replacement(declaration)``:
  an "annule et remplace" DSN (type 03, or 05 without individuals) replaces
  the earlier DSN of the same ``identity``; it never adds to it.
* ``payslips(declaration) -> polars.DataFrame``: one row per individual and
  contract, columns ``PAYSLIP_SCHEMA`` (mapping below).
* ``DsnError``: the refusal. A subclass of ``secu.core.errors.InvalidField``
  carrying ``ligne`` (1-based line number, text format), ``chemin`` (JSON
  path, JSON format), ``rubrique`` (e.g. "S21.G00.30.001") and a French
  message, for the first problem; ``erreurs`` holds every problem found
  (``DsnProbleme``), at most ``MAX_ERREURS``.

The text format
===============

One rubrique per line: ``S21.G00.40.001,'01032026'``. The block is
``S21.G00.40``, the rubrique ``001``, the value is between the first
``,'`` and the last ``'`` of the line. A quote inside a value is written
doubled (``'O''NEIL'``) and read back as one; a lone quote (``'O'NEIL'``,
which some payroll software writes) is read as itself. The tree of blocks is
implicit: a block's parent is the nearest open block of its parent type
(table ``dsn_norme.BLOCS``), and a rubrique whose number is not greater than
the previous one of the same block starts a new block of that type (the rule
the public DSN2CSV converter documents). Blank lines at the end of the file
are ignored; elsewhere they are refused.

Checked, each with its line number and a French message:

* the line's form, the block and the rubrique exist in the norm, the value
  is not empty and has the format of its data type (dates JJMMAAAA that
  exist, numbers with a point and exactly two decimals, lengths);
* each block follows its parent (a contract before any individual is
  refused) and has the blocks the norm requires (envoi, émetteur, contact,
  at least one déclaration, one entreprise, one établissement, each
  individual at least one contract and one versement, each versement at
  least one rémunération; at most one fin de contrat per contract...);
* the mandatory rubriques secu reads, and the codes it interprets (nature,
  type, sexe, statuts, nature du contrat, unités, types de rémunération...);
* keys: SIREN and SIRET (Luhn, python-stdnum through secu.core.identifiers)
  of the émetteur, the entreprise, its siège and the établissement; the NIR
  (13 characters as the norm declares it, its sex, month and place; 15
  characters are accepted too, and then the key must be right);
* S20.G00.05.005, the mois principal déclaré, is the first day of a month
  (01MMAAAA, month 01 to 12), not after the date the file was made;
* the nature is 01 (DSN mensuelle; signalements are refused here), a type
  02 or 05 has no individual and a type 01 or 03 at least one, the envoi
  type 02 (néant) goes with declarations 02/05 only, the identifier of a
  replaced declaration (S20.G00.05.006) only with types 03/04;
* one block per NIR, one contract number per individual, each
  rémunération names a contract of its individual, a contract does not
  start after the declared month, a gross salary (rémunération 001) is not
  negative;
* S90.G00.90.001 equals the number of rubriques of the file (S90 included)
  and S90.G00.90.002 the number of declarations.

NIR numbers never appear in messages.

JSON
====

One declaration per document, dates ``"AAAA-MM-JJ"``, the month
``"AAAA-MM"``, amounts and quantities as strings in the DSN's own decimal
form (``"4500.00"``, ``"151.67"``) so that nothing goes through a float::

    {"format": "secu-dsn/1",
     "envoi": {"logiciel", "editeur", "version_logiciel", "essai_reel", "norme",
               "point_depot", "type_envoi"},
     "emetteur": {"siren", "nic", "raison_sociale"},
     "contact": {"civilite", "nom", "email", "telephone"},
     "declaration": {"nature", "type", "fraction", "numero_ordre", "mois",
                     "identifiant_remplace", "date_fichier", "champ", "devise"},
     "entreprise": {"siren", "nic_siege", "apen", "effectif_moyen"},
     "etablissement": {"nic", "apet", "code_postal", "effectif"},
     "versements_organismes": [{"organisme", "entite", "bic", "iban", "montant",
                                "date_debut", "date_fin", "mode_paiement",
                                "date_paiement", "siret_payeur"}],
     "bordereaux": [{"organisme", "entite", "date_debut", "date_fin", "montant",
                     "cotisations": [{"code", "qualifiant", "taux", "assiette",
                                      "montant", "code_insee"}]}],
     "salaries": [{"nir", "nom", "nom_usage", "prenoms", "sexe", "date_naissance",
                   "matricule", "ntt",
                   "contrats": [{"date_debut", "statut_conventionnel",
                                 "statut_categoriel", "pcs_ese", "libelle_emploi",
                                 "nature", "dispositif", "numero",
                                 "date_fin_previsionnelle", "unite_quotite",
                                 "quotite_categorie", "quotite", "modalite_temps",
                                 "convention_collective", "code_risque_at", "taux_at",
                                 "fin": {"date_fin", "motif"}}],
                   "versements": [{"date", "net_fiscal", "numero", "net_verse",
                                   "taux_pas", "type_taux_pas", "montant_pas",
                                   "remunerations": [{"date_debut", "date_fin",
                                                      "numero_contrat", "type",
                                                      "heures", "montant",
                                                      "activites": [{"type", "mesure", "unite"}]}],
                                   "autres_revenus": [{"type", "montant", "date_debut", "date_fin"}],
                                   "bases": [{"code", "date_debut", "date_fin", "montant",
                                              "numero_contrat",
                                              "composants": [{"type", "montant"}],
                                              "cotisations": [{"code", "organisme", "assiette",
                                                               "montant", "code_insee", "taux"}]}]}]}]}

Every key but ``format`` is the name of one rubrique (``FIELDS`` gives the
rubrique of each); absent or null means the rubrique is absent. The JSON is
turned into the very same rubriques, in the norm's order, and meets the same
checks; a problem is located by its JSON path (``$.salaries[0].nir``). The
NIR may be given on 13 or 15 characters; ``to_dsn_json`` writes 15 (with
its key), ``to_dsn_text`` 13 (the norm's form).

What the model keeps. Only the blocks and rubriques listed in ``FIELDS``.
The other blocks of the norm (S20.G00.07, S21.G00.15, .58, .60, .70, .71,
.86...) are checked (existence, placement, formats, S90 count) and then
left out, so ``to_dsn_text`` is not the original file byte for byte.

Payslips
========

``payslips(declaration)``: one row per individual (S21.G00.30) and contract
(S21.G00.40), in the file's order:

=============================  ==========  =====================================================
column                         dtype       from
=============================  ==========  =====================================================
salarie                        Utf8        the NIR on 15 characters; the NTT (S21.G00.30.020)
                                           when the individual has no NIR
nir                            Utf8        the NIR on 15 characters (key computed when the file
                                           gives 13), null without NIR
siret                          Utf8        S21.G00.06.001 + S21.G00.11.001
mois                           Date        S20.G00.05.005 (first day of the month)
brut_cents                     Int64       sum of S21.G00.51.013 over the rémunérations of type
                                           001 (brute non plafonnée) whose S21.G00.51.010 is the
                                           contract's number, every versement of the month, rappels
                                           on earlier periods included; 0 if none
heures                         Decimal     hours paid: sum of S21.G00.53.002 of the activités of
                                           type 01 (travail rémunéré) in hours (S21.G00.53.003 =
                                           10, or absent with a contract counted in hours) under
                                           the rémunérations 002 of the contract; failing that
                                           S21.G00.51.012 of the rémunérations 002, then 001
                                           (norms before P24 carried the hours there); else null
heures_contrat                 Decimal     S21.G00.40.013 when S21.G00.40.011 is 10 (heure) or 21
                                           (forfait heure), else null
cadre                          Boolean     S21.G00.40.003 01 or 02 (cadre, extension cadre); 04
                                           non-cadre; otherwise (98, 99, absent) S21.G00.40.002 03
                                           or 04 (cadre dirigeant, autres cadres)
taux_atmp                      Decimal     S21.G00.40.043 (a percentage, "2.08") / 100 = 0.0208;
                                           null when absent (code risque 999ZZ)
effectif                       Int64       S21.G00.11.008, else S21.G00.06.009, else null
date_entree                    Date        S21.G00.40.001 when it falls within the month, else null
date_sortie                    Date        S21.G00.62.001 when it falls within the month, else null
numero_contrat                 Utf8        S21.G00.40.009
bulletin                       Utf8        "siret|AAAA-MM|salarie|numero_contrat"
prevoyance_patronale_cents     Int64       S21.G00.79.004 of the composants of type 04
                                           (contributions patronales de prévoyance complémentaire)
                                           of the contract's bases; when several base codes carry
                                           them, those of base 03 (brute déplafonnée), else 04
                                           (CSG), else the first; 0 if none
=============================  ==========  =====================================================

A base belongs to a contract by S21.G00.78.006, or, when the individual has
a single contract, without it.

Sources, and what is confirmed
==============================

Confirmed in the official workbook dsn-datatypes-CT2024.xlsx (norm P24V01,
revision 20231219, published by net-entreprises.fr; read in its copy in the
public repository krisk78/DSN2CSV), sheets Blocks, Fields, Data Types and
Messages (the DSN-Val control messages):

* every block number, its parent and bounds, every rubrique number and its
  data type (``dsn_norme.BLOCS``); the code lists of ``NATURES``, ``TYPES``,
  ``TYPES_ENVOI``, ``SEXES``, ``STATUTS_CONVENTIONNELS``,
  ``STATUTS_CATEGORIELS_RC``, ``NATURES_CONTRAT``, ``UNITES_QUOTITE``,
  ``MODALITES_TEMPS``, ``TYPES_REMUNERATION``, ``TYPES_ACTIVITE``,
  ``UNITES_ACTIVITE``;
* the S20.G00.05 rubriques (001 nature, 002 type, 003 fraction, 004 numéro
  d'ordre, 005 mois principal "01mmaaaa", 006 identifiant de la déclaration
  annulée ou remplacée = date du fichier + numéro d'ordre, 007 date du
  fichier...), the S90 counts including the S90 rubriques themselves;
* S21.G00.30.001: the NIR is declared on 13 characters (no key), pattern
  sex 1-2, month 01-12/20/30-42/50-99; 1999999999999/2999999999999 and more
  than five trailing 9 are refused (controls CCH-13 and CCH-16), one block
  per NIR (CCH-14);
* S21.G00.40.043 "taux de cotisation accident du travail" (Nombre_4_6,
  e.g. 2.08 for 2.08 %), absent only with code risque 999ZZ (SIG-11);
* S21.G00.40.011 units 10 heure ... 99, and quotités of at most 250.00 for
  units 10/21 (CCH-13), which is why we read them as monthly hours;
* S21.G00.51.010 numéro du contrat (not .003 as one public label table
  says), .011 type, .012 hours, .013 amount; the amount may be negative in
  the format (regularisations) — refusing a negative gross is secu's choice;
* in P24 hours are forbidden in S21.G00.51.012 for types 001/002/003/010
  (SIG-13): hours paid live in S21.G00.53 (activité) under the 002 block
  (CCH-11 of S21.G00.53.001); we do not enforce SIG-13 so that files of
  older norms still read;
* S21.G00.79 type 04 "contributions patronales destinées au financement des
  prestations de prévoyance complémentaire"; S21.G00.23.002 qualifiant
  920/921; S21.G00.06.009 / S21.G00.11.008 are filled only by public-sector
  and maritime employers (so ``effectif`` is usually null for others).

Cross-checked in public test fixtures and DSN writers (GitHub, read only):
the line form and quoting, ISO-8859-1 with CRLF, versions "P25V01" and
"P26V01" in S10.G00.00.006.

Not confirmed: the P25V01 and P26V01 workbooks themselves (rubriques or
codes added in 2025/2026 are refused as unknown until added to
``dsn_norme``; a third-party P25 validator claims S21.G00.06.009 and
S21.G00.11.008 were removed — we still accept them); the escaping of a
quote inside a value (we accept doubled and lone quotes); remuneration type
033 (listed by a third-party P25 table, label unknown, accepted); that
S21.G00.40.013 is per month for unit 21; on which base code the prévoyance
component 04 is attached (hence the preference order above); the due dates
(5th/15th) are not checked here.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from secu.core.errors import InvalidField
from secu.core.identifiers import cle_nir, parse_nir, validate_naf, validate_siren, validate_siret
from secu.core.money import to_cents
from secu.recouvrement.dsn_norme import BLOCS

MAX_ERREURS = 200
"""At most this many problems are collected; the count of the rest is reported."""

# ==========================================================================
# Code lists (dsn-datatypes-CT2024.xlsx, sheet Data Types)

NATURES = {
    "01": "DSN mensuelle",
    "04": "signalement arrêt de travail",
    "05": "signalement reprise suite à arrêt de travail",
    "07": "signalement fin du contrat de travail unique",
    "08": "signalement amorçage des données variables",
    "09": "DSN de substitution",
}
NATURE_MENSUELLE = "01"
TYPES = {
    "01": "déclaration normale",
    "02": "déclaration normale sans individu (néant)",
    "03": "déclaration annule et remplace intégral",
    "04": "déclaration annule",
    "05": "annule et remplace sans individu (néant)",
}
TYPES_REMPLACEMENT = frozenset({"03", "05"})
TYPES_NEANT = frozenset({"02", "05"})
TYPES_ENVOI = {"01": "envoi normal", "02": "envoi néant"}
SEXES = {"01": "masculin", "02": "féminin"}
STATUTS_CONVENTIONNELS = {
    "01": "agriculteur salarié de son exploitation",
    "02": "artisan ou commerçant salarié de son entreprise",
    "03": "cadre dirigeant",
    "04": "autres cadres au sens de la convention collective",
    "05": "profession intermédiaire",
    "06": "employé administratif d'entreprise, de commerce, agent de service",
    "07": "ouvriers qualifiés et non qualifiés",
    "08": "agent de la fonction publique d'État",
    "09": "agent de la fonction publique hospitalière",
    "10": "agent de la fonction publique territoriale",
}
STATUTS_CATEGORIELS_RC = {
    "01": "cadre (articles 4 et 4 bis)",
    "02": "extension cadre pour retraite complémentaire",
    "04": "non cadre",
    "98": "retraite complémentaire ne définissant pas de statut cadre ou non cadre",
    "99": "pas de retraite complémentaire",
}
NATURES_CONTRAT = {
    "01": "CDI de droit privé", "02": "CDD de droit privé", "03": "contrat de mission (intérim)",
    "07": "CDI intermittent", "08": "CDI intérimaire", "09": "CDI de droit public",
    "10": "CDD de droit public", "20": "détachement FP donnant lieu à pension",
    "21": "détachement FP ne donnant pas lieu à pension", "29": "convention de stage",
    "32": "contrat d'appui au projet d'entreprise", "50": "nomination dans la fonction publique",
    "51": "collaborateur occasionnel du service public", "52": "cumul d'activité à titre accessoire (FP)",
    "53": "contrat d'emploi pénitentiaire", "54": "contrat d'emploi pénitentiaire en apprentissage",
    "60": "contrat d'engagement éducatif", "70": "contrat de soutien et d'aide par le travail",
    "80": "mandat social", "81": "mandat d'élu", "82": "CDI de chantier ou d'opération",
    "89": "volontariat de service civique", "90": "autre nature de contrat, convention, mandat",
    "91": "engagement maritime à durée indéterminée", "92": "engagement maritime à durée déterminée",
    "93": "ligne de service",
}  # fmt: skip
UNITES_QUOTITE = {
    "10": "heure", "12": "journée", "20": "forfait jour", "21": "forfait heure", "31": "à la pige",
    "32": "à la vacation", "33": "à la tâche", "34": "au SMIC", "35": "à la part",
    "99": "salarié non concerné",
}  # fmt: skip
UNITES_EN_HEURES = frozenset({"10", "21"})
MODALITES_TEMPS = {
    "10": "temps plein", "20": "temps partiel", "30": "temps alterné (navigants)", "40": "CPA 2004",
    "41": "temps partiel de droit", "42": "temps partiel de droit pour enfant",
    "99": "salarié non concerné",
}  # fmt: skip
TYPES_REMUNERATION = {
    "001": "rémunération brute non plafonnée",
    "002": "salaire brut servant aux calculs des droits de l'assurance chômage",
    "003": "salaire rétabli - reconstitué",
    "010": "salaire de base",
    "012": "heures d'équivalence",
    "013": "heures d'habillage, déshabillage, pause",
    "016": "heures affectées à un travail d'aide à domicile (FP)",
    "017": "heures supplémentaires ou complémentaires aléatoires",
    "018": "heures supplémentaires structurelles",
    "019": "heures d'activité partielle",
    "020": "heures affectées à un travail d'aide à domicile de publics fragiles",
    "021": "taux de rémunération de la situation administrative (FP)",
    "022": "complément de traitement indiciaire (FP)",
    "023": "jours de RTT monétisés",
    "025": "heures correspondant à du chômage intempéries",
    "026": "heures supplémentaires exonérées",
    "027": "montant net social",
    "028": "nouveau type de rémunération B",
    "029": "nouveau type de rémunération C",
    "030": "nouveau type de rémunération A",
    "031": "nouveau type de rémunération D",
    "032": "nouveau type de rémunération E",
    "033": "type de rémunération 033 (norme P25, libellé non confirmé)",
}
REMUNERATION_BRUTE = "001"
SALAIRE_BRUT_CHOMAGE = "002"
TYPES_ACTIVITE = {"01": "travail rémunéré", "02": "durée d'absence non rémunérée"}
UNITES_ACTIVITE = {
    "10": "heure", "12": "journée", "20": "forfait jour", "21": "forfait heure", "31": "à la pige",
    "32": "à la vacation", "33": "à la tâche", "35": "heures intermittents du spectacle",
    "36": "cachets groupés", "37": "cachets isolés", "38": "jour CRPNPAC", "39": "cachet",
    "40": "jours calendaires de la période d'emploi (plafond de sécurité sociale)",
}  # fmt: skip
COMPOSANT_PREVOYANCE_PATRONALE = "04"
NORME_VERSION_RE = re.compile(r"P[0-9]{2}V[0-9]{2}")

# ==========================================================================
# Errors


@dataclass(frozen=True)
class DsnProbleme:
    """One thing wrong in a DSN: where (line or JSON path, rubrique) and what, in French."""

    message: str
    ligne: int | None = None
    rubrique: str | None = None
    chemin: str | None = None

    def __str__(self) -> str:
        where = []
        if self.ligne is not None:
            where.append(f"ligne {self.ligne}")
        if self.chemin is not None:
            where.append(self.chemin)
        if self.rubrique is not None:
            where.append(f"rubrique {self.rubrique}")
        return f"{', '.join(where)} : {self.message}" if where else self.message

    def to_dict(self) -> dict[str, Any]:
        return {"ligne": self.ligne, "chemin": self.chemin, "rubrique": self.rubrique, "message": self.message}


class DsnError(InvalidField):
    """A DSN refused as a whole: the first problem in the message, all of them in ``erreurs``."""

    def __init__(self, erreurs: Sequence[DsnProbleme], *, non_listees: int = 0) -> None:
        if not erreurs:
            raise ValueError("DsnError needs at least one problem")
        first = erreurs[0]
        autres = len(erreurs) - 1 + non_listees
        where = f"ligne {first.ligne}" if first.ligne is not None else first.chemin
        message = f"{where} : {first.message}" if where else first.message
        if autres:
            message += f" (et {autres} autre{'s' if autres > 1 else ''} erreur{'s' if autres > 1 else ''})"
        super().__init__(first.rubrique or first.chemin or "dsn", message)
        self.erreurs: tuple[DsnProbleme, ...] = tuple(erreurs)
        self.non_listees = non_listees
        self.ligne = first.ligne
        self.rubrique = first.rubrique
        self.chemin = first.chemin

    def to_dict(self) -> dict[str, Any]:  # type: ignore[override]
        return {
            "champ": self.field,
            "message": self.message,
            "erreurs": [e.to_dict() for e in self.erreurs],
            "erreurs_non_listees": self.non_listees,
        }


class _Collecteur:
    def __init__(self) -> None:
        self.erreurs: list[DsnProbleme] = []
        self.non_listees = 0

    def add(self, message: str, *, ligne: int | None = None, rubrique: str | None = None, chemin: str | None = None) -> None:
        if len(self.erreurs) >= MAX_ERREURS:
            self.non_listees += 1
            return
        self.erreurs.append(DsnProbleme(message, ligne=ligne, rubrique=rubrique, chemin=chemin))

    def at(self, r: _Rubrique, message: str) -> None:
        self.add(message, ligne=r.ligne, rubrique=r.code, chemin=r.chemin)

    def raise_if_any(self) -> None:
        if self.erreurs:
            # in the file's order; problems of the whole file (no line) last; JSON paths as found
            ordered = sorted(self.erreurs, key=lambda e: (e.ligne is None, e.ligne or 0))
            raise DsnError(ordered, non_listees=self.non_listees)


# ==========================================================================
# The model


@dataclass(frozen=True)
class Envoi:
    """S10.G00.00: the sending (software, norm version, test or real, normal or néant)."""

    logiciel: str | None = None
    editeur: str | None = None
    version_logiciel: str | None = None
    essai_reel: str | None = None
    norme: str | None = None
    point_depot: str | None = None
    type_envoi: str | None = None


@dataclass(frozen=True)
class Emetteur:
    """S10.G00.01: who sends the file (the employer, an accountant, a concentrator)."""

    siren: str | None = None
    nic: str | None = None
    raison_sociale: str | None = None


@dataclass(frozen=True)
class Contact:
    """S10.G00.02: the sender's contact."""

    civilite: str | None = None
    nom: str | None = None
    email: str | None = None
    telephone: str | None = None


@dataclass(frozen=True)
class Entreprise:
    """S21.G00.06."""

    siren: str
    nic_siege: str | None = None
    apen: str | None = None
    effectif_moyen: int | None = None


@dataclass(frozen=True)
class Etablissement:
    """S21.G00.11 (``siret`` is the entreprise's SIREN + this NIC)."""

    nic: str
    siret: str = ""
    apet: str | None = None
    code_postal: str | None = None
    effectif: int | None = None


@dataclass(frozen=True)
class FinContrat:
    """S21.G00.62."""

    date_fin: date
    motif: str | None = None


@dataclass(frozen=True)
class Contrat:
    """S21.G00.40; ``taux_at`` is the percentage as declared ("2.08" for 2.08 %)."""

    date_debut: date
    numero: str
    nature: str
    statut_conventionnel: str | None = None
    statut_categoriel: str | None = None
    pcs_ese: str | None = None
    libelle_emploi: str | None = None
    dispositif: str | None = None
    date_fin_previsionnelle: date | None = None
    unite_quotite: str | None = None
    quotite_categorie: Decimal | None = None
    quotite: Decimal | None = None
    modalite_temps: str | None = None
    convention_collective: str | None = None
    code_risque_at: str | None = None
    taux_at: Decimal | None = None
    fin: FinContrat | None = None

    @property
    def cadre(self) -> bool:
        if self.statut_categoriel in ("01", "02"):
            return True
        if self.statut_categoriel == "04":
            return False
        return self.statut_conventionnel in ("03", "04")


@dataclass(frozen=True)
class Activite:
    """S21.G00.53."""

    type: str
    mesure: Decimal
    unite: str | None = None


@dataclass(frozen=True)
class Remuneration:
    """S21.G00.51."""

    date_debut: date
    date_fin: date
    type: str
    montant_cents: int
    numero_contrat: str | None = None
    heures: Decimal | None = None
    activites: tuple[Activite, ...] = ()


@dataclass(frozen=True)
class AutreRevenu:
    """S21.G00.54."""

    type: str
    montant_cents: int
    date_debut: date | None = None
    date_fin: date | None = None


@dataclass(frozen=True)
class Composant:
    """S21.G00.79."""

    type: str
    montant_cents: int


@dataclass(frozen=True)
class CotisationIndividuelle:
    """S21.G00.81 (``taux`` in percent as declared)."""

    code: str
    organisme: str | None = None
    assiette_cents: int | None = None
    montant_cents: int | None = None
    code_insee: str | None = None
    taux: Decimal | None = None


@dataclass(frozen=True)
class BaseAssujettie:
    """S21.G00.78."""

    code: str
    montant_cents: int
    date_debut: date | None = None
    date_fin: date | None = None
    numero_contrat: str | None = None
    composants: tuple[Composant, ...] = ()
    cotisations: tuple[CotisationIndividuelle, ...] = ()


@dataclass(frozen=True)
class Versement:
    """S21.G00.50: one payment to the individual."""

    date: date
    net_fiscal_cents: int | None = None
    numero: str | None = None
    net_verse_cents: int | None = None
    taux_pas: Decimal | None = None
    type_taux_pas: str | None = None
    montant_pas_cents: int | None = None
    remunerations: tuple[Remuneration, ...] = ()
    autres_revenus: tuple[AutreRevenu, ...] = ()
    bases: tuple[BaseAssujettie, ...] = ()


@dataclass(frozen=True, repr=False)
class Salarie:
    """S21.G00.30; ``nir`` on 15 characters (key computed when the file gives 13)."""

    nom: str
    nir: str | None = None
    nom_usage: str | None = None
    prenoms: str | None = None
    sexe: str | None = None
    date_naissance: date | None = None
    matricule: str | None = None
    ntt: str | None = None
    contrats: tuple[Contrat, ...] = ()
    versements: tuple[Versement, ...] = ()

    @property
    def identifiant(self) -> str:
        return self.nir or self.ntt or ""

    def __repr__(self) -> str:  # never print a NIR
        return f"Salarie(nom={self.nom!r}, contrats={len(self.contrats)}, versements={len(self.versements)})"


@dataclass(frozen=True)
class CotisationAgregee:
    """S21.G00.23: one line of a bordereau (``code`` is the CTP for URSSAF)."""

    code: str
    qualifiant: str | None = None
    taux: Decimal | None = None
    assiette_cents: int | None = None
    montant_cents: int | None = None
    code_insee: str | None = None


@dataclass(frozen=True)
class Bordereau:
    """S21.G00.22: cotisations due to one organism."""

    organisme: str
    montant_cents: int
    entite: str | None = None
    date_debut: date | None = None
    date_fin: date | None = None
    cotisations: tuple[CotisationAgregee, ...] = ()


@dataclass(frozen=True)
class VersementOrganisme:
    """S21.G00.20: a payment to a social protection organism."""

    organisme: str
    entite: str | None = None
    bic: str | None = None
    iban: str | None = None
    montant_cents: int | None = None
    date_debut: date | None = None
    date_fin: date | None = None
    mode_paiement: str | None = None
    date_paiement: date | None = None
    siret_payeur: str | None = None


@dataclass(frozen=True)
class Declaration:
    """One DSN (S20.G00.05 and what it holds), with the envoi it came in.

    ``type`` "03"/"05" (annule et remplace) replaces the DSN of the same
    ``identity`` (siret, mois); ``numero_ordre`` orders versions.
    """

    envoi: Envoi
    emetteur: Emetteur
    contact: Contact
    nature: str
    type: str
    numero_ordre: int
    mois: date
    entreprise: Entreprise
    etablissement: Etablissement
    fraction: str | None = None
    identifiant_remplace: str | None = None
    date_fichier: date | None = None
    champ: str | None = None
    devise: str | None = None
    salaries: tuple[Salarie, ...] = ()
    versements_organismes: tuple[VersementOrganisme, ...] = ()
    bordereaux: tuple[Bordereau, ...] = ()

    @property
    def siret(self) -> str:
        return self.etablissement.siret

    @property
    def is_replacement(self) -> bool:
        return self.type in TYPES_REMPLACEMENT

    @property
    def is_neant(self) -> bool:
        return self.type in TYPES_NEANT

    @property
    def nature_libelle(self) -> str:
        return NATURES.get(self.nature, self.nature)

    @property
    def type_libelle(self) -> str:
        return TYPES.get(self.type, self.type)


def identity(dsn: Declaration) -> tuple[str, date]:
    """(SIRET of the establishment, first day of the declared month): what a replacement replaces."""
    return dsn.siret, dsn.mois


def is_replacement(dsn: Declaration) -> bool:
    """True for an "annule et remplace" DSN (type 03, or 05 without individuals)."""
    return dsn.is_replacement


# ==========================================================================
# Field table: rubrique <-> model attribute <-> JSON key


@dataclass(frozen=True)
class _Champ:
    numero: str
    attribut: str
    cle: str  # JSON key
    conv: str  # text, code, date, mois, cents, dec, int, nir
    libelle: str
    obligatoire: bool = False
    codes: Mapping[str, str] | None = None


def _c(numero: str, attribut: str, conv: str, libelle: str, *, cle: str | None = None,
       obligatoire: bool = False, codes: Mapping[str, str] | None = None) -> _Champ:  # fmt: skip
    if cle is None:
        cle = attribut.removesuffix("_cents")
    return _Champ(numero, attribut, cle, conv, libelle, obligatoire, codes)


FIELDS: dict[str, tuple[_Champ, ...]] = {
    "S10.G00.00": (
        _c("001", "logiciel", "text", "nom du logiciel utilisé"),
        _c("002", "editeur", "text", "nom de l'éditeur"),
        _c("003", "version_logiciel", "text", "numéro de version du logiciel"),
        _c("005", "essai_reel", "code", "code envoi du fichier d'essai ou réel", codes={"01": "essai", "02": "réel"}),
        _c("006", "norme", "text", "numéro de version de la norme utilisée", obligatoire=True),
        _c("007", "point_depot", "code", "point de dépôt", codes={"01": "net-entreprises", "02": "MSA"}),
        _c("008", "type_envoi", "code", "type de l'envoi", codes=TYPES_ENVOI),
    ),
    "S10.G00.01": (
        _c("001", "siren", "text", "SIREN de l'émetteur", obligatoire=True),
        _c("002", "nic", "text", "NIC de l'émetteur", obligatoire=True),
        _c("003", "raison_sociale", "text", "nom ou raison sociale de l'émetteur"),
    ),
    "S10.G00.02": (
        _c("001", "civilite", "code", "civilité", codes={"01": "monsieur", "02": "madame"}),
        _c("002", "nom", "text", "nom et prénom de la personne à contacter"),
        _c("004", "email", "text", "adresse mél du contact"),
        _c("005", "telephone", "text", "téléphone du contact"),
    ),
    "S20.G00.05": (
        _c("001", "nature", "code", "nature de la déclaration", obligatoire=True, codes=NATURES),
        _c("002", "type", "code", "type de la déclaration", obligatoire=True, codes=TYPES),
        _c("003", "fraction", "text", "numéro de fraction de déclaration"),
        _c("004", "numero_ordre", "int", "numéro d'ordre de la déclaration", obligatoire=True),
        _c("005", "mois", "mois", "date du mois principal déclaré", obligatoire=True),
        _c("006", "identifiant_remplace", "text", "identifiant de la déclaration annulée ou remplacée"),
        _c("007", "date_fichier", "date", "date de constitution du fichier"),
        _c("008", "champ", "code", "champ de la déclaration", codes={"01": "totale", "02": "partielle agricole", "03": "partielle régime général"}),
        _c("010", "devise", "code", "devise de la déclaration", codes={"01": "euro", "02": "franc Pacifique"}),
    ),
    "S21.G00.06": (
        _c("001", "siren", "text", "SIREN de l'entreprise", obligatoire=True),
        _c("002", "nic_siege", "text", "NIC du siège"),
        _c("003", "apen", "text", "code APEN"),
        _c("009", "effectif_moyen", "int", "effectif moyen de l'entreprise au 31 décembre"),
    ),
    "S21.G00.11": (
        _c("001", "nic", "text", "NIC de l'établissement", obligatoire=True),
        _c("002", "apet", "text", "code APET"),
        _c("004", "code_postal", "text", "code postal de l'établissement"),
        _c("008", "effectif", "int", "effectif de fin de période déclarée de l'établissement"),
    ),
    "S21.G00.20": (
        _c("001", "organisme", "text", "identifiant de l'organisme de protection sociale", obligatoire=True),
        _c("002", "entite", "text", "entité d'affectation des opérations"),
        _c("003", "bic", "text", "BIC"),
        _c("004", "iban", "text", "IBAN"),
        _c("005", "montant_cents", "cents", "montant du versement"),
        _c("006", "date_debut", "date", "date de début de période de rattachement"),
        _c("007", "date_fin", "date", "date de fin de période de rattachement"),
        _c("010", "mode_paiement", "code", "mode de paiement", codes={"01": "chèque", "02": "virement", "04": "TIP", "05": "prélèvement SEPA", "06": "versement par un autre établissement"}),
        _c("011", "date_paiement", "date", "date de paiement"),
        _c("012", "siret_payeur", "text", "SIRET payeur"),
    ),
    "S21.G00.22": (
        _c("001", "organisme", "text", "identifiant de l'organisme de protection sociale", obligatoire=True),
        _c("002", "entite", "text", "entité d'affectation des opérations"),
        _c("003", "date_debut", "date", "date de début de période de rattachement"),
        _c("004", "date_fin", "date", "date de fin de période de rattachement"),
        _c("005", "montant_cents", "cents", "montant total de cotisations", obligatoire=True),
    ),
    "S21.G00.23": (
        _c("001", "code", "text", "code de cotisation (CTP)", obligatoire=True),
        _c("002", "qualifiant", "code", "qualifiant d'assiette", codes={"920": "autre assiette", "921": "assiette plafonnée"}),
        _c("003", "taux", "dec", "taux de cotisation"),
        _c("004", "assiette_cents", "cents", "montant d'assiette"),
        _c("005", "montant_cents", "cents", "montant de cotisation"),
        _c("006", "code_insee", "text", "code INSEE commune"),
    ),
    "S21.G00.30": (
        _c("001", "nir", "nir", "numéro d'inscription au répertoire (NIR)"),
        _c("002", "nom", "text", "nom de famille", obligatoire=True),
        _c("003", "nom_usage", "text", "nom d'usage"),
        _c("004", "prenoms", "text", "prénoms"),
        _c("005", "sexe", "code", "sexe", codes=SEXES),
        _c("006", "date_naissance", "naissance", "date de naissance"),
        _c("019", "matricule", "text", "matricule de l'individu dans l'entreprise"),
        _c("020", "ntt", "text", "numéro technique temporaire"),
    ),
    "S21.G00.40": (
        _c("001", "date_debut", "date", "date de début du contrat", obligatoire=True),
        _c("002", "statut_conventionnel", "code", "statut du salarié (conventionnel)", codes=STATUTS_CONVENTIONNELS),
        _c("003", "statut_categoriel", "code", "code statut catégoriel retraite complémentaire", codes=STATUTS_CATEGORIELS_RC),
        _c("004", "pcs_ese", "text", "code PCS-ESE"),
        _c("006", "libelle_emploi", "text", "libellé de l'emploi"),
        _c("007", "nature", "code", "nature du contrat", obligatoire=True, codes=NATURES_CONTRAT),
        _c("008", "dispositif", "text", "dispositif de politique publique"),
        _c("009", "numero", "text", "numéro du contrat", obligatoire=True),
        _c("010", "date_fin_previsionnelle", "date", "date de fin prévisionnelle du contrat"),
        _c("011", "unite_quotite", "code", "unité de mesure de la quotité de travail", codes=UNITES_QUOTITE),
        _c("012", "quotite_categorie", "dec", "quotité de travail de référence de la catégorie"),
        _c("013", "quotite", "dec", "quotité de travail du contrat"),
        _c("014", "modalite_temps", "code", "modalité d'exercice du temps de travail", codes=MODALITES_TEMPS),
        _c("017", "convention_collective", "text", "code convention collective applicable"),
        _c("040", "code_risque_at", "text", "code risque accident du travail"),
        _c("043", "taux_at", "dec", "taux de cotisation accident du travail"),
    ),
    "S21.G00.62": (
        _c("001", "date_fin", "date", "date de fin du contrat", obligatoire=True),
        _c("002", "motif", "text", "motif de la rupture du contrat"),
    ),
    "S21.G00.50": (
        _c("001", "date", "date", "date de versement", obligatoire=True),
        _c("002", "net_fiscal_cents", "cents", "rémunération nette fiscale"),
        _c("003", "numero", "text", "numéro de versement"),
        _c("004", "net_verse_cents", "cents", "montant net versé"),
        _c("006", "taux_pas", "dec", "taux de prélèvement à la source"),
        _c("007", "type_taux_pas", "text", "type du taux de prélèvement à la source"),
        _c("009", "montant_pas_cents", "cents", "montant de prélèvement à la source"),
    ),
    "S21.G00.51": (
        _c("001", "date_debut", "date", "date de début de période de paie", obligatoire=True),
        _c("002", "date_fin", "date", "date de fin de période de paie", obligatoire=True),
        _c("010", "numero_contrat", "text", "numéro du contrat"),
        _c("011", "type", "code", "type de rémunération", obligatoire=True, codes=TYPES_REMUNERATION),
        _c("012", "heures", "dec", "nombre d'heures"),
        _c("013", "montant_cents", "cents", "montant de la rémunération", obligatoire=True),
    ),
    "S21.G00.53": (
        _c("001", "type", "code", "type d'activité", obligatoire=True, codes=TYPES_ACTIVITE),
        _c("002", "mesure", "dec", "mesure de l'activité", obligatoire=True),
        _c("003", "unite", "code", "unité de mesure de l'activité", codes=UNITES_ACTIVITE),
    ),
    "S21.G00.54": (
        _c("001", "type", "text", "type d'autre élément de revenu brut", obligatoire=True),
        _c("002", "montant_cents", "cents", "montant de l'autre élément de revenu brut", obligatoire=True),
        _c("003", "date_debut", "date", "date de début de période de rattachement"),
        _c("004", "date_fin", "date", "date de fin de période de rattachement"),
    ),
    "S21.G00.78": (
        _c("001", "code", "text", "code de base assujettie", obligatoire=True),
        _c("002", "date_debut", "date", "date de début de période de rattachement"),
        _c("003", "date_fin", "date", "date de fin de période de rattachement"),
        _c("004", "montant_cents", "cents", "montant de la base assujettie", obligatoire=True),
        _c("006", "numero_contrat", "text", "numéro du contrat"),
    ),
    "S21.G00.79": (
        _c("001", "type", "text", "type de composant de base assujettie", obligatoire=True),
        _c("004", "montant_cents", "cents", "montant de composant de base assujettie", obligatoire=True),
    ),
    "S21.G00.81": (
        _c("001", "code", "text", "code de cotisation", obligatoire=True),
        _c("002", "organisme", "text", "identifiant de l'organisme de protection sociale"),
        _c("003", "assiette_cents", "cents", "montant d'assiette"),
        _c("004", "montant_cents", "cents", "montant de cotisation"),
        _c("005", "code_insee", "text", "code INSEE commune"),
        _c("007", "taux", "dec", "taux de cotisation"),
    ),
}

_CLASSES: dict[str, type] = {
    "S10.G00.00": Envoi, "S10.G00.01": Emetteur, "S10.G00.02": Contact,
    "S21.G00.06": Entreprise, "S21.G00.11": Etablissement, "S21.G00.20": VersementOrganisme,
    "S21.G00.22": Bordereau, "S21.G00.23": CotisationAgregee, "S21.G00.30": Salarie,
    "S21.G00.40": Contrat, "S21.G00.62": FinContrat, "S21.G00.50": Versement,
    "S21.G00.51": Remuneration, "S21.G00.53": Activite, "S21.G00.54": AutreRevenu,
    "S21.G00.78": BaseAssujettie, "S21.G00.79": Composant, "S21.G00.81": CotisationIndividuelle,
}  # fmt: skip

# child blocks kept in the model: (block, attribute = JSON key, many)
_ENFANTS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "S21.G00.22": (("S21.G00.23", "cotisations", True),),
    "S21.G00.30": (("S21.G00.40", "contrats", True), ("S21.G00.50", "versements", True)),
    "S21.G00.40": (("S21.G00.62", "fin", False),),
    "S21.G00.50": (
        ("S21.G00.51", "remunerations", True),
        ("S21.G00.54", "autres_revenus", True),
        ("S21.G00.78", "bases", True),
    ),
    "S21.G00.51": (("S21.G00.53", "activites", True),),
    "S21.G00.78": (("S21.G00.79", "composants", True), ("S21.G00.81", "cotisations", True)),
}
# top-level JSON objects -> block (the declaration's own blocks)
_RACINE_JSON: tuple[tuple[str, str, bool], ...] = (
    ("envoi", "S10.G00.00", False),
    ("emetteur", "S10.G00.01", False),
    ("contact", "S10.G00.02", False),
    ("declaration", "S20.G00.05", False),
    ("entreprise", "S21.G00.06", False),
    ("etablissement", "S21.G00.11", False),
    ("versements_organismes", "S21.G00.20", True),
    ("bordereaux", "S21.G00.22", True),
    ("salaries", "S21.G00.30", True),
)
JSON_FORMAT = "secu-dsn/1"

# rubriques whose format is checked by their own rule instead of the generic one
_FORMAT_PROPRE = frozenset({"S20.G00.05.005", "S21.G00.30.001", "S21.G00.30.006"})

# bounds the norm states that secu does not enforce: a fin de contrat without
# préavis (S21.G00.63) and a contract without retraite complémentaire block
# (S21.G00.71) depend on usages tables we do not have.
_MINIMUMS_NON_APPLIQUES = frozenset({"S21.G00.63", "S21.G00.71"})

# ==========================================================================
# The norm, parsed once


@dataclass(frozen=True)
class _Format:
    kind: str
    signed: bool
    min_len: int
    max_len: int


def _norme() -> tuple[dict[str, dict[str, _Format]], dict[str, list[tuple[str, int, int | None]]]]:
    rubriques: dict[str, dict[str, _Format]] = {}
    enfants: dict[str, list[tuple[str, int, int | None]]] = {}
    for bloc, (_label, parent, lo, hi, spec) in BLOCS.items():
        table: dict[str, _Format] = {}
        for item in spec.split():
            match = re.fullmatch(r"([0-9]{3})([ADNMRF])(-?)([0-9]+)-([0-9]+)", item)
            assert match, item
            numero, kind, sign, mn, mx = match.groups()
            table[numero] = _Format(kind, sign == "-", int(mn), int(mx))
        rubriques[bloc] = table
        if parent is not None:
            enfants.setdefault(parent, []).append((bloc, lo, hi))
    return rubriques, enfants


_RUBRIQUES, _BLOCS_ENFANTS = _norme()


def _label(bloc: str) -> str:
    return BLOCS[bloc][0].split(" (")[0] if bloc in BLOCS else bloc


def _nomme(bloc: str) -> str:
    return f"{bloc} ({_label(bloc)})"


# ==========================================================================
# Rubriques and blocks


@dataclass(slots=True)
class _Rubrique:
    bloc: str
    numero: str
    valeur: str
    ligne: int | None = None
    chemin: str | None = None
    debut: bool = False  # JSON: the first rubrique of an object always opens a new block

    @property
    def code(self) -> str:
        return f"{self.bloc}.{self.numero}"


@dataclass(slots=True)
class _Bloc:
    id: str
    ligne: int | None
    chemin: str | None
    rubriques: dict[str, _Rubrique] = field(default_factory=dict)
    enfants: list[_Bloc] = field(default_factory=list)
    dernier: str = ""

    def add(self, r: _Rubrique) -> None:
        self.rubriques[r.numero] = r
        self.dernier = r.numero

    def children(self, bloc: str) -> list[_Bloc]:
        return [c for c in self.enfants if c.id == bloc]

    def where(self) -> str:
        if self.ligne is not None:
            return f"le bloc {_nomme(self.id)} commençant ligne {self.ligne}"
        return f"le bloc {_nomme(self.id)}"


# ==========================================================================
# Text: decoding and lexing

_LINE_RE = re.compile(r"(S[0-9]{2}\.G[0-9]{2}\.[0-9]{2})\.([0-9]{3}),'(.*)'", re.DOTALL)
_NEWLINE_RE = re.compile(r"\r\n|\n|\r")


def _decode(data: bytes | str) -> str:
    """UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), else ISO-8859-1 (Latin-1)."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        try:
            return raw.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    raise DsnError([DsnProbleme("la DSN doit être un texte ou des octets")])


def _lex(text: str, errors: _Collecteur) -> tuple[list[_Rubrique], int]:
    """The rubriques, and the number of lines meant to be rubriques (what S90.G00.90.001 counts)."""
    lines = _NEWLINE_RE.split(text)
    while lines and not lines[-1].strip():
        lines.pop()
    result: list[_Rubrique] = []
    if not lines:
        errors.add("le fichier DSN est vide", ligne=1)
        return result, 0
    for number, line in enumerate(lines, start=1):
        stripped = line.rstrip(" \t")
        if not stripped:
            errors.add("ligne vide : chaque ligne doit porter une rubrique", ligne=number)
            continue
        match = _LINE_RE.fullmatch(stripped)
        if match is None:
            errors.add(
                "ligne mal formée : attendu une rubrique de la forme S21.G00.40.001,'valeur'",
                ligne=number,
            )
            continue
        bloc, numero, valeur = match.groups()
        result.append(_Rubrique(bloc, numero, valeur.replace("''", "'"), ligne=number))
    return result, sum(1 for line in lines if line.strip())


# ==========================================================================
# Generic format of a rubrique

_DEC_RE = {
    "M": re.compile(r"-?[0-9]+\.[0-9]{2}"),
    "R": re.compile(r"-?[0-9]+\.[0-9]{2,3}"),
    "F": re.compile(r"-?[0-9]+(\.[0-9]{1,2})?"),
    "N": re.compile(r"-?[0-9]+"),
}
_DATE_RE = re.compile(r"[0-9]{8}")


def _parse_jjmmaaaa(value: str) -> date | None:
    if not _DATE_RE.fullmatch(value):
        return None
    try:
        return date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:
        return None


def _check_format(r: _Rubrique, fmt: _Format, errors: _Collecteur) -> None:
    value = r.valeur
    if value == "":
        errors.at(r, "la rubrique est vide : une rubrique sans valeur ne doit pas figurer dans la DSN")
        return
    if r.code in _FORMAT_PROPRE:
        return
    if fmt.kind == "D":
        if not _DATE_RE.fullmatch(value):
            errors.at(r, f"la date « {value} » doit avoir la forme JJMMAAAA (8 chiffres)")
        elif _parse_jjmmaaaa(value) is None:
            errors.at(r, f"la date « {value} » n'existe pas (forme JJMMAAAA)")
        return
    if fmt.kind == "A":
        if not fmt.min_len <= len(value) <= fmt.max_len:
            if fmt.min_len == fmt.max_len:
                errors.at(r, f"la valeur doit comporter {fmt.min_len} caractères ({len(value)} reçus)")
            else:
                errors.at(
                    r, f"la valeur doit comporter de {fmt.min_len} à {fmt.max_len} caractères ({len(value)} reçus)"
                )
        return
    if not _DEC_RE[fmt.kind].fullmatch(value):
        if fmt.kind == "M":
            errors.at(r, f"« {value} » : le nombre doit s'écrire avec un point et deux décimales (ex. 1234.56)")
        elif fmt.kind == "R":
            errors.at(r, f"« {value} » : le nombre doit s'écrire avec un point et deux ou trois décimales")
        elif fmt.kind == "F":
            errors.at(r, f"« {value} » : le nombre doit s'écrire en chiffres, avec au plus deux décimales après un point")
        else:
            errors.at(r, f"« {value} » : la valeur doit être un nombre entier écrit en chiffres")
        return
    if value.startswith("-") and not fmt.signed:
        errors.at(r, f"« {value} » : la valeur ne peut pas être négative")
        return
    if len(value) > fmt.max_len:
        errors.at(r, f"« {value} » : la valeur dépasse {fmt.max_len} caractères")


# ==========================================================================
# The tree


def _build_tree(rubriques: Iterable[_Rubrique], errors: _Collecteur) -> list[_Bloc]:
    """Rebuild the implicit tree; report unknown blocks/rubriques, formats and misplaced blocks."""
    roots: list[_Bloc] = []
    stack: list[_Bloc] = []
    for r in rubriques:
        formats = _RUBRIQUES.get(r.bloc)
        if formats is None:
            errors.at(r, f"bloc inconnu {r.bloc} : il n'existe pas dans la norme DSN")
            continue
        fmt = formats.get(r.numero)
        if fmt is None:
            errors.at(r, f"rubrique inconnue : le bloc {_nomme(r.bloc)} n'a pas de rubrique {r.numero}")
            continue
        _check_format(r, fmt, errors)
        top = stack[-1] if stack else None
        if top is not None and top.id == r.bloc and r.numero > top.dernier and not r.debut:
            top.add(r)
            continue
        bloc = _Bloc(r.bloc, r.ligne, r.chemin.rsplit(".", 1)[0] if r.chemin else None)
        parent = BLOCS[r.bloc][1]
        if parent is None:
            roots.append(bloc)
            stack = [bloc]
        else:
            index = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].id == parent), None)
            if index is None:
                errors.at(
                    r,
                    f"le bloc {_nomme(r.bloc)} doit suivre un bloc {_nomme(parent)} : "
                    "il n'a pas de parent à cet endroit",
                )
                # kept aside so that its rubriques and children do not cascade into more errors
                stack.append(bloc)
            else:
                del stack[index + 1 :]
                stack[-1].enfants.append(bloc)
                stack.append(bloc)
        bloc.add(r)
    return roots


def _check_bounds(bloc: _Bloc, errors: _Collecteur) -> None:
    for child, lo, hi in _BLOCS_ENFANTS.get(bloc.id, ()):
        present = bloc.children(child)
        if len(present) < lo and child not in _MINIMUMS_NON_APPLIQUES:
            errors.add(
                f"{bloc.where()} doit contenir au moins un bloc {_nomme(child)}",
                ligne=bloc.ligne,
                chemin=bloc.chemin,
                rubrique=bloc.id,
            )
        if hi is not None and len(present) > hi:
            extra = present[hi]
            errors.add(
                f"{bloc.where()} ne peut contenir qu'un bloc {_nomme(child)}",
                ligne=extra.ligne,
                chemin=extra.chemin,
                rubrique=extra.id,
            )
    for child_bloc in bloc.enfants:
        _check_bounds(child_bloc, errors)


# ==========================================================================
# Interpretation


def _last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


class _Lecteur:
    """Turns checked blocks into the model, adding the checks that need meaning."""

    def __init__(self, errors: _Collecteur) -> None:
        self.errors = errors
        self.mois: date | None = None

    # -- one value ---------------------------------------------------------

    def _missing(self, bloc: _Bloc, champ: _Champ) -> None:
        code = f"{bloc.id}.{champ.numero}"
        self.errors.add(
            f"la rubrique {code} ({champ.libelle}) est obligatoire dans {bloc.where()}",
            ligne=bloc.ligne,
            chemin=bloc.chemin,
            rubrique=code,
        )

    def valeur(self, bloc: _Bloc, champ: _Champ) -> Any:
        r = bloc.rubriques.get(champ.numero)
        if r is None or r.valeur == "":
            if champ.obligatoire and r is None:
                self._missing(bloc, champ)
            return None
        value = r.valeur
        conv = champ.conv
        try:
            if conv == "text":
                return value
            if conv == "code":
                assert champ.codes is not None
                if value not in champ.codes:
                    admis = ", ".join(champ.codes)
                    self.errors.at(r, f"code « {value} » inconnu pour {champ.libelle} : valeurs admises {admis}")
                    return None
                return value
            if conv == "date":
                return _parse_jjmmaaaa(value)
            if conv == "naissance":
                return self._naissance(r)
            if conv == "mois":
                return self._mois(r)
            if conv == "cents":
                if not _DEC_RE["M"].fullmatch(value):
                    return None
                return to_cents(value, field=r.code)
            if conv == "dec":
                if not _DEC_RE["R"].fullmatch(value) and not _DEC_RE["F"].fullmatch(value):
                    return None
                return Decimal(value)
            if conv == "int":
                if not _DEC_RE["N"].fullmatch(value):
                    return None
                return int(value)
            if conv == "nir":
                return self._nir(r)
        except InvalidField as error:
            self.errors.at(r, error.message)
            return None
        raise AssertionError(conv)

    def _naissance(self, r: _Rubrique) -> date | None:
        value = r.valeur
        if not _DATE_RE.fullmatch(value):
            self.errors.at(r, f"la date de naissance « {value} » doit avoir la forme JJMMAAAA (8 chiffres)")
            return None
        if value[:2] == "99" or value[2:4] == "99":
            return None  # day or month unknown to the civil status: allowed by the norm, not kept
        parsed = _parse_jjmmaaaa(value)
        if parsed is None:
            self.errors.at(r, f"la date de naissance « {value} » n'existe pas (forme JJMMAAAA)")
        return parsed

    def _mois(self, r: _Rubrique) -> date | None:
        value = r.valeur
        if not _DATE_RE.fullmatch(value):
            self.errors.at(r, f"le mois principal déclaré « {value} » doit avoir la forme 01MMAAAA (8 chiffres)")
            return None
        month = int(value[2:4])
        if not 1 <= month <= 12:
            self.errors.at(r, f"le mois principal déclaré « {value} » est hors limites : le mois doit aller de 01 à 12")
            return None
        if value[:2] != "01":
            self.errors.at(
                r, f"le mois principal déclaré « {value} » doit être le premier jour du mois (forme 01MMAAAA)"
            )
            return None
        year = int(value[4:])
        if not 2000 <= year <= 2099:
            self.errors.at(r, f"le mois principal déclaré « {value} » est hors limites : l'année doit être 20xx")
            return None
        return date(year, month, 1)

    def _nir(self, r: _Rubrique) -> str | None:
        value = r.valeur
        if len(value) not in (13, 15):
            self.errors.at(r, "le NIR doit comporter 13 caractères (sans la clé), ou 15 avec la clé")
            return None
        if value[0] not in "12":
            self.errors.at(r, "le premier caractère du NIR (sexe) doit être 1 ou 2")
            return None
        if re.search(r"9{6,}$", value[:13]):
            self.errors.at(r, "le NIR ne peut pas se terminer par plus de cinq « 9 » : déclarez plutôt un NTT")
            return None
        if len(value) == 13:
            value = value + cle_nir(value)  # checks the 13 characters' form
        return parse_nir(value, field=r.code, allow_provisional=False).value

    # -- one block -----------------------------------------------------------

    def objet(self, bloc: _Bloc, *, extra: Mapping[str, Any] | None = None) -> Any:
        cls = _CLASSES[bloc.id]
        kwargs: dict[str, Any] = {}
        for champ in FIELDS[bloc.id]:
            value = self.valeur(bloc, champ)
            if value is not None:
                kwargs[champ.attribut] = value
        for child, attribut, many in _ENFANTS.get(bloc.id, ()):
            objets = [self.objet(c) for c in bloc.children(child)]
            objets = [o for o in objets if o is not None]
            if many:
                kwargs[attribut] = tuple(objets)
            elif objets:
                kwargs[attribut] = objets[0]
        if extra:
            kwargs.update(extra)
        try:
            return cls(**kwargs)
        except TypeError:
            return None  # a mandatory rubrique was missing or wrong: already reported

    # -- the declaration -------------------------------------------------------

    def declaration(self, s10: _Bloc, s20: _Bloc) -> Declaration | None:
        errors = self.errors
        envoi = self.objet(s10)
        emetteur_bloc = next(iter(s10.children("S10.G00.01")), None)
        contact_bloc = next(iter(s10.children("S10.G00.02")), None)
        emetteur = self.objet(emetteur_bloc) if emetteur_bloc else None
        contact = self.objet(contact_bloc) if contact_bloc else None
        if envoi is not None and envoi.norme is not None and not NORME_VERSION_RE.fullmatch(envoi.norme):
            r = s10.rubriques["006"]
            errors.at(r, f"version de norme « {envoi.norme} » invalide : attendu la forme P26V01")
        if emetteur is not None and emetteur.siren:
            self._siren_siret(emetteur_bloc, "001", "002", "de l'émetteur")  # type: ignore[arg-type]

        head = {c.attribut: self.valeur(s20, c) for c in FIELDS["S20.G00.05"]}
        self.mois = head["mois"]
        nature, type_ = head["nature"], head["type"]
        if nature is not None and nature != NATURE_MENSUELLE:
            errors.at(
                s20.rubriques["001"],
                f"nature « {nature} » ({NATURES[nature]}) : seule la DSN mensuelle (nature 01) est reçue ici",
            )
        if head["date_fichier"] is not None and self.mois is not None and head["date_fichier"] < self.mois:
            errors.at(
                s20.rubriques["007"],
                "la date de constitution du fichier précède le mois principal déclaré",
            )
        if head["identifiant_remplace"] is not None and type_ not in (None, "03", "04"):
            errors.at(
                s20.rubriques["006"],
                "l'identifiant de la déclaration annulée ou remplacée n'est admis que pour les types 03 et 04",
            )

        entreprise_bloc = next(iter(s20.children("S21.G00.06")), None)
        etablissement_bloc = next(iter(entreprise_bloc.children("S21.G00.11")), None) if entreprise_bloc else None
        entreprise = self.objet(entreprise_bloc) if entreprise_bloc else None
        etablissement = None
        siren = entreprise.siren if entreprise else None
        if entreprise_bloc is not None and siren:
            self._siren_siret(entreprise_bloc, "001", "002", "du siège de l'entreprise")
        if etablissement_bloc is not None:
            nic = etablissement_bloc.rubriques.get("001")
            siret = ""
            if nic is not None and siren and self._siret_ok(siren, nic, "de l'établissement", check_siren=False):
                siret = siren + nic.valeur
            etablissement = self.objet(etablissement_bloc, extra={"siret": siret})
            if entreprise is not None and entreprise.apen:
                self._naf(entreprise_bloc.rubriques["003"])  # type: ignore[union-attr]
            if etablissement is not None and etablissement.apet:
                self._naf(etablissement_bloc.rubriques["002"])

        salaries: list[Salarie] = []
        versements_ops: list[VersementOrganisme] = []
        bordereaux: list[Bordereau] = []
        individus: list[_Bloc] = []
        if etablissement_bloc is not None:
            individus = etablissement_bloc.children("S21.G00.30")
            seen_nir: set[str] = set()
            for individu in individus:
                salarie = self._salarie(individu, seen_nir)
                if salarie is not None:
                    salaries.append(salarie)
            versements_ops = [o for o in map(self.objet, etablissement_bloc.children("S21.G00.20")) if o]
            bordereaux = [o for o in map(self.objet, etablissement_bloc.children("S21.G00.22")) if o]

        if type_ is not None:
            if type_ in TYPES_NEANT and individus:
                errors.at(
                    individus[0].rubriques[next(iter(individus[0].rubriques))],
                    f"une déclaration de type {type_} ({TYPES[type_]}) ne doit déclarer aucun individu",
                )
            if type_ in ("01", "03") and etablissement_bloc is not None and not individus:
                errors.at(
                    s20.rubriques["002"],
                    f"une déclaration de type {type_} ({TYPES[type_]}) doit déclarer au moins un individu "
                    "(S21.G00.30) ; sans salarié, utilisez le type 02 ou 05 (néant)",
                )

        if errors.erreurs:
            return None
        try:
            return Declaration(
                envoi=envoi,
                emetteur=emetteur if emetteur is not None else Emetteur(),
                contact=contact if contact is not None else Contact(),
                entreprise=entreprise,
                etablissement=etablissement,
                salaries=tuple(salaries),
                versements_organismes=tuple(versements_ops),
                bordereaux=tuple(bordereaux),
                **{k: v for k, v in head.items() if v is not None},
            )
        except TypeError:  # pragma: no cover - every missing part was reported above
            return None

    def _naf(self, r: _Rubrique) -> None:
        try:
            validate_naf(r.valeur, r.code)
        except InvalidField as error:
            self.errors.at(r, error.message)

    def _siren_siret(self, bloc: _Bloc, siren_num: str, nic_num: str, what: str) -> None:
        siren = bloc.rubriques.get(siren_num)
        if siren is None:
            return
        try:
            validate_siren(siren.valeur, siren.code)
        except InvalidField as error:
            self.errors.at(siren, error.message)
            return
        nic = bloc.rubriques.get(nic_num)
        if nic is not None:
            self._siret_ok(siren.valeur, nic, what, check_siren=False)

    def _siret_ok(self, siren: str, nic: _Rubrique, what: str, *, check_siren: bool) -> bool:
        if not re.fullmatch(r"[0-9]{9}", siren) or not re.fullmatch(r"[0-9]{5}", nic.valeur):
            if not re.fullmatch(r"[0-9]{5}", nic.valeur):
                self.errors.at(nic, "le NIC doit comporter 5 chiffres")
            return False
        try:
            validate_siret(siren + nic.valeur, nic.code)
        except InvalidField:
            self.errors.at(nic, f"la clé de contrôle du SIRET {what} (SIREN + NIC) est incorrecte")
            return False
        return True

    def _salarie(self, individu: _Bloc, seen_nir: set[str]) -> Salarie | None:
        errors = self.errors
        nir_r = individu.rubriques.get("001")
        salarie = self.objet(individu)
        if nir_r is None and "020" not in individu.rubriques:
            errors.add(
                f"{individu.where()} doit porter le NIR (S21.G00.30.001) ou, à défaut, un numéro technique "
                "temporaire (S21.G00.30.020)",
                ligne=individu.ligne,
                chemin=individu.chemin,
                rubrique="S21.G00.30.001",
            )
        if salarie is not None and salarie.nir is not None:
            if salarie.nir in seen_nir:
                errors.at(nir_r, "ce NIR est déjà déclaré pour un autre individu de la déclaration")  # type: ignore[arg-type]
            seen_nir.add(salarie.nir)
        # contracts: unique numbers, start within or before the month
        numeros: dict[str, _Bloc] = {}
        for contrat in individu.children("S21.G00.40"):
            numero = contrat.rubriques.get("009")
            if numero is not None:
                if numero.valeur in numeros:
                    errors.at(numero, f"le numéro de contrat « {numero.valeur} » est déjà utilisé pour cet individu")
                numeros[numero.valeur] = contrat
            debut = contrat.rubriques.get("001")
            debut_date = _parse_jjmmaaaa(debut.valeur) if debut else None
            if debut_date is not None and self.mois is not None and debut_date > _last_day(self.mois):
                errors.at(debut, "la date de début du contrat est postérieure au dernier jour du mois principal déclaré")  # type: ignore[arg-type]
            for fin in contrat.children("S21.G00.62"):
                fin_r = fin.rubriques.get("001")
                fin_date = _parse_jjmmaaaa(fin_r.valeur) if fin_r else None
                if fin_date is not None and debut_date is not None and fin_date < debut_date:
                    errors.at(fin_r, "la date de fin du contrat précède sa date de début")  # type: ignore[arg-type]
        # rémunérations: contract number, gross salary not negative
        for versement in individu.children("S21.G00.50"):
            for remuneration in versement.children("S21.G00.51"):
                numero = remuneration.rubriques.get("010")
                if numero is not None and numero.valeur not in numeros:
                    errors.at(
                        numero,
                        f"la rémunération porte le numéro de contrat « {numero.valeur} », "
                        "qui n'est aucun des contrats de l'individu",
                    )
                elif numero is None and len(numeros) > 1:
                    errors.add(
                        f"{remuneration.where()} doit indiquer son numéro de contrat (S21.G00.51.010) : "
                        "l'individu a plusieurs contrats",
                        ligne=remuneration.ligne,
                        chemin=remuneration.chemin,
                        rubrique="S21.G00.51.010",
                    )
                type_r = remuneration.rubriques.get("011")
                montant = remuneration.rubriques.get("013")
                if (
                    type_r is not None
                    and type_r.valeur == REMUNERATION_BRUTE
                    and montant is not None
                    and montant.valeur.startswith("-")
                ):
                    errors.at(montant, "la rémunération brute non plafonnée (type 001) ne peut pas être négative")
                debut, fin = remuneration.rubriques.get("001"), remuneration.rubriques.get("002")
                d1 = _parse_jjmmaaaa(debut.valeur) if debut else None
                d2 = _parse_jjmmaaaa(fin.valeur) if fin else None
                if d1 and d2 and d2 < d1:
                    errors.at(fin, "la date de fin de période de paie précède la date de début")  # type: ignore[arg-type]
            for base in versement.children("S21.G00.78"):
                numero = base.rubriques.get("006")
                if numero is not None and numero.valeur not in numeros:
                    errors.at(
                        numero,
                        f"la base assujettie porte le numéro de contrat « {numero.valeur} », "
                        "qui n'est aucun des contrats de l'individu",
                    )
        return salarie


# ==========================================================================
# Entry points: text


def _interpret(roots: list[_Bloc], errors: _Collecteur, *, envoi_text: bool, total: int) -> list[Declaration]:
    s10s = [b for b in roots if b.id == "S10.G00.00"]
    s90s = [b for b in roots if b.id == "S90.G00.90"]
    if not s10s:
        errors.add("l'envoi doit commencer par le bloc S10.G00.00 (Envoi)", ligne=1 if envoi_text else None)
    elif len(s10s) > 1:
        errors.add("un fichier ne peut contenir qu'un envoi (un seul bloc S10.G00.00)", ligne=s10s[1].ligne)
    for root in roots:
        _check_bounds(root, errors)
    declarations_blocs = [d for s10 in s10s[:1] for d in s10.children("S20.G00.05")]
    if envoi_text:
        if not s90s:
            errors.add("le bloc S90.G00.90 (Total de l'envoi) manque à la fin du fichier")
        else:
            s90 = s90s[-1]
            if roots[-1] is not s90:
                errors.add("le bloc S90.G00.90 (Total de l'envoi) doit terminer le fichier", ligne=s90.ligne)
            nb = s90.rubriques.get("001")
            if nb is None:
                errors.add("la rubrique S90.G00.90.001 (nombre total de rubriques) est obligatoire",
                           ligne=s90.ligne, rubrique="S90.G00.90.001")  # fmt: skip
            elif re.fullmatch(r"[0-9]+", nb.valeur) and int(nb.valeur) != total:
                errors.at(
                    nb, f"le nombre total de rubriques déclaré ({int(nb.valeur)}) ne correspond pas au fichier ({total})"
                )
            nd = s90.rubriques.get("002")
            if nd is None:
                errors.add("la rubrique S90.G00.90.002 (nombre de DSN) est obligatoire",
                           ligne=s90.ligne, rubrique="S90.G00.90.002")  # fmt: skip
            elif re.fullmatch(r"[0-9]+", nd.valeur) and int(nd.valeur) != len(declarations_blocs):
                errors.at(
                    nd,
                    f"le nombre de DSN déclaré ({int(nd.valeur)}) ne correspond pas au fichier "
                    f"({len(declarations_blocs)})",
                )
    result: list[Declaration] = []
    if not s10s:
        errors.raise_if_any()
    lecteur = _Lecteur(errors)
    for s20 in declarations_blocs:
        declaration = lecteur.declaration(s10s[0], s20)
        if declaration is not None:
            result.append(declaration)
    # envoi néant iff every declaration is néant (control S10.G00.00.008/CCH-11)
    type_envoi = s10s[0].rubriques.get("008")
    if type_envoi is not None and declarations_blocs:
        types = {d.rubriques["002"].valeur for d in declarations_blocs if "002" in d.rubriques}
        all_neant = bool(types) and types <= TYPES_NEANT
        if type_envoi.valeur == "02" and not all_neant:
            errors.at(type_envoi, "un envoi néant (02) ne peut contenir que des déclarations de type 02 ou 05")
        elif type_envoi.valeur == "01" and all_neant:
            errors.at(type_envoi, "un envoi dont toutes les déclarations sont néant (type 02 ou 05) doit être de type 02")
    errors.raise_if_any()
    return result


def parse_dsn_envoi(data: bytes | str) -> tuple[Declaration, ...]:
    """Read a DSN envoi in the text format: every declaration, or DsnError listing every problem."""
    errors = _Collecteur()
    rubriques, total = _lex(_decode(data), errors)
    if total == 0:
        errors.raise_if_any()
    roots = _build_tree(rubriques, errors)
    return tuple(_interpret(roots, errors, envoi_text=True, total=total))


def parse_dsn(data: bytes | str) -> Declaration:
    """Read one monthly DSN in the text format, or raise DsnError (all problems listed)."""
    declarations = parse_dsn_envoi(data)
    if len(declarations) != 1:
        raise DsnError(
            [DsnProbleme(f"l'envoi contient {len(declarations)} déclarations : lisez-le avec parse_dsn_envoi")]
        )
    return declarations[0]


# ==========================================================================
# Entry points: JSON


def _json_vers_texte(value: Any, champ: _Champ, chemin: str, errors: _Collecteur) -> str | None:
    """A JSON value -> the rubrique's DSN text, or None after reporting a problem."""
    conv = champ.conv
    if conv in ("date", "naissance"):
        if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            return f"{value[8:10]}{value[5:7]}{value[0:4]}"
        errors.add(f"{champ.libelle} : la date doit avoir la forme AAAA-MM-JJ", chemin=chemin)
        return None
    if conv == "mois":
        if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}", value):
            return f"01{value[5:7]}{value[0:4]}"
        errors.add(f"{champ.libelle} : le mois doit avoir la forme AAAA-MM", chemin=chemin)
        return None
    if conv == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str):
            return value
        errors.add(f"{champ.libelle} : un nombre entier est attendu", chemin=chemin)
        return None
    if isinstance(value, str):
        return value
    if conv in ("cents", "dec"):
        errors.add(f"{champ.libelle} : le nombre doit être écrit dans une chaîne, ex. \"1234.56\"", chemin=chemin)
    else:
        errors.add(f"{champ.libelle} : une chaîne de caractères est attendue", chemin=chemin)
    return None


def _json_bloc(obj: Any, bloc: str, chemin: str, out: list[_Rubrique], errors: _Collecteur) -> None:
    if not isinstance(obj, dict):
        errors.add(f"un objet JSON est attendu pour le bloc {_nomme(bloc)}", chemin=chemin)
        return
    champs = {c.cle: c for c in FIELDS[bloc]}
    enfants = {attribut: (child, many) for child, attribut, many in _ENFANTS.get(bloc, ())}
    for key in obj:
        if key not in champs and key not in enfants:
            errors.add(f"champ inconnu « {key} » dans le bloc {_nomme(bloc)}", chemin=f"{chemin}.{key}")
    start = len(out)
    for champ in FIELDS[bloc]:
        value = obj.get(champ.cle)
        if value is None:
            continue
        path = f"{chemin}.{champ.cle}"
        text = _json_vers_texte(value, champ, path, errors)
        if text is not None:
            out.append(_Rubrique(bloc, champ.numero, text, chemin=path, debut=len(out) == start))
    if len(out) == start:
        # a block with no rubrique at all: carry its path so that missing rubriques are reported there
        out.append(_Rubrique(bloc, "", "", chemin=chemin + ".x"))
    for child, attribut, many in _ENFANTS.get(bloc, ()):
        value = obj.get(attribut)
        if value is None:
            continue
        path = f"{chemin}.{attribut}"
        if many:
            if not isinstance(value, list):
                errors.add("une liste JSON est attendue", chemin=path)
                continue
            for index, item in enumerate(value):
                _json_bloc(item, child, f"{path}[{index}]", out, errors)
        else:
            _json_bloc(value, child, path, out, errors)


def _json_tree(rubriques: list[_Rubrique], errors: _Collecteur) -> list[_Bloc]:
    """The JSON's nesting is explicit, but going through the text tree keeps one set of rules."""
    real = [r for r in rubriques if r.numero]
    roots = _build_tree(real, errors)
    # blocks given as empty objects: report their missing mandatory rubriques at their path
    for r in rubriques:
        if not r.numero:
            for champ in FIELDS.get(r.bloc, ()):
                if champ.obligatoire:
                    errors.add(
                        f"la rubrique {r.bloc}.{champ.numero} ({champ.libelle}) est obligatoire",
                        chemin=r.chemin,
                        rubrique=f"{r.bloc}.{champ.numero}",
                    )
    return roots


def parse_dsn_json(data: str | bytes | Mapping[str, Any]) -> Declaration:
    """Read one declaration in secu's JSON schema (module docstring), or raise DsnError with JSON paths."""
    errors = _Collecteur()
    if isinstance(data, (str, bytes, bytearray)):
        try:
            obj = json.loads(data)
        except (ValueError, RecursionError) as error:
            raise DsnError([DsnProbleme(f"le document n'est pas un JSON valide ({error})", chemin="$")]) from None
    else:
        obj = data
    if not isinstance(obj, Mapping):
        raise DsnError([DsnProbleme("un objet JSON est attendu", chemin="$")])
    known = {"format"} | {k for k, _b, _m in _RACINE_JSON}
    for key in obj:
        if key not in known:
            errors.add(f"champ inconnu « {key} »", chemin=f"$.{key}")
    if obj.get("format", JSON_FORMAT) != JSON_FORMAT:
        errors.add(f"format « {obj.get('format')} » inconnu : attendu « {JSON_FORMAT} »", chemin="$.format")
    rubriques: list[_Rubrique] = []
    for key, bloc, many in _RACINE_JSON:
        value = obj.get(key)
        path = f"$.{key}"
        if value is None:
            if not many:
                value = {}
            else:
                continue
        if many:
            if not isinstance(value, list):
                errors.add("une liste JSON est attendue", chemin=path)
                continue
            for index, item in enumerate(value):
                _json_bloc(item, bloc, f"{path}[{index}]", rubriques, errors)
        else:
            _json_bloc(value, bloc, path, rubriques, errors)
    roots = _json_tree(rubriques, errors)
    declarations = _interpret(roots, errors, envoi_text=False, total=0)
    if len(declarations) != 1:  # pragma: no cover - the JSON carries exactly one declaration
        raise DsnError([DsnProbleme("le document doit contenir une déclaration", chemin="$.declaration")])
    return declarations[0]


# ==========================================================================
# Writing back


def _texte(value: Any, champ: _Champ) -> str:
    if champ.conv in ("date", "naissance"):
        return value.strftime("%d%m%Y")
    if champ.conv == "mois":
        return value.strftime("01%m%Y")
    if champ.conv == "cents":
        sign = "-" if value < 0 else ""
        euros, cents = divmod(abs(value), 100)
        return f"{sign}{euros}.{cents:02d}"
    if champ.conv == "nir":
        return value[:13]
    return str(value)


def _json_value(value: Any, champ: _Champ) -> Any:
    if champ.conv in ("date", "naissance"):
        return value.isoformat()
    if champ.conv == "mois":
        return value.strftime("%Y-%m")
    if champ.conv == "cents":
        return _texte(value, champ)
    if champ.conv == "dec":
        return str(value)
    return value


def _lines_of(obj: Any, bloc: str, out: list[str]) -> None:
    for champ in FIELDS[bloc]:
        value = getattr(obj, champ.attribut)
        if value is not None:
            out.append(f"{bloc}.{champ.numero},'{_texte(value, champ).replace(chr(39), chr(39) * 2)}'")
    for child, attribut, many in _ENFANTS.get(bloc, ()):
        value = getattr(obj, attribut)
        for item in value if many else ([value] if value is not None else []):
            _lines_of(item, child, out)


def to_dsn_text(declaration: Declaration, *, newline: str = "\r\n") -> str:
    """Write a declaration in the DSN text format (its own envoi, S90 totals computed)."""
    out: list[str] = []
    _lines_of(declaration.envoi, "S10.G00.00", out)
    _lines_of(declaration.emetteur, "S10.G00.01", out)
    _lines_of(declaration.contact, "S10.G00.02", out)
    _lines_of(declaration, "S20.G00.05", out)
    _lines_of(declaration.entreprise, "S21.G00.06", out)
    _lines_of(declaration.etablissement, "S21.G00.11", out)
    for item in declaration.versements_organismes:
        _lines_of(item, "S21.G00.20", out)
    for item in declaration.bordereaux:
        _lines_of(item, "S21.G00.22", out)
    for item in declaration.salaries:
        _lines_of(item, "S21.G00.30", out)
    out.append(f"S90.G00.90.001,'{len(out) + 2}'")
    out.append("S90.G00.90.002,'1'")
    return newline.join(out) + newline


def _json_of(obj: Any, bloc: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for champ in FIELDS[bloc]:
        value = getattr(obj, champ.attribut)
        if value is not None:
            result[champ.cle] = _json_value(value, champ)
    for child, attribut, many in _ENFANTS.get(bloc, ()):
        value = getattr(obj, attribut)
        if many:
            if value:
                result[attribut] = [_json_of(item, child) for item in value]
        elif value is not None:
            result[attribut] = _json_of(value, child)
    return result


def to_dsn_json(declaration: Declaration) -> dict[str, Any]:
    """The declaration in secu's JSON schema (``json.dumps`` it as is)."""
    result: dict[str, Any] = {"format": JSON_FORMAT}
    sources = {
        "envoi": declaration.envoi,
        "emetteur": declaration.emetteur,
        "contact": declaration.contact,
        "declaration": declaration,
        "entreprise": declaration.entreprise,
        "etablissement": declaration.etablissement,
    }
    for key, bloc, many in _RACINE_JSON:
        if many:
            items = getattr(declaration, key)
            if items:
                result[key] = [_json_of(item, bloc) for item in items]
        else:
            result[key] = _json_of(sources[key], bloc)
    return result


# ==========================================================================
# Payslips

PAYSLIP_SCHEMA: dict[str, pl.DataType] = {
    "salarie": pl.Utf8(),
    "nir": pl.Utf8(),
    "siret": pl.Utf8(),
    "mois": pl.Date(),
    "brut_cents": pl.Int64(),
    "heures": pl.Decimal(12, 2),
    "heures_contrat": pl.Decimal(12, 2),
    "cadre": pl.Boolean(),
    "taux_atmp": pl.Decimal(10, 4),
    "effectif": pl.Int64(),
    "date_entree": pl.Date(),
    "date_sortie": pl.Date(),
    "numero_contrat": pl.Utf8(),
    "bulletin": pl.Utf8(),
    "prevoyance_patronale_cents": pl.Int64(),
}
"""The columns of payslips(), in order (see the module docstring for their source)."""

_ORDRE_BASES_PREVOYANCE = ("03", "04")


def _belongs(numero: str | None, contrat: Contrat, single: bool) -> bool:
    return numero == contrat.numero or (numero is None and single)


def _heures(salarie: Salarie, contrat: Contrat, single: bool) -> Decimal | None:
    remunerations = [
        rem
        for versement in salarie.versements
        for rem in versement.remunerations
        if _belongs(rem.numero_contrat, contrat, single)
    ]
    activites = [
        activite.mesure
        for rem in remunerations
        if rem.type == SALAIRE_BRUT_CHOMAGE
        for activite in rem.activites
        if activite.type == "01"
        and (activite.unite == "10" or (activite.unite is None and contrat.unite_quotite in UNITES_EN_HEURES))
    ]
    if activites:
        return sum(activites, Decimal(0))
    for type_ in (SALAIRE_BRUT_CHOMAGE, REMUNERATION_BRUTE):
        heures = [rem.heures for rem in remunerations if rem.type == type_ and rem.heures is not None]
        if heures:
            return sum(heures, Decimal(0))
    return None


def _prevoyance(salarie: Salarie, contrat: Contrat, single: bool) -> int:
    by_base: dict[str, int] = {}
    for versement in salarie.versements:
        for base in versement.bases:
            if not _belongs(base.numero_contrat, contrat, single):
                continue
            for composant in base.composants:
                if composant.type == COMPOSANT_PREVOYANCE_PATRONALE:
                    by_base[base.code] = by_base.get(base.code, 0) + composant.montant_cents
    for code in _ORDRE_BASES_PREVOYANCE:
        if code in by_base:
            return by_base[code]
    return next(iter(by_base.values()), 0)


def payslips(dsn: Declaration) -> pl.DataFrame:
    """One row per individual and contract of the declared month (columns: PAYSLIP_SCHEMA)."""
    mois = dsn.mois
    fin_mois = _last_day(mois)
    effectif = dsn.etablissement.effectif
    if effectif is None:
        effectif = dsn.entreprise.effectif_moyen
    rows: dict[str, list[Any]] = {name: [] for name in PAYSLIP_SCHEMA}
    for salarie in dsn.salaries:
        single = len(salarie.contrats) == 1
        for contrat in salarie.contrats:
            brut = sum(
                rem.montant_cents
                for versement in salarie.versements
                for rem in versement.remunerations
                if rem.type == REMUNERATION_BRUTE and _belongs(rem.numero_contrat, contrat, single)
            )
            sortie = contrat.fin.date_fin if contrat.fin is not None else None
            rows["salarie"].append(salarie.identifiant)
            rows["nir"].append(salarie.nir)
            rows["siret"].append(dsn.siret)
            rows["mois"].append(mois)
            rows["brut_cents"].append(brut)
            rows["heures"].append(_heures(salarie, contrat, single))
            rows["heures_contrat"].append(contrat.quotite if contrat.unite_quotite in UNITES_EN_HEURES else None)
            rows["cadre"].append(contrat.cadre)
            rows["taux_atmp"].append(contrat.taux_at / 100 if contrat.taux_at is not None else None)
            rows["effectif"].append(effectif)
            rows["date_entree"].append(contrat.date_debut if mois <= contrat.date_debut <= fin_mois else None)
            rows["date_sortie"].append(sortie if sortie is not None and mois <= sortie <= fin_mois else None)
            rows["numero_contrat"].append(contrat.numero)
            rows["bulletin"].append(f"{dsn.siret}|{mois:%Y-%m}|{salarie.identifiant}|{contrat.numero}")
            rows["prevoyance_patronale_cents"].append(_prevoyance(salarie, contrat, single))
    return pl.DataFrame(rows, schema=PAYSLIP_SCHEMA)


__all__ = [
    "Activite", "AutreRevenu", "BaseAssujettie", "Bordereau", "Composant", "Contact", "Contrat",
    "CotisationAgregee", "CotisationIndividuelle", "Declaration", "DsnError", "DsnProbleme", "Emetteur",
    "Entreprise", "Envoi", "Etablissement", "FIELDS", "FinContrat", "MAX_ERREURS", "PAYSLIP_SCHEMA",
    "Remuneration", "Salarie", "Versement", "VersementOrganisme", "identity", "is_replacement",
    "parse_dsn", "parse_dsn_envoi", "parse_dsn_json", "payslips", "to_dsn_json", "to_dsn_text",
]  # fmt: skip
