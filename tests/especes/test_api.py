"""An arrêt through the API and the pages, as its actors see it, on both databases.

The prescriber sends the avis, the employer the attestation de salaire, the CPAM liquidates and pays; the assuré
reads each period explained, downloads the attestation de paiement; the agent sees why days were not paid and keys
a prolongation; the employer sees only its own subrogated IJ. Figures: 3 × 2 500 € ÷ 91,25 × 50 % = 41,0959 € →
41,10 € a day (CSS R. 323-4, R. 323-5; ceiling 1,4 SMIC = 2 522,52 € in 2025, décret n° 2025-160, not reached).
"""

from __future__ import annotations

from datetime import date

from secu.web.session import COOKIE, CSRF_COOKIE, _mac, sign
from tests.api.conftest import World

DEBUT, FIN = date(2025, 5, 5), date(2025, 6, 3)


def _page_headers(world: World, login: str) -> dict[str, str]:
    return {"Cookie": f"{COOKIE}={sign(world.tokens[login])}; {CSRF_COOKIE}=graine-especes"}


def test_an_arret_from_the_avis_to_the_payment_and_the_attestation(world: World) -> None:
    client = world.client
    nir = client.get(f"/api/personnes/{world.parent_id}", headers=world.as_("admin")).json()["nir"]
    avis = {"numero": "AV-API-1", "nir": nir, "date_prescription": str(DEBUT), "date_reception": "2025-05-06", "debut": str(DEBUT), "fin": str(FIN)}
    first = client.post("/api/especes/avis", headers=world.as_("docteur"), json=avis)
    again = client.post("/api/especes/avis", headers=world.as_("agent.paris"), json=avis)
    assert first.status_code == 200 and again.status_code == 200, (first.text, again.text)
    assert (first.json()["deja_recu"], again.json()["deja_recu"]) == (False, True)
    assert again.json()["arret"]["id"] == first.json()["arret"]["id"] and first.json()["arret"]["statut"] == "en_attente_salaire"

    bad = client.post("/api/especes/avis", headers=world.as_("docteur"), json=avis | {"numero": "AV-API-BAD", "fin": "2025-05-01"})
    assert bad.status_code == 422 and bad.json()["detail"]["champ"] == "fin" and "précède" in bad.json()["detail"]["message"]

    attestation = {
        "reference": "ATT-API-1",
        "nir": nir,
        "siret": world.siret,
        "risque": "maladie",
        "dernier_jour_travaille": "2025-05-04",
        "salaires": [{"mois": m, "brut": 250_000} for m in ("2025-02-01", "2025-03-01", "2025-04-01")],
    }
    foreign = client.post("/api/especes/attestations-salaire", headers=world.as_("employeur"), json=attestation | {"siret": world.other_siret})
    assert foreign.status_code == 403
    posted = client.post("/api/especes/attestations-salaire", headers=world.as_("employeur"), json=attestation)
    assert posted.status_code == 200 and posted.json()["arret_id"] == first.json()["arret"]["id"], posted.text

    marseille = client.post("/api/especes/liquidations", headers=world.as_("agent.marseille"), json={"organisme_code": world.cpam_paris, "au": "2025-06-30"})
    assert marseille.status_code == 403
    liquidation = client.post("/api/especes/liquidations", headers=world.as_("agent.paris"), json={"organisme_code": world.cpam_paris, "au": "2025-06-30"})
    assert liquidation.status_code == 200 and liquidation.json()["periodes"] == 3, liquidation.text
    assert liquidation.json()["brut_cents"] == 27 * 4110  # 30 days less 3 of carence, at 41,10 €
    run = client.post("/api/especes/paiements", headers=world.as_("agent.paris"), json={"organisme_code": world.cpam_paris, "date_execution": "2025-07-01"})
    assert run.status_code == 200 and run.json()["periodes"] == 3, run.text
    sepa = client.get(run.json()["fichier"], headers=world.as_("agent.paris"))
    assert sepa.status_code == 200 and "FR7630006000011234567890189" in sepa.text  # the parent's account (tests/api/conftest.py)

    arrets = client.get(f"/api/especes/personnes/{world.parent_id}/arrets", headers=world.as_("assure.parent")).json()["items"]
    [arret] = [a for a in arrets if a["id"] == first.json()["arret"]["id"]]
    assert [p["jours_carence"] for p in arret["periodes"]] == [3, 0, 0] and all(p["statut"] == "payee" for p in arret["periodes"])
    assert any("carence" in m for m in arret["motifs"]) and arret["periodes"][0]["explication"][-1]["etape"] == "Montant net versé"
    net = sum(p["net_cents"] for p in arret["periodes"])
    assert run.json()["total_cents"] >= net and f"{net / 100:.2f}" in sepa.text

    attestation_ij = client.get(
        f"/api/especes/personnes/{world.parent_id}/attestation-paiement?du=2025-07-01&au=2025-07-31", headers=world.as_("assure.parent")
    )
    assert attestation_ij.status_code == 200 and attestation_ij.json()["total_net_cents"] == net
    pdf = client.get(f"/api/especes/personnes/{world.parent_id}/attestation-paiement.pdf?du=2025-07-01&au=2025-07-31", headers=world.as_("assure.parent"))
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert client.get(f"/api/especes/personnes/{world.parent_id}/arrets", headers=world.as_("assure.other")).status_code == 403

    own = client.get(f"/api/especes/employeurs/{world.siret}/ij-subrogees", headers=world.as_("employeur"))
    assert own.status_code == 200 and own.json()["items"] == []  # no subrogation here: the IJ went to the assuré
    assert client.get(f"/api/especes/employeurs/{world.other_siret}/ij-subrogees", headers=world.as_("employeur")).status_code == 403


