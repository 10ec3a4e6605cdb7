"""DSN mensuelle intake: read, check and explain a déclaration sociale nominative.

The package, in the order a declaration goes through it: :mod:`.table` (the
norm's blocks and rubriques, as data) and :mod:`.norme` (that table parsed);
:mod:`.codes` (the code lists secu reads); :mod:`.lecture` (the text decoded,
its lines as rubriques, its blocks as a tree); :mod:`.controles` (each
rubrique's format, each block's bounds); :mod:`.interpretation` (the rules of
the norm, from the tree to the :mod:`.modele` dataclasses, with
:mod:`.champs`, the field table); :mod:`.format_json` (the JSON twin);
:mod:`.ecriture` (writing back); :mod:`.bulletins` (the payslip frame for the
contribution rules); :mod:`.erreurs` (what is wrong, line by line). Callers
import from the package: ``from secu.recouvrement import dsn``.

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
(table ``dsn.table.BLOCS``), and a rubrique whose number is not greater than
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
* the nature is 01 (DSN mensuelle; signalements are refused here: the
  signalements d'arrêt de travail, 04, and de reprise, 05, have their own
  reader, see "Signalements" below), a type
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

Signalements d'arrêt de travail (04) et de reprise (05)
========================================================

:mod:`.arret` reads them with the same lexer, tree and checks, plus their
own head (nature 04/05, fraction 11, type 01) and the block S21.G00.60
« Arrêt de travail » (motif, dernier jour travaillé, fin prévisionnelle,
subrogation with its dates, IBAN and BIC, reprise and its motif, date of the
accident), each control quoted there with its workbook name;
:mod:`.signalement` turns each arrêt into a
``secu.especes.schemas.AttestationSalaire`` (``lire_signalement``) and
deposits them (``deposer_signalement``, used by ``POST
/api/recouvrement/dsn/signalements`` and ``secu signalement --deposer``);
``ecriture.signalement_text`` writes one (tests, ``secu.demo.dsn``). Text
format only. They are not exported here: :mod:`.signalement` needs the
database and the register.

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
  data type (``dsn.table.BLOCS``); the code lists of ``NATURES``, ``TYPES``,
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
``dsn.table``; a third-party P25 validator claims S21.G00.06.009 and
S21.G00.11.008 were removed — we still accept them); the escaping of a
quote inside a value (we accept doubled and lone quotes); remuneration type
033 (listed by a third-party P25 table, label unknown, accepted); that
S21.G00.40.013 is per month for unit 21; on which base code the prévoyance
component 04 is attached (hence the preference order above); the due dates
(5th/15th) are not checked here.
"""

from __future__ import annotations

from secu.recouvrement.dsn.bulletins import PAYSLIP_SCHEMA, payslips
from secu.recouvrement.dsn.champs import FIELDS, JSON_FORMAT
from secu.recouvrement.dsn.codes import (
    COMPOSANT_PREVOYANCE_PATRONALE,
    MAX_ERREURS,
    MODALITES_TEMPS,
    NATURE_MENSUELLE,
    NATURES,
    NATURES_CONTRAT,
    NORME_VERSION_RE,
    REMUNERATION_BRUTE,
    SALAIRE_BRUT_CHOMAGE,
    SEXES,
    STATUTS_CATEGORIELS_RC,
    STATUTS_CONVENTIONNELS,
    TYPES,
    TYPES_ACTIVITE,
    TYPES_ENVOI,
    TYPES_NEANT,
    TYPES_REMPLACEMENT,
    TYPES_REMUNERATION,
    UNITES_ACTIVITE,
    UNITES_EN_HEURES,
    UNITES_QUOTITE,
)
from secu.recouvrement.dsn.ecriture import to_dsn_json, to_dsn_text
from secu.recouvrement.dsn.erreurs import DsnError, DsnProbleme
from secu.recouvrement.dsn.format_json import parse_dsn_json
from secu.recouvrement.dsn.interpretation import parse_dsn, parse_dsn_envoi
from secu.recouvrement.dsn.modele import (
    Activite,
    AutreRevenu,
    BaseAssujettie,
    Bordereau,
    Composant,
    Contact,
    Contrat,
    CotisationAgregee,
    CotisationIndividuelle,
    Declaration,
    Emetteur,
    Entreprise,
    Envoi,
    Etablissement,
    FinContrat,
    Remuneration,
    Salarie,
    Versement,
    VersementOrganisme,
    identity,
    is_replacement,
)

__all__ = [
    "Activite", "AutreRevenu", "BaseAssujettie", "Bordereau", "COMPOSANT_PREVOYANCE_PATRONALE", "Composant",
    "Contact", "Contrat", "CotisationAgregee", "CotisationIndividuelle", "Declaration", "DsnError",
    "DsnProbleme", "Emetteur", "Entreprise", "Envoi", "Etablissement", "FIELDS", "FinContrat", "JSON_FORMAT",
    "MAX_ERREURS", "MODALITES_TEMPS", "NATURES", "NATURES_CONTRAT", "NATURE_MENSUELLE", "NORME_VERSION_RE",
    "PAYSLIP_SCHEMA", "REMUNERATION_BRUTE", "Remuneration", "SALAIRE_BRUT_CHOMAGE", "SEXES",
    "STATUTS_CATEGORIELS_RC", "STATUTS_CONVENTIONNELS", "Salarie", "TYPES", "TYPES_ACTIVITE", "TYPES_ENVOI",
    "TYPES_NEANT", "TYPES_REMPLACEMENT", "TYPES_REMUNERATION", "UNITES_ACTIVITE", "UNITES_EN_HEURES",
    "UNITES_QUOTITE", "Versement", "VersementOrganisme", "identity", "is_replacement", "parse_dsn",
    "parse_dsn_envoi", "parse_dsn_json", "payslips", "to_dsn_json", "to_dsn_text",
]
