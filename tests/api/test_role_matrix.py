"""Every role against every route of the app — API, pages and file downloads — on both databases.

``MATRIX`` names, for each route (method and path, as the app declares it), one or more requests
and the logins the policy lets through (the README's table of roles; ``secu.acces``). The app's
routes are enumerated: a route missing from the matrix fails the suite, so a new route is decided
here before it ships.

For each request and each login: a login allowed gets its answer (200 on a read; on a write anything
but 401/403 — the write may still be refused on its merits), a login not allowed gets 403, and no
token at all gets 401 (a page: a redirect to the sign-in form). A personal read leaves its journal
row (who, which resource, whose file); a refusal on a person's file leaves a ``refus`` row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import func, select

from secu.app import create_app
from secu.core.db import unit_of_work
from secu.core.security import JournalAcces, Role, Utilisateur
from secu.especes.service import mois_decale
from secu.utilisateurs.service import UtilisateurIn, create_user
from secu.web.session import COOKIE, CSRF_COOKIE, _mac, sign
from tests.api.conftest import PASSWORD, World, with_key

LOGINS = (
    "admin", "agent.paris", "agent.marseille", "agent.caf", "agent.urssaf", "agent.cd75", "mc.idf", "mc.paca",
    "assure.parent", "assure.other", "docteur", "employeur", "analyste",
)
EVERYONE = frozenset(LOGINS)
SAMPLE = ("analyste", "assure.parent", None)
PUBLIC = frozenset((*LOGINS, None))  # None: no token at all

# Who, in the README's words.
ADMIN = {"admin"}
CPAM_PARIS = {"agent.paris"}
AGENTS = {"agent.paris", "agent.marseille", "agent.caf", "agent.urssaf", "agent.cd75"}
CAISSES_DE_PARIS = {"agent.paris", "agent.caf", "agent.urssaf"}  # the parent is attached to each (not to the département)
MEDECINS = {"mc.idf", "mc.paca"}


@dataclass(frozen=True)
class Cas:
    """One request of a route, and who may make it."""

    url: str  # with {placeholders} of the world (parent_id, …) and of the matrix's own data (fse_id, …)
    allowed: frozenset[str] | set[str]
    body: Any = None
    form: bool = False  # a form (pages, sign-in) rather than JSON
    text: bool = False  # a text/plain body (the DSN)
    lecture: str | None = None  # the journal's resource of this personal read
    personne: str | None = None  # whose file: a placeholder name (parent_id, child_id, other_id)
    page: bool = False  # a page: session cookie and CSRF, and no session is a redirect
    status: int | None = None  # a read's answer when not 200 (a redirect)
    lecteurs: frozenset[str] | None = None  # whose read leaves the journal row, when not every login allowed


def _read(url: str, allowed: set[str] | frozenset[str], lecture: str | None = None, personne: str | None = None) -> Cas:
    return Cas(url, allowed, lecture=lecture, personne=personne)


def _page(url: str, allowed: set[str] | frozenset[str], lecture: str | None = None, personne: str | None = None,
          body: Any = None, status: int | None = None, lecteurs: set[str] | None = None) -> Cas:
    return Cas(url, allowed, body=body, form=body is not None, lecture=lecture, personne=personne, page=True, status=status,
               lecteurs=frozenset(lecteurs) if lecteurs else None)


P_READERS = {"admin", *CAISSES_DE_PARIS, "mc.idf", "assure.parent"}  # the parent's and the child's file
O_READERS = {"admin", "agent.marseille", "mc.paca", "assure.other"}  # a resident of Marseille
IJ_READERS = {"admin", "agent.paris", "mc.idf", "assure.parent"}  # the parent's arrêts: his CPAM, the DRSM, himself
TODAY = date.today()
FIRST = TODAY.replace(day=1)
DECES = TODAY - timedelta(days=40)  # the parent's death declared to his CPAM in the matrix's data (capital décès routes)

MATRIX: dict[tuple[str, str], list[Cas]] = {
    # -- the documentation and the open pages
    ("GET", "/openapi.json"): [_read("/openapi.json", PUBLIC)],
    ("GET", "/docs"): [_read("/docs", PUBLIC)],
    ("GET", "/docs/oauth2-redirect"): [_read("/docs/oauth2-redirect", PUBLIC)],
    ("GET", "/redoc"): [_read("/redoc", PUBLIC)],
    ("GET", "/"): [_page("/", PUBLIC)],
    ("GET", "/organisme/logo"): [_page("/organisme/logo", PUBLIC)],
    ("GET", "/connexion"): [_page("/connexion", PUBLIC)],
    # -- accounts and the journal
    ("POST", "/api/auth/jeton"): [Cas("/api/auth/jeton", PUBLIC, body={"username": "analyste", "password": PASSWORD}, form=True)],
    ("POST", "/api/auth/deconnexion"): [Cas("/api/auth/deconnexion", EVERYONE, body={})],  # with a token of its own (below)
    ("GET", "/api/auth/moi"): [_read("/api/auth/moi", EVERYONE)],
    ("POST", "/api/utilisateurs"): [Cas("/api/utilisateurs", ADMIN, body={
        "login": "nouveau.compte", "password": PASSWORD, "role": "analyste", "nom_affiche": "Nouveau"})],
    ("POST", "/api/utilisateurs/{utilisateur_id}/desactivation"): [Cas("/api/utilisateurs/{victim_id}/desactivation", ADMIN, body={})],
    ("GET", "/api/journal-acces"): [_read("/api/journal-acces", ADMIN)],
    ("GET", "/api/journal-acces/verification"): [_read("/api/journal-acces/verification", ADMIN)],
    # -- the répertoire
    ("GET", "/api/personnes"): [_read("/api/personnes?q=DURAND", {"admin", *AGENTS - {"agent.cd75"}, *MEDECINS})],
    ("POST", "/api/personnes"): [Cas("/api/personnes", {"admin", *CAISSES_DE_PARIS}, body={
        "nir": with_key("1920175115009"), "nom_naissance": "Nouveau", "prenoms": "Jean", "date_naissance": "1992-01-01",
        "sexe": "1", "departement": "75", "commune": "75111"})],
    ("GET", "/api/personnes/{personne_id}"): [
        _read("/api/personnes/{parent_id}", P_READERS, "personne", "parent_id"),
        _read("/api/personnes/{child_id}", P_READERS, "personne", "child_id"),
        _read("/api/personnes/{other_id}", O_READERS, "personne", "other_id"),
    ],
    ("PATCH", "/api/personnes/{personne_id}"): [
        Cas("/api/personnes/{parent_id}", {"admin", *CAISSES_DE_PARIS}, body={"email": "paul.durand@example.org"}),
    ],
    ("GET", "/api/personnes/{personne_id}/attestation"): [
        _read("/api/personnes/{parent_id}/attestation", P_READERS, "attestation", "parent_id"),
        _read("/api/personnes/{child_id}/attestation", P_READERS, "attestation", "child_id"),
    ],
    ("GET", "/api/personnes/{personne_id}/ayants-droit"): [
        _read("/api/personnes/{parent_id}/ayants-droit", P_READERS, "ayants_droit", "parent_id")],
    ("POST", "/api/personnes/{personne_id}/ayants-droit"): [Cas("/api/personnes/{parent_id}/ayants-droit",
                                                               {"admin", *CAISSES_DE_PARIS}, body={"enfant_id": "{child_id}", "date_debut": "2015-06-02"})],
    ("GET", "/api/personnes/{personne_id}/affiliations"): [
        _read("/api/personnes/{parent_id}/affiliations", P_READERS, "affiliations", "parent_id")],
    ("POST", "/api/personnes/{personne_id}/affiliations"): [Cas("/api/personnes/{other_id}/affiliations",
                                                               {"admin", "agent.marseille"}, body={"motif": "activite", "date_debut": "2024-01-01"})],
    ("POST", "/api/affiliations/{affiliation_id}/cloture"): [Cas("/api/affiliations/{other_affiliation_id}/cloture?date_fin=" + str(TODAY),
                                                                {"admin", "agent.marseille"}, body={})],
    ("GET", "/api/personnes/{personne_id}/cartes-vitale"): [
        _read("/api/personnes/{parent_id}/cartes-vitale", P_READERS, "cartes_vitale", "parent_id")],
    ("POST", "/api/personnes/{personne_id}/cartes-vitale"): [Cas("/api/personnes/{other_id}/cartes-vitale",
                                                                {"admin", "agent.marseille"}, body={"date_emission": str(TODAY)})],
    ("POST", "/api/cartes-vitale/{carte_id}/perte"): [Cas("/api/cartes-vitale/{other_card_id}/perte",
                                                         {"admin", "agent.marseille", "assure.other"}, body={"motif": "perdue", "date": str(TODAY)})],
    ("GET", "/api/personnes/{personne_id}/medecin-traitant"): [
        _read("/api/personnes/{parent_id}/medecin-traitant", P_READERS, "medecin_traitant", "parent_id")],
    ("POST", "/api/personnes/{personne_id}/medecin-traitant"): [Cas("/api/personnes/{parent_id}/medecin-traitant",
                                                                   {"admin", *CAISSES_DE_PARIS, "assure.parent"},
                                                                   body={"professionnel_id": "{doctor_id}", "date_debut": str(TODAY)})],
    # Secret médical: only the medical service of the region, and the patient.
    ("GET", "/api/personnes/{personne_id}/ald"): [
        _read("/api/personnes/{parent_id}/ald", {"mc.idf", "assure.parent"}, "ald", "parent_id"),
        _read("/api/personnes/{other_id}/ald", {"mc.paca", "assure.other"}, "ald", "other_id"),
    ],
    ("POST", "/api/personnes/{personne_id}/ald"): [Cas("/api/personnes/{other_id}/ald", {"mc.paca"},
                                                      body={"code": "8", "date_debut": "2024-01-01"})],
    ("GET", "/api/personnes/{personne_id}/c2s"): [_read("/api/personnes/{parent_id}/c2s", P_READERS, "c2s", "parent_id")],
    ("POST", "/api/personnes/{personne_id}/c2s"): [Cas("/api/personnes/{other_id}/c2s", {"admin", "agent.marseille"},
                                                      body={"date_debut": "2026-01-01", "date_fin": "2026-12-31"})],
    ("GET", "/api/personnes/{personne_id}/acces"): [_read("/api/personnes/{parent_id}/acces", {"admin", "assure.parent"},
                                                           "journal_acces", "parent_id")],
    ("POST", "/api/foyers"): [Cas("/api/foyers", {"admin", *CAISSES_DE_PARIS}, body={
        "membres": [{"personne_id": "{parent_id}", "role": "allocataire", "date_debut": str(FIRST)},
                    {"personne_id": "{child_id}", "role": "enfant", "date_debut": str(FIRST)}]})],
    ("GET", "/api/foyers/{foyer_id}"): [_read("/api/foyers/{foyer_id}", {"admin", *CAISSES_DE_PARIS, "mc.idf", "assure.parent"},
                                              "foyer", "parent_id")],
    # Employers: an agent reads those with an establishment in his organism's territory.
    ("GET", "/api/employeurs"): [_read("/api/employeurs", {"admin", "agent.paris", "agent.marseille", "agent.urssaf", "employeur"})],
    ("POST", "/api/employeurs"): [Cas("/api/employeurs", {"admin", "agent.urssaf"}, body={
        "siren": "443061841", "raison_sociale": "Nouvelle SARL",
        "etablissements": [{"siret": "44306184100047", "code_naf": "62.01Z", "effectif": 3, "departement": "75"}]})],
    ("GET", "/api/employeurs/{employeur_id}"): [
        _read("/api/employeurs/{employer_id}", {"admin", "agent.paris", "agent.urssaf", "employeur"}),
        _read("/api/employeurs/{other_employer_id}", {"admin", "agent.marseille"}),
    ],
    ("POST", "/api/employeurs/{employeur_id}/etablissements"): [Cas("/api/employeurs/{employer_id}/etablissements", {"admin", "agent.urssaf"},
                                                                   body={"siret": "73282932000132", "code_naf": "62.01Z", "effectif": 4, "departement": "92"})],
    ("GET", "/api/etablissements/{siret}"): [
        _read("/api/etablissements/{siret}", {"admin", "agent.paris", "agent.urssaf", "employeur"}),
        _read("/api/etablissements/{other_siret}", {"admin", "agent.marseille"}),
    ],
    # The directory of professionals is public information; the CPAM registers those of its territory.
    ("GET", "/api/professionnels"): [_read("/api/professionnels", EVERYONE)],
    ("POST", "/api/professionnels"): [Cas("/api/professionnels", {"admin", "agent.paris"}, body={
        "rpps": "10005678908", "nom": "Leroy", "prenom": "Inès", "profession": "infirmier", "departement": "75"})],
    ("GET", "/api/professionnels/{professionnel_id}"): [_read("/api/professionnels/{doctor_id}", EVERYONE)],
    ("GET", "/api/droits"): [_read("/api/droits?carte_vitale={card}", {"docteur"}, "droits.carte_vitale", "parent_id")],
    # -- the ledger and the aggregates
    ("POST", "/api/grand-livre/ecritures"): [Cas("/api/grand-livre/ecritures", ADMIN, body={
        "cle_idempotence": "matrice:1", "date_operation": str(TODAY), "libelle": "Essai",
        "lignes": [{"branche": "maladie", "organisme_code": "CPAM-75", "compte": "charges.essai", "montant_cents": 100},
                   {"branche": "maladie", "organisme_code": "CPAM-75", "compte": "tresorerie.essai", "montant_cents": -100}]})],
    ("GET", "/api/grand-livre/soldes"): [_read("/api/grand-livre/soldes", {"admin", "analyste", *AGENTS})],
    ("GET", "/api/statistiques/population"): [_read("/api/statistiques/population", {"admin", "analyste"})],
    ("GET", "/api/statistiques/organismes"): [_read("/api/statistiques/organismes", {"admin", "analyste"})],
    ("GET", "/api/organismes"): [_read("/api/organismes", PUBLIC)],
    ("GET", "/api/organismes/routage"): [_read("/api/organismes/routage?departement=75&branche=maladie", PUBLIC)],
    ("GET", "/api/organismes/{code}"): [_read("/api/organismes/CD-75", PUBLIC)],
    ("GET", "/api/parametres"): [_read("/api/parametres", PUBLIC)],
    ("GET", "/api/parametres/{nom}"): [_read("/api/parametres/smic.horaire", PUBLIC)],
    # -- maladie: the caisse that pays, its medical service, the assuré (and the parent for a child); never a CAF
    ("POST", "/api/maladie/lots"): [Cas("/api/maladie/lots", {"admin", "agent.paris", "agent.marseille", "docteur"}, body={
        "numero": "LOT-MATRICE", "professionnel_rpps": "10003456786",
        "fse": [{"numero": "F-MATRICE", "nir": "{parent_nir}", "date_soins": str(TODAY), "lignes": [{"acte": "G", "montant": "30.00"}]}]})],
    ("GET", "/api/maladie/fse/{fse_id}"): [_read("/api/maladie/fse/{fse_id}", {"admin", "agent.paris", "mc.idf", "assure.parent", "docteur"},
                                                 "fse", "parent_id")],
    ("GET", "/api/maladie/fse/{fse_id}/retour-amc"): [_read("/api/maladie/fse/{fse_id}/retour-amc", {"admin", "agent.paris"},
                                                            "fse.retour_amc", "parent_id")],
    ("GET", "/api/maladie/personnes/{personne_id}/decompte"): [
        _read("/api/maladie/personnes/{parent_id}/decompte", {"admin", "agent.paris", "mc.idf", "assure.parent"}, "decompte", "parent_id"),
        _read("/api/maladie/personnes/{child_id}/decompte", {"admin", "agent.paris", "mc.idf", "assure.parent"}, "decompte", "child_id"),
        _read("/api/maladie/personnes/{other_id}/decompte", {"admin", "agent.marseille", "mc.paca", "assure.other"}, "decompte", "other_id"),
    ],
    ("GET", "/api/maladie/professionnel/paiements"): [_read("/api/maladie/professionnel/paiements", {"docteur"})],
    ("POST", "/api/maladie/paiements"): [Cas("/api/maladie/paiements", {"admin", "agent.paris"},
                                             body={"organisme_code": "{cpam_paris}", "date_execution": str(TODAY)})],
    # Every payee's name and IBAN: the caisse's agents and an administrator; the download is journalled.
    ("GET", "/api/maladie/paiements/{campagne_id}/sepa.xml"): [_read("/api/maladie/paiements/{maladie_run_id}/sepa.xml",
                                                                     {"admin", "agent.paris"}, "fichier_sepa")],
    ("POST", "/fhir/Claim"): [Cas("/fhir/Claim", {"admin", "agent.paris", "agent.marseille", "docteur"}, body={"resourceType": "Claim"})],
    # -- recouvrement: the employer and its URSSAF; pay records also for the caisses computing benefits from them
    ("POST", "/api/recouvrement/dsn"): [Cas("/api/recouvrement/dsn", {"admin", "agent.urssaf", "employeur"}, body="S10.G00.00.001,'x'", text=True)],
    ("POST", "/api/recouvrement/dsn/json"): [Cas("/api/recouvrement/dsn/json", {"admin", "agent.urssaf", "employeur"}, body={})],
    ("POST", "/api/recouvrement/dsn/signalements"): [Cas("/api/recouvrement/dsn/signalements", {"admin", "agent.urssaf", "employeur"},
                                                          body="S10.G00.00.001,'x'", text=True)],
    # No DSN in this world: the policy answers before the lookup (403), the others are told it does not exist.
    ("GET", "/api/recouvrement/dsn/{declaration_id}"): [Cas("/api/recouvrement/dsn/{dsn_id}", {"admin", "agent.urssaf", "employeur"},
                                                            status=404)],
    ("GET", "/api/recouvrement/employeurs/{siren}/compte"): [
        _read("/api/recouvrement/employeurs/732829320/compte", {"admin", "agent.urssaf", "employeur"}),
        _read("/api/recouvrement/employeurs/552100554/compte", {"admin"}),
    ],
    ("POST", "/api/recouvrement/employeurs/{siren}/versements"): [Cas("/api/recouvrement/employeurs/732829320/versements",
                                                                      {"admin", "agent.urssaf"},
                                                                      body={"montant": "10.00", "date_reception": str(TODAY), "reference": "VIR-1"})],
    ("POST", "/api/recouvrement/employeurs/{siren}/majorations"): [Cas("/api/recouvrement/employeurs/732829320/majorations",
                                                                       {"admin", "agent.urssaf"}, body={})],
    ("POST", "/api/recouvrement/employeurs/{siren}/mises-en-demeure"): [Cas("/api/recouvrement/employeurs/732829320/mises-en-demeure",
                                                                            {"admin", "agent.urssaf"}, body={})],
    ("GET", "/api/recouvrement/personnes/{personne_id}/remunerations"): [
        _read("/api/recouvrement/personnes/{parent_id}/remunerations", {"admin", "agent.paris", "agent.urssaf", "assure.parent"},
              "remunerations", "parent_id"),
        _read("/api/recouvrement/personnes/{other_id}/remunerations", {"admin", "agent.marseille", "assure.other"}, "remunerations", "other_id"),
    ],
    # -- famille: the CAF and the allocataire
    ("POST", "/api/famille/dossiers"): [Cas("/api/famille/dossiers", {"admin", "agent.caf"}, body={
        "membres": [{"personne_id": "{parent_id}", "role": "allocataire", "date_debut": str(FIRST)}], "date_debut": str(FIRST)})],
    # The numbers of the dossiers the caller may see (his CAF's, his own): an assuré without one gets an empty list.
    ("GET", "/api/famille/dossiers"): [_read("/api/famille/dossiers", {"admin", "agent.caf", "assure.parent", "assure.other"})],
    ("GET", "/api/famille/dossiers/{dossier_id}"): [_read("/api/famille/dossiers/{dossier_id}", {"admin", "agent.caf", "assure.parent"},
                                                          "dossier_allocataire", "parent_id")],
    ("POST", "/api/famille/dossiers/{dossier_id}/changements"): [Cas("/api/famille/dossiers/{dossier_id}/changements",
                                                                     {"admin", "agent.caf", "assure.parent"},
                                                                     body={"nature": "ressources", "date": str(FIRST), "personne_id": "{parent_id}",
                                                                           "annee": TODAY.year - 2, "montant": "30000"})],
    ("GET", "/api/famille/dossiers/{dossier_id}/droits"): [_read("/api/famille/dossiers/{dossier_id}/droits?mois=" + str(FIRST),
                                                                 {"admin", "agent.caf", "assure.parent"}, "droits_famille", "parent_id")],
    ("GET", "/api/famille/dossiers/{dossier_id}/paiements"): [_read("/api/famille/dossiers/{dossier_id}/paiements",
                                                                    {"admin", "agent.caf", "assure.parent"}, "paiements_famille", "parent_id")],
    ("POST", "/api/famille/paiements"): [Cas("/api/famille/paiements", {"admin", "agent.caf"},
                                             body={"organisme_code": "{caf_paris}", "mois": str(FIRST)})],
    ("GET", "/api/famille/paiements/{campagne_id}/sepa.xml"): [_read("/api/famille/paiements/{famille_run_id}/sepa.xml",
                                                                     {"admin", "agent.caf"}, "fichier_sepa")],
    ("POST", "/api/famille/simulation"): [Cas("/api/famille/simulation", PUBLIC, body={
        "mois": str(FIRST), "foyer": {"parents": ["1985-03-01"], "enfants": [], "ressources_n2": 20000}})],
    # -- autonomie: the département that pays (its agents), the person and whoever answers for them
    ("POST", "/api/autonomie/decisions"): [Cas("/api/autonomie/decisions", {"admin", "agent.cd75"}, body={
        "personne_id": "{child_id}", "prestation": "pch", "ressources_cents": 0, "aides_techniques_cents": 1000,
        "date_decision": str(TODAY), "date_debut": "2030-01-01"})],
    ("GET", "/api/autonomie/decisions/{decision_id}"): [_read("/api/autonomie/decisions/{decision_id}",
                                                              {"admin", "agent.cd75", "assure.parent"}, "decision_autonomie", "child_id")],
    ("GET", "/api/autonomie/personnes/{personne_id}/decisions"): [
        _read("/api/autonomie/personnes/{child_id}/decisions", {"admin", "agent.cd75", "assure.parent"}, "decisions_autonomie", "child_id"),
        _read("/api/autonomie/personnes/{other_id}/decisions", {"admin", "assure.other"}, "decisions_autonomie", "other_id"),
    ],
    ("POST", "/api/autonomie/paiements"): [Cas("/api/autonomie/paiements", {"admin", "agent.cd75"},
                                               body={"departement": "75", "mois": "2029-12-01"})],
    ("GET", "/api/autonomie/statistiques"): [_read(f"/api/autonomie/statistiques?annee={TODAY.year}", {"admin", "analyste"})],
    ("POST", "/api/autonomie/simulation"): [Cas("/api/autonomie/simulation", PUBLIC, body={
        "date": str(TODAY), "gir": 2, "age": 80, "plan_cents": 100_000, "ressources_cents": 150_000})],
    # -- prestations en espèces: the prescriber and the CPAM receive the avis, the employer attests its salaries and
    # sees the IJ it receives under subrogation; the assuré's arrêts for whoever reads his file (journaled)
    ("POST", "/api/especes/avis"): [Cas("/api/especes/avis", {"admin", "agent.paris", "docteur"}, body={
        "numero": "AV-MATRICE", "nir": "{parent_nir}", "date_prescription": str(TODAY), "date_reception": str(TODAY),
        "debut": str(TODAY), "fin": str(TODAY + timedelta(days=6))})],
    ("POST", "/api/especes/attestations-salaire"): [Cas("/api/especes/attestations-salaire", {"admin", "agent.paris", "employeur"}, body={
        "reference": "ATT-MATRICE", "nir": "{parent_nir}", "siret": "73282932000074", "risque": "maladie",
        "dernier_jour_travaille": str(TODAY - timedelta(days=1)),
        "salaires": [{"mois": str(mois_decale(TODAY, -k)), "brut": 250_000} for k in (3, 2, 1)]})],
    ("POST", "/api/especes/conges"): [Cas("/api/especes/conges", {"admin", "agent.paris", "docteur"}, body={
        "nir": "{parent_nir}", "risque": "paternite", "cas": "simple", "debut": str(TODAY + timedelta(days=60)),
        "fin": str(TODAY + timedelta(days=70)), "date_reception": str(TODAY)})],
    ("GET", "/api/especes/personnes/{personne_id}/arrets"): [
        _read("/api/especes/personnes/{parent_id}/arrets", IJ_READERS, "arrets_travail", "parent_id"),
        _read("/api/especes/personnes/{other_id}/arrets", {"admin", "agent.marseille", "mc.paca", "assure.other"}, "arrets_travail", "other_id"),
    ],
    ("GET", "/api/especes/personnes/{personne_id}/attestation-paiement"): [
        _read(f"/api/especes/personnes/{{parent_id}}/attestation-paiement?du={FIRST}&au={TODAY}", IJ_READERS, "attestation_paiement_ij",
              "parent_id")],
    ("GET", "/api/especes/personnes/{personne_id}/attestation-paiement.pdf"): [
        _read(f"/api/especes/personnes/{{parent_id}}/attestation-paiement.pdf?du={FIRST}&au={TODAY}", IJ_READERS, "attestation_paiement_ij",
              "parent_id")],
    ("POST", "/api/especes/liquidations"): [Cas("/api/especes/liquidations", {"admin", "agent.paris"},
                                                body={"organisme_code": "{cpam_paris}", "au": str(TODAY)})],
    ("POST", "/api/especes/paiements"): [Cas("/api/especes/paiements", {"admin", "agent.paris"},
                                             body={"organisme_code": "{cpam_paris}", "date_execution": str(TODAY)})],
    ("GET", "/api/especes/paiements/{campagne_id}/sepa.xml"): [_read("/api/especes/paiements/{ij_run_id}/sepa.xml", {"admin", "agent.paris"},
                                                                     "fichier_sepa")],
    ("GET", "/api/especes/employeurs/{siret}/ij-subrogees"): [
        _read("/api/especes/employeurs/{siret}/ij-subrogees", {"admin", "employeur"}),
        _read("/api/especes/employeurs/{other_siret}/ij-subrogees", {"admin"}),
    ],
    # -- invalidité and capital décès (secu.especes): the assuré files, the médecin-conseil of the territory gives the avis,
    # the CPAM decides and pays; the capital décès is the deceased's CPAM's
    ("POST", "/api/especes/invalidite/demandes"): [Cas("/api/especes/invalidite/demandes", {"admin", "agent.paris", "assure.parent"}, body={
        "personne_id": "{parent_id}", "date_demande": str(TODAY), "date_arret": "2024-03-01"}, personne="parent_id")],
    ("GET", "/api/especes/invalidite/demandes/{demande_id}"): [_read("/api/especes/invalidite/demandes/{demande_id}",
                                                                      {"admin", "agent.paris", "mc.idf", "assure.parent"}, "demande_invalidite", "parent_id")],
    ("GET", "/api/especes/invalidite/file"): [_read("/api/especes/invalidite/file", MEDECINS)],
    ("POST", "/api/especes/invalidite/demandes/{demande_id}/avis"): [Cas("/api/especes/invalidite/demandes/{demande_id}/avis", {"mc.idf"},
                                                                          body={"categorie": 2, "date_effet": "2025-05-01"}, personne="parent_id")],
    ("POST", "/api/especes/invalidite/demandes/{demande_id}/decision"): [Cas(
        "/api/especes/invalidite/demandes/{demande_id}/decision", {"admin", "agent.paris"}, body={"decision": "accord", "date_decision": str(TODAY)},
        personne="parent_id")],
    ("GET", "/api/especes/invalidite/pensions/{pension_id}"): [_read("/api/especes/invalidite/pensions/{pension_id}",
                                                                      {"admin", "agent.paris", "mc.idf", "assure.parent"}, "pension_invalidite", "parent_id")],
    ("POST", "/api/especes/invalidite/paiements"): [Cas("/api/especes/invalidite/paiements", {"admin", "agent.paris"},
                                                        body={"organisme_code": "{cpam_paris}", "mois": "2029-12-01"})],
    ("POST", "/api/especes/deces"): [Cas("/api/especes/deces", {"admin", "agent.paris"}, body={"personne_id": "{parent_id}", "date_deces": str(DECES)},
                                         personne="parent_id")],
    ("GET", "/api/especes/deces/{deces_id}"): [_read("/api/especes/deces/{deces_id}", {"admin", "agent.paris"}, "deces_assure", "parent_id")],
    ("POST", "/api/especes/deces/{deces_id}/demandes"): [Cas("/api/especes/deces/{deces_id}/demandes", {"admin", "agent.paris"}, body={
        "nom": "Durand", "prenoms": "Alice", "lien": "conjoint", "a_charge": False, "date_demande": str(TODAY), "iban": "FR7630006000011234567890189"},
        personne="parent_id")],
    ("POST", "/api/especes/deces/{deces_id}/decision"): [Cas("/api/especes/deces/{deces_id}/decision", {"admin", "agent.paris"},
                                                             body={"date_decision": str(TODAY)}, personne="parent_id")],
    ("POST", "/api/especes/deces/{deces_id}/paiement"): [Cas("/api/especes/deces/{deces_id}/paiement", {"admin", "agent.paris"},
                                                             body={"date_execution": str(TODAY)}, personne="parent_id")],
    # -- retraite (secu.retraite.demande): the assuré files, an agent of the caisse retraite of his residence (the CNAV for the
    # parent, in Paris; no login of the matrix is one: every agent here is refused, the CARSAT agent's path is tested in
    # tests/retraite/) instructs, decides and pays
    ("POST", "/api/retraite/demandes"): [Cas("/api/retraite/demandes", {"admin", "assure.parent"}, body={
        "personne_id": "{parent_id}", "date_demande": str(TODAY), "iban": "FR7630006000011234567890189"}, personne="parent_id")],
    ("GET", "/api/retraite/demandes/{demande_id}"): [_read("/api/retraite/demandes/{retraite_demande_id}", {"admin", "assure.parent"},
                                                           "demande_retraite", "parent_id")],
    ("GET", "/api/retraite/file"): [_read("/api/retraite/file", ADMIN)],
    ("POST", "/api/retraite/demandes/{demande_id}/instruction"): [Cas("/api/retraite/demandes/{retraite_pension_demande_id}/instruction", ADMIN,
                                                                      body={"sam_cents": 3_000_000, "trimestres_rg": 168}, personne="parent_id")],
    ("POST", "/api/retraite/demandes/{demande_id}/decision"): [Cas("/api/retraite/demandes/{retraite_pension_demande_id}/decision", ADMIN,
                                                                   body={"decision": "rejet", "motif": "essai", "date_decision": str(TODAY)},
                                                                   personne="parent_id")],
    ("GET", "/api/retraite/demandes/{demande_id}/notification"): [_read("/api/retraite/demandes/{retraite_demande_id}/notification",
                                                                        {"admin", "assure.parent"}, "notification_retraite", "parent_id")],
    ("GET", "/api/retraite/demandes/{demande_id}/notification.pdf"): [_read("/api/retraite/demandes/{retraite_demande_id}/notification.pdf",
                                                                            {"admin", "assure.parent"}, "notification_retraite", "parent_id")],
    ("GET", "/api/retraite/pensions/{pension_id}"): [_read("/api/retraite/pensions/{retraite_pension_id}", {"admin", "assure.parent"},
                                                           "pension_retraite", "parent_id")],
    ("POST", "/api/retraite/paiements"): [Cas("/api/retraite/paiements", ADMIN, body={"organisme_code": "{cnav}", "echeance": "{retraite_echeance}"})],
    ("GET", "/assure/retraite"): [_page("/assure/retraite", {"assure.parent", "assure.other"}, "demande_retraite", lecteurs={"assure.parent"})],
    ("POST", "/assure/retraite"): [_page("/assure/retraite", {"assure.parent", "assure.other"}, body={"iban": "FR7630006000011234567890189"})],
    ("GET", "/assure/retraite/notifications/{demande_id}.pdf"): [_page("/assure/retraite/notifications/{retraite_demande_id}.pdf", {"assure.parent"},
                                                                       "notification_retraite", "parent_id")],
    ("GET", "/agent/retraite"): [_page("/agent/retraite", set())],
    ("POST", "/agent/retraite"): [_page("/agent/retraite", set(), body={})],
    ("GET", "/agent/retraite/demandes/{demande_id}"): [_page("/agent/retraite/demandes/{retraite_demande_id}", set())],
    ("POST", "/agent/retraite/demandes/{demande_id}/instruction"): [_page("/agent/retraite/demandes/{retraite_demande_id}/instruction", set(), body={})],
    ("POST", "/agent/retraite/demandes/{demande_id}/decision"): [_page("/agent/retraite/demandes/{retraite_demande_id}/decision", set(), body={})],
    # -- retraite, survivors and ASPA (secu.retraite.survivants): the other (in Marseille) claims the réversion of the dead parent
    ("POST", "/api/retraite/survivants/demandes"): [Cas("/api/retraite/survivants/demandes", {"admin", "assure.other"}, body={
        "nature": "aspa", "personne_id": "{other_id}", "date_demande": str(TODAY), "iban": "FR7630006000011234567890189"}, personne="other_id")],
    ("GET", "/api/retraite/survivants/demandes/{demande_id}"): [_read("/api/retraite/survivants/demandes/{surv_demande_id}", {"admin", "assure.other"},
                                                                      "demande_solidarite", "other_id")],
    ("GET", "/api/retraite/survivants/file"): [_read("/api/retraite/survivants/file", ADMIN)],
    ("POST", "/api/retraite/survivants/demandes/{demande_id}/instruction"): [Cas("/api/retraite/survivants/demandes/{surv_demande_id}/instruction", ADMIN,
                                                                                 body={}, personne="other_id")],
    ("POST", "/api/retraite/survivants/demandes/{demande_id}/decision"): [Cas("/api/retraite/survivants/demandes/{surv_demande_id}/decision", ADMIN,
                                                                              body={"decision": "rejet", "motif": "essai", "date_decision": str(TODAY)},
                                                                              personne="other_id")],
    ("GET", "/api/retraite/survivants/prestations/{prestation_id}"): [_read("/api/retraite/survivants/prestations/{surv_prestation_id}",
                                                                            {"admin", "assure.other"}, "prestation_solidarite", "other_id")],
    ("POST", "/api/retraite/survivants/prestations/{prestation_id}/revision"): [Cas("/api/retraite/survivants/prestations/{surv_prestation_id}/revision",
                                                                                    ADMIN, body={"a_compter_du": str(FIRST), "date_revision": str(TODAY)},
                                                                                    personne="other_id")],
    ("POST", "/api/retraite/survivants/prestations/{prestation_id}/recuperation"): [Cas(
        "/api/retraite/survivants/prestations/{surv_prestation_id}/recuperation", ADMIN,
        body={"date_declaration": str(TODAY), "notaire": "Me Essai", "actif_net_cents": 0}, personne="other_id")],
    ("GET", "/api/retraite/survivants/notifications/{notification_id}"): [_read("/api/retraite/survivants/notifications/{surv_notification_id}",
                                                                                {"admin", "assure.other"}, "notification_solidarite", "other_id")],
    ("GET", "/api/retraite/survivants/notifications/{notification_id}.pdf"): [_read(
        "/api/retraite/survivants/notifications/{surv_notification_id}.pdf", {"admin", "assure.other"}, "notification_solidarite", "other_id")],
    ("GET", "/assure/retraite/survivants"): [_page("/assure/retraite/survivants", {"assure.parent", "assure.other"}, "demande_solidarite",
                                                   lecteurs={"assure.other"})],
    ("POST", "/assure/retraite/survivants"): [_page("/assure/retraite/survivants", {"assure.parent", "assure.other"},
                                                    body={"iban": "FR7630006000011234567890189"})],
    ("GET", "/assure/retraite/survivants/lettres/{notification_id}.pdf"): [_page("/assure/retraite/survivants/lettres/{surv_notification_id}.pdf",
                                                                                 {"assure.other"}, "notification_solidarite", "other_id")],
    ("GET", "/agent/retraite/survivants"): [_page("/agent/retraite/survivants", set())],
    ("GET", "/agent/retraite/survivants/demandes/{demande_id}"): [_page("/agent/retraite/survivants/demandes/{surv_demande_id}", set())],
    ("POST", "/agent/retraite/survivants/demandes/{demande_id}/instruction"): [_page("/agent/retraite/survivants/demandes/{surv_demande_id}/instruction",
                                                                                     set(), body={})],
    ("POST", "/agent/retraite/survivants/demandes/{demande_id}/decision"): [_page("/agent/retraite/survivants/demandes/{surv_demande_id}/decision",
                                                                                  set(), body={})],
    # -- the pages: the assuré's space, the agent's office, the analyst's dashboard
    ("POST", "/connexion"): [_page("/connexion", PUBLIC, body={"identifiant": "analyste", "mot_de_passe": PASSWORD})],
    ("POST", "/deconnexion"): [_page("/deconnexion", PUBLIC, body={})],  # with a token of its own (below)
    ("GET", "/medecin-conseil/invalidite"): [_page("/medecin-conseil/invalidite", MEDECINS)],
    ("GET", "/assure"): [_page("/assure", {"assure.parent", "assure.other"}, "espace_assure")],
    ("GET", "/assure/attestation"): [_page("/assure/attestation", {"assure.parent", "assure.other"}, status=303)],
    ("GET", "/assure/attestation/{personne_id}"): [
        _page("/assure/attestation/{child_id}", {"assure.parent"}, "attestation", "child_id")],
    ("GET", "/assure/attestation/{personne_id}/pdf"): [
        _page("/assure/attestation/{parent_id}/pdf", {"assure.parent"}, "attestation", "parent_id")],
    ("GET", "/assure/remboursements"): [_page("/assure/remboursements", {"assure.parent", "assure.other"}, "decompte")],
    ("GET", "/assure/medecin-traitant"): [_page("/assure/medecin-traitant", {"assure.parent", "assure.other"}, "medecin_traitant")],
    ("POST", "/assure/medecin-traitant"): [_page("/assure/medecin-traitant", {"assure.parent", "assure.other"},
                                                 body={"rpps": "10003456786", "date_debut": str(TODAY)})],
    # The other assuré has no dossier allocataire: nothing of anyone is read for him.
    ("GET", "/assure/prestations"): [_page("/assure/prestations", {"assure.parent", "assure.other"}, "droits_famille",
                                           lecteurs={"assure.parent"})],
    ("GET", "/assure/simulateur"): [_page("/assure/simulateur", {"assure.parent", "assure.other"})],
    ("GET", "/assure/arrets"): [_page("/assure/arrets", {"assure.parent", "assure.other"}, "arrets_travail")],
    ("GET", "/assure/arrets/attestation.pdf"): [_page("/assure/arrets/attestation.pdf", {"assure.parent", "assure.other"},
                                                      "attestation_paiement_ij")],
    ("GET", "/agent/personnes/{personne_id}/arrets"): [_page("/agent/personnes/{parent_id}/arrets", CPAM_PARIS, "arrets_travail", "parent_id")],
    ("POST", "/agent/personnes/{personne_id}/arrets"): [_page("/agent/personnes/{parent_id}/arrets", CPAM_PARIS, body={})],
    ("POST", "/assure/simulateur"): [_page("/assure/simulateur", {"assure.parent", "assure.other"}, body={})],
    ("GET", "/agent"): [_page("/agent", AGENTS)],
    ("GET", "/agent/"): [_page("/agent/", AGENTS)],
    ("GET", "/agent/personnes/{personne_id}"): [_page("/agent/personnes/{parent_id}", CAISSES_DE_PARIS, "personne", "parent_id")],
    ("GET", "/agent/immatriculation"): [_page("/agent/immatriculation", AGENTS)],
    ("POST", "/agent/immatriculation"): [_page("/agent/immatriculation", AGENTS, body={})],
    ("GET", "/agent/personnes/{personne_id}/changement"): [_page("/agent/personnes/{parent_id}/changement", CAISSES_DE_PARIS,
                                                                 "personne", "parent_id")],
    ("POST", "/agent/personnes/{personne_id}/changement"): [_page("/agent/personnes/{parent_id}/changement", CAISSES_DE_PARIS, body={})],
    ("POST", "/agent/personnes/{personne_id}/medecin-traitant"): [_page("/agent/personnes/{parent_id}/medecin-traitant",
                                                                        CAISSES_DE_PARIS, body={})],
    ("GET", "/analyste"): [_page("/analyste", {"analyste"})],
    ("GET", "/analyste/"): [_page("/analyste/", {"analyste"})],
    ("GET", "/analyste/simulation"): [_page("/analyste/simulation", {"analyste"})],
    ("GET", "/analyste/retraites"): [_page("/analyste/retraites", {"analyste"})],
    # -- pilotage: the reform costing (aggregates of a synthetic population; an empty form is refused on its merits, 422)
    ("GET", "/analyste/reformes"): [_page("/analyste/reformes", {"analyste"})],
    ("POST", "/analyste/reformes"): [_page("/analyste/reformes", {"analyste"}, body={})],
    ("GET", "/analyste/reformes/{ident}"): [_page("/analyste/reformes/0123456789abcdef", {"analyste"}, status=404)],
    ("GET", "/analyste/reformes/{ident}/etat"): [_page("/analyste/reformes/0123456789abcdef/etat", {"analyste"}, status=404)],
    ("GET", "/analyste/comptes"): [_page(f"/analyste/comptes?annee={TODAY.year}", {"analyste"})],
    ("GET", "/analyste/comptes/export"): [_page(f"/analyste/comptes/export?annee={TODAY.year}&format=parquet", {"analyste"})],
    # -- pilotage (DSS): the national accounts for the analysts (aggregates) and the administration; closing an
    # exercise is the administration's (the current year: refused on its merits, 422, so nothing is closed here)
    ("GET", "/api/pilotage/comptes"): [_read(f"/api/pilotage/comptes?annee={TODAY.year}", {"admin", "analyste"})],
    ("GET", "/api/pilotage/comptes/export"): [_read(f"/api/pilotage/comptes/export?annee={TODAY.year}&table=tableau", {"admin", "analyste"})],
    ("GET", "/api/pilotage/lfss"): [_read("/api/pilotage/lfss?annee=2025", {"admin", "analyste"})],
    ("GET", "/api/pilotage/exercices"): [_read("/api/pilotage/exercices", {"admin", "analyste"})],
    ("POST", "/api/pilotage/exercices/{annee}/cloture"): [Cas(f"/api/pilotage/exercices/{TODAY.year}/cloture", ADMIN, body={})],
    # -- retraite: the compte de carrière. The assuré his own; the agents of his caisse de retraite (none in this world:
    # the parent's is the CNAV) — tests/retraite/test_carriere_api.py checks them; nobody else, not even the admin.
    ("GET", "/api/retraite/carriere/{personne_id}"): [
        _read("/api/retraite/carriere/{parent_id}", {"assure.parent"}, "retraite.carriere", "parent_id"),
        _read("/api/retraite/carriere/{other_id}", {"assure.other"}, "retraite.carriere", "other_id")],
    ("GET", "/api/retraite/carriere/{personne_id}/releve.pdf"): [
        _read("/api/retraite/carriere/{parent_id}/releve.pdf", {"assure.parent"}, "retraite.releve", "parent_id")],
    ("POST", "/api/retraite/carriere/{personne_id}/corrections"): [Cas("/api/retraite/carriere/{parent_id}/corrections", {"assure.parent"},
                                                                      body={"annee": 2010, "nature": "salaire", "montant_cents": 100_000,
                                                                            "explication": "bulletins de paie"})],
    ("GET", "/api/retraite/corrections"): [_read("/api/retraite/corrections", set())],
    ("POST", "/api/retraite/corrections/{correction_id}/instruction"): [Cas("/api/retraite/corrections/{correction_id}/instruction", set(),
                                                                           body={"decision": "acceptee", "date_decision": str(TODAY)})],
    ("GET", "/api/retraite/carriere/{personne_id}/estimation"): [
        _read("/api/retraite/carriere/{parent_id}/estimation?salaire=30000", {"assure.parent"}, "retraite.estimation", "parent_id")],
    ("POST", "/api/retraite/simulateur"): [Cas("/api/retraite/simulateur", PUBLIC, body={
        "date_naissance": "1970-05-14", "trimestres": 120, "sam_cents": 3_000_000, "salaire_cents": 3_500_000})],
    ("GET", "/assure/retraite/carriere"): [_page("/assure/retraite/carriere", {"assure.parent", "assure.other"}, "retraite.carriere")],
    ("GET", "/assure/retraite/carriere/releve.pdf"): [_page("/assure/retraite/carriere/releve.pdf", {"assure.parent", "assure.other"},
                                                            "retraite.releve")],
    ("GET", "/assure/retraite/carriere/correction"): [_page("/assure/retraite/carriere/correction", {"assure.parent", "assure.other"})],
    ("POST", "/assure/retraite/carriere/correction"): [_page("/assure/retraite/carriere/correction", {"assure.parent", "assure.other"}, body={})],
    ("GET", "/assure/retraite/estimation"): [_page("/assure/retraite/estimation?salaire=30000", {"assure.parent", "assure.other"},
                                                   "retraite.estimation")],
    ("GET", "/retraite/simulateur"): [_page("/retraite/simulateur", PUBLIC)],
    ("POST", "/retraite/simulateur"): [_page("/retraite/simulateur", PUBLIC, body={})],
    ("GET", "/agent/retraite/corrections"): [_page("/agent/retraite/corrections", set())],
    ("GET", "/agent/retraite/carriere/{personne_id}"): [_page("/agent/retraite/carriere/{parent_id}", set(), personne="parent_id")],
    ("POST", "/agent/retraite/corrections/{correction_id}"): [_page("/agent/retraite/corrections/{correction_id}", set(),
                                                                   body={"decision": "acceptee"})],
}

#: Routes that are not the app's to decide (static files of the pages).
NOT_ROUTES = {"/static"}


def _app_routes() -> set[tuple[str, str]]:
    app = create_app("sqlite://", run_migrations=False)
    out = set()
    for context in iter_route_contexts(app.routes):
        if context.path in NOT_ROUTES:
            continue
        for method in context.methods or ():
            if method != "HEAD":
                out.add((method, context.path))
    return out


def test_every_route_of_the_app_is_in_the_matrix() -> None:
    routes = _app_routes()
    assert sorted(routes - set(MATRIX)) == [], "routes without a line in the matrix"
    assert sorted(set(MATRIX) - routes) == [], "lines of the matrix for routes the app does not have"


@dataclass
class Donnees:
    """The world's identifiers and what the matrix adds to it: a feuille de soins, a dossier, a decision, paid runs."""

    values: dict[str, Any] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)


