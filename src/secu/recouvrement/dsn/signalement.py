"""The DSN signalement d'arrêt de travail (04) and de reprise (05) turned into attestations de salaire, and deposited.

* ``lire_signalement(contenu) -> list[AttestationSalaire]``: one attestation per arrêt (block S21.G00.60) of
  every declaration of the envoi, ``source="dsn"``; the checks are those of :mod:`secu.recouvrement.dsn.arret`
  (a :class:`~secu.recouvrement.dsn.DsnError` names the line and the rubrique of each problem, in French).
  Its ``reference`` is built from the declaration's identity, so that the same signalement sent again (even
  re-encoded, Latin-1 or UTF-8, CRLF or LF) gives the same reference::

      DSN<nature>-<SIRET>-<date du fichier JJMMAAAA><numéro d'ordre>-<rang de l'arrêt dans la déclaration>

  (the norm identifies a declaration by its date de constitution, S20.G00.05.007, and its numéro d'ordre,
  S20.G00.05.004, which for a signalement is never reset, so that it is unique whatever the month; the SIRET
  makes it unique between employers).
* ``deposer_signalement(session, contenu, recevoir, *, caller=None) -> DepotSignalement``: read, check that
  each establishment is in the register (and, given a caller, that the caller may deposit for it, as for the
  monthly DSN), lock each establishment's row until the commit (a concurrent deposit of the same file waits,
  then finds what this one stored), and hand each attestation to ``recevoir(session, attestation)`` — the
  service of the prestations en espèces, which stores it once per ``reference``: the same file deposited
  twice gives the same answer and no second attestation. Nothing is written here: in one transaction, a
  refusal of any attestation leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from secu.acces import Permission, Portee, couvre_organisme, exiger, portee, refus
from secu.core.security import Caller
from secu.especes.schemas import AttestationSalaire, SalaireMois
from secu.recouvrement.dsn.arret import ArretSignale, Signalement, lire_signalements
from secu.register.models import Etablissement

Recevoir = Callable[[Session, AttestationSalaire], object]
"""What takes one attestation in: ``secu.especes.service.recevoir_attestation_salaire``."""


def reference(signalement: Signalement, arret: ArretSignale) -> str:
    """The attestation's reference: the declaration's identity and the arrêt's rank in it (see the module)."""
    return f"DSN{signalement.nature}-{signalement.siret}-{signalement.identifiant}-{arret.rang}"


def attestation(signalement: Signalement, arret: ArretSignale) -> AttestationSalaire:
    """The attestation de salaire of one arrêt of a signalement."""
    return AttestationSalaire(
        reference=reference(signalement, arret),
        source="dsn",
        nir=arret.nir,
        siret=signalement.siret,
        risque=arret.risque,  # type: ignore[arg-type]  # a value of RISQUE_DU_MOTIF: a Risque
        dernier_jour_travaille=arret.dernier_jour_travaille,
        fin_previsionnelle=arret.fin_previsionnelle,
        reprise=arret.reprise,
        salaires=[SalaireMois(mois=mois, brut=brut) for mois, brut in arret.salaires],
        subrogation=arret.subrogation,
        subrogation_debut=arret.subrogation_debut,
        subrogation_fin=arret.subrogation_fin,
        iban_employeur=arret.iban,
    )


def attestations(signalements: Sequence[Signalement]) -> list[AttestationSalaire]:
    return [attestation(s, a) for s in signalements for a in s.arrets]


def lire_signalement(contenu: bytes | str) -> list[AttestationSalaire]:
    """The attestations de salaire of a signalement d'arrêt (04) or de reprise (05), or DsnError."""
    return attestations(lire_signalements(contenu))


@dataclass(frozen=True)
class Depot:
    """One attestation handed over, and what the service answered."""

    attestation: AttestationSalaire
    resultat: object


@dataclass(frozen=True)
class DepotSignalement:
    signalements: tuple[Signalement, ...]
    depots: tuple[Depot, ...]


def _etablissement(session: Session, caller: Caller | None, siret: str) -> Etablissement:
    from secu.recouvrement.service import establishment, urssaf_of  # the service imports the dsn package

    etab = establishment(session, siret)
    if caller is not None:
        reach = portee(caller, Permission.DEPOSER_DSN)
        if reach is Portee.LE_SIEN and caller.employeur_id != etab.employeur_id:
            raise refus("un employeur ne dépose que les signalements de ses propres établissements")
        if reach is Portee.SA_CAISSE and not couvre_organisme(caller, reach, urssaf_of(etab)):
            raise refus("accès refusé : cet établissement relève d'une autre URSSAF")
    return etab


def deposer_signalement(session: Session, contenu: bytes | str, recevoir: Recevoir, *, caller: Caller | None = None) -> DepotSignalement:
    """Read a signalement and hand each attestation to ``recevoir``; the caller's right is checked when given.

    Raises DsnError (the file), NotFound (an establishment unknown to the register), Forbidden (the caller), or
    whatever ``recevoir`` raises; the caller's transaction then rolls everything back."""
    if caller is not None:
        exiger(caller, Permission.DEPOSER_DSN)  # before reading a byte of it
    signalements = lire_signalements(contenu)
    for siret in sorted({s.siret for s in signalements}):  # one order for every deposit: no deadlock between two
        etab = _etablissement(session, caller, siret)
        # one deposit per establishment at a time (a write: it locks on SQLite too), as for the monthly DSN
        session.execute(update(Etablissement).where(Etablissement.id == etab.id).values(id=Etablissement.id))
    depots = tuple(Depot(a, recevoir(session, a)) for a in attestations(signalements))
    return DepotSignalement(signalements, depots)
