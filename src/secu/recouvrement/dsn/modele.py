"""The declaration as frozen dataclasses, block by block of the norm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from secu.recouvrement.dsn.codes import NATURES, TYPES, TYPES_NEANT, TYPES_REMPLACEMENT


@dataclass(frozen=True)
class Envoi:
    """S10.G00.00: the sending (software, norm version, test or real, normal or néant)."""

    logiciel: str | None = None
    editeur: str | None = None
    version_logiciel: str | None = None
    essai_reel: str | None = None
    norme: str | None = None
    point_depot: str | None = None
    type_envoi: str | None = None


@dataclass(frozen=True)
class Emetteur:
    """S10.G00.01: who sends the file (the employer, an accountant, a concentrator)."""

    siren: str | None = None
    nic: str | None = None
    raison_sociale: str | None = None


@dataclass(frozen=True)
class Contact:
    """S10.G00.02: the sender's contact."""

    civilite: str | None = None
    nom: str | None = None
    email: str | None = None
    telephone: str | None = None


@dataclass(frozen=True)
class Entreprise:
    """S21.G00.06."""

    siren: str
    nic_siege: str | None = None
    apen: str | None = None
    effectif_moyen: int | None = None


@dataclass(frozen=True)
class Etablissement:
    """S21.G00.11 (``siret`` is the entreprise's SIREN + this NIC)."""

    nic: str
    siret: str = ""
    apet: str | None = None
    code_postal: str | None = None
    effectif: int | None = None


@dataclass(frozen=True)
class FinContrat:
    """S21.G00.62."""

    date_fin: date
    motif: str | None = None


@dataclass(frozen=True)
class Contrat:
    """S21.G00.40; ``taux_at`` is the percentage as declared ("2.08" for 2.08 %)."""

    date_debut: date
    numero: str
    nature: str
    statut_conventionnel: str | None = None
    statut_categoriel: str | None = None
    pcs_ese: str | None = None
    libelle_emploi: str | None = None
    dispositif: str | None = None
    date_fin_previsionnelle: date | None = None
    unite_quotite: str | None = None
    quotite_categorie: Decimal | None = None
    quotite: Decimal | None = None
    modalite_temps: str | None = None
    convention_collective: str | None = None
    code_risque_at: str | None = None
    taux_at: Decimal | None = None
    fin: FinContrat | None = None

    @property
    def cadre(self) -> bool:
        if self.statut_categoriel in ("01", "02"):
            return True
        if self.statut_categoriel == "04":
            return False
        return self.statut_conventionnel in ("03", "04")


@dataclass(frozen=True)
class Activite:
    """S21.G00.53."""

    type: str
    mesure: Decimal
    unite: str | None = None


@dataclass(frozen=True)
class Remuneration:
    """S21.G00.51."""

    date_debut: date
    date_fin: date
    type: str
    montant_cents: int
    numero_contrat: str | None = None
    heures: Decimal | None = None
    activites: tuple[Activite, ...] = ()


@dataclass(frozen=True)
class AutreRevenu:
    """S21.G00.54."""

    type: str
    montant_cents: int
    date_debut: date | None = None
    date_fin: date | None = None


@dataclass(frozen=True)
class Composant:
    """S21.G00.79."""

    type: str
    montant_cents: int


@dataclass(frozen=True)
class CotisationIndividuelle:
    """S21.G00.81 (``taux`` in percent as declared)."""

    code: str
    organisme: str | None = None
    assiette_cents: int | None = None
    montant_cents: int | None = None
    code_insee: str | None = None
    taux: Decimal | None = None


@dataclass(frozen=True)
class BaseAssujettie:
    """S21.G00.78."""

    code: str
    montant_cents: int
    date_debut: date | None = None
    date_fin: date | None = None
    numero_contrat: str | None = None
    composants: tuple[Composant, ...] = ()
    cotisations: tuple[CotisationIndividuelle, ...] = ()