@pytest.fixture(scope="module")
def donnees(app, world: World) -> Donnees:  # type: ignore[no-untyped-def]
    from secu.autonomie import service as autonomie
    from secu.core.security import SYSTEM
    from secu.register.models import Affiliation, Foyer, MembreFoyer, Personne

    d = Donnees(values={k: getattr(world, k) for k in World.__dataclass_fields__ if k not in ("client", "tokens")})
    admin = world.as_("admin")
    lot = world.client.post("/api/maladie/lots", headers=world.as_("docteur"), json={
        "numero": "LOT-0", "professionnel_rpps": "10003456786",
        "fse": [{"numero": "F-0", "nir": with_key("1850575115001"), "date_soins": str(TODAY), "lignes": [{"acte": "G", "montant": "30.00"}]}]})
    assert lot.status_code == 200 and lot.json()["acceptees"] == 1, lot.text
    d.values["fse_id"] = lot.json()["resultats"][0]["fse_id"]
    run = world.client.post("/api/maladie/paiements", headers=admin, json={"organisme_code": world.cpam_paris, "date_execution": str(TODAY)})
    assert run.status_code == 200, run.text
    d.values["maladie_run_id"] = run.json()["campagne_id"]
    dossier = world.client.post("/api/famille/dossiers", headers=admin, json={
        "membres": [{"personne_id": world.parent_id, "role": "allocataire", "date_debut": str(FIRST)},
                    {"personne_id": world.child_id, "role": "enfant", "date_debut": str(FIRST)}], "date_debut": str(FIRST)})
    assert dossier.status_code == 201, dossier.text
    d.values["dossier_id"] = dossier.json()["id"]
    d.values["caf_paris"] = dossier.json()["organisme_code"]
    famille_run = world.client.post("/api/famille/paiements", headers=admin, json={"organisme_code": d.values["caf_paris"], "mois": str(FIRST)})
    assert famille_run.status_code == 200, famille_run.text
    d.values["famille_run_id"] = famille_run.json()["campagne_id"]
    with unit_of_work(app.state.sessions) as s:
        decision = autonomie.decide(s, SYSTEM, autonomie.DecisionIn(
            personne_id=world.child_id, prestation="pch", ressources_cents=0, aides_techniques_cents=5_000,
            date_decision=TODAY, date_debut=FIRST))
        d.values["decision_id"] = decision.id
        d.values["parent_nir"] = s.get(Personne, world.parent_id).nir  # type: ignore[union-attr]
        d.values["other_affiliation_id"] = s.scalar(select(Affiliation.id).where(Affiliation.personne_id == world.other_id))
        d.values["foyer_id"] = s.scalar(select(Foyer.id).join(MembreFoyer, MembreFoyer.foyer_id == Foyer.id)
                                        .where(MembreFoyer.personne_id == world.parent_id).limit(1))
        victim = create_user(s, UtilisateurIn(login="victime", password=PASSWORD, nom_affiche="victime", role=Role.ANALYSTE))
        d.values["victim_id"] = victim.id
        d.user_ids = {login: id_ for login, id_ in s.execute(select(Utilisateur.login, Utilisateur.id))}
    card = world.client.post(f"/api/personnes/{world.other_id}/cartes-vitale", headers=admin, json={"date_emission": "2020-01-01"})
    assert card.status_code in (200, 201), card.text
    d.values["other_card_id"] = card.json()["id"]
    ij_run = world.client.post("/api/especes/paiements", headers=admin, json={"organisme_code": world.cpam_paris, "date_execution": str(TODAY)})
    assert ij_run.status_code == 200, ij_run.text
    d.values["ij_run_id"] = ij_run.json()["campagne_id"]
    d.values["dsn_id"] = 2**31 - 1  # no DSN here: the policy answers before the lookup
    _invalidite(app, world, d)
    _retraite_carriere(app, world, d)
    _retraite(app, world, d)
    _survivants(app, world, d)
    return d


