"""The DSN signalement d'arrêt de travail (nature 04) and de reprise (05): read into attestations de salaire, refused
with a French message naming the rubrique, deposited once.

The controls quoted are those of the sheet Messages of dsn-datatypes-CT2024.xlsx (norm P24V01), named as the
workbook names them (e.g. S21.G00.60.005/CCH-11); the salaries are those of the calendar months before the
arrêt (CSS R. 323-4).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secu.app import create_app
from secu.core.db import unit_of_work
from secu.core.errors import Forbidden, NotFound
from secu.core.money import to_cents
from secu.core.security import SYSTEM, Caller, Role
from secu.especes.schemas import AttestationSalaire
from secu.recouvrement import api as recouvrement_api
from secu.recouvrement.dsn import DsnError, parse_dsn
from secu.recouvrement.dsn.arret import lire_signalements
from secu.recouvrement.dsn.ecriture import ArretAEcrire, signalement_text
from secu.recouvrement.dsn.signalement import deposer_signalement, lire_signalement
from secu.register import schemas, service
from secu.utilisateurs.service import UtilisateurIn, create_user
from tests.recouvrement.test_dsn import MENSUELLE

SIREN, NIC, SIRET = "812345676", "00025", "81234567600025"
NIR, NIR_2 = "178056912304519", "288017505611232"
IBAN, BIC = "FR7630006000011234567890189", "AGRIFRPP"
SALAIRES = ((date(2025, 12, 1), 300000), (date(2026, 1, 1), 310050), (date(2026, 2, 1), 290000))
PASSWORD = "mot-de-passe-de-test"


def arret(**changes: Any) -> ArretAEcrire:
    values: dict[str, Any] = dict(
        nir=NIR, nom="MARTIN", prenoms="Paul", sexe="01", date_naissance=date(1978, 5, 12), motif="01",
        dernier_jour_travaille=date(2026, 3, 13), fin_previsionnelle=date(2026, 3, 27), salaires=SALAIRES,
        subrogation=(date(2026, 3, 14), date(2026, 4, 30), IBAN, BIC),
    )  # fmt: skip
    values.update(changes)
    return ArretAEcrire(**values)


def texte(*arrets: ArretAEcrire, nature: str = "04", numero_ordre: int = 7, date_fichier: date = date(2026, 3, 16)) -> str:
    return signalement_text(siren=SIREN, nic=NIC, nature=nature, numero_ordre=numero_ordre, date_fichier=date_fichier,
                            arrets=arrets or (arret(),), raison_sociale="ATELIER DUPUIS")  # fmt: skip


REPRISE = dict(reprise=date(2026, 3, 23), motif_reprise="01")


def edit(text: str, *, set: dict[str, str | None] | None = None, after: dict[str, str] | None = None) -> str:
    """Change the first line of each rubrique (``None`` drops it), add lines after a rubrique; S90 recounted."""
    lines = text.split("\r\n")[:-1]
    for code, value in (set or {}).items():
        index = next(i for i, line in enumerate(lines) if line.startswith(code + ","))
        if value is None:
            del lines[index]
        else:
            lines[index] = f"{code},'{value}'"
    for code, line in (after or {}).items():
        index = next(i for i, existing in enumerate(lines) if existing.startswith(code + ","))
        lines.insert(index + 1, line)
    lines = [f"S90.G00.90.001,'{len(lines)}'" if line.startswith("S90.G00.90.001") else line for line in lines]
    return "\r\n".join(lines) + "\r\n"


def refus(data: Any) -> DsnError:
    with pytest.raises(DsnError) as caught:
        lire_signalement(data)
    return caught.value


# ---------------------------------------------------------------------------------------------------------------
# Reading


def test_a_signalement_d_arret_is_one_attestation_with_its_salaries_and_subrogation() -> None:
    [attestation] = lire_signalement(texte())
    assert isinstance(attestation, AttestationSalaire)
    assert attestation.source == "dsn"
    assert attestation.reference == f"DSN04-{SIRET}-160320267-1"  # date du fichier JJMMAAAA + numéro d'ordre, rang
    assert (attestation.nir, attestation.siret, attestation.risque) == (NIR, SIRET, "maladie")
    assert attestation.dernier_jour_travaille == date(2026, 3, 13)
    assert attestation.fin_previsionnelle == date(2026, 3, 27)
    assert attestation.reprise is None
    # the three calendar months before the arrêt (CSS R. 323-4), in cents, oldest first
    assert [(s.mois, s.brut) for s in attestation.salaires] == list(SALAIRES)
    assert attestation.subrogation is True
    assert (attestation.subrogation_debut, attestation.subrogation_fin) == (date(2026, 3, 14), date(2026, 4, 30))
    assert attestation.iban_employeur == IBAN


def test_two_employees_two_attestations_and_each_motif_its_risk() -> None:
    other = arret(nir=NIR_2, nom="DURAND", prenoms="Claire", sexe="02", date_naissance=date(1988, 1, 30), motif="02",
                  subrogation=None, fin_previsionnelle=date(2026, 7, 2))  # fmt: skip
    first, second = lire_signalement(texte(arret(), other))
    assert (first.reference, second.reference) == (f"DSN04-{SIRET}-160320267-1", f"DSN04-{SIRET}-160320267-2")
    assert (second.nir, second.risque, second.subrogation, second.iban_employeur) == (NIR_2, "maternite", False, None)
    risques = {}
    for motif in ("01", "02", "03", "09", "04", "05", "06"):
        accident = date(2026, 3, 13) if motif in ("04", "05", "06") else None
        [attestation] = lire_signalement(texte(arret(motif=motif, date_accident=accident)))
        risques[motif] = attestation.risque
    # CSS L. 411-2: the accident de trajet is indemnified as an accident du travail
    assert risques == {"01": "maladie", "02": "maternite", "03": "paternite", "09": "adoption", "04": "atmp", "05": "atmp", "06": "atmp"}


def test_the_same_signalement_re_encoded_gives_the_same_reference() -> None:
    text = texte(arret(nom="LEFÈVRE"))
    crlf_latin1 = text.encode("latin-1")
    lf_utf8 = text.replace("\r\n", "\n").encode("utf-8")
    assert lire_signalement(crlf_latin1) == lire_signalement(lf_utf8) == lire_signalement(text)
    # another numéro d'ordre is another declaration
    assert lire_signalement(texte(numero_ordre=8))[0].reference == f"DSN04-{SIRET}-160320268-1"


def test_a_signalement_de_reprise_carries_the_reprise() -> None:
    [attestation] = lire_signalement(texte(arret(**REPRISE), nature="05", date_fichier=date(2026, 3, 24)))
    assert attestation.reference == f"DSN05-{SIRET}-240320267-1"
    assert attestation.reprise == date(2026, 3, 23)
    assert [s.brut for s in attestation.salaires] == [s for _, s in SALAIRES]
    [signalement] = lire_signalements(texte(arret(**REPRISE), nature="05", date_fichier=date(2026, 3, 24)))
    assert signalement.arrets[0].motif_reprise == "01"
    # a reprise anticipée may be told in the signalement d'arrêt itself (S21.G00.60.010's description)
    # (once it has happened: not after the date the file was made, S21.G00.60.010/SIG-13)
    [early] = lire_signalement(texte(arret(reprise=date(2026, 3, 20)), date_fichier=date(2026, 3, 21)))
    assert early.reprise == date(2026, 3, 20)


def test_salaries_are_summed_by_calendar_month_and_other_contracts_or_types_do_not_count() -> None:
    text = edit(texte(), after={
        "S21.G00.51.013": "S21.G00.51.001,'01122025'\r\nS21.G00.51.002,'31122025'\r\nS21.G00.51.010,'00001'\r\n"
                          "S21.G00.51.011,'001'\r\nS21.G00.51.013,'500.00'\r\nS21.G00.51.001,'01122025'\r\n"
                          "S21.G00.51.002,'31122025'\r\nS21.G00.51.010,'00001'\r\nS21.G00.51.011,'002'\r\n"
                          "S21.G00.51.013,'9999.00'",
    })  # fmt: skip
    text = edit(text.replace("\r\n\r\n", "\r\n"))
    [attestation] = lire_signalement(text)
    assert attestation.salaires[0].brut == 300000 + 50000  # a rappel of December (type 001), not the 002


# ---------------------------------------------------------------------------------------------------------------
# Refusals: each names its rubrique (in the error and in the French message) and its line

SANS_SUBROGATION = dict(subrogation=None)
CASES: dict[str, tuple[Any, str, str]] = {
    # -- the head
    "DSN mensuelle": (lambda: edit(texte(), set={"S20.G00.05.001": "01"}), "S20.G00.05.001", "se dépose comme DSN mensuelle"),
    "signalement fin de contrat": (lambda: edit(texte(), set={"S20.G00.05.001": "07"}), "S20.G00.05.001",
                                   "seuls le signalement d'arrêt de travail (04) et le signalement de reprise"),
    "fraction": (lambda: edit(texte(), set={"S20.G00.05.003": "12"}), "S20.G00.05.003", "doit être « 11 »"),
    "type sans individu": (lambda: edit(texte(), set={"S20.G00.05.002": "02"}), "S20.G00.05.002", "sans individu"),
    "type annule": (lambda: edit(texte(), set={"S20.G00.05.002": "04"}), "S20.G00.05.002", "déclaration annule"),
    "type annule et remplace": (lambda: edit(texte(), set={"S20.G00.05.002": "03", "S20.G00.05.004": "8"},
                                             after={"S20.G00.05.005": "S20.G00.05.006,'160320267'"}),
                                "S20.G00.05.002", "n'est pas encore reçu"),
    "date du fichier absente": (lambda: edit(texte(), set={"S20.G00.05.007": None}), "S20.G00.05.007", "identifie la déclaration"),
    # -- the individual
    "sans NIR": (lambda: edit(texte(), set={"S21.G00.30.001": None}, after={"S21.G00.30.006": "S21.G00.30.020,'NTT1234567'"}),
                 "S21.G00.30.001", "un numéro technique temporaire ne suffit pas"),
    "sans arrêt": (lambda: edit(texte(arret(**SANS_SUBROGATION)), set={f"S21.G00.60.{n}": None for n in ("001", "002", "003", "004")}),
                   "S21.G00.60.001", "ne déclare aucun arrêt de travail"),
    # -- the motif
    "motif absent": (lambda: edit(texte(), set={"S21.G00.60.001": None}), "S21.G00.60.001", "est obligatoire"),
    "motif inconnu": (lambda: edit(texte(), set={"S21.G00.60.001": "08"}), "S21.G00.60.001", "code « 08 » inconnu"),
    "motif annulation": (lambda: edit(texte(), set={"S21.G00.60.001": "99"}), "S21.G00.60.001", "que dans une DSN mensuelle"),
    "motif temps partiel thérapeutique": (lambda: edit(texte(), set={"S21.G00.60.001": "15"}), "S21.G00.60.001",
                                          "que dans une DSN mensuelle"),
    "motif fonction publique": (lambda: edit(texte(), set={"S21.G00.60.001": "13"}), "S21.G00.60.001", "fonction publique"),
    "motif non indemnisé": (lambda: edit(texte(), set={"S21.G00.60.001": "07"}), "S21.G00.60.001", "pas encore indemnisé"),
    # -- the dates of the arrêt
    "dernier jour absent": (lambda: edit(texte(), set={"S21.G00.60.002": None}), "S21.G00.60.002", "est obligatoire"),
    "dernier jour avant le contrat": (lambda: texte(arret(contrat_debut=date(2026, 3, 14), fin_previsionnelle=date(2026, 3, 27),
                                                          salaires=())), "S21.G00.60.002", "précède la date de début du contrat"),
    "dernier jour après le fichier": (lambda: texte(date_fichier=date(2026, 3, 12)), "S21.G00.60.002",
                                      "postérieure à la date de constitution du fichier"),
    "dernier jour après la fin prévisionnelle": (lambda: texte(arret(fin_previsionnelle=date(2026, 3, 10))), "S21.G00.60.002",
                                                 "postérieure à la date de fin prévisionnelle"),
    "fin prévisionnelle absente": (lambda: texte(arret(fin_previsionnelle=None)), "S21.G00.60.003", "est obligatoire"),
    # -- subrogation
    "subrogation inconnue": (lambda: edit(texte(), set={"S21.G00.60.004": "03"}), "S21.G00.60.004", "code « 03 » inconnu"),
    "subrogation sans début": (lambda: edit(texte(), set={"S21.G00.60.005": None}), "S21.G00.60.005", "subrogation"),
    "subrogation sans fin": (lambda: edit(texte(), set={"S21.G00.60.006": None}), "S21.G00.60.006", "subrogation"),
    "subrogation sans IBAN": (lambda: edit(texte(), set={"S21.G00.60.007": None}), "S21.G00.60.007", "IBAN de l'employeur"),
    "subrogation sans BIC": (lambda: edit(texte(), set={"S21.G00.60.008": None}), "S21.G00.60.008", "BIC de l'employeur"),
    "fin de subrogation avant le début": (lambda: texte(arret(subrogation=(date(2026, 3, 14), date(2026, 3, 1), IBAN, BIC))),
                                          "S21.G00.60.006", "précède la date de début de subrogation"),
    "IBAN faux": (lambda: texte(arret(subrogation=(date(2026, 3, 14), date(2026, 4, 30), IBAN[:-1] + "0", BIC))),
                  "S21.G00.60.007", "IBAN de l'employeur (S21.G00.60.007)"),
    "BIC faux": (lambda: texte(arret(subrogation=(date(2026, 3, 14), date(2026, 4, 30), IBAN, "AG1RFRPP"))), "S21.G00.60.008",
                 "BIC de l'employeur (S21.G00.60.008)"),
    "dates de subrogation sans subrogation": (lambda: edit(texte(), set={"S21.G00.60.004": "02"}), "S21.G00.60.005",
                                              "n'est admise qu'avec la subrogation"),
    # -- the reprise
    "reprise absente d'un signalement de reprise": (lambda: texte(arret(motif_reprise="01"), nature="05"), "S21.G00.60.010",
                                                    "signalement de reprise"),
    "motif de reprise absent d'un signalement de reprise": (lambda: texte(arret(reprise=date(2026, 3, 16)), nature="05"),
                                                            "S21.G00.60.011", "signalement de reprise"),
    "reprise avant le dernier jour travaillé": (lambda: texte(arret(reprise=date(2026, 3, 10), motif_reprise="01"), nature="05"),
                                                "S21.G00.60.010", "précède la date du dernier jour travaillé"),
    "reprise après le fichier": (lambda: texte(arret(reprise=date(2026, 3, 20), motif_reprise="01"), nature="05"),
                                 "S21.G00.60.010", "postérieure à la date de constitution du fichier"),
    "motif de reprise thérapeutique": (lambda: texte(arret(reprise=date(2026, 3, 16), motif_reprise="02"), nature="05"),
                                       "S21.G00.60.011", "que dans une DSN mensuelle"),
    "motif de reprise inconnu": (lambda: texte(arret(reprise=date(2026, 3, 16), motif_reprise="09"), nature="05"),
                                 "S21.G00.60.011", "code « 09 » inconnu"),
    "motif de reprise sans reprise": (lambda: texte(arret(motif_reprise="01")), "S21.G00.60.011", "sans date de la reprise"),
    # -- AT/MP
    "accident du travail sans date": (lambda: texte(arret(motif="06")), "S21.G00.60.012", "est obligatoire"),
    "date d'accident pour une maladie": (lambda: texte(arret(date_accident=date(2026, 3, 13))), "S21.G00.60.012",
                                         "n'est admise qu'avec un motif d'accident"),
    "accident après le fichier": (lambda: texte(arret(motif="04", date_accident=date(2026, 3, 20))), "S21.G00.60.012",
                                  "postérieure à la date de constitution du fichier"),
    "SIRET centralisateur faux": (lambda: edit(texte(), after={"S21.G00.60.008": "S21.G00.60.600,'81234567600026'"}),
                                  "S21.G00.60.600", "SIRET centralisateur"),
    # -- the salaries
    "sans salaire": (lambda: texte(arret(salaires=())), "S21.G00.51.013", "aucune rémunération brute"),
    "salaire du mois de l'arrêt": (lambda: texte(arret(salaires=((date(2026, 3, 1), 150000),))), "S21.G00.51.001",
                                   "doit précéder le mois où commence l'arrêt"),
    "salaire de plus de douze mois": (lambda: texte(arret(salaires=((date(2025, 2, 1), 300000), *SALAIRES))), "S21.G00.51.001",
                                      "douze mois civils"),
    "période sur deux mois": (lambda: edit(texte(), set={"S21.G00.51.002": "15012026"}), "S21.G00.51.002", "un mois civil"),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_each_refusal_names_its_rubrique_in_french(case: str) -> None:
    make, rubrique, words = CASES[case]
    error = refus(make())
    found = [e for e in error.erreurs if e.rubrique == rubrique and words in e.message]
    assert found, [str(e) for e in error.erreurs]
    problem = found[0]
    assert problem.ligne is not None
    # the message itself names the rubrique (or its block, for a missing block's first rubrique)
    assert rubrique in problem.message or rubrique.rsplit(".", 1)[0] in problem.message, problem.message
    assert NIR not in str(error) and NIR[:13] not in str(error)  # never a NIR in a message


def test_every_problem_is_listed_nothing_is_read() -> None:
    text = edit(texte(arret(motif="06")), set={"S21.G00.60.004": "03", "S20.G00.05.003": "12"})
    error = refus(text)
    assert {"S20.G00.05.003", "S21.G00.60.004", "S21.G00.60.012"} <= {e.rubrique for e in error.erreurs}


# ---------------------------------------------------------------------------------------------------------------
# The monthly DSN is read as before; bad bytes and encodings


def test_the_monthly_dsn_is_unchanged_and_refuses_a_signalement() -> None:
    monthly = parse_dsn(MENSUELLE.read_bytes())
    assert monthly.nature == "01" and len(monthly.salaries) == 3
    with pytest.raises(DsnError) as caught:
        parse_dsn(texte())
    assert caught.value.rubrique == "S20.G00.05.001"
    assert "seule la DSN mensuelle (nature 01) est reçue ici" in caught.value.message
    assert "se dépose comme signalement" in caught.value.message
    # and the monthly file given as a signalement is refused with its rubrique
    error = refus(MENSUELLE.read_bytes())
    assert any(e.rubrique == "S20.G00.05.001" and "se dépose comme DSN mensuelle" in e.message for e in error.erreurs)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "le fichier DSN est vide"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "caractère de contrôle interdit"),
        (b"texte quelconque\r\n", "ligne mal formée"),
        (None, "la DSN doit être un texte ou des octets"),
        ({"format": "secu-dsn/1"}, "au format texte de la norme DSN, pas en JSON"),
    ],
    ids=["vide", "binaire", "pas une DSN", "pas du texte", "JSON"],
)
def test_bad_bytes_are_refused_clearly(data: Any, words: str) -> None:
    error = refus(data)
    assert any(words in e.message for e in error.erreurs), [str(e) for e in error.erreurs]


def test_a_signalement_in_utf16_is_refused_not_misread() -> None:
    error = refus(texte().encode("utf-16"))
    assert "caractère de contrôle interdit" in error.message


# ---------------------------------------------------------------------------------------------------------------
# Deposit, on both databases: once per file, through the API too


class FakeService:
    """Stands for secu.especes.service.recevoir_attestation_salaire: stores once per reference."""

    def __init__(self) -> None:
        self.stored: dict[str, tuple[int, AttestationSalaire]] = {}

    def __call__(self, _session: Any, attestation: AttestationSalaire) -> Any:
        if attestation.reference not in self.stored:
            self.stored[attestation.reference] = (len(self.stored) + 1, attestation)
        ident, _ = self.stored[attestation.reference]
        return type("Recu", (), {"id": ident})()


@pytest.fixture(scope="module")
def app(database_url):  # type: ignore[no-untyped-def]
    app = create_app(database_url)
    with unit_of_work(app.state.sessions) as s:
        employer = service.register_employer(s, schemas.EmployeurIn(
            siren=SIREN, raison_sociale="Atelier Dupuis et fils",
            etablissements=[schemas.EtablissementIn(siret=SIRET, code_naf="25.12Z", effectif=3, departement="69", commune="69266")]),
            caller=SYSTEM)  # fmt: skip
        other = service.register_employer(s, schemas.EmployeurIn(
            siren="552100554", raison_sociale="Autre employeur",
            etablissements=[schemas.EtablissementIn(siret="55210055400013", code_naf="25.12Z", effectif=3, departement="75",
                                                    commune="75111")]), caller=SYSTEM)  # fmt: skip
        for login, extra in {"employeur": dict(role=Role.EMPLOYEUR, employeur_id=employer.id),
                             "autre.employeur": dict(role=Role.EMPLOYEUR, employeur_id=other.id)}.items():  # fmt: skip
            create_user(s, UtilisateurIn(login=login, password=PASSWORD, nom_affiche=login, **extra))
    yield app
    app.state.engine.dispose()


def test_the_same_file_deposited_twice_is_one_attestation(app) -> None:  # type: ignore[no-untyped-def]
    fake = FakeService()
    text = texte(arret(), arret(nir=NIR_2, nom="DURAND", sexe="02", date_naissance=date(1988, 1, 30), subrogation=None))
    with unit_of_work(app.state.sessions) as session:
        first = deposer_signalement(session, text.encode("latin-1"), fake)
    with unit_of_work(app.state.sessions) as session:
        again = deposer_signalement(session, text.replace("\r\n", "\n"), fake)
    assert [d.attestation for d in first.depots] == [d.attestation for d in again.depots]
    assert [d.resultat.id for d in first.depots] == [d.resultat.id for d in again.depots] == [1, 2]  # type: ignore[attr-defined]
    assert len(fake.stored) == 2
    with unit_of_work(app.state.sessions) as session, pytest.raises(NotFound):
        deposer_signalement(session, edit(text, set={"S21.G00.11.001": "00033", "S10.G00.01.002": "00033",
                                                     "S21.G00.06.002": "00033"}), fake)  # fmt: skip
    with unit_of_work(app.state.sessions) as session, pytest.raises(DsnError):
        deposer_signalement(session, edit(text, set={"S21.G00.60.001": "99"}), fake)
    assert len(fake.stored) == 2


def test_the_api_route(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    web = TestClient(app)

    tokens = {login: web.post("/api/auth/jeton", data={"username": login, "password": PASSWORD}).json()["access_token"]
              for login in ("employeur", "autre.employeur")}  # fmt: skip

    def post(login: str, body: bytes) -> Any:
        token = tokens[login]
        return web.post("/api/recouvrement/dsn/signalements", content=body,
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"})  # fmt: skip

    body = texte(arret(nir=NIR_2, nom="DURAND", sexe="02", date_naissance=date(1988, 1, 30), motif="02")).encode("latin-1")
    # wired to the service of the prestations en espèces: an employee it does not know is refused, naming the field
    response = post("employeur", body)
    assert response.status_code == 404, response.text
    assert response.json()["detail"]["champ"] == "nir", response.text
    # a refusal names the rubrique
    response = post("employeur", edit(body.decode("latin-1"), set={"S21.G00.60.001": "99"}).encode())
    assert response.status_code == 422 and response.json()["detail"]["champ"] == "S21.G00.60.001"

    fake = FakeService()
    monkeypatch.setattr(recouvrement_api, "RECEVOIR_ATTESTATION", fake)
    first, again = post("employeur", body), post("employeur", body)
    assert first.status_code == 200, first.text
    assert first.json() == again.json()
    assert first.json()["attestations"] == [{
        "reference": f"DSN04-{SIRET}-160320267-1", "risque": "maternite", "dernier_jour_travaille": "2026-03-13",
        "fin_previsionnelle": "2026-03-27", "reprise": None, "subrogation": True, "mois_de_salaire": 3, "attestation_id": 1,
    }]  # fmt: skip
    assert NIR_2[:13] not in first.text
    assert len(fake.stored) == 1
    # an employer deposits only for its own establishments
    refused = post("autre.employeur", body)
    assert refused.status_code == 403
    assert len(fake.stored) == 1


def test_the_service_checks_the_caller_when_given(app) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from secu.register.models import Employeur

    with unit_of_work(app.state.sessions) as session:
        other_id = session.scalar(select(Employeur.id).where(Employeur.siren == "552100554"))
        own_id = session.scalar(select(Employeur.id).where(Employeur.siren == SIREN))
    fake = FakeService()
    with unit_of_work(app.state.sessions) as session, pytest.raises(Forbidden):
        deposer_signalement(session, texte(), fake, caller=Caller(user_id=None, role=Role.EMPLOYEUR, employeur_id=other_id))
    with unit_of_work(app.state.sessions) as session, pytest.raises(Forbidden):  # an URSSAF of another region
        deposer_signalement(session, texte(), fake, caller=Caller(user_id=None, role=Role.AGENT, organisme_code="URSSAF-IDF"))
    with unit_of_work(app.state.sessions) as session, pytest.raises(Forbidden):  # a profile without the right at all
        deposer_signalement(session, texte(), fake, caller=Caller(user_id=None, role=Role.ASSURE, personne_id=1))
    assert fake.stored == {}
    with unit_of_work(app.state.sessions) as session:
        depot = deposer_signalement(session, texte(), fake, caller=Caller(user_id=None, role=Role.EMPLOYEUR, employeur_id=own_id))
    assert [d.attestation.reference for d in depot.depots] == [f"DSN04-{SIRET}-160320267-1"]


def test_the_demo_signalements_are_read_and_carry_the_pay_the_demo_dsn_declared(app) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from secu.demo.dsn import demo_declarations, demo_signalements
    from secu.especes.models import AttestationSalaireRecue
    from secu.register.models import Employeur

    people = [("178056912304519", "MARTIN", date(1978, 5, 12), "1", "69"), ("288017505611232", "DURAND", date(1988, 1, 30), "2", "75"),
              ("292017505612319", "PETIT", date(1992, 1, 3), "2", "75")]  # fmt: skip
    with unit_of_work(app.state.sessions) as session:
        for nir, nom, naissance, sexe, departement in people:
            service.register_person(session, schemas.PersonneIn(nir=nir, nom_naissance=nom, prenoms="Camille", date_naissance=naissance,
                                                                sexe=sexe, departement=departement), caller=SYSTEM, today=date(2026, 1, 1))  # fmt: skip
        own_id = session.scalar(select(Employeur.id).where(Employeur.siren == SIREN))
        create_user(session, UtilisateurIn(login="employeur.demo", password=PASSWORD, nom_affiche="demo", role=Role.EMPLOYEUR, employeur_id=own_id))
    siret, texts = demo_signalements(app.state.sessions, seed_value=3, people_count=3)
    assert siret == SIRET and len(texts) == 2
    arrets, [reprise] = lire_signalement(texts[0]), lire_signalement(texts[1])
    assert sorted(a.risque for a in arrets) == ["atmp", "maladie", "maternite"]
    assert reprise.reference.startswith(f"DSN05-{SIRET}-") and reprise.reprise == date(2026, 1, 26) and reprise.subrogation
    # the salaries of the three months before are those the demo's monthly DSN declared for the same employees
    _, monthly = demo_declarations(app.state.sessions, seed_value=3, people_count=3)
    declared: dict[tuple[str, date], int] = {}
    for declaration in monthly:
        for salarie in declaration["salaries"]:  # type: ignore[attr-defined]
            remuneration = salarie["versements"][0]["remunerations"][0]
            declared[(salarie["nir"], date.fromisoformat(remuneration["date_debut"]))] = to_cents(remuneration["montant"], field="montant")
    for attestation in [*arrets, reprise]:
        assert [s.brut for s in attestation.salaires] == [declared[(attestation.nir, s.mois)] for s in attestation.salaires]
        assert len(attestation.salaires) == 3

    # wired for real: the signalement d'arrêt gives the service of the prestations en espèces one stored attestation
    # per arrêt, once, whatever the re-sends
    for _ in range(2):
        with unit_of_work(app.state.sessions) as session:
            depot = deposer_signalement(session, texts[0], recouvrement_api.RECEVOIR_ATTESTATION)
    references = sorted(d.attestation.reference for d in depot.depots)
    with unit_of_work(app.state.sessions) as session:
        stored = session.scalars(select(AttestationSalaireRecue.reference).where(AttestationSalaireRecue.reference.in_(references))).all()
    assert sorted(stored) == references and len(references) == 3


# ---------------------------------------------------------------------------------------------------------------
# `secu signalement`: read and check a file (and --deposer it), French errors, exit code 2


def test_the_cli_reads_checks_and_deposits(app, database_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from secu.cli import app as cli
    from secu.config import settings as configuration

    runner = CliRunner()
    good, bad = tmp_path / "arret.dsn", tmp_path / "faux.dsn"
    good.write_bytes(texte(numero_ordre=40).encode("latin-1"))
    bad.write_bytes(edit(texte(), set={"S21.G00.60.001": "99"}).encode("latin-1"))
    result = runner.invoke(cli, ["signalement", str(good), "--json"])
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.output)["attestations"]
    assert item["reference"] == f"DSN04-{SIRET}-1603202640-1"
    assert [s["brut_cents"] for s in item["salaires"]] == [s for _, s in SALAIRES]
    assert NIR[:13] not in result.output and IBAN not in result.output
    result = runner.invoke(cli, ["signalement", str(good)])
    assert result.exit_code == 0 and "DSN04-" in result.output and "3\u00a0100,50\u00a0€" in result.output
    result = runner.invoke(cli, ["signalement", str(bad)])
    assert result.exit_code == 2 and "rubrique S21.G00.60.001" in result.output and "annulation" in result.output
    result = runner.invoke(cli, ["signalement", str(tmp_path / "absent.dsn")])
    assert result.exit_code == 2 and "introuvable ou illisible" in result.output

    # --deposer: into the configured database (this module's), through api.RECEVOIR_ATTESTATION like the route
    monkeypatch.setenv("SECU_DATABASE_URL", database_url)
    configuration.cache_clear()
    try:
        fake = FakeService()  # the real service is exercised by the demo's signalements above
        monkeypatch.setattr(recouvrement_api, "RECEVOIR_ATTESTATION", fake)
        for _ in range(2):
            result = runner.invoke(cli, ["signalement", str(good), "--deposer"])
            assert result.exit_code == 0, result.output
            assert "DSN04-81234567600025-1603202640-1 (transmise)" in result.output
        assert list(fake.stored) == [f"DSN04-{SIRET}-1603202640-1"]
        unknown = tmp_path / "inconnu.dsn"
        unknown.write_bytes(edit(texte(), set={"S21.G00.11.001": "00033", "S10.G00.01.002": "00033", "S21.G00.06.002": "00033"}).encode())
        result = runner.invoke(cli, ["signalement", str(unknown), "--deposer"])
        assert result.exit_code == 2 and "établissement 81234567600033 inconnu" in result.output
    finally:
        configuration.cache_clear()


# ---------------------------------------------------------------------------------------------------------------
# Fuzzing: a mutated signalement is read or refused with a DsnError, never anything else

_LINES = texte().split("\r\n")[:-1]


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_LINES) - 1), st.sampled_from(["drop", "dup", "value"]),
                          st.text(alphabet="0123456789ABZ'.- é", max_size=12)), min_size=1, max_size=4))  # fmt: skip
def test_fuzz_mutations_of_a_good_signalement(mutations: list[tuple[int, str, str]]) -> None:
    lines = list(_LINES)
    for index, kind, value in mutations:
        index %= len(lines)
        if kind == "drop":
            del lines[index]
        elif kind == "dup":
            lines.insert(index, lines[index])
        else:
            lines[index] = lines[index].split(",", 1)[0] + f",'{value}'"
        if not lines:
            break
    try:
        for attestation in lire_signalement("\r\n".join(lines) + "\r\n"):
            assert attestation.salaires and attestation.reference.startswith("DSN")
    except DsnError as error:
        assert error.erreurs and all(e.message for e in error.erreurs)

