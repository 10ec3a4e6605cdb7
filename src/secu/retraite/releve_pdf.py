"""The relevé de carrière as a PDF, made in memory like the attestation de droits (fpdf2, built-in Latin-1 fonts)."""

from __future__ import annotations

from datetime import date
from typing import Any

from secu.core.money import format_eur

NATURES_COURTES = {"maladie": "maladie", "maternite": "maternité", "atmp": "AT/MP", "chomage": "chômage", "service_national": "service national",
                   "invalidite": "invalidité"}


def _latin1(text: str) -> str:
    # The PDF's built-in fonts know Latin-1 only: spell out the few characters outside it.
    for a, b in (("€", "EUR"), ("’", "'"), ("œ", "oe"), ("–", "-"), ("—", "-"), ("\u202f", " "), ("\u00a0", " ")):
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def _assimiles(annee: dict[str, Any]) -> str:
    return ", ".join(f"{NATURES_COURTES.get(n, n)} {v['trimestres']}" for n, v in annee["assimiles"].items() if v["trimestres"]) or "-"


def releve_pdf(releve: dict[str, Any]) -> bytes:
    """Who, then one line per year (salary reported, salary retained under the PASS, quarters by kind, sources), the totals."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Relevé de carrière - {releve['nom']}"))
    pdf.set_author("secu - Sécurité sociale, régime général")
    pdf.set_lang("fr")
    pdf.add_page()
    pdf.set_margins(12, 15, 12)
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 10, _latin1("Relevé de carrière - retraite de base du régime général"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    nir = releve["nir"]
    pdf.cell(0, 6, _latin1(f"{releve['nom']}, né(e) le {releve['date_naissance']:%d/%m/%Y} - NIR {nir[:13]} {nir[13:]}"), new_x="LMARGIN", new_y="NEXT")
    caisse = f" - caisse de retraite {releve['organisme_code']}" if releve.get("organisme_code") else ""
    pdf.cell(0, 6, _latin1(f"Établi le {date.today():%d/%m/%Y}{caisse}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = (13, 26, 26, 15, 44, 12, 14, 36)
    headers = ("Année", "Salaire", "Retenu (PASS)", "Cotisés", "Assimilés", "RG", "Autres", "Sources")
    pdf.set_font("Helvetica", "B", 8)
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 7, _latin1(header), border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for a in releve["annees"]:
        sources = sorted({s["source_libelle"] for s in a["sources"]})
        salaire = a["salaire_cents"] + a["salaire_avpf_cents"]
        cells = (str(a["annee"]), format_eur(salaire), format_eur(a["salaire_plafonne_cents"]), str(a["trimestres_cotises"]), _assimiles(a),
                 str(a["trimestres_rg"]), str(a["trimestres_autres_regimes"]), ", ".join(sources))
        for width, cell in zip(widths, cells, strict=True):
            pdf.cell(width, 6, _latin1(cell)[:40], border=1)
        pdf.ln()
    t = releve["totaux"]
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 10)
    for label, value in (("Trimestres du régime général", t["trimestres_rg"]), ("Trimestres tous régimes", t["trimestres_tous_regimes"]),
                         ("Majorations pour enfants (CSS L. 351-4)", t["majorations_enfants"]), ("Total", t["trimestres_total"])):
        pdf.cell(90, 6, _latin1(label))
        pdf.cell(0, 6, str(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(0, 4, _latin1(
        "Trimestres cotisés : un par fraction du salaire égale au seuil de validation (heures de SMIC au 1er janvier), quatre au plus par an (CSS R. 351-9) ; "
        "salaire retenu dans la limite du plafond de la sécurité sociale. Périodes assimilées : CSS L. 351-3, R. 351-12 ; AVPF : L. 381-1. "
        "Une erreur ou un oubli ? Demandez une correction depuis votre espace assuré."), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
