"""The organisms of the régime général (and of the MSA), as data, and who manages whom.

Data files (package data, ``secu/organismes/data``):

* ``organismes.csv`` — one row per organism: ``code`` (stable, unique: a documented scheme such
  as ``CPAM-75``, ``CAF-2A``, ``URSSAF-IDF``, ``MSA-59``; the real identifiers we could confirm —
  SIRET of the URSSAF and CGSS, ``DMSAxx`` codes of the MSA in the DSN table — are in
  ``code_externe``), ``nom``, ``type``, ``branches`` (space separated), ``territoire``
  (``national`` or département codes), ``region``, ``national``, ``source``, ``note`` (what is
  uncertain is said there, marked UNVERIFIED).
* ``communes.csv`` — for the départements that several CPAM share (59 Nord, 62 Pas-de-Calais,
  64 Pyrénées-Atlantiques, 76 Seine-Maritime, and 40 Landes, whose Seignanx goes to the CPAM
  de Bayonne), every commune (INSEE code, with delegated/associated communes and former codes)
  and its CPAM, with the rule used (arrondissement, or a commune list). Communes and
  arrondissements come from the COG copy in ``@etalab/decoupage-administratif`` 6.0.0 (Licence
  Ouverte); the split between caisses is by arrondissement, except in the arrondissement de
  Lille (Roubaix-Tourcoing and Armentières sectors listed by commune) — see each row's ``regle``
  and the CPAM rows' ``note`` for what is confirmed and what is not.
* ``departements.csv`` — see :mod:`secu.organismes.territoire`.

Routing — :func:`route` (département of residence, branche, régime):

=============  ===========================================  ===========================================
branche        régime général                               régime agricole (``regime="agricole"``)
=============  ===========================================  ===========================================
maladie        CPAM of residence (by commune where a        MSA of the département;
               département has several); CGSS in 971–974;  CGSS in 971–974; CSSM in 976
               CSSM in 976; CCSS in 48
atmp           CARSAT of the région (tarification and       MSA; CGSS in 971–974; CSSM in 976
               prevention); CRAMIF in Île-de-France;
               CGSS in 971–974; CSSM in 976
famille        CAF of the département; CCSS in 48;          MSA; CAF in 971–974; CSSM in 976
               CSSM in 976 (CAF in 971–974)
retraite       CARSAT of the région; CNAV in Île-de-France  MSA; CGSS in 971–974; CSSM in 976
               (75, 77, 78, 91, 92, 93, 94, 95); CGSS in
               971–974; CSSM in 976
recouvrement   URSSAF of the (pre-2016) région; CCSS in     MSA; CGSS in 971–974; CSSM in 976
               48; CGSS in 971–974; CSSM in 976
autonomie      CNSA                                         CNSA
=============  ===========================================  ===========================================

Notes on the table:

* atmp: the CPAM pays the benefits of a work accident; the organism routed here is the one that
  runs the risques professionnels of the employer side (tarification, prevention), as asked.
* autonomie: the CNSA is the national caisse of the branch. The APA and the PCH are paid by the
  conseil départemental, which is not a social-security organism, so secu routes to the CNSA.
  The départements are listed all the same (type ``CD``, code ``CD-<département>``, branch
  autonomie, territory their département): they have agents, who decide and pay the APA and the
  PCH of their residents (:mod:`secu.acces`); routing never answers with them.
* agricole: there is no MSA caisse overseas; the CGSS manage the agricultural schemes there
  (and the CAF the family benefits), the CSSM in Mayotte.
* A département shared by several caisses of the routed type needs the INSEE code of the
  commune of residence; without it, :func:`route` refuses with ``InvalidField("commune", …)``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from secu.core import ledger
from secu.core.errors import InvalidField, NotFound

if TYPE_CHECKING:
    from secu.core import sepa
from secu.organismes.territoire import (
    all_departements,
    validate_commune,
    validate_departement,
)

__all__ = [
    "BRANCHES",
    "REGIMES",
    "ROUTAGE",
    "TYPES",
    "Organisme",
    "all_organismes",
    "get_organisme",
    "route",
]

BRANCHES: tuple[str, ...] = ("maladie", "atmp", "famille", "retraite", "autonomie", "recouvrement")
REGIMES: tuple[str, ...] = ("general", "agricole")
TYPES: tuple[str, ...] = (
    "CNAM", "CPAM", "CGSS", "CSSM", "CCSS", "DRSM", "CARSAT", "CRAMIF", "CNAV",
    "CNAF", "CAF", "URSSAF_CN", "URSSAF", "CNSA", "CCMSA", "MSA", "CD",
    "FSV",  # the Fonds de solidarité vieillesse: it bears the ASPA the caisses retraite pay (CSS L. 135-1); it serves no one
)

#: (régime, branche) → the organism types that may serve it, in order of precedence: the first
#: type with an organism covering the département wins (e.g. the MSA before the CAF, which only
#: serves agricultural families overseas, where there is no MSA).
ROUTAGE: dict[tuple[str, str], tuple[str, ...]] = {
    ("general", "maladie"): ("CPAM", "CGSS", "CSSM", "CCSS"),
    ("general", "atmp"): ("CARSAT", "CRAMIF", "CGSS", "CSSM"),
    ("general", "famille"): ("CAF", "CCSS", "CSSM"),
    ("general", "retraite"): ("CARSAT", "CNAV", "CGSS", "CSSM"),
    ("general", "recouvrement"): ("URSSAF", "CCSS", "CGSS", "CSSM"),
    ("general", "autonomie"): ("CNSA",),
    ("agricole", "maladie"): ("MSA", "CGSS", "CSSM"),
    ("agricole", "atmp"): ("MSA", "CGSS", "CSSM"),
    ("agricole", "famille"): ("MSA", "CAF", "CSSM"),
    ("agricole", "retraite"): ("MSA", "CGSS", "CSSM"),
    ("agricole", "recouvrement"): ("MSA", "CGSS", "CSSM"),
    ("agricole", "autonomie"): ("CNSA",),
}


@dataclass(frozen=True)
class Organisme:
    """One caisse. ``departements`` is the territory it serves people in (all of them for a
    national caisse, except the CNAV, listed with the Île-de-France it serves directly);
    ``communes`` is filled for a caisse that shares a département with another of its type."""

    code: str
    nom: str
    type: str
    branches: frozenset[str]
    departements: tuple[str, ...]
    national: bool
    region: str | None
    source: str
    code_externe: str | None = None
    note: str | None = None
    communes: frozenset[str] = frozenset()

    def couvre(self, departement: str, commune: str | None = None) -> bool:
        """Whether residents of this département (of this commune, for a shared one) are in its territory.

        Without a commune, a caisse that covers part of a shared département covers it.
        """
        if departement not in self.departements:
            return False
        if commune is None:
            return True
        table = _shared(self.type, departement)
        return table is None or table.get(commune) == self.code


@dataclass(frozen=True)
class _Data:
    organismes: tuple[Organisme, ...]
    by_code: dict[str, Organisme]
    # (type, département) → {commune → organisme code}, only for shared départements
    communes: dict[tuple[str, str], dict[str, str]]


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("secu.organismes").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def _data() -> _Data:
    known_deps = [d.code for d in all_departements()]
    known = set(known_deps)
    raw: list[dict[str, str]] = _read("organismes.csv")
    seen: set[str] = set()
    for row in raw:
        code = row["code"]
        if not code or len(code) > 20 or code in seen:
            raise ValueError(f"organismes.csv : code vide, trop long ou en double : {code!r}")
        seen.add(code)
        if row["type"] not in TYPES:
            raise ValueError(f"organismes.csv : type inconnu {row['type']!r} ({code})")
        if not set(row["branches"].split()) <= set(BRANCHES) or not row["branches"].split():
            raise ValueError(f"organismes.csv : branches inconnues {row['branches']!r} ({code})")
        terr = row["territoire"].split()
        if terr != ["national"] and not set(terr) <= known:
            raise ValueError(f"organismes.csv : départements inconnus {sorted(set(terr) - known)} ({code})")
        if not row["source"].strip():
            raise ValueError(f"organismes.csv : source manquante ({code})")

    communes: dict[tuple[str, str], dict[str, str]] = {}
    for row in _read("communes.csv"):
        table = communes.setdefault((row["type"], row["departement"]), {})
        if row["commune"] in table:
            raise ValueError(f"communes.csv : commune en double {row['commune']} ({row['type']})")
        if row["organisme"] not in seen:
            raise ValueError(f"communes.csv : organisme inconnu {row['organisme']}")
        table[row["commune"]] = row["organisme"]

    members: dict[str, set[str]] = {}
    for table in communes.values():
        for commune, code in table.items():
            members.setdefault(code, set()).add(commune)

    organismes = []
    for row in raw:
        terr = row["territoire"].split()
        organismes.append(
            Organisme(
                code=row["code"],
                nom=row["nom"],
                type=row["type"],
                branches=frozenset(row["branches"].split()),
                departements=tuple(known_deps) if terr == ["national"] else tuple(terr),
                national=row["national"] == "oui",
                region=row["region"] or None,
                source=row["source"],
                code_externe=row["code_externe"] or None,
                note=row["note"] or None,
                communes=frozenset(members.get(row["code"], ())),
            )
        )
    data = _Data(tuple(organismes), {o.code: o for o in organismes}, communes)
    _check_coverage(data, known_deps)
    return data


def _check_coverage(data: _Data, deps: list[str]) -> None:
    """Every (régime, branche, département) has candidates, and a shared département has a
    commune table naming only those candidates, each at least once."""
    for (regime, branche), types in ROUTAGE.items():
        for dep in deps:
            found = _candidates(data, types, branche, dep)
            if not found:
                raise ValueError(f"aucun organisme pour {regime}/{branche} dans le département {dep}")
            if len(found) > 1:
                table = data.communes.get((found[0].type, dep))
                if table is None:
                    raise ValueError(f"département {dep} partagé ({[o.code for o in found]}) sans table des communes")
                codes = {o.code for o in found}
                if set(table.values()) != codes:
                    raise ValueError(f"table des communes de {dep} incohérente : {sorted(set(table.values()) ^ codes)}")


def _candidates(data: _Data, types: tuple[str, ...], branche: str, dep: str) -> list[Organisme]:
    """The organisms of the first type, in ``types`` order, that serve this branche in this département."""
    for type_ in types:
        found = [o for o in data.organismes if o.type == type_ and branche in o.branches and dep in o.departements]
        if found:
            return found
    return []


def _shared(type_: str, departement: str) -> dict[str, str] | None:
    return _data().communes.get((type_, departement))


def all_organismes() -> list[Organisme]:
    """Every organism of the régime général and of the MSA (loaded once, validated)."""
    return list(_data().organismes)


def get_organisme(code: str) -> Organisme:
    """The organism with this code; NotFound (French message) otherwise."""
    try:
        return _data().by_code[code]
    except (KeyError, TypeError):
        raise NotFound(f"organisme inconnu : {code}", field="organisme") from None


def compte_payeur(code: str) -> sepa.Compte:
    """The account an organism's payment runs transfer from: its name, and the paying account of the settings."""
    from secu.config import settings
    from secu.core.sepa import Compte  # late: sepaxml is for the payment runs only

    config = settings()
    return Compte(get_organisme(code).nom, config.compte_payeur_iban, config.compte_payeur_bic)


