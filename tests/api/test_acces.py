"""The access policy as a table: every permission × every profile, written out by hand from the role table
of ``secu.register.access`` and the branches' rules of who may do what. A change of the policy shows here."""

from __future__ import annotations

import pytest

from secu.acces import POLITIQUE, Permission, Portee, couvre_departement, couvre_organisme, exiger, peut, portee
from secu.core.errors import Forbidden
from secu.core.security import Caller, Role

ROLES = (Role.ASSURE, Role.AGENT, Role.MEDECIN_CONSEIL, Role.PROFESSIONNEL, Role.EMPLOYEUR, Role.ANALYSTE, Role.ADMIN)

# Columns: assuré, agent, médecin-conseil, professionnel, employeur, analyste, admin.
# T = TOUT, C = SA_CAISSE, D = SON_TERRITOIRE (départements of the organism), S = LE_SIEN,
# A = AGREGATS (aggregates under the secret statistique), . = refused.
# The agent's column is the profile's; BRANCH_TABLE below binds it to the organism's branches.
TABLE = """
administrer_comptes                       . . . . . . T
consulter_journal                         . . . . . . T
voir_qui_a_lu_un_dossier                  S . . . . . T
chercher_personnes                        . C D . . . T
lire_personne                             S C D . . . T
lire_donnees_medicales                    S . D . . . .
immatriculer                              . C . . . . T
gerer_dossier_personne                    . C . . . . T
declarer_pour_soi                         S . . . . . .
admettre_ald                              . . D . . . .
enregistrer_employeurs                    . D . . . . T
enregistrer_professionnels                . D . . . . T
lire_employeur                            . D . . S . T
lire_annuaire_professionnels              T T T T T T T
lire_droits_sur_carte_vitale              . . . T . . .
passer_ecriture                           . . . . . . T
lire_soldes                               . C . . . A T
lire_statistiques                         . . . . . A A
transmettre_fse                           . T . S . . T
lire_fse_transmises                       . . . S . . .
lire_fse                                  S C D . . . T
lire_retour_amc                           . C . . . . T
lire_paiements_recus                      . . . S . . .
payer_prestations                         . C . . . . T
ouvrir_dossier_allocataire                . C . . . . T
lire_dossier_allocataire                  S C . . . . T
deposer_dsn                               . C . . S . T
lire_compte_cotisant                      . C . . S . T
gerer_compte_cotisant                     . C . . . . T
lire_remunerations                        S C . . . . T
gerer_autonomie                           . C . . . . T
lire_decision_autonomie                   S C . . . . T
transmettre_avis_arret                    . C . T . . T
transmettre_attestation_salaire           . C . . S . T
lire_arrets                               S C D . . . T
lire_ij_subrogees                         . . . . S . T
demander_invalidite                       S C . . . . T
donner_avis_invalidite                    . . D . . . .
decider_invalidite                        . C . . . . T
lire_invalidite                           S C D . . . T
gerer_capital_deces                       . C . . . . T
retraite_demander                         S C . . . . T
retraite_instruire                        . C . . . . T
retraite_lire                             S C . . . . T
retraite_payer                            . C . . . . T
retraite_lire_carriere                    S C . . . . .
retraite_demander_correction              S . . . . . .
retraite_instruire_correction             . C . . . . .
retraite_importer_carriere                . . . . . . T
lire_comptes_nationaux                    . . . . . A T
cloturer_exercice                         . . . . . . T
espace_assure                             S . . . . . .
espace_agent                              . C . . . . .
espace_analyste                           . . . . . T .
"""

LETTERS = {"T": Portee.TOUT, "C": Portee.SA_CAISSE, "D": Portee.SON_TERRITOIRE, "S": Portee.LE_SIEN, "A": Portee.AGREGATS, ".": None}
EXPECTED = {
    (Permission(name), role): LETTERS[cell]
    for name, *cells in (line.split() for line in TABLE.strip().splitlines())
    for role, cell in zip(ROLES, cells, strict=True)
}


def test_the_table_names_every_permission_and_every_profile() -> None:
    assert {p for p, _ in EXPECTED} == set(Permission) == set(POLITIQUE)
    assert set(ROLES) == set(Role)


