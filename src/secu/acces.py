"""The access policy: the one place where a role is turned into a right.

Every decision "may this caller do that" asks this module for a named permission. The answer is a
*portée* (how far the right reaches) or nothing:

* ``TOUT`` — every file of that kind;
* ``SA_CAISSE`` — what the caller's organism manages (the persons attached to it, its dossiers,
  its payment runs, the employers of its URSSAF, its books);
* ``SON_TERRITOIRE`` — the départements of the caller's organism (a DRSM, a département's services);
* ``LE_SIEN`` — the caller's own file (for an assuré, also the minors attached to them today), own
  employer, own practice;
* ``AGREGATS`` — aggregates only, under the secret statistique (``secu.statistiques.rules``): no cell
  of fewer persons than the threshold leaves, whatever the filters asked.

An agent's right is also bound to the branches its organism serves (``BRANCHES``): a CAF agent has
no right over feuilles de soins, a CPAM agent none over dossiers allocataires or the APA, the agent
of a département (``CD-<code>``) only the APA and PCH of its residents.

The table ``POLITIQUE`` is the policy; ``tests/api/test_acces.py`` lists it role by role. Data
lookups ("is this person attached to that caisse?") stay with the data (``secu.register.access``,
the branches' services); they ask here which portée applies.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from secu.core.errors import Forbidden, NotFound
from secu.core.security import Caller, Role
from secu.organismes import get_organisme

REFUS_PROFIL = "action non autorisée pour votre profil"


class Portee(StrEnum):
    TOUT = "tout"
    SA_CAISSE = "sa_caisse"
    SON_TERRITOIRE = "son_territoire"
    LE_SIEN = "le_sien"
    AGREGATS = "agregats"


class Permission(StrEnum):
    # accounts and the access journal
    ADMINISTRER_COMPTES = "administrer_comptes"
    CONSULTER_JOURNAL = "consulter_journal"
    VOIR_QUI_A_LU_UN_DOSSIER = "voir_qui_a_lu_un_dossier"
    # the répertoire
    CHERCHER_PERSONNES = "chercher_personnes"
    LIRE_PERSONNE = "lire_personne"
    LIRE_DONNEES_MEDICALES = "lire_donnees_medicales"
    IMMATRICULER = "immatriculer"
    GERER_DOSSIER_PERSONNE = "gerer_dossier_personne"
    DECLARER_POUR_SOI = "declarer_pour_soi"
    ADMETTRE_ALD = "admettre_ald"
    ENREGISTRER_EMPLOYEURS = "enregistrer_employeurs"
    ENREGISTRER_PROFESSIONNELS = "enregistrer_professionnels"
    LIRE_EMPLOYEUR = "lire_employeur"
    LIRE_ANNUAIRE_PROFESSIONNELS = "lire_annuaire_professionnels"
    LIRE_DROITS_SUR_CARTE_VITALE = "lire_droits_sur_carte_vitale"
    # the ledger and the aggregates
    PASSER_ECRITURE = "passer_ecriture"
    LIRE_SOLDES = "lire_soldes"
    LIRE_STATISTIQUES = "lire_statistiques"
    # maladie
    TRANSMETTRE_FSE = "transmettre_fse"
    LIRE_FSE_TRANSMISES = "lire_fse_transmises"
    LIRE_FSE = "lire_fse"
    LIRE_RETOUR_AMC = "lire_retour_amc"
    LIRE_PAIEMENTS_RECUS = "lire_paiements_recus"
    # maladie and famille: a caisse's payment runs and their SEPA files
    PAYER_PRESTATIONS = "payer_prestations"
    # famille
    OUVRIR_DOSSIER_ALLOCATAIRE = "ouvrir_dossier_allocataire"
    LIRE_DOSSIER_ALLOCATAIRE = "lire_dossier_allocataire"
    # recouvrement
    DEPOSER_DSN = "deposer_dsn"
    LIRE_COMPTE_COTISANT = "lire_compte_cotisant"
    GERER_COMPTE_COTISANT = "gerer_compte_cotisant"
    LIRE_REMUNERATIONS = "lire_remunerations"
    # autonomie
    GERER_AUTONOMIE = "gerer_autonomie"
    LIRE_DECISION_AUTONOMIE = "lire_decision_autonomie"
    # prestations en espèces: arrêts de travail and IJ
    TRANSMETTRE_AVIS_ARRET = "transmettre_avis_arret"
    TRANSMETTRE_ATTESTATION_SALAIRE = "transmettre_attestation_salaire"
    LIRE_ARRETS = "lire_arrets"
    LIRE_IJ_SUBROGEES = "lire_ij_subrogees"
    # prestations en espèces: invalidité and capital décès
    DEMANDER_INVALIDITE = "demander_invalidite"
    DONNER_AVIS_INVALIDITE = "donner_avis_invalidite"
    DECIDER_INVALIDITE = "decider_invalidite"
    LIRE_INVALIDITE = "lire_invalidite"
    GERER_CAPITAL_DECES = "gerer_capital_deces"
    # retraite: the claim for a pension de droit propre, its instruction and decision, the monthly payment
    RETRAITE_DEMANDER = "retraite_demander"
    RETRAITE_INSTRUIRE = "retraite_instruire"
    RETRAITE_LIRE = "retraite_lire"
    RETRAITE_PAYER = "retraite_payer"
    # retraite: the compte de carrière, its corrections, the estimation
    RETRAITE_LIRE_CARRIERE = "retraite_lire_carriere"
    RETRAITE_DEMANDER_CORRECTION = "retraite_demander_correction"
    RETRAITE_INSTRUIRE_CORRECTION = "retraite_instruire_correction"
    RETRAITE_IMPORTER_CARRIERE = "retraite_importer_carriere"
    # pilotage (DSS): the national accounts, closing an exercise
    LIRE_COMPTES_NATIONAUX = "lire_comptes_nationaux"
    CLOTURER_EXERCICE = "cloturer_exercice"
    # the pages of each portal
    ESPACE_ASSURE = "espace_assure"
    ESPACE_AGENT = "espace_agent"
    ESPACE_ANALYSTE = "espace_analyste"


P, R = Permission, Role
TOUT, SA_CAISSE, SON_TERRITOIRE, LE_SIEN, AGREGATS = (
    Portee.TOUT, Portee.SA_CAISSE, Portee.SON_TERRITOIRE, Portee.LE_SIEN, Portee.AGREGATS)

POLITIQUE: dict[Permission, dict[Role, Portee]] = {
    P.ADMINISTRER_COMPTES: {R.ADMIN: TOUT},
    P.CONSULTER_JOURNAL: {R.ADMIN: TOUT},
    P.VOIR_QUI_A_LU_UN_DOSSIER: {R.ADMIN: TOUT, R.ASSURE: LE_SIEN},
    P.CHERCHER_PERSONNES: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE, R.MEDECIN_CONSEIL: SON_TERRITOIRE},
    P.LIRE_PERSONNE: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE, R.MEDECIN_CONSEIL: SON_TERRITOIRE, R.ASSURE: LE_SIEN},
    # Secret médical: the administrator and the agents never see the disease.
    P.LIRE_DONNEES_MEDICALES: {R.MEDECIN_CONSEIL: SON_TERRITOIRE, R.ASSURE: LE_SIEN},
    P.IMMATRICULER: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE},
    P.GERER_DOSSIER_PERSONNE: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE},
    P.DECLARER_POUR_SOI: {R.ASSURE: LE_SIEN},
    P.ADMETTRE_ALD: {R.MEDECIN_CONSEIL: SON_TERRITOIRE},
    # The URSSAF registers the employers of its territory, the CPAM the professionals of its own.
    P.ENREGISTRER_EMPLOYEURS: {R.ADMIN: TOUT, R.AGENT: SON_TERRITOIRE},
    P.ENREGISTRER_PROFESSIONNELS: {R.ADMIN: TOUT, R.AGENT: SON_TERRITOIRE},
    # An agent reads the employers with an establishment in his organism's territory.
    P.LIRE_EMPLOYEUR: {R.ADMIN: TOUT, R.AGENT: SON_TERRITOIRE, R.EMPLOYEUR: LE_SIEN},
    # The directory of professionals is public information (annuaire santé).
    P.LIRE_ANNUAIRE_PROFESSIONNELS: dict.fromkeys(Role, TOUT),
    # A professional reads the rights of whoever presents a carte Vitale (the ADRi's job).
    P.LIRE_DROITS_SUR_CARTE_VITALE: {R.PROFESSIONNEL: TOUT},
    P.PASSER_ECRITURE: {R.ADMIN: TOUT},
    P.LIRE_SOLDES: {R.ADMIN: TOUT, R.ANALYSTE: AGREGATS, R.AGENT: SA_CAISSE},
    P.LIRE_STATISTIQUES: {R.ADMIN: AGREGATS, R.ANALYSTE: AGREGATS},
    P.TRANSMETTRE_FSE: {R.ADMIN: TOUT, R.AGENT: TOUT, R.PROFESSIONNEL: LE_SIEN},
    # A feuille de soins: its sender sees it; the others as far as they see the patient's file.
    P.LIRE_FSE_TRANSMISES: {R.PROFESSIONNEL: LE_SIEN},
    P.LIRE_FSE: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE, R.MEDECIN_CONSEIL: SON_TERRITOIRE, R.ASSURE: LE_SIEN},
    P.LIRE_RETOUR_AMC: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE},
    P.LIRE_PAIEMENTS_RECUS: {R.PROFESSIONNEL: LE_SIEN},
    P.PAYER_PRESTATIONS: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE},
    # An agent opens the dossiers of his CAF: each member's file must be within his caisse (secu.register.access).
    P.OUVRIR_DOSSIER_ALLOCATAIRE: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE},
    P.LIRE_DOSSIER_ALLOCATAIRE: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE, R.ASSURE: LE_SIEN},
    P.DEPOSER_DSN: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE, R.EMPLOYEUR: LE_SIEN},
    P.LIRE_COMPTE_COTISANT: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE, R.EMPLOYEUR: LE_SIEN},
    P.GERER_COMPTE_COTISANT: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE},
    # Pay is not the medical service's business.
    P.LIRE_REMUNERATIONS: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE, R.ASSURE: LE_SIEN},
    # The APA and the PCH: the département that pays them (its agents: organism CD-<département>),
    # the person and whoever answers for them (LE_SIEN: the minors attached to an assuré).
    P.GERER_AUTONOMIE: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE},
    P.LIRE_DECISION_AUTONOMIE: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE, R.ASSURE: LE_SIEN},
    # Arrêts de travail: the prescriber sends the avis of the patient he sees (any patient), the CPAM's agent keys
    # a paper avis or a congé; the employer sends the attestation de salaire of its own establishments and sees
    # the IJ it receives under subrogation; the médecin-conseil reads the arrêts of his region (he controls them).
    P.TRANSMETTRE_AVIS_ARRET: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE, R.PROFESSIONNEL: TOUT},
    P.TRANSMETTRE_ATTESTATION_SALAIRE: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE, R.EMPLOYEUR: LE_SIEN},
    P.LIRE_ARRETS: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE, R.MEDECIN_CONSEIL: SON_TERRITOIRE, R.ASSURE: LE_SIEN},
    P.LIRE_IJ_SUBROGEES: {R.ADMIN: TOUT, R.EMPLOYEUR: LE_SIEN},
    # Invalidité: the assuré (or his caisse) files the claim, the médecin-conseil of the territory gives the avis
    # (catégorie, date d'effet), the caisse decides and pays; each reads the file as far as his role reaches.
    P.DEMANDER_INVALIDITE: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE, R.ASSURE: LE_SIEN},
    P.DONNER_AVIS_INVALIDITE: {R.MEDECIN_CONSEIL: SON_TERRITOIRE},
    P.DECIDER_INVALIDITE: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE},
    P.LIRE_INVALIDITE: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE, R.MEDECIN_CONSEIL: SON_TERRITOIRE, R.ASSURE: LE_SIEN},
    # The capital décès: the caisse of the deceased records the death, the claims, decides and pays.
    P.GERER_CAPITAL_DECES: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE},
    # Retraite: the assuré (or his caisse retraite) files the claim; an agent of the caisse of his residence (CARSAT, CNAV in
    # Île-de-France, CGSS) instructs it, decides and pays. The inaptitude's medical avis is recorded by the agent at the instruction.
    P.RETRAITE_DEMANDER: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE, R.ASSURE: LE_SIEN},
    P.RETRAITE_INSTRUIRE: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE},
    P.RETRAITE_LIRE: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE, R.ASSURE: LE_SIEN},
    P.RETRAITE_PAYER: {R.ADMIN: TOUT, R.AGENT: SA_CAISSE},
    # The compte de carrière: the assuré reads his own, the agents of his caisse de retraite (CARSAT, CNAV in
    # Île-de-France, CGSS) read it and instruct his corrections; nobody else. The import of past years is a batch.
    P.RETRAITE_LIRE_CARRIERE: {R.AGENT: SA_CAISSE, R.ASSURE: LE_SIEN},
    P.RETRAITE_DEMANDER_CORRECTION: {R.ASSURE: LE_SIEN},
    P.RETRAITE_INSTRUIRE_CORRECTION: {R.AGENT: SA_CAISSE},
    P.RETRAITE_IMPORTER_CARRIERE: {R.ADMIN: TOUT},
    # The accounts in the CCSS's shape: the analysts (the DSS's profile) read them as aggregates, under the secret
    # statistique; closing an exercise is the agence comptable's act (administration).
    P.LIRE_COMPTES_NATIONAUX: {R.ADMIN: TOUT, R.ANALYSTE: AGREGATS},
    P.CLOTURER_EXERCICE: {R.ADMIN: TOUT},
    P.ESPACE_ASSURE: {R.ASSURE: LE_SIEN},
    P.ESPACE_AGENT: {R.AGENT: SA_CAISSE},
    P.ESPACE_ANALYSTE: {R.ANALYSTE: TOUT},
}


#: An agent's right over a branch's files needs an organism serving one of these branches.
_MALADIE, _FAMILLE, _RECOUVREMENT, _AUTONOMIE = ("maladie",), ("famille",), ("recouvrement",), ("autonomie",)
BRANCHES: dict[Permission, frozenset[str]] = {p: frozenset(b) for p, b in {
    P.TRANSMETTRE_FSE: _MALADIE,
    P.LIRE_FSE: _MALADIE,
    P.LIRE_RETOUR_AMC: _MALADIE,
    P.ENREGISTRER_PROFESSIONNELS: _MALADIE,
    P.PAYER_PRESTATIONS: ("maladie", "famille"),
    P.OUVRIR_DOSSIER_ALLOCATAIRE: _FAMILLE,
    P.LIRE_DOSSIER_ALLOCATAIRE: _FAMILLE,
    P.DEPOSER_DSN: _RECOUVREMENT,
    P.LIRE_COMPTE_COTISANT: _RECOUVREMENT,
    P.GERER_COMPTE_COTISANT: _RECOUVREMENT,
    P.ENREGISTRER_EMPLOYEURS: _RECOUVREMENT,
    # Employers and pay: the caisses that compute benefits from wages, and the URSSAF.
    P.LIRE_EMPLOYEUR: ("maladie", "atmp", "retraite", "recouvrement"),
    P.LIRE_REMUNERATIONS: ("maladie", "atmp", "retraite", "recouvrement"),
    P.GERER_AUTONOMIE: _AUTONOMIE,
    P.TRANSMETTRE_AVIS_ARRET: _MALADIE,
    P.TRANSMETTRE_ATTESTATION_SALAIRE: _MALADIE,
    P.LIRE_ARRETS: _MALADIE,
    P.DEMANDER_INVALIDITE: _MALADIE,
    P.DECIDER_INVALIDITE: _MALADIE,
    P.LIRE_INVALIDITE: _MALADIE,
    P.GERER_CAPITAL_DECES: _MALADIE,
    P.LIRE_DECISION_AUTONOMIE: _AUTONOMIE,
    P.RETRAITE_DEMANDER: ("retraite",),
    P.RETRAITE_INSTRUIRE: ("retraite",),
    P.RETRAITE_LIRE: ("retraite",),
    P.RETRAITE_PAYER: ("retraite",),
    P.RETRAITE_LIRE_CARRIERE: ("retraite",),
    P.RETRAITE_INSTRUIRE_CORRECTION: ("retraite",),
    # The register is kept by the social-security caisses, not by the départements.
    P.CHERCHER_PERSONNES: ("maladie", "atmp", "famille", "retraite", "recouvrement"),
    P.LIRE_PERSONNE: ("maladie", "atmp", "famille", "retraite", "recouvrement"),
    P.IMMATRICULER: ("maladie", "atmp", "famille", "retraite", "recouvrement"),
    P.GERER_DOSSIER_PERSONNE: ("maladie", "atmp", "famille", "retraite", "recouvrement"),
}.items()}


@cache
def branches_of(organisme_code: str | None) -> frozenset[str]:
    """The branches an organism serves (none without an organism or for an unknown code)."""
    if organisme_code is None:
        return frozenset()
    try:
        return get_organisme(organisme_code).branches
    except NotFound:
        return frozenset()


def portee(caller: Caller, permission: Permission) -> Portee | None:
    """How far the caller's right reaches, or None when the profile has no such right.

    An agent's right over a branch's files also needs an organism that serves the branch."""
    found = POLITIQUE[permission].get(caller.role)
    needed = BRANCHES.get(permission)
    if found is not None and needed is not None and caller.role is Role.AGENT and not needed & branches_of(caller.organisme_code):
        return None
    return found


def peut(caller: Caller, permission: Permission) -> bool:
    return portee(caller, permission) is not None


def refus(message: str, personne_id: int | None = None) -> Forbidden:
    """A refusal; with the person concerned, so the journal of refusals says whose file was tried."""
    error = Forbidden(message)
    if personne_id is not None:
        error.personne_id = personne_id  # type: ignore[attr-defined]
    return error


def exiger(caller: Caller, permission: Permission, message: str = REFUS_PROFIL) -> Portee:
    """The portée of the caller's right; a refusal when the profile has none."""
    found = portee(caller, permission)
    if found is None:
        raise refus(message)
    return found


