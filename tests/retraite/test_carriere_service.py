"""The compte de carrière through its services, on SQLite and PostgreSQL (issue 14 item 1).

Sources gathered per year (DSN, imported past years, IJ and invalidity paid by secu, accepted corrections), the
periods assimilées counted per R. 351-12, the AVPF salary of D. 381-1, the majorations of L. 351-4, who may read,
the journal, the import all or nothing and idempotent, the correction asked and instructed.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.errors import Conflict, Forbidden, InvalidField
from secu.core.security import SYSTEM, Caller, JournalAcces, Role
from secu.especes.models import ArretTravail, CampagneIJ, PeriodeIJ
from secu.organismes import route
from secu.recouvrement.models import DeclarationDsn, Remuneration
from secu.register import schemas, service
from secu.register.models import Personne
from secu.retraite import carriere, import_carriere
from secu.retraite.models import CorrectionCarriere, EnfantMajoration, ReportCarriere
from tests.api.conftest import with_key

TODAY = date(2026, 12, 1)
DECISION = date.today()  # a decision follows the request, recorded now
CNAV = route("75", "retraite").code  # Île-de-France: the CNAV serves the pensions itself
CARSAT_SUD_EST = route("13", "retraite").code
AGENT_CNAV = Caller(user_id=None, role=Role.AGENT, organisme_code=CNAV)
AGENT_SUD_EST = Caller(user_id=None, role=Role.AGENT, organisme_code=CARSAT_SUD_EST)
AGENT_CPAM = Caller(user_id=None, role=Role.AGENT, organisme_code=route("75", "maladie").code)
COMMUNES = {"75": "75111", "13": "13055"}


@pytest.fixture(scope="module")
def sessions(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


def _person(sessions, index: int, born: date, departement: str = "75", sexe: str = "1") -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        return service.register_person(
            s,
            schemas.PersonneIn(nir=with_key(f"{sexe}{born:%y}{born:%m}{'75115' if departement == '75' else '13055'}{index:03d}"),
                               nom_naissance=f"Carriere{index}", prenoms="Paul", date_naissance=born, sexe=sexe, departement=departement,
                               commune=COMMUNES[departement]),
            caller=SYSTEM, today=date(2025, 1, 1),
        ).id


def _nir(sessions, personne_id: int) -> str:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        return str(s.get(Personne, personne_id).nir)  # type: ignore[union-attr]


def _dsn(sessions, personne_id: int, months: dict[date, int], siret: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Salary records as the DSN intake leaves them (one declaration per month, not replaced; an establishment per person)."""
    siret = siret or f"55210055{personne_id:06d}"
    with unit_of_work(sessions) as s:
        for mois, brut in months.items():
            declaration = DeclarationDsn(siren=siret[:9], siret=siret, mois=mois, version=1, type_declaration="normale",
                                         empreinte=f"{personne_id}-{mois}-{siret}", format="json", contenu="{}", organisme_code="URSSAF-IDF",
                                         effectif=1, salaries=1, date_exigibilite=mois, brut_cents=brut, salarial_cents=0, patronal_cents=0,
                                         du_urssaf_cents=0)
            s.add(declaration)
            s.flush()
            s.add(Remuneration(declaration_id=declaration.id, nir="x", personne_id=personne_id, siret=siret, mois=mois, brut_cents=brut,
                               cadre=False, salarial_cents=0, patronal_cents=0, net_avant_impot_cents=0))


def _ij_payee(sessions, personne_id: int, risque: str, debut: date, fin: date, jours: int) -> None:  # type: ignore[no-untyped-def]
    """One arrêt and one paid IJ period whose last ``jours`` days were paid."""
    with unit_of_work(sessions) as s:
        arret = ArretTravail(personne_id=personne_id, nir="x", organisme_code="CPAM-75", risque=risque, date_prescription=debut,
                             date_reception=debut, debut=debut, fin=fin, statut="indemnisable")
        campagne = CampagneIJ(organisme_code="CPAM-75", date_execution=fin, statut="terminee")
        s.add_all([arret, campagne])
        s.flush()
        s.add(PeriodeIJ(arret_id=arret.id, personne_id=personne_id, organisme_code="CPAM-75", risque=risque, debut=debut, fin=fin,
                        ij_journaliere_cents=3000, ij_majoree_cents=0, jours_indemnises=jours, jours_carence=0, jours_hors_droits=0,
                        brut_cents=3000 * jours, csg_cents=0, crds_cents=0, net_cents=3000 * jours, beneficiaire="assure", explication="[]",
                        statut="payee", campagne_id=campagne.id))