# Which agents keep the agent's column of a permission: x = kept, . = refused (their organism does not serve it).
# Columns: CPAM (maladie, atmp), CAF (famille), URSSAF (recouvrement), CARSAT (retraite, atmp), département (autonomie).
AGENTS = ("CPAM-75", "CAF-75", "URSSAF-IDF", "CARSAT-NORD-EST", "CD-75")
BRANCH_TABLE = """
chercher_personnes                        x x x x .
lire_personne                             x x x x .
immatriculer                              x x x x .
gerer_dossier_personne                    x x x x .
enregistrer_employeurs                    . . x . .
enregistrer_professionnels                x . . . .
lire_employeur                            x . x x .
lire_annuaire_professionnels              x x x x x
lire_soldes                               x x x x x
transmettre_fse                           x . . . .
lire_fse                                  x . . . .
lire_retour_amc                           x . . . .
payer_prestations                         x x . . .
ouvrir_dossier_allocataire                . x . . .
lire_dossier_allocataire                  . x . . .
deposer_dsn                               . . x . .
lire_compte_cotisant                      . . x . .
gerer_compte_cotisant                     . . x . .
lire_remunerations                        x . x x .
gerer_autonomie                           . . . . x
lire_decision_autonomie                   . . . . x
transmettre_avis_arret                    x . . . .
transmettre_attestation_salaire           x . . . .
lire_arrets                               x . . . .
demander_invalidite                       x . . . .
decider_invalidite                        x . . . .
lire_invalidite                           x . . . .
gerer_capital_deces                       x . . . .
retraite_demander                         . . . x .
retraite_instruire                        . . . x .
retraite_lire                             . . . x .
retraite_payer                            . . . x .
retraite_lire_carriere                    . . . x .
retraite_instruire_correction             . . . x .
espace_agent                              x x x x x
"""
BRANCH_EXPECTED = {
    (Permission(name), organisme): cell == "x"
    for name, *cells in (line.split() for line in BRANCH_TABLE.strip().splitlines())
    for organisme, cell in zip(AGENTS, cells, strict=True)
}


def _caller(role: Role) -> Caller:
    return Caller(user_id=1, role=role)


# The agent's column depends on the organism: test_agents_rights_follow_their_organisms_branches checks it.
@pytest.mark.parametrize(("permission", "role"), sorted((k for k in EXPECTED if k[1] is not Role.AGENT), key=str))
def test_policy_cell(permission: Permission, role: Role) -> None:
    caller = _caller(role)
    assert portee(caller, permission) is EXPECTED[(permission, role)]
    assert peut(caller, permission) is (EXPECTED[(permission, role)] is not None)


def test_every_agent_permission_is_in_the_branch_table() -> None:
    agent_permissions = {p for p in Permission if EXPECTED[(p, Role.AGENT)] is not None}
    assert {p for p, _ in BRANCH_EXPECTED} == agent_permissions


@pytest.mark.parametrize(("permission", "organisme"), sorted(BRANCH_EXPECTED, key=str))
def test_agents_rights_follow_their_organisms_branches(permission: Permission, organisme: str) -> None:
    caller = Caller(user_id=1, role=Role.AGENT, organisme_code=organisme)
    expected = EXPECTED[(permission, Role.AGENT)] if BRANCH_EXPECTED[(permission, organisme)] else None
    assert portee(caller, permission) is expected


def test_an_agent_without_organism_or_with_an_unknown_one_has_no_branch_right() -> None:
    for code in (None, "INCONNU-99"):
        caller = Caller(user_id=1, role=Role.AGENT, organisme_code=code)
        assert portee(caller, Permission.LIRE_FSE) is None and portee(caller, Permission.GERER_AUTONOMIE) is None


def test_a_refusal_is_forbidden_in_french() -> None:
    with pytest.raises(Forbidden) as refused:
        exiger(Caller(user_id=1, role=Role.ANALYSTE), Permission.LIRE_PERSONNE)
    assert refused.value.message == "action non autorisée pour votre profil"


def test_scopes_reach_only_the_callers_caisse_or_territory() -> None:
    agent = Caller(user_id=1, role=Role.AGENT, organisme_code="CPAM-75")
    assert couvre_organisme(agent, Portee.SA_CAISSE, "CPAM-75")
    assert not couvre_organisme(agent, Portee.SA_CAISSE, "CPAM-13")
    assert not couvre_organisme(Caller(user_id=2, role=Role.AGENT), Portee.SA_CAISSE, None)  # no caisse, no reach
    assert couvre_organisme(agent, Portee.TOUT, "CPAM-13")
    assert not couvre_organisme(agent, None, "CPAM-75")
    conseil = Caller(user_id=3, role=Role.MEDECIN_CONSEIL, organisme_code="DRSM-BRETAGNE")  # 22 29 35 56
    assert couvre_departement(conseil, Portee.SON_TERRITOIRE, "29")
    assert not couvre_departement(conseil, Portee.SON_TERRITOIRE, "75")
    assert not couvre_departement(conseil, Portee.LE_SIEN, "29")
