"""The DSN signalements d'arrêt de travail (nature 04) and de reprise suite à arrêt (nature 05).

A signalement is read by the same lexer, tree and checks as the monthly DSN (formats, blocks, keys, NIR,
SIRET, contracts, rémunérations: :mod:`.interpretation`), with its own head and, under each contract, the
block S21.G00.60 « Arrêt de travail ». ``lire_signalements(data)`` gives each declaration of the envoi with
its arrêts (:class:`ArretSignale`), or raises :class:`DsnError` listing every problem (line, rubrique, French
message naming the rubrique).

The controls, quoted from the sheet Messages of the official workbook dsn-datatypes-CT2024.xlsx (norm P24V01)
unless marked « secu »:

* S20.G00.05.001: nature 04 or 05 here (a monthly DSN goes to the monthly reader); S20.G00.05.003/CCH-11: the
  fraction of a signalement is « 11 »; S20.G00.05.002/CCH-13 and CCH-14: type 04 (annule) and the types
  without individual (02, 05) are forbidden for a signalement; type 03 (annule et remplace) is refused by secu
  for now (the correction of an attestation already received is not taken: say so to the caisse);
  S20.G00.05.007, the date the file was made, is required (secu: it is half of the declaration's identifier,
  date + numéro d'ordre, S20.G00.05.006);
* S21.G00.30.001: the employee's NIR is required (secu: IJ are paid to an identified assuré, an NTT is not
  enough); each individual declares at least one arrêt (secu);
* S21.G00.60.001 motif de l'arrêt, required, code of Arret_Motif_DSN_phase_1; 99 (annulation) and 15-18
  (temps partiel thérapeutique) are forbidden in a signalement (CCH-12, CCH-14); the motifs of the fonction
  publique (10-14), 07 (femme enceinte dispensée de travail), 19 (deuil d'enfant) and the reserved codes
  20-24 are refused by secu (no IJ rule for them yet);
* S21.G00.60.002 dernier jour travaillé, required; not before the contract's start (CCH-18), not after the
  date of the file (SIG-14), not after the date de fin prévisionnelle (CCH-12);
* S21.G00.60.003 date de fin prévisionnelle, required in a signalement d'arrêt (the norm's description: « doit
  être renseignée, même en cas de non reprise du travail »);
* S21.G00.60.004 subrogation 01 oui / 02 non; with 01, the dates of subrogation 005 and 006, the IBAN 007 and
  the BIC 008 are required (CCH-11 of each), without it 005 and 006 are forbidden (CCH-11); 006 not before 005
  (CCH-12); the IBAN and the BIC are checked (keys, SEPA country: secu);
* S21.G00.60.010 date de reprise: required in a signalement de reprise (secu: it is what the signalement
  says); not before the dernier jour travaillé nor the contract's start (CCH-11), not after the date of the file
  (SIG-13); S21.G00.60.011 motif de la reprise, code of Motif_reprise_DSN_phase_1, required with a reprise in
  a signalement de reprise (the norm: « si elle est connue au moment de l'émission du signalement »), 02
  (temps partiel thérapeutique) forbidden in a signalement (CCH-12), and not without a date de reprise (secu);
* S21.G00.60.012 date de l'accident ou de la première constatation: required with the motifs 04, 05, 06 and
  forbidden otherwise (CCH-11); not before the contract's start (SIG-14), not after the date of the file
  (SIG-13);
* S21.G00.60.600 SIRET centralisateur: its Luhn key (secu);
* the salaries (secu, for CSS R. 323-4: the pay of the calendar months before the interruption of work):
  the rémunérations of type 001 (brute non plafonnée, S21.G00.51.013) of the contract carrying the arrêt,
  summed by the calendar month of their period (S21.G00.51.001); a period inside one calendar month, before
  the month the arrêt starts (the day after the dernier jour travaillé) and within the twelve months before
  it; at least one such month.

Not confirmed: the cahier technique's usage tables (which blocks a signalement carries) were not available;
the real signalement lets the caisse take the salaries from the monthly DSN already received, secu reads
those the signalement itself carries (S21.G00.51), as the attestation de salaire needs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from secu.core.errors import InvalidField
from secu.core.identifiers import validate_bic, validate_iban, validate_siret
from secu.core.money import to_cents
from secu.recouvrement.dsn.codes import (
    FRACTION_SIGNALEMENT,
    MOTIF_REPRISE_MENSUELLE,
    MOTIFS_ARRET,
    MOTIFS_ARRET_ATMP,
    MOTIFS_ARRET_FONCTION_PUBLIQUE,
    MOTIFS_ARRET_MENSUELLE,
    MOTIFS_REPRISE,
    NATURE_MENSUELLE,
    NATURE_SIGNALEMENT_ARRET,
    NATURE_SIGNALEMENT_REPRISE,
    NATURES,
    NATURES_SIGNALEMENT,
    OUI_NON,
    REMUNERATION_BRUTE,
    RISQUE_DU_MOTIF,
    TYPES,
    TYPES_NEANT,
)
from secu.recouvrement.dsn.controles import _DEC_RE, _build_tree, _parse_jjmmaaaa
from secu.recouvrement.dsn.erreurs import DsnError, DsnProbleme, _Collecteur
from secu.recouvrement.dsn.interpretation import _interpret, _Lecteur
from secu.recouvrement.dsn.lecture import _Bloc, _decode, _lex, _Rubrique
from secu.recouvrement.dsn.modele import Declaration, Salarie

ARRET = "S21.G00.60"


@dataclass(frozen=True, repr=False)
class ArretSignale:
    """One block S21.G00.60 of a signalement, checked, with the salaries of the months before it."""

    rang: int  # 1-based, in the declaration's order: with the declaration's identifier, the attestation's reference
    nir: str  # 15 characters
    numero_contrat: str
    motif: str
    risque: str
    dernier_jour_travaille: date
    fin_previsionnelle: date | None
    subrogation: bool
    subrogation_debut: date | None
    subrogation_fin: date | None
    iban: str | None
    bic: str | None
    reprise: date | None
    motif_reprise: str | None
    date_accident: date | None
    siret_centralisateur: str | None
    salaires: tuple[tuple[date, int], ...]  # (first day of the month, gross cents), oldest first

    @property
    def debut(self) -> date:
        """The first day of the arrêt: the day after the last day worked."""
        return self.dernier_jour_travaille + timedelta(days=1)

    def __repr__(self) -> str:  # never print a NIR nor an IBAN
        return f"ArretSignale(rang={self.rang}, motif={self.motif!r}, dernier_jour_travaille={self.dernier_jour_travaille})"


@dataclass(frozen=True)
class Signalement:
    """One declaration of nature 04 or 05 and its arrêts."""

    declaration: Declaration
    arrets: tuple[ArretSignale, ...]

    @property
    def nature(self) -> str:
        return self.declaration.nature

    @property
    def siret(self) -> str:
        return self.declaration.siret

    @property
    def identifiant(self) -> str:
        """The declaration's identifier in the norm (S20.G00.05.006): date the file was made (JJMMAAAA) + numéro d'ordre."""
        assert self.declaration.date_fichier is not None  # required for a signalement
        return f"{self.declaration.date_fichier:%d%m%Y}{self.declaration.numero_ordre}"


def _mois(day: date) -> date:
    return day.replace(day=1)


def _mois_avant(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


class _LecteurSignalement(_Lecteur):
    """The monthly reader's checks, with the head of a signalement and the block S21.G00.60."""

    def __init__(self, errors: _Collecteur) -> None:
        super().__init__(errors)
        self.lus: list[Signalement] = []
        self._nature_lue: str | None = None
        self._date_fichier: date | None = None
        self._arrets: list[ArretSignale] = []

    # -- the head -------------------------------------------------------------------------------------------

    def _nature(self, s20: _Bloc, nature: str, type_: str | None) -> None:
        errors = self.errors
        r = s20.rubriques["001"]
        self._nature_lue = nature
        if nature == NATURE_MENSUELLE:
            errors.at(r, "nature de la déclaration (S20.G00.05.001) « 01 » (DSN mensuelle) : une DSN mensuelle se dépose comme DSN mensuelle, "
                         "pas comme signalement d'arrêt de travail")  # fmt: skip
        elif nature not in NATURES_SIGNALEMENT:
            errors.at(r, f"nature de la déclaration (S20.G00.05.001) « {nature} » ({NATURES[nature]}) : seuls le signalement d'arrêt de travail (04) et "
                         "le signalement de reprise suite à arrêt de travail (05) sont reçus ici")  # fmt: skip
            return
        else:
            fraction = s20.rubriques.get("003")
            if fraction is None or fraction.valeur != FRACTION_SIGNALEMENT:
                message = "le numéro de fraction (S20.G00.05.003) d'un signalement doit être « 11 » : un signalement ne se fractionne pas"
                if fraction is None:
                    errors.add(message, ligne=s20.ligne, chemin=s20.chemin, rubrique="S20.G00.05.003")
                else:
                    errors.at(fraction, message)
        type_r = s20.rubriques.get("002")
        if type_r is not None and type_ is not None:
            if type_ in TYPES_NEANT:
                errors.at(type_r, f"type « {type_} » ({TYPES[type_]}) : un signalement concerne un salarié, "
                                  "le type de la déclaration (S20.G00.05.002) ne peut pas être sans individu")  # fmt: skip
            elif type_ == "04":
                errors.at(type_r, "type « 04 » (déclaration annule) : il n'est pas admis pour un signalement d'arrêt ou de "
                                  "reprise (S20.G00.05.002)")  # fmt: skip
            elif type_ == "03":
                errors.at(type_r, "type « 03 » (annule et remplace) : le remplacement d'un signalement (S20.G00.05.002) "
                                  "n'est pas encore reçu ; adressez la correction à la caisse d'assurance maladie")  # fmt: skip
        fichier = s20.rubriques.get("007")
        self._date_fichier = _parse_jjmmaaaa(fichier.valeur) if fichier is not None else None
        if fichier is None:
            errors.add("la date de constitution du fichier (S20.G00.05.007) est obligatoire dans un signalement : "
                       "avec le numéro d'ordre, elle identifie la déclaration",
                       ligne=s20.ligne, chemin=s20.chemin, rubrique="S20.G00.05.007")  # fmt: skip

    # -- the declaration --------------------------------------------------------------------------------------

    def declaration(self, s10: _Bloc, s20: _Bloc) -> Declaration | None:
        self._nature_lue, self._date_fichier, self._arrets = None, None, []
        declaration = super().declaration(s10, s20)
        if declaration is not None and declaration.nature in NATURES_SIGNALEMENT:
            self.lus.append(Signalement(declaration, tuple(self._arrets)))
        return declaration

    def _salarie(self, individu: _Bloc, seen_nir: set[str]) -> Salarie | None:
        salarie = super()._salarie(individu, seen_nir)
        if self._nature_lue not in NATURES_SIGNALEMENT:
            return salarie
        if "001" not in individu.rubriques:
            self.errors.add(
                f"{individu.where()} doit porter le NIR du salarié (S21.G00.30.001) : les indemnités journalières sont "
                "versées à un assuré identifié, un numéro technique temporaire ne suffit pas",
                ligne=individu.ligne, chemin=individu.chemin, rubrique="S21.G00.30.001",
            )  # fmt: skip
        contrats = individu.children("S21.G00.40")
        blocs = [(contrat, bloc) for contrat in contrats for bloc in contrat.children(ARRET)]
        if not blocs:
            self.errors.add(
                f"{individu.where()} ne déclare aucun arrêt de travail : un signalement d'arrêt ou de reprise porte le bloc "
                "S21.G00.60 (Arrêt de travail) sous le contrat du salarié",
                ligne=individu.ligne, chemin=individu.chemin, rubrique="S21.G00.60.001",
            )  # fmt: skip
        for contrat, bloc in blocs:
            arret = self._arret(individu, contrat, bloc, salarie, seul_contrat=len(contrats) == 1)
            if arret is not None:
                self._arrets.append(arret)
        return salarie

    # -- one arrêt --------------------------------------------------------------------------------------------

    def _date(self, bloc: _Bloc, numero: str) -> tuple[_Rubrique | None, date | None]:
        r = bloc.rubriques.get(numero)
        return r, (_parse_jjmmaaaa(r.valeur) if r is not None else None)

    def _obligatoire(self, bloc: _Bloc, numero: str, libelle: str, pourquoi: str) -> None:
        self.errors.add(
            f"la rubrique {bloc.id}.{numero} ({libelle}) est obligatoire {pourquoi}",
            ligne=bloc.ligne, chemin=bloc.chemin, rubrique=f"{bloc.id}.{numero}",
        )  # fmt: skip

    def _pas_apres_le_fichier(self, r: _Rubrique | None, value: date | None, libelle: str) -> None:
        if r is not None and value is not None and self._date_fichier is not None and value > self._date_fichier:
            self.errors.at(r, f"la {libelle} ({r.code}) est postérieure à la date de constitution du fichier (S20.G00.05.007)")

    def _code(self, r: _Rubrique | None, codes: dict[str, str], libelle: str) -> str | None:
        if r is None:
            return None
        if r.valeur not in codes:
            admis = ", ".join(codes)
            self.errors.at(r, f"code « {r.valeur} » inconnu pour le {libelle} ({r.code}) : valeurs admises {admis}")
            return None
        return r.valeur

    def _motif(self, bloc: _Bloc) -> str | None:
        r = bloc.rubriques.get("001")
        if r is None:
            self._obligatoire(bloc, "001", "motif de l'arrêt", f"dans {bloc.where()}")
            return None
        motif = self._code(r, MOTIFS_ARRET, "motif de l'arrêt")
        if motif is None:
            return None
        libelle = MOTIFS_ARRET[motif]
        if motif in MOTIFS_ARRET_MENSUELLE:
            self.errors.at(r, f"motif de l'arrêt « {motif} » ({libelle}) : il n'est admis que dans une DSN mensuelle ou "
                              "un signalement de fin de contrat, pas dans un signalement d'arrêt ou de reprise (S21.G00.60.001)")  # fmt: skip
        elif motif in MOTIFS_ARRET_FONCTION_PUBLIQUE:
            self.errors.at(r, f"motif de l'arrêt « {motif} » ({libelle}) : réservé aux agents de la fonction publique, "
                              "il ne relève pas des indemnités journalières du régime général (S21.G00.60.001)")  # fmt: skip
        elif motif not in RISQUE_DU_MOTIF:
            self.errors.at(r, f"motif de l'arrêt « {motif} » ({libelle}) : ce motif n'est pas encore indemnisé par secu "
                              "(S21.G00.60.001) ; adressez l'arrêt à la caisse d'assurance maladie")  # fmt: skip
        else:
            return motif
        return None

    def _arret(self, individu: _Bloc, contrat: _Bloc, bloc: _Bloc, salarie: Salarie | None, *, seul_contrat: bool) -> ArretSignale | None:
        errors = self.errors
        before = len(errors.erreurs) + errors.non_listees
        nature = self._nature_lue
        _, debut_contrat = self._date(contrat, "001")
        numero_r = contrat.rubriques.get("009")

        motif = self._motif(bloc)
        dernier_r, dernier = self._date(bloc, "002")
        if dernier_r is None:
            self._obligatoire(bloc, "002", "date du dernier jour travaillé", f"dans {bloc.where()}")
        elif dernier is not None:
            if debut_contrat is not None and dernier < debut_contrat:
                errors.at(dernier_r, "la date du dernier jour travaillé (S21.G00.60.002) précède la date de début du contrat (S21.G00.40.001)")
            self._pas_apres_le_fichier(dernier_r, dernier, "date du dernier jour travaillé")
        fin_r, fin = self._date(bloc, "003")
        if fin_r is None and nature == NATURE_SIGNALEMENT_ARRET:
            self._obligatoire(bloc, "003", "date de fin prévisionnelle", "dans un signalement d'arrêt de travail, même si la reprise n'est pas connue")
        if fin is not None and dernier is not None and dernier > fin:
            errors.at(dernier_r, "la date du dernier jour travaillé (S21.G00.60.002) est postérieure à la date de fin prévisionnelle "  # type: ignore[arg-type]
                                 "de l'arrêt (S21.G00.60.003)")  # fmt: skip

        subrogation, sub_debut, sub_fin, iban, bic = self._subrogation(bloc)

        reprise_r, reprise = self._date(bloc, "010")
        motif_reprise_r = bloc.rubriques.get("011")
        motif_reprise = self._code(motif_reprise_r, MOTIFS_REPRISE, "motif de la reprise")
        if nature == NATURE_SIGNALEMENT_REPRISE:
            if reprise_r is None:
                self._obligatoire(bloc, "010", "date de la reprise", "dans un signalement de reprise suite à arrêt de travail")
            if motif_reprise_r is None:
                self._obligatoire(bloc, "011", "motif de la reprise", "dans un signalement de reprise suite à arrêt de travail")
        if reprise is not None:
            if dernier is not None and reprise < dernier:
                errors.at(reprise_r, "la date de la reprise (S21.G00.60.010) précède la date du dernier jour travaillé (S21.G00.60.002)")  # type: ignore[arg-type]
            elif debut_contrat is not None and reprise < debut_contrat:
                errors.at(reprise_r, "la date de la reprise (S21.G00.60.010) précède la date de début du contrat (S21.G00.40.001)")  # type: ignore[arg-type]
            self._pas_apres_le_fichier(reprise_r, reprise, "date de la reprise")
        if motif_reprise == MOTIF_REPRISE_MENSUELLE:
            errors.at(motif_reprise_r, "motif de la reprise « 02 » (reprise temps partiel thérapeutique) : il n'est admis que dans une "  # type: ignore[arg-type]
                                       "DSN mensuelle ou un signalement de fin de contrat (S21.G00.60.011)")  # fmt: skip
        if motif_reprise_r is not None and reprise_r is None and nature != NATURE_SIGNALEMENT_REPRISE:
            errors.at(motif_reprise_r, "le motif de la reprise (S21.G00.60.011) est déclaré sans date de la reprise (S21.G00.60.010)")

        accident_r, accident = self._date(bloc, "012")
        if motif in MOTIFS_ARRET_ATMP and accident_r is None:
            self._obligatoire(bloc, "012", "date de l'accident ou de la première constatation",
                              f"avec le motif de l'arrêt « {motif} » ({MOTIFS_ARRET[motif]})")  # fmt: skip
        elif motif is not None and motif not in MOTIFS_ARRET_ATMP and accident_r is not None:
            errors.at(accident_r, "la date de l'accident ou de la première constatation (S21.G00.60.012) n'est admise qu'avec un "
                                  "motif d'accident du travail, de trajet ou de maladie professionnelle (04, 05, 06)")  # fmt: skip
        if accident is not None:
            if debut_contrat is not None and accident < debut_contrat:
                errors.at(accident_r, "la date de l'accident ou de la première constatation (S21.G00.60.012) précède la date de "  # type: ignore[arg-type]
                                      "début du contrat (S21.G00.40.001)")  # fmt: skip
            self._pas_apres_le_fichier(accident_r, accident, "date de l'accident ou de la première constatation")

        centralisateur = bloc.rubriques.get("600")
        if centralisateur is not None:
            try:
                validate_siret(centralisateur.valeur, centralisateur.code)
            except InvalidField:
                errors.at(centralisateur, "le SIRET centralisateur (S21.G00.60.600) n'est pas un SIRET valide (clé de contrôle)")

        salaires = self._salaires(individu, contrat, bloc, dernier, seul_contrat=seul_contrat)
        if len(errors.erreurs) + errors.non_listees > before:
            return None
        if salarie is None or salarie.nir is None or motif is None or dernier is None or numero_r is None:
            return None
        return ArretSignale(
            rang=len(self._arrets) + 1, nir=salarie.nir, numero_contrat=numero_r.valeur, motif=motif,
            risque=RISQUE_DU_MOTIF[motif], dernier_jour_travaille=dernier, fin_previsionnelle=fin, subrogation=subrogation,
            subrogation_debut=sub_debut, subrogation_fin=sub_fin, iban=iban, bic=bic, reprise=reprise,
            motif_reprise=motif_reprise, date_accident=accident,
            siret_centralisateur=centralisateur.valeur if centralisateur is not None else None, salaires=salaires,
        )  # fmt: skip

    def _subrogation(self, bloc: _Bloc) -> tuple[bool, date | None, date | None, str | None, str | None]:
        errors = self.errors
        flag_r = bloc.rubriques.get("004")
        flag = self._code(flag_r, OUI_NON, "indicateur de subrogation")
        debut_r, debut = self._date(bloc, "005")
        fin_r, fin = self._date(bloc, "006")
        iban_r, bic_r = bloc.rubriques.get("007"), bloc.rubriques.get("008")
        if flag != "01":
            for r, libelle in ((debut_r, "date de début de subrogation"), (fin_r, "date de fin de subrogation")):
                if r is not None and (flag is not None or flag_r is None):
                    errors.at(r, f"la {libelle} ({r.code}) n'est admise qu'avec la subrogation « 01 - oui » (S21.G00.60.004)")
            return False, None, None, None, None
        pourquoi = "quand l'employeur demande la subrogation (S21.G00.60.004 « 01 - oui »)"
        for r, numero, libelle in ((debut_r, "005", "date de début de subrogation"), (fin_r, "006", "date de fin de subrogation"),
                                   (iban_r, "007", "IBAN de l'employeur"), (bic_r, "008", "BIC de l'employeur")):  # fmt: skip
            if r is None:
                self._obligatoire(bloc, numero, libelle, pourquoi)
        if debut is not None and fin is not None and fin < debut:
            errors.at(fin_r, "la date de fin de subrogation (S21.G00.60.006) précède la date de début de subrogation (S21.G00.60.005)")  # type: ignore[arg-type]
        self._pas_apres_le_fichier(debut_r, debut, "date de début de subrogation")
        iban = bic = None
        if iban_r is not None:
            try:
                iban = validate_iban(iban_r.valeur, iban_r.code)
            except InvalidField as error:
                errors.at(iban_r, f"IBAN de l'employeur (S21.G00.60.007) : {error.message}")
        if bic_r is not None:
            try:
                bic = validate_bic(bic_r.valeur, bic_r.code)
            except InvalidField as error:
                errors.at(bic_r, f"BIC de l'employeur (S21.G00.60.008) : {error.message}")
        return True, debut, fin, iban, bic

    def _salaires(self, individu: _Bloc, contrat: _Bloc, arret: _Bloc, dernier: date | None, *, seul_contrat: bool) -> tuple[tuple[date, int], ...]:
        """The gross pay (type 001) of the contract, by calendar month, before the arrêt's month (CSS R. 323-4)."""
        errors = self.errors
        numero = contrat.rubriques.get("009")
        debut_arret = dernier + timedelta(days=1) if dernier is not None else None
        par_mois: dict[date, int] = {}
        refusees = 0
        for versement in individu.children("S21.G00.50"):
            for remuneration in versement.children("S21.G00.51"):
                type_r, montant_r = remuneration.rubriques.get("011"), remuneration.rubriques.get("013")
                if type_r is None or type_r.valeur != REMUNERATION_BRUTE or montant_r is None:
                    continue
                numero_r = remuneration.rubriques.get("010")
                if numero_r is not None:
                    if numero is None or numero_r.valeur != numero.valeur:
                        continue
                elif not seul_contrat:
                    continue  # reported by the monthly checks: several contracts, no number
                debut_r, debut = self._date(remuneration, "001")
                fin_r, fin = self._date(remuneration, "002")
                if debut is None or fin is None or not _DEC_RE["M"].fullmatch(montant_r.valeur):
                    continue  # a format already reported
                if _mois(debut) != _mois(fin):
                    errors.at(fin_r, "la période de paie d'une rémunération du signalement (S21.G00.51.001 à S21.G00.51.002) doit "  # type: ignore[arg-type]
                                     "tenir dans un mois civil : les salaires de référence se comptent par mois")  # fmt: skip
                    refusees += 1
                    continue
                if debut_arret is not None:
                    if _mois(debut) >= _mois(debut_arret):
                        errors.at(debut_r, "la période de paie (S21.G00.51.001) doit précéder le mois où commence l'arrêt : "  # type: ignore[arg-type]
                                           "les salaires de référence sont ceux des mois civils antérieurs (CSS R. 323-4)")  # fmt: skip
                        refusees += 1
                        continue
                    if _mois(debut) < _mois_avant(_mois(debut_arret), 12):
                        errors.at(debut_r, "la période de paie (S21.G00.51.001) est antérieure aux douze mois civils qui "  # type: ignore[arg-type]
                                           "précèdent l'arrêt (CSS R. 323-4)")  # fmt: skip
                        refusees += 1
                        continue
                par_mois[_mois(debut)] = par_mois.get(_mois(debut), 0) + to_cents(montant_r.valeur, field=montant_r.code)
        if dernier is not None and not par_mois and not refusees:
            self.errors.add(
                f"{arret.where()} : aucune rémunération brute non plafonnée (S21.G00.51.011 « 001 », montant S21.G00.51.013) du "
                "contrat pour les mois qui précèdent l'arrêt ; le signalement doit porter les salaires de référence (CSS R. 323-4)",
                ligne=arret.ligne, chemin=arret.chemin, rubrique="S21.G00.51.013",
            )  # fmt: skip
        return tuple(sorted(par_mois.items()))


def lire_signalements(data: bytes | str) -> tuple[Signalement, ...]:
    """Read an envoi of signalements d'arrêt (04) or de reprise (05) in the DSN text format, or raise DsnError."""
    if isinstance(data, dict):
        raise DsnError([DsnProbleme("un signalement d'arrêt de travail se dépose au format texte de la norme DSN, pas en JSON")])
    errors = _Collecteur()
    rubriques, total = _lex(_decode(data), errors)
    if total == 0:
        errors.raise_if_any()
    roots = _build_tree(rubriques, errors)
    lecteur = _LecteurSignalement(errors)
    _interpret(roots, errors, envoi_text=True, total=total, lecteur=lecteur)
    return tuple(lecteur.lus)