def _import(sessions, text: str, caller: Caller = SYSTEM) -> import_carriere.Bilan:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        return import_carriere.importer(s, caller, text.encode(), nom_fichier="test.csv", today=TODAY)


HEADER = "nir,annee,nature,montant,jours,trimestres,mois,origine\n"


def _releve(sessions, personne_id: int, caller: Caller | None = None) -> dict:  # type: ignore[no-untyped-def,type-arg]
    with unit_of_work(sessions) as s:
        return carriere.releve(s, caller or AGENT_CNAV, personne_id)


def _year(releve: dict, annee: int) -> dict:  # type: ignore[type-arg]
    return next(a for a in releve["annees"] if a["annee"] == annee)


# --------------------------------------------------------------------------
# The periods assimilées and the AVPF (no rule of the salary's quarters needed)


def test_periods_assimilees_are_counted_per_r351_12_with_the_dated_counts(sessions) -> None:  # type: ignore[no-untyped-def]
    """R. 351-12: 1° a quarter per 60 days of IJ maladie; 2° maternité: the 90th day, each new 90 days, a shorter
    congé its last day's quarter (before 2014: the quarter of the childbirth, one whatever the length); 4° c) a quarter
    per 50 days of chômage indemnisé in the calendar year."""
    pid = _person(sessions, 1, date(1975, 3, 10))
    nir = _nir(sessions, pid)
    _import(sessions, HEADER + f"{nir},2010,chomage,,120,,,France Travail\n{nir},2011,maternite,,200,,,CPAM\n"
                               f"{nir},2015,maternite,,112,,,CPAM\n{nir},2016,maternite,,200,,,CPAM\n")
    _ij_payee(sessions, pid, "maladie", date(2024, 1, 1), date(2024, 5, 9), 127)  # 127 days paid in 2024
    _ij_payee(sessions, pid, "maladie", date(2024, 12, 2), date(2025, 1, 30), 60)  # 30 + 30: none in either year
    with unit_of_work(sessions) as s:
        frame = carriere.annees(carriere.faits(s, carriere.personne_ou_404(s, pid)))
    rows = {r["annee"]: r for r in frame.iter_rows(named=True)}
    assert (rows[2010]["jours_chomage"], rows[2010]["trimestres_chomage"]) == (120, 2)  # 120 // 50
    assert rows[2011]["trimestres_maternite"] == 1  # the former 2°: the quarter of the childbirth, whatever the days
    assert rows[2015]["trimestres_maternite"] == 1  # 112 days: the 90th day's quarter, 22 days more are no new 90
    assert rows[2016]["trimestres_maternite"] == 2  # 200 // 90
    assert (rows[2024]["jours_maladie"], rows[2024]["trimestres_maladie"]) == (127 + 30, 2)  # 157 // 60
    assert (rows[2025]["jours_maladie"], rows[2025]["trimestres_maladie"]) == (30, 0)
    assert rows[2024]["trimestres_assimiles"] == 2


def test_the_avpf_salary_is_169_hours_of_the_smic_of_1_july_before_per_month(sessions) -> None:  # type: ignore[no-untyped-def]
    """D. 381-1 (as ASH n° 2281 reports it): 169 × SMIC horaire of 1 July N-1 per month of affiliation.
    2024: 169 × 11,52 € (the SMIC horaire from 1 May 2023, parameter smic.horaire) × 12 = 23 362,56 €."""
    assert carriere.salaire_avpf(2024, 12) == 169 * 1152 * 12 == 2_336_256
    assert carriere.salaire_avpf(2023, 6) == 169 * 1085 * 6  # SMIC of 1 July 2022: 10,85 €
    assert carriere.salaire_avpf(2024, 0) == 0