def _retraite_carriere(app, world: World, d: Donnees) -> None:  # type: ignore[no-untyped-def]
    """A correction of the parent's compte de carrière, waiting at his caisse de retraite (the CNAV)."""
    from secu.core.security import Caller
    from secu.retraite import carriere

    with unit_of_work(app.state.sessions) as s:
        d.values["correction_id"] = carriere.demander_correction(s, Caller(user_id=None, role=Role.ASSURE, personne_id=world.parent_id), world.parent_id,
                                                                 carriere.CorrectionIn(annee=2009, nature="chomage", jours=120, explication="ASSEDIC")).id


def _retraite(app, world: World, d: Donnees) -> None:  # type: ignore[no-untyped-def]
    """Two retirement claims of the parent (before his death): one rejected (its letter), one granted (the pension, entered as
    the decision leaves it: the parent, born in 1985, is far from the âge légal, which the instruction would refuse)."""
    import json

    from secu.core.security import SYSTEM
    from secu.retraite import demande as retraite
    from secu.retraite.models_pension import PensionRetraite
    from secu.retraite.paiement import echeance_du_mois

    with unit_of_work(app.state.sessions) as s:
        rejetee = retraite.demander(s, SYSTEM, retraite.DemandeIn(personne_id=world.parent_id, date_demande=date(2025, 3, 1),
                                                                  date_effet=date(2025, 4, 1), iban="FR7630006000011234567890189"))
        retraite.decider(s, SYSTEM, rejetee.id, retraite.DecisionIn(decision="rejet", motif="âge légal non atteint", date_decision=date(2025, 3, 20)))
        accordee = retraite.demander(s, SYSTEM, retraite.DemandeIn(personne_id=world.parent_id, date_demande=date(2025, 4, 2),
                                                                   date_effet=date(2025, 5, 1), iban="FR7630006000011234567890189"))
        accordee.statut, accordee.decision, accordee.date_decision = "attribuee", "attribution", date(2025, 4, 20)
        pension = PensionRetraite(demande_id=accordee.id, personne_id=world.parent_id, organisme_code=accordee.organisme_code, date_effet=date(2025, 5, 1),
                                  pension_annuelle_cents=1_200_000, pension_mensuelle_cents=100_000, iban=accordee.iban, titulaire=accordee.titulaire,
                                  explication=json.dumps([]))
        s.add(pension)
        s.flush()
        d.values.update(retraite_demande_id=rejetee.id, retraite_pension_demande_id=accordee.id, retraite_pension_id=pension.id,
                        cnav=accordee.organisme_code,
                        retraite_echeance=str(echeance_du_mois((FIRST - timedelta(days=1)).replace(day=1))))


