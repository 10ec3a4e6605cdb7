"""The household file of ``secu famille --foyer``: JSON → the two frames of :func:`secu.famille.rules.droits`.

Shape (amounts in euros, as numbers or decimal strings; dates ``AAAA-MM-JJ``)::

    {"parents": ["1985-03-01", "1987-07-01"],
     "enfants": [{"date_naissance": "2012-05-01", "garde_alternee": false, "salaire_net_mensuel": 0,
                  "aeeh_categorie": null, "asf": 0, "scolarise": true}],
     "ressources_n2": 40000, "biactif": false,
     "aah": {"taux_incapacite": 80, "rsdae": false, "ressources_n2": 0}}

``parents``: one date (parent isolé) or two (couple); the first is the
allocataire (his birth date serves the AAH). ``ressources_n2`` are the
household's resources of year N-2, used for every month asked (secu does not
guess another year's). Per child only ``date_naissance`` is required; a child
is presumed in school (``scolarise``: true) unless the file says otherwise.
A child born after the last month asked is refused; one born during the
period appears from his month of birth on. Every refusal is an
:class:`~secu.core.errors.InvalidField` naming the field, in French.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from secu.core.errors import InvalidField
from secu.core.money import to_cents

_KEYS = {"foyer", "parents", "enfants", "ressources_n2", "biactif", "aah"}
_CHILD_KEYS = {"date_naissance", "garde_alternee", "salaire_net_mensuel", "aeeh_categorie", "asf", "scolarise"}
_AAH_KEYS = {"taux_incapacite", "rsdae", "ressources_n2"}


def _date(value: Any, field: str) -> date:
    if not isinstance(value, str):
        raise InvalidField(field, "date attendue au format AAAA-MM-JJ")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidField(field, f"date invalide : {value!r} (format attendu AAAA-MM-JJ)") from None


def _euros(value: Any, field: str) -> int:
    if isinstance(value, bool) or value is None:
        raise InvalidField(field, "montant en euros attendu")
    if isinstance(value, float):
        value = Decimal(repr(value))  # a JSON number read as float: its shortest exact writing
    cents = to_cents(value, field=field)
    if cents < 0:
        raise InvalidField(field, "le montant ne peut pas être négatif")
    return cents


def _bool(value: Any, field: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise InvalidField(field, "vrai ou faux attendu (true / false)")
    return value


def _int(value: Any, field: str, low: int, high: int, default: int | None) -> int | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidField(field, f"entier de {low} à {high} attendu")
    return value


def _unknown(obj: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        raise InvalidField(f"{prefix}{extra[0]}", "champ inconnu")


def _end_of_month(d: date) -> date:
    nxt = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def load(text: str) -> dict[str, Any]:
    """Read the JSON text of a household file (numbers as exact decimals)."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InvalidField("foyer", f"JSON illisible : {exc.msg} (ligne {exc.lineno})") from None
    if not isinstance(data, dict):
        raise InvalidField("foyer", "un objet JSON est attendu")
    return data


def frames(foyer: Mapping[str, Any] | str, mois: Sequence[date]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The ``foyers`` and ``enfants`` frames of one household for the months asked (first days of months)."""
    data = load(foyer) if isinstance(foyer, str) else foyer
    if not isinstance(data, Mapping):
        raise InvalidField("foyer", "un objet JSON est attendu")
    _unknown(data, _KEYS, "")
    if not mois:
        raise InvalidField("mois", "au moins un mois est attendu")
    months = []
    for m in mois:
        if not isinstance(m, date) or m.day != 1:
            raise InvalidField("mois", "chaque mois doit être le premier jour d'un mois")
        months.append(m)
    months = sorted(set(months))

    ident = _int(data.get("foyer"), "foyer", 0, 2**62, 1)
    parents = data.get("parents")
    if not isinstance(parents, list) or not parents:
        raise InvalidField("parents", "au moins un parent (sa date de naissance) est attendu")
    if len(parents) > 2:
        raise InvalidField("parents", "un foyer compte au plus deux parents")
    parent_dates = [_date(p, f"parents[{i}]") for i, p in enumerate(parents)]
    for i, d in enumerate(parent_dates):
        if d > months[-1]:
            raise InvalidField(f"parents[{i}]", "date de naissance postérieure au mois demandé")
    ressources = _euros(data.get("ressources_n2", 0), "ressources_n2")
    biactif = _bool(data.get("biactif"), "biactif", False)

    aah = data.get("aah") or {}
    if not isinstance(aah, Mapping):
        raise InvalidField("aah", "un objet est attendu")
    _unknown(aah, _AAH_KEYS, "aah.")
    taux = _int(aah.get("taux_incapacite"), "aah.taux_incapacite", 0, 100, 0)
    rsdae = _bool(aah.get("rsdae"), "aah.rsdae", False)
    aah_ressources = _euros(aah.get("ressources_n2", 0), "aah.ressources_n2")

    children = data.get("enfants", [])
    if not isinstance(children, list):
        raise InvalidField("enfants", "une liste est attendue")
    parsed = []
    last = _end_of_month(months[-1])
    for i, child in enumerate(children):
        p = f"enfants[{i}]."
        if not isinstance(child, Mapping):
            raise InvalidField(f"enfants[{i}]", "un objet est attendu")
        _unknown(child, _CHILD_KEYS, p)
        if "date_naissance" not in child:
            raise InvalidField(p + "date_naissance", "date de naissance absente")
        born = _date(child["date_naissance"], p + "date_naissance")
        if born > last:
            raise InvalidField(p + "date_naissance", "enfant né après le mois demandé")
        parsed.append((
            born,
            _bool(child.get("garde_alternee"), p + "garde_alternee", False),
            _euros(child.get("salaire_net_mensuel", 0), p + "salaire_net_mensuel"),
            _int(child.get("aeeh_categorie"), p + "aeeh_categorie", 0, 6, None),  # D541-2's six catégories: a label's range
            _int(child.get("asf"), p + "asf", 0, 2, 0),
            _bool(child.get("scolarise"), p + "scolarise", True),
        ))

    n = len(months)
    foyers = pl.DataFrame(
        {
            "foyer": [ident] * n,
            "mois": months,
            "nb_parents": [len(parent_dates)] * n,
            "ressources_n2": [ressources] * n,
            "biactif": [biactif] * n,
            "aah_taux_incapacite": [taux] * n,
            "aah_rsdae": [rsdae] * n,
            "aah_ressources_n2": [aah_ressources] * n,
            "date_naissance_allocataire": [parent_dates[0]] * n,
        },
        schema={
            "foyer": pl.Int64, "mois": pl.Date, "nb_parents": pl.Int8, "ressources_n2": pl.Int64, "biactif": pl.Boolean,
            "aah_taux_incapacite": pl.Int16, "aah_rsdae": pl.Boolean, "aah_ressources_n2": pl.Int64,
            "date_naissance_allocataire": pl.Date,
        },
    )
    rows = [(ident, m, *c) for m in months for c in parsed if c[0] <= _end_of_month(m)]
    enfants = pl.DataFrame(
        rows,
        schema={
            "foyer": pl.Int64, "mois": pl.Date, "date_naissance": pl.Date, "garde_alternee": pl.Boolean,
            "salaire_net_mensuel": pl.Int64, "aeeh_categorie": pl.Int8, "asf": pl.Int8, "scolarise": pl.Boolean,
        },
        orient="row",
    )
    return foyers, enfants