def test_majorations_for_children_follow_the_stored_option(sessions) -> None:  # type: ignore[no-untyped-def]
    """L. 351-4: 4 quarters to the mother for the birth; 4 for the education to the mother unless the parents chose
    the father, or shared; adoption: 4 for the adoption, shared as the education."""
    naissance = EnfantMajoration(personne_id=1, date_naissance=date(2012, 5, 1), lien="naissance", parent="mere", option_education="mere")
    au_pere = EnfantMajoration(personne_id=1, date_naissance=date(2014, 5, 1), lien="naissance", parent="mere", option_education="pere")
    partage = EnfantMajoration(personne_id=1, date_naissance=date(2016, 5, 1), lien="naissance", parent="pere", option_education="partage",
                               trimestres_education=2)
    adoption = EnfantMajoration(personne_id=1, date_naissance=date(2015, 5, 1), lien="adoption", date_adoption=date(2018, 1, 1), parent="pere",
                                option_education="pere")
    total, lignes = carriere.majorations_enfants([naissance, au_pere, partage, adoption])
    assert [line["trimestres"] for line in lignes] == [8, 4, 2, 8]
    assert total == 22


# --------------------------------------------------------------------------
# The import


def test_the_import_is_all_or_nothing_and_names_line_and_column(sessions) -> None:  # type: ignore[no-untyped-def]
    pid = _person(sessions, 2, date(1970, 1, 1))
    nir = _nir(sessions, pid)
    bad = HEADER + f"{nir},1995,salaire,15000.00,,,,Usine\n{nir},1996,salaire,douze,,,,Usine\n{nir},1997,chomage,,400,,,\n000,1998,salaire,1,,,,\n"
    with pytest.raises(InvalidField) as refused:
        _import(sessions, bad)
    message = refused.value.message
    assert "ligne 3, colonne montant" in message and "ligne 4, colonne jours" in message and "ligne 5, colonne nir" in message
    with unit_of_work(sessions) as s:
        assert s.scalar(select(func.count()).select_from(ReportCarriere).where(ReportCarriere.personne_id == pid)) == 0
    with pytest.raises(InvalidField, match="colonne\\(s\\) manquante\\(s\\) : mois"):
        _import(sessions, "nir,annee,nature,montant,jours,trimestres,origine\n")


def test_the_import_is_idempotent_and_refuses_a_different_value_for_an_imported_year(sessions) -> None:  # type: ignore[no-untyped-def]
    pid = _person(sessions, 3, date(1968, 6, 6))
    nir = _nir(sessions, pid)
    text = HEADER + f"{nir},1990,salaire,\"12345,67\",,,,Garage\n{nir},1991,autre_regime,,,3,,MSA\n{nir},1992,avpf,,,,12,CAF\n"
    first = _import(sessions, text)
    assert (first.lignes, first.ajoutees, first.deja_importe) == (3, 3, False)
    again = _import(sessions, text)
    assert (again.import_id, again.deja_importe) == (first.import_id, True)
    overlapping = _import(sessions, HEADER + f"{nir},1990,salaire,12345.67,,,,Garage\n{nir},1993,salaire,1000,,,,Garage\n")
    assert (overlapping.lignes, overlapping.ajoutees) == (2, 1)
    with pytest.raises(InvalidField, match="ligne 2 : l'année 1990 .* demande de correction"):
        _import(sessions, HEADER + f"{nir},1990,salaire,99.00,,,,Garage\n")
    with unit_of_work(sessions) as s:
        written = s.scalars(select(JournalAcces.ressource_id).where(JournalAcces.personne_id == pid, JournalAcces.action == "modification",
                                                                    JournalAcces.ressource == "retraite.carriere")
                                .order_by(JournalAcces.numero)).all()
        assert written == [str(first.import_id), str(overlapping.import_id)]  # the third import added nothing of his
        rows = s.scalars(select(ReportCarriere).where(ReportCarriere.personne_id == pid).order_by(ReportCarriere.annee)).all()
        assert [(r.annee, r.nature, r.montant_cents, r.trimestres, r.mois) for r in rows] == [
            (1990, "salaire", 1_234_567, 0, 0), (1991, "autre_regime", 0, 3, 0), (1992, "avpf", 0, 0, 12), (1993, "salaire", 100_000, 0, 0)]