def _survivants(app, world: World, d: Donnees) -> None:  # type: ignore[no-untyped-def]
    """The other's claims after the parent's death: a réversion rejected (its letter), an allocation veuvage granted (entered as the
    decision leaves it, with its first amount row)."""
    import json

    from secu.core.security import SYSTEM
    from secu.retraite import survivants
    from secu.retraite.models_survivants import MontantSolidarite, NotificationSolidarite, PrestationSolidarite

    with unit_of_work(app.state.sessions) as s:
        rejetee = survivants.demander(s, SYSTEM, survivants.DemandeSolidariteIn(
            nature="reversion", personne_id=world.other_id, defunt_id=world.parent_id, date_demande=TODAY, iban="FR7630006000011234567890189"))
        survivants.decider(s, SYSTEM, rejetee.id, survivants.DecisionSolidariteIn(decision="rejet", motif="moins de 55 ans", date_decision=TODAY))
        accordee = survivants.demander(s, SYSTEM, survivants.DemandeSolidariteIn(
            nature="veuvage", personne_id=world.other_id, defunt_id=world.parent_id, date_demande=TODAY, iban="FR7630006000011234567890189"))
        accordee.statut, accordee.decision, accordee.date_decision = "attribuee", "attribution", TODAY
        prestation = PrestationSolidarite(demande_id=accordee.id, nature="veuvage", personne_id=world.other_id, organisme_code=accordee.organisme_code,
                                          date_effet=accordee.date_effet, entree=json.dumps({}), iban=accordee.iban, titulaire=accordee.titulaire,
                                          categorie_csg="exoneree")
        s.add(prestation)
        s.flush()
        s.add(MontantSolidarite(prestation_id=prestation.id, a_compter_du=accordee.date_effet, ressources=json.dumps({}), montant_mensuel_cents=71_317,
                                explication=json.dumps([])))
        lettre = s.scalar(select(NotificationSolidarite.id).where(NotificationSolidarite.demande_id == rejetee.id))
        d.values.update(surv_demande_id=rejetee.id, surv_prestation_id=prestation.id, surv_notification_id=lettre)