@cache
def departements_of(organisme_code: str | None) -> tuple[str, ...]:
    """The départements an organism covers (a DRSM's territory, a caisse's)."""
    if organisme_code is None:
        return ()
    return tuple(get_organisme(organisme_code).departements)


def couvre_organisme(caller: Caller, reach: Portee | None, organisme_code: str | None) -> bool:
    """Whether a portée reaches what this organism manages."""
    return reach is Portee.TOUT or (
        reach is Portee.SA_CAISSE and caller.organisme_code is not None and caller.organisme_code == organisme_code
    )


def payeur_autonomie(departement: str) -> str:
    """The organism that decides and pays the APA and the PCH of a département: its conseil départemental."""
    return f"CD-{departement}"


def couvre_departement(caller: Caller, reach: Portee | None, departement: str) -> bool:
    """Whether a portée reaches a person or a decision of this département."""
    return reach is Portee.TOUT or (
        reach is Portee.SON_TERRITOIRE and departement in departements_of(caller.organisme_code)
    )


def exiger_organisme(caller: Caller, permission: Permission, organisme_code: str | None, message: str) -> None:
    """Refuse unless the right reaches this organism's files (an agent: his own caisse only)."""
    if not couvre_organisme(caller, exiger(caller, permission), organisme_code):
        raise refus(message)


def exiger_departement(caller: Caller, permission: Permission, departement: str, message: str,
                       personne_id: int | None = None) -> None:
    """Refuse unless the right reaches this département (an agent: his organism's territory)."""
    if not couvre_departement(caller, portee(caller, permission), departement):
        raise refus(message, personne_id)
