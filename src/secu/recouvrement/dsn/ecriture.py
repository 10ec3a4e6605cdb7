"""Writing a declaration back, as the norm's text or as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from secu.recouvrement.dsn.champs import _ENFANTS, _RACINE_JSON, FIELDS, JSON_FORMAT, _Champ
from secu.recouvrement.dsn.modele import Declaration


def _texte(value: Any, champ: _Champ) -> str:
    if champ.conv in ("date", "naissance"):
        return str(value.strftime("%d%m%Y"))
    if champ.conv == "mois":
        return str(value.strftime("01%m%Y"))
    if champ.conv == "cents":
        sign = "-" if value < 0 else ""
        euros, cents = divmod(abs(value), 100)
        return f"{sign}{euros}.{cents:02d}"
    if champ.conv == "nir":
        return str(value)[:13]
    return str(value)


def _json_value(value: Any, champ: _Champ) -> Any:
    if champ.conv in ("date", "naissance"):
        return value.isoformat()
    if champ.conv == "mois":
        return value.strftime("%Y-%m")
    if champ.conv == "cents":
        return _texte(value, champ)
    if champ.conv == "dec":
        return str(value)
    return value


def _lines_of(obj: Any, bloc: str, out: list[str]) -> None:
    for champ in FIELDS[bloc]:
        value = getattr(obj, champ.attribut)
        if value is not None:
            out.append(f"{bloc}.{champ.numero},'{_texte(value, champ).replace(chr(39), chr(39) * 2)}'")
    for child, attribut, many in _ENFANTS.get(bloc, ()):
        value = getattr(obj, attribut)
        for item in value if many else ([value] if value is not None else []):
            _lines_of(item, child, out)


def to_dsn_text(declaration: Declaration, *, newline: str = "\r\n") -> str:
    """Write a declaration in the DSN text format (its own envoi, S90 totals computed)."""
    out: list[str] = []
    _lines_of(declaration.envoi, "S10.G00.00", out)
    _lines_of(declaration.emetteur, "S10.G00.01", out)
    _lines_of(declaration.contact, "S10.G00.02", out)
    _lines_of(declaration, "S20.G00.05", out)
    _lines_of(declaration.entreprise, "S21.G00.06", out)
    _lines_of(declaration.etablissement, "S21.G00.11", out)
    for versement in declaration.versements_organismes:
        _lines_of(versement, "S21.G00.20", out)
    for bordereau in declaration.bordereaux:
        _lines_of(bordereau, "S21.G00.22", out)
    for salarie in declaration.salaries:
        _lines_of(salarie, "S21.G00.30", out)
    out.append(f"S90.G00.90.001,'{len(out) + 2}'")
    out.append("S90.G00.90.002,'1'")
    return newline.join(out) + newline


def _json_of(obj: Any, bloc: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for champ in FIELDS[bloc]:
        value = getattr(obj, champ.attribut)
        if value is not None:
            result[champ.cle] = _json_value(value, champ)
    for child, attribut, many in _ENFANTS.get(bloc, ()):
        value = getattr(obj, attribut)
        if many:
            if value:
                result[attribut] = [_json_of(item, child) for item in value]
        elif value is not None:
            result[attribut] = _json_of(value, child)
    return result


def to_dsn_json(declaration: Declaration) -> dict[str, Any]:
    """The declaration in secu's JSON schema (``json.dumps`` it as is)."""
    result: dict[str, Any] = {"format": JSON_FORMAT}
    sources = {
        "envoi": declaration.envoi,
        "emetteur": declaration.emetteur,
        "contact": declaration.contact,
        "declaration": declaration,
        "entreprise": declaration.entreprise,
        "etablissement": declaration.etablissement,
    }
    for key, bloc, many in _RACINE_JSON:
        if many:
            items = getattr(declaration, key)
            if items:
                result[key] = [_json_of(item, bloc) for item in items]
        else:
            result[key] = _json_of(sources[key], bloc)
    return result


# ==========================================================================
# Signalements d'arrêt de travail (04) et de reprise (05): a writer for tests and the demo


@dataclass(frozen=True, repr=False)
class ArretAEcrire:
    """One employee's arrêt, as a signalement declares it (block S21.G00.60), with the pay of the months before.

    ``salaires``: (first day of a month, gross cents) — one rémunération of type 001 per month.
    ``subrogation``: (début, fin, IBAN, BIC) when the employer keeps paying and asks for the IJ (R. 323-11)."""

    nir: str
    nom: str
    prenoms: str
    sexe: str  # "01" masculin, "02" féminin
    date_naissance: date
    motif: str  # S21.G00.60.001: "01" maladie, "02" maternité, "03" paternité, "04"-"06" AT/MP, "09" adoption
    dernier_jour_travaille: date
    salaires: tuple[tuple[date, int], ...]
    fin_previsionnelle: date | None = None
    subrogation: tuple[date, date, str, str] | None = None
    reprise: date | None = None
    motif_reprise: str | None = None  # "01" reprise normale, "03" temps partiel pour raison personnelle
    date_accident: date | None = None
    contrat_debut: date = date(2020, 1, 6)
    numero_contrat: str = "00001"

    def __repr__(self) -> str:  # never print a NIR nor an IBAN
        return f"ArretAEcrire(motif={self.motif!r}, dernier_jour_travaille={self.dernier_jour_travaille})"