def test_the_import_refuses_a_salary_the_dsn_already_reports_and_takes_children(sessions) -> None:  # type: ignore[no-untyped-def]
    pid = _person(sessions, 4, date(1985, 2, 2), sexe="2")
    nir = _nir(sessions, pid)
    _dsn(sessions, pid, {date(2024, 3, 1): 250_000})
    with pytest.raises(InvalidField, match="ligne 2, colonne annee : les salaires de 2024 sont déjà déclarés"):
        _import(sessions, HEADER + f"{nir},2024,salaire,100,,,,Autre\n")
    header = HEADER.strip() + ",date_naissance_enfant,lien,parent,option_education,trimestres_education\n"
    _import(sessions, header + f"{nir},2012,enfant,,,,,,2012-04-03,naissance,mere,,\n")
    with pytest.raises(InvalidField, match="ligne 2, colonne trimestres_education"):
        _import(sessions, header + f"{nir},2014,enfant,,,,,,2014-04-03,naissance,mere,partage,\n")
    with unit_of_work(sessions) as s:
        assert s.scalars(select(EnfantMajoration.date_naissance).where(EnfantMajoration.personne_id == pid)).all() == [date(2012, 4, 3)]


# --------------------------------------------------------------------------
# Who reads the compte


def test_only_the_assure_and_his_caisse_de_retraite_read_the_compte(sessions) -> None:  # type: ignore[no-untyped-def]
    pid = _person(sessions, 5, date(1980, 1, 1))
    other = _person(sessions, 6, date(1981, 1, 1))
    _dsn(sessions, pid, {date(2024, 1, 1): 300_000})
    own = Caller(user_id=None, role=Role.ASSURE, personne_id=pid)
    stranger = Caller(user_id=None, role=Role.ASSURE, personne_id=other)
    assert _releve(sessions, pid, own)["personne_id"] == pid
    assert _releve(sessions, pid, AGENT_CNAV)["personne_id"] == pid
    for refused in (stranger, AGENT_SUD_EST, AGENT_CPAM, SYSTEM, Caller(user_id=None, role=Role.ANALYSTE)):
        with pytest.raises(Forbidden):
            _releve(sessions, pid, refused)
    with unit_of_work(sessions) as s:
        reads = s.scalars(select(JournalAcces.role).where(JournalAcces.personne_id == pid, JournalAcces.ressource == "retraite.carriere",
                                                          JournalAcces.action == "lecture")).all()
    assert sorted(reads) == ["agent", "assure"]


# --------------------------------------------------------------------------
# Corrections


