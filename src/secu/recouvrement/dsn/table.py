"""The DSN norm as data: blocks, their parent, their bounds, and each rubrique's format.

Source. Every entry of ``BLOCS`` was extracted (by a throw-away script, not
kept) from the official workbook ``dsn-datatypes-CT2024.xlsx``, norm
P24V01, revision 20231219 ("2024.1.0.6"), which net-entreprises.fr publishes
beside the cahier technique DSN (norme NEODeS, phase 3). We read the copy of
that workbook kept in the public repository krisk78/DSN2CSV. Its sheets
"Header" and "Blocks" give each block's parent and cardinality, "Fields" each
rubrique and its data type, "Data Types" the type's nature, pattern and
lengths.

Format of each entry::

    "S21.G00.40": (label, parent block or None, minimum, maximum or None, rubriques)

``rubriques`` lists, for each rubrique, its 3-digit number, its kind and
its minimum and maximum length in characters, e.g. ``001D8-8``:

* ``A``  alphanumeric, enumeration or external nomenclature (length only);
* ``D``  date JJMMAAAA;
* ``N``  whole number, digits only;
* ``M``  decimal number with a point and exactly two decimals ("1234.56");
* ``R``  decimal number with two or three decimals (rates of S21.G00.81.007);
* ``F``  number with at most two optional decimals;
* a trailing ``-`` (``M-``, ``N-``…) means the type allows a leading minus.

The kinds are our summary of the official patterns (for instance the
pattern of Montant_ZNS_4_11_2_N_Z, a signed amount with two decimals, is
kind ``M-``); the enumerations' code lists are not repeated here except for
the codes secu reads (see ``secu.recouvrement.dsn``).

Limits. P25V01 and P26V01 (cahiers techniques 2025 and 2026) were not
available to us as workbooks: a rubrique or block added by them is refused
as unknown until it is added here (one line). The S20.G00.05 parent
(S10.G00.00) is not in the workbook's "Blocks" sheet; DSN2CSV's
configuration adds it, as we do.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# fmt: off
_BLOCS: dict[str, tuple[str, str | None, int, int | None, str]] = {
    "S10.G00.00": ("Envoi", None, 1, 1, "001A1-20 002A1-20 003A1-10 004A1-50 005A2-2 006A6-6 007A2-2 008A2-2"),
    "S10.G00.01": ("Emetteur", 'S10.G00.00', 1, 1, "001A9-9 002A5-5 003A1-60 004A1-50 005A5-5 006A1-50 007A2-2 008A1-50 009A1-50 010A1-50"),
    "S10.G00.02": ("Contact Emetteur", 'S10.G00.00', 1, 1, "001A2-2 002A1-80 004A6-100 005A10-20 006A10-20"),
    "S20.G00.05": ("Déclaration", 'S10.G00.00', 1, None, "001A2-2 002A2-2 003N2-2 004N1-15 005D8-8 006A9-23 007D8-8 008A2-2 009A1-15 010A2-2 011A2-2 012A14-14 013A2-2"),
    "S20.G00.07": ("Contact chez le déclaré", 'S20.G00.05', 0, None, "001A1-80 002A10-20 003A6-100 004A2-2"),
    "S20.G00.08": ("Identifiant de l’organisme destinataire de la déclaration « Absence de rattachement pour le mois principal déclaré »", 'S20.G00.05', 0, None, "001A2-6"),
    "S21.G00.06": ("Entreprise", 'S20.G00.05', 1, 1, "001A9-9 002A5-5 003A5-5 004A1-50 005A5-5 006A1-50 007A1-50 008A1-50 009N1-7 010A2-2 011A1-50 012A2-2 015A4-4"),
    "S21.G00.11": ("Etablissement", 'S21.G00.06', 1, 1, "001A5-5 002A5-5 003A1-50 004A5-5 005A1-50 006A1-50 007A1-50 008N1-6 009A2-2 015A2-2 016A1-50 017A2-2 019D8-8 020D8-8 022A4-4 023A2-2 024A2-2"),
    "S21.G00.12": ("Coordonnées bancaires spécifiques", 'S21.G00.11', 0, None, "001A2-2 002A8-11 003A15-34"),
    "S21.G00.13": ("Complément OETH", 'S21.G00.06', 0, None, "001A12-12 002A2-2 003M4-8 004N4-4"),
    "S21.G00.15": ("Adhésion Prévoyance", 'S21.G00.11', 0, None, "001A1-30 002A5-9 003A6-6 004A2-2 005A1-3"),
    "S21.G00.16": ("Changements destinataire Adhésion Prévoyance", 'S21.G00.15', 0, None, "001D8-8 002A5-9 003A6-6"),
    "S21.G00.20": ("Versement organisme de protection sociale", 'S21.G00.11', 0, None, "001A2-14 002A2-14 003A8-11 004A15-34 005M4-18 006D8-8 007D8-8 008A6-6 010A2-2 011D8-8 012A14-14 013A1-18 014A1-40"),
    "S21.G00.22": ("Bordereau de cotisation due", 'S21.G00.11', 0, None, "001A5-14 002A2-14 003D8-8 004D8-8 005M-4-18 006A1-18"),
    "S21.G00.23": ("Cotisation agrégée", 'S21.G00.22', 0, None, "001A3-3 002A3-3 003M4-6 004M-4-18 005M-4-18 006A5-5 007A1-18"),
    "S21.G00.30": ("Individu", 'S21.G00.11', 0, None, "001A13-13 002A1-80 003A1-80 004A1-80 005A2-2 006A8-8 007A1-30 008A1-50 009A5-5 010A1-50 011A2-2 012A1-50 013A2-2 014A2-2 015A2-2 016A1-50 017A1-50 018A6-100 019A1-30 020A11-40 022A2-2 023A2-2 024A2-2 025A2-2 029A1-30"),
    "S21.G00.31": ("Changements Individu", 'S21.G00.30', 0, None, "001D8-8 008A13-13 009A1-80 010A1-80 011A8-8"),
    "S21.G00.34": ("Compte Professionnel de Prévention (Ex-Pénibilité)", 'S21.G00.30', 0, None, "001A2-2 002A5-20 003N4-4"),
    "S21.G00.40": ("Contrat (contrat de travail, convention, mandat)", 'S21.G00.30', 1, None, "001D8-8 002A2-2 003A2-2 004A4-4 005A2-6 006A1-120 007A2-2 008A2-2 009A5-20 010D8-8 011A2-2 012M4-7 013M4-7 014A2-2 016A2-2 017A4-4 018A3-3 019A2-14 020A3-3 021A2-2 022A2-20 023M4-6 024A2-2 025A2-2 026A2-2 027A6-6 028A1-20 029A2-2 030D8-8 031D8-8 032D8-8 033A4-10 035A3-3 036A2-2 037A2-2 039A3-3 040A5-6 041A1-100 042A2-2 043M4-6 044A2-2 045A2-2 046A2-14 048A1-100 049A1-100 050A12-12 051A2-2 052A4-4 053A2-2 054M4-5 055M5-5 056A2-2 057A2-4 058N3-4 059F1-6 060A2-4 061A2-4 062A2-2 063A2-4 064A2-4 065A2-4 066A2-2 067A2-2 068M4-6 069A2-3 070A2-2 071A1-8 072A2-2 073A2-2 074A2-2 075N2-2 076A5-20 077A2-2 078A2-2 079A1-5 080N1-3 081A9-9"),
    "S21.G00.41": ("Changements Contrat", 'S21.G00.40', 0, None, "001D8-8 002A2-2 003A2-2 004A2-2 005A2-2 006A2-2 007M4-7 008A2-2 010A2-2 011A4-4 012A14-14 013A2-14 014A5-20 016A2-2 017M4-6 018A2-2 019A4-4 020A2-6 021D8-8 022M4-7 023A2-20 024A5-6 025A2-2 027A2-2 028D8-8 029A4-4 030A2-2 031M4-5 032M4-5 033A2-2 034A2-4 035N3-4 036F1-6 037A2-4 038A2-4 039A2-2 040A2-4 041A2-4 042A2-4 043M4-6 044A2-3 045A2-2 046A1-8 047A2-2 048A2-2 049A2-2 050A2-2 051N2-2 052A3-3 053A3-3 054A5-20 055A2-2 056A2-2 057A2-2 058A1-100 059A3-3 060A2-2 061A2-2 062A2-2 063A1-5 064N1-3 065A9-9"),
    "S21.G00.44": ("Assujettissement fiscal", 'S21.G00.11', 0, None, "001A3-3 002M-4-16 003N4-4 004A3-3"),
    "S21.G00.45": ("Données précédemment déclarées", 'S21.G00.40', 0, 1, "001A14-14 002A5-20"),
    "S21.G00.50": ("Versement individu", 'S21.G00.30', 1, None, "001D8-8 002M-4-12 003N2-2 004M-4-12 006M4-5 007A2-2 008N-1-18 009M4-12 011M-4-12 012M-4-12 013M4-12 020A2-2"),
    "S21.G00.51": ("Rémunération", 'S21.G00.50', 1, None, "001D8-8 002D8-8 010A5-20 011A3-3 012M-4-7 013M-4-11 014M4-6 015M4-5 016M4-5 019M4-6 020M4-5"),
    "S21.G00.52": ("Prime, gratification et indemnité", 'S21.G00.50', 0, None, "001A3-3 002M-4-12 003D8-8 004D8-8 006A5-20 007D8-8"),
    "S21.G00.53": ("Activité", 'S21.G00.51', 0, None, "001A2-2 002M-4-8 003A2-2"),
    "S21.G00.54": ("Autre élément de revenu brut", 'S21.G00.50', 0, None, "001A2-2 002M-4-14 003D8-8 004D8-8"),
    "S21.G00.55": ("Composant de versement", 'S21.G00.20', 0, None, "001M-4-18 002A1-30 003A1-30 004A7-7 005A1-18"),
    "S21.G00.56": ("Régularisation de prélèvement à la source", 'S21.G00.50', 0, None, "001A6-6 002A2-2 003M-4-12 004M-4-12 005M-4-6 006M4-5 007M-4-12 008M-4-12 009M-4-12 010M-4-12 015M4-12"),
    "S21.G00.58": ("Elément de revenu calculé en net", 'S21.G00.50', 0, None, "001D8-8 002D8-8 003A2-2 004M-4-12"),
    "S21.G00.60": ("Arrêt de travail", 'S21.G00.40', 0, None, "001A2-2 002D8-8 003D8-8 004A2-2 005D8-8 006D8-8 007A15-34 008A8-11 010D8-8 011A2-2 012D8-8 600A14-14"),
    "S21.G00.62": ("Fin du contrat", 'S21.G00.40', 0, 1, "001D8-8 002A3-3 003D8-8 004D8-8 005D8-8 006D8-8 008A2-2 011M4-4 013M4-12 014A2-2 016A2-2 017A2-2 018M4-5 019M4-6 020D8-8"),
    "S21.G00.63": ("Préavis de fin de contrat", 'S21.G00.62', 1, None, "001A2-2 002D8-8 003D8-8"),
    "S21.G00.65": ("Autre suspension de l'exécution du contrat", 'S21.G00.40', 0, None, "001A3-3 002D8-8 003D8-8 004A3-3 005M4-5"),
    "S21.G00.66": ("Temps partiel Thérapeutique", 'S21.G00.60', 0, None, "001D8-8 002D8-8 003M-4-12"),
    "S21.G00.70": ("Affiliation Prévoyance", 'S21.G00.40', 0, None, "004A1-30 005A1-30 007N1-2 008N1-2 009N1-2 010N1-2 011N1-2 012A1-3 013A1-3 014D8-8 015D8-8"),
    "S21.G00.71": ("Retraite complémentaire", 'S21.G00.40', 1, None, "002A4-8 003A8-8"),
    "S21.G00.72": ("Affiliation à tort à un régime de retraite complémentaire", 'S21.G00.71', 0, None, "001A4-8 002A8-8"),
    "S21.G00.73": ("Ayant-droit", 'S21.G00.70', 0, None, "001A2-2 002A1-30 003A2-2 004D8-8 005D8-8 006A1-80 007A13-13 008A13-13 009A1-80 010A1-30 011D8-8"),
    "S21.G00.78": ("Base assujettie", 'S21.G00.50', 0, None, "001A2-2 002D8-8 003D8-8 004M-4-11 005A1-3 006A5-20 007A1-18"),
    "S21.G00.79": ("Composant de base assujettie", 'S21.G00.78', 0, None, "001A2-2 004M-4-14 005A1-18"),
    "S21.G00.81": ("Cotisation individuelle", 'S21.G00.78', 0, None, "001A3-3 002A2-14 003M-4-14 004M-4-14 005A5-5 006A1-18 007R4-7"),
    "S21.G00.82": ("Cotisation établissement", 'S21.G00.11', 0, None, "001M-4-18 002A3-3 003D8-8 004D8-8 005A1-20 006A1-18"),
    "S21.G00.83": ("Période d'affiliation à tort à un régime de retraite complémentaire", 'S21.G00.50', 0, None, "001D8-8 002D8-8"),
    "S21.G00.84": ("Base assujettie déclarée à tort pour un régime de retraite complémentaire", 'S21.G00.83', 0, None, "001A2-2 002D8-8 003D8-8 004M-4-11 005A5-20"),
    "S21.G00.85": ("Lieu de travail ou établissement utilisateur", 'S20.G00.05', 0, None, "001A2-14 002A5-5 003A1-50 004A5-5 005A1-50 006A2-2 007A1-50 008A1-50 009A1-50 010A2-2 011A5-5 012A2-2 013A1-80 014A1-80 015A1-80 016A8-8 017A1-30"),
    "S21.G00.86": ("Ancienneté", 'S21.G00.30', 0, None, "001A2-2 002A2-2 003N1-5 005A5-20"),
    "S21.G00.95": ("Base assujettie déclarée à tort pour un régime de base risque maladie, AT/MP ou vieillesse", 'S21.G00.50', 0, None, "001A2-2 002D8-8 003D8-8 004M-4-11 005A5-20"),
    "S21.G00.98": ("Saisie administrative à tiers détenteur", 'S21.G00.30', 0, None, "001A1-40 002A2-2 003M-4-12 004A6-6"),
    "S89.G00.32": ("Bénéficiaire des honoraires", 'S20.G00.05', 0, None, "001A1-40 002A1-80 003A1-40 004A9-9 005A5-5 006A1-60 007A1-50 008A1-50 009A5-5 010A1-50 011A5-5 012A1-50 013A2-2 014A1-50 015A1-1 016M-4-12 017N4-4"),
    "S89.G00.33": ("Avantages en nature", 'S89.G00.32', 0, None, "001A2-2 002M-4-12"),
    "S89.G00.35": ("Prise en charge des indemnités", 'S89.G00.32', 0, None, "001A2-2 002M-4-12"),
    "S89.G00.43": ("Rémunérations", 'S89.G00.32', 0, None, "001A2-2 002M-4-12"),
    "S89.G00.67": ("Droit supplémentaire acquis au titre des régimes de retraite supplémentaire à prestations définies", 'S20.G00.05', 0, None, "001A13-13 002A11-40 003M-4-11 004M4-5 005N4-4"),
    "S89.G00.87": ("Actions gratuites", 'S20.G00.05', 0, None, "001A2-2 002N-1-8 003M4-12 004M4-6 005D8-8 006D8-8 007A13-13 008A11-40"),
    "S89.G00.88": ("Options sur titres (stock options)", 'S20.G00.05', 0, None, "001A2-2 002N-1-8 003M4-12 004M-4-12 005M4-6 006D8-8 007D8-8 008A13-13 009A11-40"),
    "S89.G00.89": ("Bons de souscription de parts de créateur d'entreprise (BSPCE)", 'S20.G00.05', 0, None, "001N-1-8 002M4-12 003M4-12 004M4-6 005D8-8 006N1-3 007A13-13 008A11-40"),
    "S89.G00.91": ("Individu non salarié", 'S20.G00.05', 0, None, "001A13-13 002A1-80 003A1-80 004A1-80 005A2-2 006A8-8 007A1-30 008A1-50 009A5-5 010A1-50 011A2-2 012A1-50 013A1-50 014A1-50 015A6-100 016A1-30 017A2-2 018A2-2 019A2-2 020A2-2 021A11-40"),
    "S89.G00.92": ("Bases spécifiques individu non salarié", 'S89.G00.91', 1, None, "001A2-2 002A2-2 003M-4-11 004D8-8 005D8-8 006M-4-12 007M4-5 008A2-2 009N-1-18 010M4-12 011D8-8 012M-4-12 013M4-12 014M-4-12 015A1-18 016M-4-12 017M-4-12"),
    "S89.G00.93": ("Régularisation de prélèvement à la source", 'S89.G00.92', 0, None, "001A6-6 002A2-2 003M-4-12 004M-4-12 005M-4-6 006M4-5 007M-4-12 008M-4-12 009M-4-12 010M-4-12 013M4-12"),
    "S89.G00.94": ("Cotisation Individu non salarié", 'S89.G00.92', 0, None, "001A3-3 002M-4-12"),
    "S90.G00.90": ("Total de l'envoi", None, 1, 1, "001N1-12 002N1-5"),
}
# fmt: on

BLOCS: Mapping[str, tuple[str, str | None, int, int | None, str]] = MappingProxyType(_BLOCS)
