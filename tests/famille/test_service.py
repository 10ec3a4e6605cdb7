"""Declaring a household and its dated changes on both databases: refusals leave nothing written, the months are
rebuilt from the history (CSS R552-2), resources N-2 come from the DSN where they exist, reads are journalled."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.errors import InvalidField
from secu.core.security import SYSTEM, JournalAcces
from secu.famille import schemas, service
from secu.famille.models import DossierAllocataire, EvenementFamille
from secu.recouvrement.models import DeclarationDsn, LigneCotisation, Remuneration
from secu.register import schemas as rs
from secu.register import service as register
from secu.register.models import Foyer
from tests.api.conftest import with_key

TODAY = date(2025, 7, 10)


@pytest.fixture(scope="module")
def world(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    factory = session_factory(engine)
    ids = {}
    with unit_of_work(factory) as s:
        def person(key: str, body: str, born: date, sexe: str, iban: str | None = None) -> None:
            ids[key] = register.register_person(s, rs.PersonneIn(nir=with_key(body), nom_naissance="Bernard", prenoms=key, date_naissance=born,
                                                                 sexe=sexe, departement="75", commune="75111", iban=iban), caller=SYSTEM, today=TODAY).id
        person("mere", "2880575115101", date(1988, 5, 1), "2", "FR7630006000011234567890189")
        person("pere", "1860575115102", date(1986, 5, 1), "1")
        person("aine", "2160375115103", date(2016, 3, 10), "2")
        person("cadet", "1180775115104", date(2018, 7, 1), "1")
        person("bebe", "2250675115105", date(2025, 6, 15), "2")
        # One DSN salary record of the father for 2023: net before tax 10 000 €, CSG non déductible 240 €, CRDS 50 €.
        dsn = DeclarationDsn(siren="732829320", siret="73282932000074", mois=date(2023, 3, 1), version=1, type_declaration="normale", empreinte="x",
                             format="texte", contenu="", organisme_code="URSSAF-IDF", effectif=1, salaries=1, date_exigibilite=date(2023, 4, 15),
                             brut_cents=0, salarial_cents=0, patronal_cents=0, du_urssaf_cents=0)
        s.add(dsn)
        s.flush()
        pay = Remuneration(declaration_id=dsn.id, nir=with_key("1860575115102"), personne_id=ids["pere"], siret=dsn.siret, mois=dsn.mois,
                           brut_cents=1_300_000, cadre=False, salarial_cents=0, patronal_cents=0, net_avant_impot_cents=1_000_000)
        s.add(pay)
        s.flush()
        for code, cents in (("csg_non_deductible", 24_000), ("crds", 5_000), ("csg_deductible", 68_000)):
            s.add(LigneCotisation(remuneration_id=pay.id, code=code, libelle=code, assiette_cents=0, montant_salarial_cents=cents,
                                  montant_patronal_cents=0, attributaire="csg", reference="test"))
    yield factory, ids
    engine.dispose()


def _declaration(ids, **changes):  # type: ignore[no-untyped-def]
    data = dict(
        membres=[schemas.MembreDeclare(personne_id=ids["mere"], role="allocataire", date_debut=date(2025, 4, 10)),
                 schemas.MembreDeclare(personne_id=ids["pere"], role="conjoint", date_debut=date(2025, 4, 10)),
                 schemas.MembreDeclare(personne_id=ids["aine"], role="enfant", date_debut=date(2025, 4, 10)),
                 schemas.MembreDeclare(personne_id=ids["cadet"], role="enfant", date_debut=date(2025, 4, 10))],
        date_debut=date(2025, 4, 10),
        ressources=[schemas.RessourceIn(personne_id=ids["mere"], annee=2023, montant="20000.00")],
    )
    data.update(changes)
    return schemas.DeclarationIn(**data)


def _count(factory) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with unit_of_work(factory) as s:
        return tuple(s.scalar(sa.select(sa.func.count()).select_from(t)) for t in (DossierAllocataire, Foyer, EvenementFamille))  # type: ignore[return-value]


@pytest.mark.parametrize(("change", "field", "words"), [
    ("no_allocataire", "membres", "exactement un allocataire"),
    ("unborn_child", "membres[4].personne_id", "né après la date de la déclaration"),
    ("negative_resources", "ressources[0].montant", "négatif"),
])
def test_bad_declarations_are_refused_with_nothing_written(world, change, field, words) -> None:  # type: ignore[no-untyped-def]
    factory, ids = world
    before = _count(factory)
    data = _declaration(ids)
    if change == "no_allocataire":
        data = _declaration(ids, membres=[m for m in data.membres if m.role != "allocataire"])
    elif change == "unborn_child":  # declared on 30 April, the baby is born on 15 June
        data = _declaration(ids, membres=data.membres + [schemas.MembreDeclare(personne_id=ids["bebe"], role="enfant", date_debut=date(2025, 4, 10))])
    else:
        data = _declaration(ids, ressources=[schemas.RessourceIn(personne_id=ids["mere"], annee=2023, montant="-1.00")])
    with pytest.raises(InvalidField) as refused:
        with unit_of_work(factory) as s:
            service.declare_household(s, data, caller=SYSTEM, today=date(2025, 4, 30))
    assert refused.value.field == field and words in refused.value.message
    assert _count(factory) == before


def test_declare_then_rebuild_the_months_from_the_dated_history(world) -> None:  # type: ignore[no-untyped-def]
    factory, ids = world
    with unit_of_work(factory) as s:
        dossier_id = service.declare_household(s, _declaration(ids), caller=SYSTEM, today=date(2025, 4, 30)).id
    before = _count(factory)
    with pytest.raises(InvalidField) as refused:  # before the household existed: refused, nothing written
        with unit_of_work(factory) as s:
            service.record_change(s, dossier_id, schemas.ChangementIn(nature="separation", date=date(2025, 3, 1)), caller=SYSTEM, today=TODAY)
    assert refused.value.field == "date" and "précéder l'existence du foyer" in refused.value.message
    assert _count(factory) == before
    with unit_of_work(factory) as s:
        naissance = schemas.ChangementIn(nature="naissance", date=date(2025, 6, 15), personne_id=ids["bebe"])
        service.record_change(s, dossier_id, naissance, caller=SYSTEM, today=TODAY)
        service.record_change(s, dossier_id, schemas.ChangementIn(nature="separation", date=date(2025, 5, 20)), caller=SYSTEM, today=TODAY)
        service.record_change(s, dossier_id, schemas.ChangementIn(nature="garde_alternee", date=date(2025, 5, 2), personne_id=ids["cadet"],
                                                                  garde_alternee=True), caller=SYSTEM, today=TODAY)
    with unit_of_work(factory) as s:
        dossier = s.get(DossierAllocataire, dossier_id)
        assert dossier.organisme_code == "CAF-75"
        foyers, enfants, used = service.frames(s, dossier, service.month_range(date(2025, 4, 1), date(2025, 7, 1)))
    # April: nobody counts yet (arrival on 10 April counts from May); the couple split on 20 May: alone from June.
    assert foyers["nb_parents"].to_list() == [1, 2, 1, 1]
    # Resources 2023: the mother's 20 000 € declared; the father's from his DSN: (10 000 + 240 + 50) × 0,9 = 9 261 €.
    assert foyers["ressources_n2"].to_list() == [2_000_000, 2_926_100, 2_000_000, 2_000_000]
    assert [r["origine"] for r in used[date(2025, 5, 1)]["ressources"]] == ["declaree", "dsn"]
    per_month = enfants.group_by("mois").len().sort("mois")
    # Two children from May; the baby born on 15 June is in the frame from June (the rules open from the birth date).
    assert per_month["mois"].to_list() == [date(2025, 5, 1), date(2025, 6, 1), date(2025, 7, 1)]
    assert per_month["len"].to_list() == [2, 3, 3]
    shared = enfants.filter(enfants["date_naissance"] == date(2018, 7, 1)).sort("mois")["garde_alternee"].to_list()
    assert shared == [False, True, True]  # garde alternée from 2 May: from June


def test_rights_of_a_month_are_explained_and_the_read_journalled(world) -> None:  # type: ignore[no-untyped-def]
    factory, ids = world
    with unit_of_work(factory) as s:
        dossier_id = s.scalar(sa.select(DossierAllocataire.id).where(DossierAllocataire.allocataire_id == ids["mere"]))
        before = s.scalar(sa.select(sa.func.count()).select_from(JournalAcces))
        shown = service.show_rights(s, SYSTEM, dossier_id, date(2025, 5, 12))
        after = s.scalar(sa.select(sa.func.count()).select_from(JournalAcces))
    # May 2025, couple, two children (9 and 6), 29 261 € in 2023: AF first tranche, 32 % × 474,37 = 151,80 €; CRDS 0,76 €.
    af = next(p for p in shown["prestations"] if p["prestation"] == "af")
    assert (af["brut_cents"], af["crds_cents"], af["net_cents"]) == (15_180, 75, 15_105)
    assert after - before == 5  # each of the five members' files is read
    with pytest.raises(InvalidField) as refused:
        with unit_of_work(factory) as s:
            service.show_rights(s, SYSTEM, dossier_id, date(2025, 3, 1))
    assert refused.value.field == "mois"