def test_a_correction_asked_by_the_assure_is_instructed_by_his_caisse(sessions) -> None:  # type: ignore[no-untyped-def]
    pid = _person(sessions, 7, date(1979, 9, 9))
    own = Caller(user_id=None, role=Role.ASSURE, personne_id=pid)
    ask = carriere.CorrectionIn(annee=2001, nature="salaire", montant_cents=1_500_000, origine="Boulangerie Martin",
                                explication="Bulletins de paie de 2001 joints : l'employeur n'a rien déclaré")
    with unit_of_work(sessions) as s:
        with pytest.raises(Forbidden):
            carriere.demander_correction(s, AGENT_CNAV, pid, ask, today=TODAY)
    with unit_of_work(sessions) as s:
        with pytest.raises(InvalidField, match="Salaire : le nombre de jours ne s'indique pas pour cette nature"):
            carriere.demander_correction(s, own, pid, ask.model_copy(update={"jours": 3}), today=TODAY)
    with unit_of_work(sessions) as s:
        correction_id = carriere.demander_correction(s, own, pid, ask, today=TODAY).id
        refused_id = carriere.demander_correction(s, own, pid, ask.model_copy(update={"annee": 2002}), today=TODAY).id
    with unit_of_work(sessions) as s:
        queue = carriere.corrections_a_instruire(s, AGENT_CNAV)
        assert {correction_id, refused_id} <= {c.id for c in queue}
        assert correction_id not in {c.id for c in carriere.corrections_a_instruire(s, AGENT_SUD_EST)}
    decide = carriere.InstructionIn(decision="acceptee", date_decision=DECISION)
    with unit_of_work(sessions) as s:
        with pytest.raises(Forbidden):
            carriere.instruire_correction(s, AGENT_SUD_EST, correction_id, decide)
    with unit_of_work(sessions) as s:
        with pytest.raises(InvalidField, match="un refus doit être motivé"):
            carriere.instruire_correction(s, AGENT_CNAV, refused_id, carriere.InstructionIn(decision="refusee", date_decision=DECISION))
    with unit_of_work(sessions) as s:
        carriere.instruire_correction(s, AGENT_CNAV, correction_id, decide)
        carriere.instruire_correction(s, AGENT_CNAV, refused_id, carriere.InstructionIn(decision="refusee", date_decision=DECISION,
                                                                                         motif_refus="aucun justificatif"))
    with unit_of_work(sessions) as s:
        with pytest.raises(Conflict):
            carriere.instruire_correction(s, AGENT_CNAV, correction_id, decide)
    with unit_of_work(sessions) as s:
        report = s.scalar(select(ReportCarriere).where(ReportCarriere.correction_id == correction_id))
        assert report is not None and (report.annee, report.montant_cents, report.source, report.date_effet) == (2001, 1_500_000, "correction", DECISION)
        assert s.get(CorrectionCarriere, refused_id).motif_refus == "aucun justificatif"  # type: ignore[union-attr]
        assert s.scalar(select(func.count()).select_from(ReportCarriere).where(ReportCarriere.correction_id == refused_id)) == 0
        rows = s.execute(select(JournalAcces.action, JournalAcces.detail).where(
            JournalAcces.ressource == "retraite.correction", JournalAcces.ressource_id == str(correction_id))).all()
    assert sorted(rows) == [("creation", None), ("modification", "acceptee")]


def test_a_decision_cannot_precede_the_request(sessions) -> None:  # type: ignore[no-untyped-def]
    pid = _person(sessions, 8, date(1979, 9, 10))
    own = Caller(user_id=None, role=Role.ASSURE, personne_id=pid)
    with unit_of_work(sessions) as s:
        cid = carriere.demander_correction(s, own, pid, carriere.CorrectionIn(annee=2003, nature="chomage", jours=90, explication="ASSEDIC"),
                                           today=TODAY).id
    with unit_of_work(sessions) as s:
        with pytest.raises(InvalidField, match="ne peut pas précéder"):
            carriere.instruire_correction(s, AGENT_CNAV, cid, carriere.InstructionIn(decision="acceptee", date_decision=date(2000, 1, 1)))


# --------------------------------------------------------------------------
# The relevé: every source per year, through the rule


