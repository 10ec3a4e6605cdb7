"""Writing a declaration back, as the norm's text or as JSON."""

from __future__ import annotations

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
