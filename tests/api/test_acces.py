"""The access policy as a table: every permission × every profile, written out by hand from the role table
of ``secu.register.access`` and the branches' rules of who may do what. A change of the policy shows here."""

from __future__ import annotations

import pytest

from secu.acces import POLITIQUE, Permission, Portee, couvre_departement, couvre_organisme, exiger, peut, portee
from secu.core.errors import Forbidden
from secu.core.security import Caller, Role

ROLES = (Role.ASSURE, Role.AGENT, Role.MEDECIN_CONSEIL, Role.PROFESSIONNEL, Role.EMPLOYEUR, Role.ANALYSTE, Role.ADMIN)

# Columns: assuré, agent, médecin-conseil, professionnel, employeur, analyste, admin.
# T = TOUT, C = SA_CAISSE, D = SON_TERRITOIRE (départements of the organism), S = LE_SIEN, . = refused.
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
enregistrer_employeurs_et_professionnels  . T . . . . T
lire_employeur                            . T . . S . T
lire_annuaire_professionnels              T T T T T T T
lire_droits_sur_carte_vitale              . . . T . . .
passer_ecriture                           . . . . . . T
lire_soldes                               . C . . . T T
lire_statistiques                         . . . . . T T
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
gerer_autonomie                           . D . . . . T
lire_decision_autonomie                   S D . . . . T
espace_assure                             S . . . . . .
espace_agent                              . C . . . . .
espace_analyste                           . . . . . T .
"""

LETTERS = {"T": Portee.TOUT, "C": Portee.SA_CAISSE, "D": Portee.SON_TERRITOIRE, "S": Portee.LE_SIEN, ".": None}
EXPECTED = {
    (Permission(name), role): LETTERS[cell]
    for name, *cells in (line.split() for line in TABLE.strip().splitlines())
    for role, cell in zip(ROLES, cells, strict=True)
}


def test_the_table_names_every_permission_and_every_profile() -> None:
    assert {p for p, _ in EXPECTED} == set(Permission) == set(POLITIQUE)
    assert set(ROLES) == set(Role)


@pytest.mark.parametrize(("permission", "role"), sorted(EXPECTED, key=str))
def test_policy_cell(permission: Permission, role: Role) -> None:
    caller = Caller(user_id=1, role=role)
    assert portee(caller, permission) is EXPECTED[(permission, role)]
    assert peut(caller, permission) is (EXPECTED[(permission, role)] is not None)


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