@dataclass(frozen=True)
class Versement:
    """S21.G00.50: one payment to the individual."""

    date: date
    net_fiscal_cents: int | None = None
    numero: str | None = None
    net_verse_cents: int | None = None
    taux_pas: Decimal | None = None
    type_taux_pas: str | None = None
    montant_pas_cents: int | None = None
    remunerations: tuple[Remuneration, ...] = ()
    autres_revenus: tuple[AutreRevenu, ...] = ()
    bases: tuple[BaseAssujettie, ...] = ()


@dataclass(frozen=True, repr=False)
class Salarie:
    """S21.G00.30; ``nir`` on 15 characters (key computed when the file gives 13)."""

    nom: str
    nir: str | None = None
    nom_usage: str | None = None
    prenoms: str | None = None
    sexe: str | None = None
    date_naissance: date | None = None
    matricule: str | None = None
    ntt: str | None = None
    contrats: tuple[Contrat, ...] = ()
    versements: tuple[Versement, ...] = ()

    @property
    def identifiant(self) -> str:
        return self.nir or self.ntt or ""

    def __repr__(self) -> str:  # never print a NIR
        return f"Salarie(nom={self.nom!r}, contrats={len(self.contrats)}, versements={len(self.versements)})"


@dataclass(frozen=True)
class CotisationAgregee:
    """S21.G00.23: one line of a bordereau (``code`` is the CTP for URSSAF)."""

    code: str
    qualifiant: str | None = None
    taux: Decimal | None = None
    assiette_cents: int | None = None
    montant_cents: int | None = None
    code_insee: str | None = None


@dataclass(frozen=True)
class Bordereau:
    """S21.G00.22: cotisations due to one organism."""

    organisme: str
    montant_cents: int
    entite: str | None = None
    date_debut: date | None = None
    date_fin: date | None = None
    cotisations: tuple[CotisationAgregee, ...] = ()


@dataclass(frozen=True)
class VersementOrganisme:
    """S21.G00.20: a payment to a social protection organism."""

    organisme: str
    entite: str | None = None
    bic: str | None = None
    iban: str | None = None
    montant_cents: int | None = None
    date_debut: date | None = None
    date_fin: date | None = None
    mode_paiement: str | None = None
    date_paiement: date | None = None
    siret_payeur: str | None = None


@dataclass(frozen=True)
class Declaration:
    """One DSN (S20.G00.05 and what it holds), with the envoi it came in.

    ``type`` "03"/"05" (annule et remplace) replaces the DSN of the same
    ``identity`` (siret, mois); ``numero_ordre`` orders versions.
    """

    envoi: Envoi
    emetteur: Emetteur
    contact: Contact
    nature: str
    type: str
    numero_ordre: int
    mois: date
    entreprise: Entreprise
    etablissement: Etablissement
    fraction: str | None = None
    identifiant_remplace: str | None = None
    date_fichier: date | None = None
    champ: str | None = None
    devise: str | None = None
    salaries: tuple[Salarie, ...] = ()
    versements_organismes: tuple[VersementOrganisme, ...] = ()
    bordereaux: tuple[Bordereau, ...] = ()

    @property
    def siret(self) -> str:
        return self.etablissement.siret

    @property
    def is_replacement(self) -> bool:
        return self.type in TYPES_REMPLACEMENT

    @property
    def is_neant(self) -> bool:
        return self.type in TYPES_NEANT

    @property
    def nature_libelle(self) -> str:
        return NATURES.get(self.nature, self.nature)

    @property
    def type_libelle(self) -> str:
        return TYPES.get(self.type, self.type)


def identity(dsn: Declaration) -> tuple[str, date]:
    """(SIRET of the establishment, first day of the declared month): what a replacement replaces."""
    return dsn.siret, dsn.mois


def is_replacement(dsn: Declaration) -> bool:
    """True for an "annule et remplace" DSN (type 03, or 05 without individuals)."""
    return dsn.is_replacement