def _jj(day: date) -> str:
    return day.strftime("%d%m%Y")


def _euros(cents: int) -> str:
    return f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _dernier_jour(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def signalement_text(
    *,
    siren: str,
    nic: str,
    nature: str,
    numero_ordre: int,
    date_fichier: date,
    arrets: Sequence[ArretAEcrire],
    raison_sociale: str = "EMPLOYEUR",
    apen: str = "2512Z",
    newline: str = "\r\n",
) -> str:
    """A signalement d'arrêt de travail (nature "04") or de reprise ("05") in the DSN text format, S90 counts computed.

    One individual per arrêt, one contract each (CDI, full time), the arrêt right under it (a contract's child
    blocks follow the contract), then one versement per month of ``salaires`` carrying its gross pay (type 001)."""
    out = [
        "S10.G00.00.001,'secu-demo'", "S10.G00.00.002,'secu'", "S10.G00.00.003,'1'", "S10.G00.00.005,'02'",
        "S10.G00.00.006,'P26V01'", "S10.G00.00.007,'01'", "S10.G00.00.008,'01'",
        f"S10.G00.01.001,'{siren}'", f"S10.G00.01.002,'{nic}'", f"S10.G00.01.003,'{raison_sociale[:80]}'",
        "S10.G00.02.001,'02'", "S10.G00.02.002,'SERVICE PAIE'", "S10.G00.02.004,'paie@employeur.example'",
        "S10.G00.02.005,'0100000000'",
        f"S20.G00.05.001,'{nature}'", "S20.G00.05.002,'01'", "S20.G00.05.003,'11'", f"S20.G00.05.004,'{numero_ordre}'",
        f"S20.G00.05.005,'01{date_fichier:%m%Y}'", f"S20.G00.05.007,'{_jj(date_fichier)}'", "S20.G00.05.008,'01'",
        "S20.G00.05.010,'01'",
        f"S21.G00.06.001,'{siren}'", f"S21.G00.06.002,'{nic}'", f"S21.G00.06.003,'{apen}'",
        f"S21.G00.11.001,'{nic}'", f"S21.G00.11.002,'{apen}'",
    ]  # fmt: skip
    for arret in arrets:
        out += [
            f"S21.G00.30.001,'{arret.nir[:13]}'", f"S21.G00.30.002,'{arret.nom}'", f"S21.G00.30.004,'{arret.prenoms}'",
            f"S21.G00.30.005,'{arret.sexe}'", f"S21.G00.30.006,'{_jj(arret.date_naissance)}'",
            f"S21.G00.40.001,'{_jj(arret.contrat_debut)}'", "S21.G00.40.002,'07'", "S21.G00.40.003,'04'",
            "S21.G00.40.004,'621a'", "S21.G00.40.006,'Employe'", "S21.G00.40.007,'01'", "S21.G00.40.008,'99'",
            f"S21.G00.40.009,'{arret.numero_contrat}'", "S21.G00.40.011,'10'", "S21.G00.40.012,'151.67'",
            "S21.G00.40.013,'151.67'", "S21.G00.40.014,'10'",
        ]  # fmt: skip
        out += [f"S21.G00.60.001,'{arret.motif}'", f"S21.G00.60.002,'{_jj(arret.dernier_jour_travaille)}'"]
        if arret.fin_previsionnelle is not None:
            out.append(f"S21.G00.60.003,'{_jj(arret.fin_previsionnelle)}'")
        if arret.subrogation is None:
            out.append("S21.G00.60.004,'02'")
        else:
            debut, fin_sub, iban, bic = arret.subrogation
            out += [
                "S21.G00.60.004,'01'", f"S21.G00.60.005,'{_jj(debut)}'", f"S21.G00.60.006,'{_jj(fin_sub)}'",
                f"S21.G00.60.007,'{iban}'", f"S21.G00.60.008,'{bic}'",
            ]  # fmt: skip
        if arret.reprise is not None:
            out.append(f"S21.G00.60.010,'{_jj(arret.reprise)}'")
        if arret.motif_reprise is not None:
            out.append(f"S21.G00.60.011,'{arret.motif_reprise}'")
        if arret.date_accident is not None:
            out.append(f"S21.G00.60.012,'{_jj(arret.date_accident)}'")
        for index, (month, cents) in enumerate(arret.salaires, start=1):
            fin = _dernier_jour(month)
            out += [
                f"S21.G00.50.001,'{_jj(fin)}'", f"S21.G00.50.002,'{_euros(cents)}'", f"S21.G00.50.003,'{index:02d}'",
                f"S21.G00.51.001,'{_jj(month)}'", f"S21.G00.51.002,'{_jj(fin)}'",
                f"S21.G00.51.010,'{arret.numero_contrat}'", "S21.G00.51.011,'001'", f"S21.G00.51.013,'{_euros(cents)}'",
            ]  # fmt: skip
    out.append(f"S90.G00.90.001,'{len(out) + 2}'")
    out.append("S90.G00.90.002,'1'")
    return newline.join(out) + newline
