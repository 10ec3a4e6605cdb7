"""The code lists of the norm that secu reads (dsn-datatypes-CT2024.xlsx, sheet Data Types), and the reader's limits."""

from __future__ import annotations

import re

MAX_ERREURS = 200
"""At most this many problems are collected; the count of the rest is reported."""

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

# -- the signalements d'arrêt de travail (04) et de reprise (05): block S21.G00.60 --------------------------------
# Code lists of dsn-datatypes-CT2024.xlsx, sheet Data Types: Arret_Motif_DSN_phase_1 (S21.G00.60.001),
# Motif_reprise_DSN_phase_1 (S21.G00.60.011), N4DS_O_N (S21.G00.60.004); the controls quoted in
# secu.recouvrement.dsn.arret come from its sheet Messages.
NATURE_SIGNALEMENT_ARRET = "04"
NATURE_SIGNALEMENT_REPRISE = "05"
NATURES_SIGNALEMENT = frozenset({NATURE_SIGNALEMENT_ARRET, NATURE_SIGNALEMENT_REPRISE})
MOTIFS_ARRET = {
    "01": "maladie", "02": "maternité", "03": "paternité / accueil de l'enfant",
    "04": "congé suite à un accident de trajet", "05": "congé suite à maladie professionnelle",
    "06": "congé suite à accident de travail ou de service", "07": "femme enceinte dispensée de travail",
    "09": "adoption", "10": "[FP] congé suite à une maladie imputable au service",
    "11": "[FP] congé de maladie des victimes ou réformés de guerre (art. 41)", "12": "[FP] congé de longue durée",
    "13": "[FP] congé de longue maladie", "14": "[FP] congé pour invalidité temporaire imputable au service",
    "15": "temps partiel thérapeutique (risque maladie)", "16": "temps partiel thérapeutique (risque accident de travail)",
    "17": "temps partiel thérapeutique (risque accident de trajet)",
    "18": "temps partiel thérapeutique (risque maladie professionnelle)", "19": "deuil d'enfant",
    "20": "potentiel nouveau motif d'arrêt A", "21": "potentiel nouveau motif d'arrêt B",
    "22": "potentiel nouveau motif d'arrêt C", "23": "potentiel nouveau motif d'arrêt D",
    "24": "potentiel nouveau motif d'arrêt E", "99": "annulation",
}  # fmt: skip
RISQUE_DU_MOTIF = {
    "01": "maladie", "02": "maternite", "03": "paternite", "09": "adoption",
    "04": "atmp",  # the accident de trajet is indemnified as an accident du travail (CSS L. 411-2)
    "05": "atmp", "06": "atmp",
}  # fmt: skip
"""The risk of an arrêt (``secu.especes.schemas.Risque``) for each motif secu indemnifies."""
MOTIFS_ARRET_ATMP = frozenset({"04", "05", "06"})
"""Motifs whose date de l'accident ou de la première constatation (S21.G00.60.012) is required (CCH-11)."""
MOTIFS_ARRET_MENSUELLE = frozenset({"15", "16", "17", "18", "99"})
"""Motifs the norm admits only in a DSN mensuelle or a signalement FCTU (S21.G00.60.001/CCH-12, CCH-14)."""
MOTIFS_ARRET_FONCTION_PUBLIQUE = frozenset({"10", "11", "12", "13", "14"})
MOTIFS_REPRISE = {
    "01": "reprise normale", "02": "reprise temps partiel thérapeutique", "03": "reprise temps partiel raison personnelle",
}  # fmt: skip
MOTIF_REPRISE_MENSUELLE = "02"
"""Admitted only in a DSN mensuelle or a signalement FCTU (S21.G00.60.011/CCH-12)."""
OUI_NON = {"01": "oui", "02": "non"}
FRACTION_SIGNALEMENT = "11"
"""A signalement is not split: its fraction is « 11 » (S20.G00.05.003/CCH-11)."""