def _invalidite(app, world: World, d: Donnees) -> None:  # type: ignore[no-untyped-def]
    """An invalidity claim of the parent, the avis, the grant (a pension), and a death declared to his CPAM."""
    from secu.core.security import SYSTEM, Caller
    from secu.especes import deces, invalidite
    from tests.api.conftest import drsm_for

    with unit_of_work(app.state.sessions) as s:
        demande = invalidite.demander(s, SYSTEM, invalidite.DemandeIn(
            personne_id=world.parent_id, date_demande=date(2025, 3, 1), date_arret=date(2024, 3, 1), iban="FR7630006000011234567890189",
            salaires_hors_secu=[invalidite.SalaireAnnuel(annee=2023, salaire_cents=3_000_000)]))
        invalidite.donner_avis(s, Caller(user_id=None, role=Role.MEDECIN_CONSEIL, organisme_code=drsm_for("75")), demande.id,
                               invalidite.AvisIn(categorie=2, date_effet=date(2025, 5, 1)))
        invalidite.decider(s, SYSTEM, demande.id, invalidite.DecisionIn(decision="accord", date_decision=date(2025, 4, 15)))
        d.values["demande_id"] = demande.id
        d.values["pension_id"] = s.scalar(select(invalidite.PensionInvalidite.id).where(invalidite.PensionInvalidite.demande_id == demande.id))
        d.values["deces_id"] = deces.declarer(s, SYSTEM, deces.DecesIn(personne_id=world.parent_id, date_deces=DECES,
                                                                       activite_salariee=DECES)).id