def _validate_branche(branche: str) -> str:
    value = branche.strip().lower() if isinstance(branche, str) else branche
    if value not in BRANCHES:
        raise InvalidField("branche", f"branche inconnue : {branche} (attendu : {', '.join(BRANCHES)})")
    return value


def _validate_regime(regime: str) -> str:
    value = regime.strip().lower().replace("é", "e") if isinstance(regime, str) else regime
    if value not in REGIMES:
        raise InvalidField("regime", f"régime inconnu : {regime} (attendu : {', '.join(REGIMES)})")
    return value


def route(departement: str, branche: str, *, commune: str | None = None, regime: str = "general") -> Organisme:
    """The organism that manages a person of this branche, by département of residence.

    See the module docstring for the table. ``commune`` (INSEE code, e.g. "59350" for Lille) is
    required where several caisses of the routed type share the département (Nord, Pas-de-Calais,
    Pyrénées-Atlantiques, Seine-Maritime, Landes for the CPAM); elsewhere it is only checked for
    form and département. Unknown département, branche, régime or commune raise InvalidField.
    Autonomie routes to the CNSA: APA and PCH are paid by the département council, which is not
    a social-security organism.
    """
    dep = validate_departement(departement)
    branche = _validate_branche(branche)
    regime = _validate_regime(regime)
    data = _data()
    found = _candidates(data, ROUTAGE[(regime, branche)], branche, dep)
    code_commune = validate_commune(commune) if commune is not None and commune.strip() else None
    if len(found) == 1:
        if code_commune is not None and not code_commune.startswith(dep) and not _in_any_table(code_commune, dep):
            raise InvalidField("commune", f"la commune {code_commune} n'est pas dans le département {dep}")
        return found[0]
    table = data.communes[(found[0].type, dep)]
    if code_commune is None:
        noms = ", ".join(o.nom for o in found)
        raise InvalidField(
            "commune",
            f"le département {dep} relève de plusieurs caisses ({noms}) : indiquez la commune (code INSEE)",
        )
    try:
        return data.by_code[table[code_commune]]
    except KeyError:
        if not code_commune.startswith(dep):
            raise InvalidField("commune", f"la commune {code_commune} n'est pas dans le département {dep}") from None
        raise InvalidField("commune", f"commune inconnue dans le département {dep} : {code_commune}") from None


def _in_any_table(commune: str, dep: str) -> bool:
    return any(commune in table for (type_, d), table in _data().communes.items() if d == dep)


def is_known(code: str) -> bool:
    """Whether an organism has this code (the ledger's check of every line, installed below)."""
    return isinstance(code, str) and code in _data().by_code


ledger.check_organisms_with(is_known)
