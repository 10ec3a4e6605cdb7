"""The field table: each rubrique, its model attribute and its JSON key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from secu.recouvrement.dsn.codes import (
    MODALITES_TEMPS,
    NATURES,
    NATURES_CONTRAT,
    SEXES,
    STATUTS_CATEGORIELS_RC,
    STATUTS_CONVENTIONNELS,
    TYPES,
    TYPES_ACTIVITE,
    TYPES_ENVOI,
    TYPES_REMUNERATION,
    UNITES_ACTIVITE,
    UNITES_QUOTITE,
)
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
    Emetteur,
    Entreprise,
    Envoi,
    Etablissement,
    FinContrat,
    Remuneration,
    Salarie,
    Versement,
    VersementOrganisme,
)


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
        _c("010", "mode_paiement", "code", "mode de paiement",
           codes={"01": "chèque", "02": "virement", "04": "TIP", "05": "prélèvement SEPA", "06": "versement par un autre établissement"}),
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