def test_the_releve_gathers_every_source_year_by_year(sessions) -> None:  # type: ignore[no-untyped-def]
    """R. 351-9 with the SMIC horaire at 1 January (fact sheet §2.2, from the SMIC decrees): in 2024 one quarter is
    150 × 11,65 € = 1 747,50 €, so 3 500 € validate 2 quarters; in 2025 47 100 € is the PASS (pss.annuel) a salary of
    60 000 € is capped at, and 4 quarters. IJ maladie of 2024 (127 days): 2 quarters assimilés (R. 351-12 1°), in the
    same four a year (R. 351-5)."""
    pid = _person(sessions, 9, date(1982, 4, 4))
    nir = _nir(sessions, pid)
    _dsn(sessions, pid, {date(2024, 2, 1): 200_000, date(2024, 3, 1): 150_000})
    _dsn(sessions, pid, {date(2025, m, 1): 500_000 for m in range(1, 13)}, siret="73282932000074")
    _ij_payee(sessions, pid, "maladie", date(2024, 4, 1), date(2024, 8, 5), 127)
    _import(sessions, HEADER + f"{nir},2005,salaire,21000,,,,Ancien employeur\n{nir},2006,autre_regime,,,2,,MSA\n{nir},2006,chomage,,100,,,ASSEDIC\n")
    releve = _releve(sessions, pid)
    y2024, y2025, y2006 = _year(releve, 2024), _year(releve, 2025), _year(releve, 2006)
    assert (y2024["salaire_cents"], y2024["trimestres_cotises"], y2024["trimestres_assimiles"], y2024["trimestres_rg"]) == (350_000, 2, 2, 4)
    assert y2024["assimiles"] == {"maladie": {"jours": 127, "trimestres": 2}}
    assert (y2025["salaire_cents"], y2025["salaire_plafonne_cents"], y2025["trimestres_cotises"]) == (6_000_000, 4_710_000, 4)
    assert (y2006["trimestres_rg"], y2006["trimestres_autres_regimes"], y2006["trimestres_tous_regimes"]) == (2, 2, 4)
    assert {s["source"] for s in y2006["sources"]} == {"import"}
    assert releve["totaux"]["trimestres_rg"] == sum(a["trimestres_rg"] for a in releve["annees"])
    own = Caller(user_id=None, role=Role.ASSURE, personne_id=pid)
    with unit_of_work(sessions) as s:
        cid = carriere.demander_correction(s, own, pid, carriere.CorrectionIn(annee=2007, nature="salaire", montant_cents=800_000,
                                                                               explication="contrat d'été oublié"), today=TODAY).id
    with unit_of_work(sessions) as s:
        carriere.instruire_correction(s, AGENT_CNAV, cid, carriere.InstructionIn(decision="acceptee", date_decision=DECISION))
    y2007 = _year(_releve(sessions, pid), 2007)
    assert (y2007["salaire_cents"], [s["source"] for s in y2007["sources"]]) == (800_000, ["correction"])


# --------------------------------------------------------------------------
# The estimation from the compte


def test_the_estimation_from_the_compte_counts_the_children_and_the_last_salary(sessions) -> None:  # type: ignore[no-untyped-def]
    """Born 10 May 1966 (âge légal 63 ans 3 mois, 172 quarters: LFSS 2026, fact sheet §2.4), 40 000 € a year from 1988:
    the same career as the simulator's test (tests/retraite/test_estimation.py), so the same dates; a child born to
    her adds 8 quarters (L. 351-4: 4 maternité + 4 éducation), 174 on 1 September 2029: taux plein at the âge légal."""
    from secu.retraite import estimation

    pid = _person(sessions, 10, date(1966, 5, 10), sexe="2")
    nir = _nir(sessions, pid)
    own = Caller(user_id=None, role=Role.ASSURE, personne_id=pid)
    _import(sessions, HEADER + "".join(f"{nir},{a},salaire,40000,,,,Employeur\n" for a in range(1988, 2026)))
    with unit_of_work(sessions) as s:
        sans_enfant = estimation.estimer_compte(s, own, pid, estimation.Hypothese(), aujourd_hui=date(2026, 12, 8))
    assert (sans_enfant["salaire_hypothese_cents"], sans_enfant["premiere_annee_projetee"]) == (4_000_000, 2026)  # the last full year's
    assert sans_enfant["date_taux_plein"] == date(2031, 1, 1)
    header = HEADER.strip() + ",date_naissance_enfant,lien,parent,option_education,trimestres_education\n"
    _import(sessions, header + f"{nir},1995,enfant,,,,,,1995-07-01,naissance,mere,,\n")
    with unit_of_work(sessions) as s:
        avec_enfant = estimation.estimer_compte(s, own, pid, estimation.Hypothese(), aujourd_hui=date(2026, 12, 8))
        with pytest.raises(Forbidden):
            estimation.estimer_compte(s, AGENT_SUD_EST, pid, estimation.Hypothese())
    legal = avec_enfant["scenarios"][0]
    assert (avec_enfant["date_taux_plein"], legal["trimestres"], legal["decote_trimestres"]) == (date(2029, 9, 1), 174, 0)
    with unit_of_work(sessions) as s:
        rows = s.scalars(select(JournalAcces.role).where(JournalAcces.personne_id == pid, JournalAcces.ressource == "retraite.estimation")).all()
    assert rows == ["assure", "assure"]