def test_the_pages_show_each_period_explained_and_let_the_agent_instruct_an_avis(world: World) -> None:
    client = world.client
    mine = client.get("/assure/arrets", headers=_page_headers(world, "assure.parent"))
    assert mine.status_code == 200 and "Mes arrêts et indemnités" in mine.text
    assert "carence" in mine.text and "Montant net versé" in mine.text  # the first test's arrêt, each period's steps
    pdf = client.get("/assure/arrets/attestation.pdf?du=2025-01-01&au=2025-12-31", headers=_page_headers(world, "assure.parent"))
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"

    url = f"/agent/personnes/{world.parent_id}/arrets"
    agent = _page_headers(world, "agent.paris")
    page = client.get(url, headers=agent)
    assert page.status_code == 200 and "Pourquoi des jours ne sont pas payés" in page.text and "jour(s) de carence" in page.text
    csrf = _mac("csrf", "graine-especes")
    missing = client.post(
        url,
        headers=agent,
        data={
            "csrf": csrf,
            "numero": "AV-PAGE-1",
            "nature": "prolongation",
            "risque": "maladie",
            "arret_numero": "AV-API-1",
            "date_prescription": "2025-06-03",
            "date_reception": "2025-06-04",
            "debut": "2025-06-04",
        },
        follow_redirects=False,
    )
    assert missing.status_code == 422 and "Le formulaire contient 1 erreur" in missing.text and 'href="#champ-fin"' in missing.text
    done = client.post(
        url,
        headers=agent,
        data={
            "csrf": csrf,
            "numero": "AV-PAGE-1",
            "nature": "prolongation",
            "risque": "maladie",
            "arret_numero": "AV-API-1",
            "date_prescription": "2025-06-03",
            "date_reception": "2025-06-04",
            "debut": "2025-06-04",
            "fin": "2025-06-10",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].endswith("?message=aucune"), done.text[:500]
    after = client.get(done.headers["location"], headers=agent)
    assert "avis est enregistré." in after.text and "AV-PAGE-1 (prolongation)" in after.text
    # an avis sent late (CSS R. 321-2): the agent is told, and the assuré reads the avertissement on his page (D. 323-2)
    late = {"numero": "AV-PAGE-2", "nature": "initial", "risque": "maladie", "date_prescription": "2025-09-01", "date_envoi": "2025-09-08",
            "date_reception": "2025-09-09", "debut": "2025-09-01", "fin": "2025-09-05"}  # fmt: skip
    done = client.post(url, headers=agent, data={"csrf": csrf, **late}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?message=avertissement"), done.text[:500]
    mine = client.get("/assure/arrets", headers=_page_headers(world, "assure.parent"))
    assert "prescrit le 1er septembre 2025 envoyé en retard (CSS R. 321-2) : ceci est un avertissement" in mine.text
    assert client.get(url, headers=_page_headers(world, "agent.marseille")).status_code == 403
    # a reprise keyed from paper before days already liquidated: an indu (CSS L. 133-4-1), on both pages
    reprise = {"numero": "AV-PAGE-R", "nature": "reprise", "risque": "maladie", "arret_numero": "AV-API-1", "date_prescription": "2025-06-20",
               "date_reception": "2025-06-21", "date_reprise": "2025-05-20"}  # fmt: skip
    done = client.post(url, headers=agent, data={"csrf": csrf, **reprise}, follow_redirects=False)
    assert done.status_code == 303, done.text[:500]
    page = client.get(url, headers=agent)
    assert "Indus (reprise anticipée)" in page.text and "reprise le 20 mai 2025" in page.text and "recouvrable à partir du 11 juillet 2025" in page.text
    mine = client.get("/assure/arrets", headers=_page_headers(world, "assure.parent"))
    assert "Indu notifié le 21 juin 2025 : vous avez repris le travail le 20 mai 2025" in mine.text
