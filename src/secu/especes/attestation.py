"""The attestation de paiement des IJ as a PDF, made in memory like the attestation de droits (``secu.web.assure``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from secu.core.money import format_eur

RISQUES = {"maladie": "maladie", "maternite": "maternité", "paternite": "paternité", "adoption": "adoption", "atmp": "AT/MP"}


def _latin1(text: str) -> str:
    # The PDF's built-in fonts know Latin-1 only: spell out the few characters outside it.
    for a, b in (("€", "EUR"), ("’", "'"), ("œ", "oe"), ("–", "-"), ("—", "-"), ("\u202f", " "), ("\u00a0", " ")):
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def _d(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def attestation_paiement_pdf(attestation: dict[str, Any]) -> bytes:
    """One page per few dozen periods: who, the period asked, each payment (dates, days, gross, CSG, CRDS, net), totals."""
    from fpdf import FPDF

    personne = attestation["personne"]
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Attestation de paiement des indemnités journalières - {personne['prenoms']} {personne['nom']}"))
    pdf.set_author("secu - Sécurité sociale, régime général")
    pdf.set_lang("fr")
    pdf.add_page()
    pdf.set_margins(15, 15, 15)
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 10, _latin1("Attestation de paiement des indemnités journalières"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(
        0,
        6,
        _latin1(f"{personne['prenoms']} {personne['nom']} - paiements du {_d(attestation['du'])} au {_d(attestation['au'])}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.cell(0, 6, _latin1(f"Établie le {_d(date.today())}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = (22, 44, 14, 24, 20, 18, 22, 16)
    headers = ("Payé le", "Période", "Jours", "Brut", "CSG", "CRDS", "Net", "Risque")
    pdf.set_font("Helvetica", "B", 9)
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 7, _latin1(header), border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for ligne in attestation["lignes"]:
        cells = (
            _d(ligne["date_paiement"]),
            f"{_d(ligne['debut'])} - {_d(ligne['fin'])}",
            str(ligne["jours_indemnises"]),
            format_eur(ligne["brut_cents"]),
            format_eur(ligne["csg_cents"]),
            format_eur(ligne["crds_cents"]),
            format_eur(ligne["net_cents"]),
            RISQUES.get(ligne["risque"], ligne["risque"]) + (" *" if ligne["beneficiaire"] == "employeur" else ""),
        )
        for width, cell in zip(widths, cells, strict=True):
            pdf.cell(width, 6, _latin1(cell), border=1)
        pdf.ln()
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 10)
    pdf.multi_cell(
        0,
        6,
        _latin1(
            f"Total brut {format_eur(attestation['total_brut_cents'])}, CSG {format_eur(attestation['total_csg_cents'])}, "
            f"CRDS {format_eur(attestation['total_crds_cents'])}, net versé {format_eur(attestation['total_net_cents'])}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(
        0,
        4,
        _latin1(
            "Indemnités journalières versées par l'Assurance Maladie (CSS L. 321-1, L. 331-3, L. 331-8, L. 433-1), "
            "soumises à la CSG (6,2 %, CSS L. 136-8) et à la CRDS (0,5 %). * : IJ versées à l'employeur subrogé (R. 323-11), "
            "qui a maintenu le salaire."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