def _format(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in values:
            return values[value[1:-1]]
        return value.format(**values) if "{" in value else value
    if isinstance(value, dict):
        return {k: _format(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_format(v, values) for v in value]
    return value


def _headers(world: World, cas: Cas, login: str | None, fresh: bool) -> dict[str, str]:
    if login is None:
        return {}
    token = world.tokens[login]
    if fresh:  # signing out revokes the token it is sent with
        token = world.client.post("/api/auth/jeton", data={"username": login, "password": PASSWORD}).json()["access_token"]
    if not cas.page:
        return {"Authorization": f"Bearer {token}"}
    return {"Cookie": f"{COOKIE}={sign(token)}; {CSRF_COOKIE}=graine-matrice"}


def _send(world: World, cas: Cas, method: str, login: str | None, values: dict[str, Any], fresh: bool):  # type: ignore[no-untyped-def]
    headers = _headers(world, cas, login, fresh)
    if cas.page and login is None:
        headers = {"Cookie": f"{CSRF_COOKIE}=graine-matrice"}
    url = _format(cas.url, values)
    body = _format(cas.body, values)
    if method == "GET":
        return world.client.get(url, headers=headers, follow_redirects=False)
    if cas.page:
        return world.client.request(method, url, headers=headers, data={**(body or {}), "csrf": _mac("csrf", "graine-matrice")},
                                    follow_redirects=False)
    if cas.form:
        return world.client.request(method, url, headers=headers, data=body, follow_redirects=False)
    if cas.text:
        return world.client.request(method, url, headers={**headers, "Content-Type": "text/plain"}, content=body)
    return world.client.request(method, url, headers=headers, json=body)


def _last_journal_id(app) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(app.state.sessions) as s:
        return int(s.scalar(select(func.coalesce(func.max(JournalAcces.id), 0))) or 0)


def _journal_since(app, after: int) -> list[JournalAcces]:  # type: ignore[no-untyped-def]
    with unit_of_work(app.state.sessions) as s:
        rows = list(s.scalars(select(JournalAcces).where(JournalAcces.id > after)))
        s.expunge_all()
        return rows


@pytest.mark.parametrize("route", sorted(MATRIX), ids=[f"{m} {p}" for m, p in sorted(MATRIX)])
def test_every_role_gets_what_the_policy_says(app, world: World, donnees: Donnees, route: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    method, _ = route
    fresh = route in {("POST", "/api/auth/deconnexion"), ("POST", "/deconnexion")}
    values = donnees.values
    for cas in MATRIX[route]:
        # An open route answers the same whoever asks (one profile and no token suffice); signing out costs a
        # password check per fresh token, so a few profiles do.
        logins = SAMPLE if cas.allowed == PUBLIC or fresh else (*LOGINS, None)
        for login in logins:
            before = _last_journal_id(app) if cas.personne or cas.lecture else 0
            response = _send(world, cas, method, login, values, fresh)
            where = (login, method, _format(cas.url, values), response.status_code, response.text[:300])
            assert response.status_code < 500, where
            if login in cas.allowed:
                if method == "GET":
                    assert response.status_code == (cas.status or 200), where
                else:
                    assert response.status_code not in (401, 403), where
                if cas.lecture and login is not None and (cas.lecteurs is None or login in cas.lecteurs):
                    rows = _journal_since(app, before)
                    whose = values[cas.personne] if cas.personne else None
                    assert any(r.action == "lecture" and r.ressource == cas.lecture and r.utilisateur_id == donnees.user_ids[login]
                               and (whose is None or r.personne_id == whose) for r in rows), (where, [(r.action, r.ressource) for r in rows])
            elif login is None:
                if cas.page:
                    assert response.status_code == 303 and "/connexion" in response.headers["location"], where
                else:
                    assert response.status_code == 401, where
            else:
                assert response.status_code == 403, where
                if cas.personne:
                    rows = _journal_since(app, before)
                    assert any(r.action == "refus" and r.utilisateur_id == donnees.user_ids[login] for r in rows), where


def test_a_sepa_file_download_names_the_run_in_the_journal(app, world: World, donnees: Donnees) -> None:
    """Defect 6: the files carrying every payee's name and IBAN were downloaded without a trace."""
    before = _last_journal_id(app)
    run_id = donnees.values["famille_run_id"]
    assert world.client.get(f"/api/famille/paiements/{run_id}/sepa.xml", headers=world.as_("agent.caf")).status_code == 200
    [row] = [r for r in _journal_since(app, before) if r.ressource == "fichier_sepa"]
    assert (row.action, row.ressource_id, row.utilisateur_id) == ("lecture", str(run_id), donnees.user_ids["agent.caf"])
    assert row.detail == f"famille {donnees.values['caf_paris']}"


def test_no_token_no_api(world: World) -> None:
    response = world.client.get(f"/api/personnes/{world.parent_id}")
    assert response.status_code == 401 and "authentification requise" in response.json()["detail"]["message"]


def test_search_is_scoped_to_the_agents_caisse(world: World) -> None:
    paris = world.client.get("/api/personnes?q=DURAND", headers=world.as_("agent.paris")).json()
    marseille = world.client.get("/api/personnes?q=DURAND", headers=world.as_("agent.marseille")).json()
    assert {p["id"] for p in paris["items"]} == {world.parent_id, world.child_id}
    assert marseille["items"] == [] and marseille["total"] == 0


def test_employers_are_scoped_to_the_agents_territory(world: World) -> None:
    paris = {e["id"] for e in world.client.get("/api/employeurs", headers=world.as_("agent.paris")).json()["items"]}
    marseille = {e["id"] for e in world.client.get("/api/employeurs", headers=world.as_("agent.marseille")).json()["items"]}
    assert world.employer_id in paris and world.other_employer_id not in paris
    assert world.other_employer_id in marseille and world.employer_id not in marseille


def test_a_caf_agent_sees_no_reimbursement_on_the_persons_page(world: World) -> None:
    """Defect 6: the CAF's agent read the health reimbursements of the persons of his CAF."""
    headers = {"Cookie": f"{COOKIE}={sign(world.tokens['agent.caf'])}"}
    page = world.client.get(f"/agent/personnes/{world.parent_id}", headers=headers)
    assert page.status_code == 200 and "Durand" in page.text.title()
    assert "Remboursements de soins" not in page.text
    cpam = world.client.get(f"/agent/personnes/{world.parent_id}", headers={"Cookie": f"{COOKIE}={sign(world.tokens['agent.paris'])}"})
    assert "Remboursements de soins" in cpam.text


def test_agent_sees_the_exoneration_but_not_the_disease(world: World) -> None:
    body = world.client.get(f"/api/personnes/{world.parent_id}/attestation", headers=world.as_("agent.paris")).text
    assert "affection de longue durée" in body
    assert "Diabète" not in body and "PS-1" not in body


def test_medical_adviser_sees_the_disease(world: World) -> None:
    rows = world.client.get(f"/api/personnes/{world.parent_id}/ald", headers=world.as_("mc.idf")).json()
    assert [(r["code"], r["libelle"][:7]) for r in rows] == [("8", "Diabète")]


def test_analyst_aggregates_carry_no_name_and_no_nir(world: World) -> None:
    body = world.client.get("/api/statistiques/population", headers=world.as_("analyste")).json()
    text = str(body)
    assert "DURAND" not in text and "MARTIN" not in text
    assert all(set(cell) == {"departement", "sexe", "tranche_age", "effectif", "secret"} for cell in body["cellules"])
    # Three people only: every cell is under the threshold and hidden.
    assert all(cell["secret"] and cell["effectif"] is None for cell in body["cellules"])


def test_professional_reads_rights_only_with_the_card(world: World) -> None:
    ok = world.client.get(f"/api/droits?carte_vitale={world.card}", headers=world.as_("docteur"))
    assert ok.status_code == 200 and ok.json()["couvert"] is True
    unknown = world.client.get("/api/droits?carte_vitale=0000000000", headers=world.as_("docteur"))
    assert unknown.status_code == 404 and unknown.json()["detail"]["champ"] == "carte_vitale"


def test_the_journal_is_intact_after_the_matrix(world: World) -> None:
    check = world.client.get("/api/journal-acces/verification", headers=world.as_("admin")).json()
    assert check == {"intact": True, "lignes_alterees": [], "anomalies": []}
