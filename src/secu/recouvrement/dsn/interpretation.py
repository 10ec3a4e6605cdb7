"""From the checked tree to the declaration: the rules of the norm, and the text entry points."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from secu.core.errors import InvalidField
from secu.core.identifiers import cle_nir, parse_nir, validate_naf, validate_siren, validate_siret
from secu.core.money import to_cents
from secu.recouvrement.dsn.champs import _CLASSES, _ENFANTS, FIELDS, _Champ
from secu.recouvrement.dsn.codes import NATURE_MENSUELLE, NATURES, NORME_VERSION_RE, REMUNERATION_BRUTE, TYPES, TYPES_NEANT
from secu.recouvrement.dsn.controles import _DATE_RE, _DEC_RE, _build_tree, _check_bounds, _parse_jjmmaaaa
from secu.recouvrement.dsn.erreurs import DsnError, DsnProbleme, _Collecteur
from secu.recouvrement.dsn.lecture import _Bloc, _decode, _lex, _Rubrique
from secu.recouvrement.dsn.modele import Bordereau, Contact, Declaration, Emetteur, Salarie, VersementOrganisme


def _last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


class _Lecteur:
    """Turns checked blocks into the model, adding the checks that need meaning."""

    def __init__(self, errors: _Collecteur) -> None:
        self.errors = errors
        self.mois: date | None = None

    # -- one value ---------------------------------------------------------

    def _missing(self, bloc: _Bloc, champ: _Champ) -> None:
        code = f"{bloc.id}.{champ.numero}"
        self.errors.add(
            f"la rubrique {code} ({champ.libelle}) est obligatoire dans {bloc.where()}",
            ligne=bloc.ligne,
            chemin=bloc.chemin,
            rubrique=code,
        )

    def valeur(self, bloc: _Bloc, champ: _Champ) -> Any:
        r = bloc.rubriques.get(champ.numero)
        if r is None or r.valeur == "":
            if champ.obligatoire and r is None:
                self._missing(bloc, champ)
            return None
        value = r.valeur
        conv = champ.conv
        try:
            if conv == "text":
                return value
            if conv == "code":
                assert champ.codes is not None
                if value not in champ.codes:
                    admis = ", ".join(champ.codes)
                    self.errors.at(r, f"code « {value} » inconnu pour {champ.libelle} : valeurs admises {admis}")
                    return None
                return value
            if conv == "date":
                return _parse_jjmmaaaa(value)
            if conv == "naissance":
                return self._naissance(r)
            if conv == "mois":
                return self._mois(r)
            if conv == "cents":
                if not _DEC_RE["M"].fullmatch(value):
                    return None
                return to_cents(value, field=r.code)
            if conv == "dec":
                if not _DEC_RE["R"].fullmatch(value) and not _DEC_RE["F"].fullmatch(value):
                    return None
                return Decimal(value)
            if conv == "int":
                if not _DEC_RE["N"].fullmatch(value):
                    return None
                return int(value)
            if conv == "nir":
                return self._nir(r)
        except InvalidField as error:
            self.errors.at(r, error.message)
            return None
        raise AssertionError(conv)

    def _naissance(self, r: _Rubrique) -> date | None:
        value = r.valeur
        if not _DATE_RE.fullmatch(value):
            self.errors.at(r, f"la date de naissance « {value} » doit avoir la forme JJMMAAAA (8 chiffres)")
            return None
        if value[:2] == "99" or value[2:4] == "99":
            return None  # day or month unknown to the civil status: allowed by the norm, not kept
        parsed = _parse_jjmmaaaa(value)
        if parsed is None:
            self.errors.at(r, f"la date de naissance « {value} » n'existe pas (forme JJMMAAAA)")
        return parsed

    def _mois(self, r: _Rubrique) -> date | None:
        value = r.valeur
        if not _DATE_RE.fullmatch(value):
            self.errors.at(r, f"le mois principal déclaré « {value} » doit avoir la forme 01MMAAAA (8 chiffres)")
            return None
        month = int(value[2:4])
        if not 1 <= month <= 12:
            self.errors.at(r, f"le mois principal déclaré « {value} » est hors limites : le mois doit aller de 01 à 12")
            return None
        if value[:2] != "01":
            self.errors.at(
                r, f"le mois principal déclaré « {value} » doit être le premier jour du mois (forme 01MMAAAA)"
            )
            return None
        year = int(value[4:])
        if not 2000 <= year <= 2099:
            self.errors.at(r, f"le mois principal déclaré « {value} » est hors limites : l'année doit être 20xx")
            return None
        return date(year, month, 1)

    def _nir(self, r: _Rubrique) -> str | None:
        value = r.valeur
        if len(value) not in (13, 15):
            self.errors.at(r, "le NIR doit comporter 13 caractères (sans la clé), ou 15 avec la clé")
            return None
        if value[0] not in "12":
            self.errors.at(r, "le premier caractère du NIR (sexe) doit être 1 ou 2")
            return None
        if re.search(r"9{6,}$", value[:13]):
            self.errors.at(r, "le NIR ne peut pas se terminer par plus de cinq « 9 » : déclarez plutôt un NTT")
            return None
        if len(value) == 13:
            value = value + cle_nir(value)  # checks the 13 characters' form
        return parse_nir(value, field=r.code, allow_provisional=False).value

    # -- one block -----------------------------------------------------------

    def objet(self, bloc: _Bloc, *, extra: Mapping[str, Any] | None = None) -> Any:
        cls = _CLASSES[bloc.id]
        kwargs: dict[str, Any] = {}
        for champ in FIELDS[bloc.id]:
            value = self.valeur(bloc, champ)
            if value is not None:
                kwargs[champ.attribut] = value
        for child, attribut, many in _ENFANTS.get(bloc.id, ()):
            objets = [self.objet(c) for c in bloc.children(child)]
            objets = [o for o in objets if o is not None]
            if many:
                kwargs[attribut] = tuple(objets)
            elif objets:
                kwargs[attribut] = objets[0]
        if extra:
            kwargs.update(extra)
        try:
            return cls(**kwargs)
        except TypeError:
            return None  # a mandatory rubrique was missing or wrong: already reported

    # -- the declaration -------------------------------------------------------

    def declaration(self, s10: _Bloc, s20: _Bloc) -> Declaration | None:
        errors = self.errors
        envoi, emetteur, contact = self._envoi(s10)
        head = self._entete(s20)
        type_ = head["type"]
        entreprise, etablissement, etablissement_bloc = self._entreprise(s20)

        salaries: list[Salarie] = []
        versements_ops: list[VersementOrganisme] = []
        bordereaux: list[Bordereau] = []
        individus: list[_Bloc] = []
        if etablissement_bloc is not None:
            individus = etablissement_bloc.children("S21.G00.30")
            seen_nir: set[str] = set()
            for individu in individus:
                salarie = self._salarie(individu, seen_nir)
                if salarie is not None:
                    salaries.append(salarie)
            versements_ops = [o for o in map(self.objet, etablissement_bloc.children("S21.G00.20")) if o]
            bordereaux = [o for o in map(self.objet, etablissement_bloc.children("S21.G00.22")) if o]

        if type_ is not None:
            if type_ in TYPES_NEANT and individus:
                errors.at(
                    individus[0].rubriques[next(iter(individus[0].rubriques))],
                    f"une déclaration de type {type_} ({TYPES[type_]}) ne doit déclarer aucun individu",
                )
            if type_ in ("01", "03") and etablissement_bloc is not None and not individus:
                errors.at(
                    s20.rubriques["002"],
                    f"une déclaration de type {type_} ({TYPES[type_]}) doit déclarer au moins un individu "
                    "(S21.G00.30) ; sans salarié, utilisez le type 02 ou 05 (néant)",
                )

        if errors.erreurs:
            return None
        try:
            return Declaration(
                envoi=envoi,
                emetteur=emetteur if emetteur is not None else Emetteur(),
                contact=contact if contact is not None else Contact(),
                entreprise=entreprise,
                etablissement=etablissement,
                salaries=tuple(salaries),
                versements_organismes=tuple(versements_ops),
                bordereaux=tuple(bordereaux),
                **{k: v for k, v in head.items() if v is not None},
            )
        except TypeError:  # pragma: no cover - every missing part was reported above
            return None

    def _envoi(self, s10: _Bloc) -> tuple[Any, Any, Any]:
        """The envoi, its émetteur and contact: the norm's version, the émetteur's SIRET."""
        errors = self.errors
        envoi = self.objet(s10)
        emetteur_bloc = next(iter(s10.children("S10.G00.01")), None)
        contact_bloc = next(iter(s10.children("S10.G00.02")), None)
        emetteur = self.objet(emetteur_bloc) if emetteur_bloc else None
        contact = self.objet(contact_bloc) if contact_bloc else None
        if envoi is not None and envoi.norme is not None and not NORME_VERSION_RE.fullmatch(envoi.norme):
            r = s10.rubriques["006"]
            errors.at(r, f"version de norme « {envoi.norme} » invalide : attendu la forme P26V01")
        if emetteur is not None and emetteur.siren:
            self._siren_siret(emetteur_bloc, "001", "002", "de l'émetteur")  # type: ignore[arg-type]
        return envoi, emetteur, contact

    def _entete(self, s20: _Bloc) -> dict[str, Any]:
        """The declaration's head (S20.G00.05): a monthly DSN, dated after its month, a replaced id only for 03/04."""
        errors = self.errors
        head = {c.attribut: self.valeur(s20, c) for c in FIELDS["S20.G00.05"]}
        self.mois = head["mois"]
        nature, type_ = head["nature"], head["type"]
        if nature is not None:
            self._nature(s20, nature, type_)
        if head["date_fichier"] is not None and self.mois is not None and head["date_fichier"] < self.mois:
            errors.at(
                s20.rubriques["007"],
                "la date de constitution du fichier précède le mois principal déclaré",
            )
        if head["identifiant_remplace"] is not None and type_ not in (None, "03", "04"):
            errors.at(
                s20.rubriques["006"],
                "l'identifiant de la déclaration annulée ou remplacée n'est admis que pour les types 03 et 04",
            )
        return head

    def _nature(self, s20: _Bloc, nature: str, type_: str | None) -> None:
        """The natures this reader takes: the monthly DSN only (the signalements have their own reader)."""
        if nature != NATURE_MENSUELLE:
            self.errors.at(
                s20.rubriques["001"],
                f"nature « {nature} » ({NATURES[nature]}) : seule la DSN mensuelle (nature 01) est reçue ici ; "
                "un signalement d'arrêt de travail (04) ou de reprise (05) se dépose comme signalement",
            )

    def _entreprise(self, s20: _Bloc) -> tuple[Any, Any, _Bloc | None]:
        """The company and the establishment: SIREN, SIRET keys, APE codes."""
        entreprise_bloc = next(iter(s20.children("S21.G00.06")), None)
        etablissement_bloc = next(iter(entreprise_bloc.children("S21.G00.11")), None) if entreprise_bloc else None
        entreprise = self.objet(entreprise_bloc) if entreprise_bloc else None
        etablissement = None
        siren = entreprise.siren if entreprise else None
        if entreprise_bloc is not None and siren:
            self._siren_siret(entreprise_bloc, "001", "002", "du siège de l'entreprise")
        if etablissement_bloc is not None:
            nic = etablissement_bloc.rubriques.get("001")
            siret = ""
            if nic is not None and siren and self._siret_ok(siren, nic, "de l'établissement", check_siren=False):
                siret = siren + nic.valeur
            etablissement = self.objet(etablissement_bloc, extra={"siret": siret})
            if entreprise is not None and entreprise.apen:
                self._naf(entreprise_bloc.rubriques["003"])  # type: ignore[union-attr]
            if etablissement is not None and etablissement.apet:
                self._naf(etablissement_bloc.rubriques["002"])
        return entreprise, etablissement, etablissement_bloc

    def _naf(self, r: _Rubrique) -> None:
        try:
            validate_naf(r.valeur, r.code)
        except InvalidField as error:
            self.errors.at(r, error.message)

    def _siren_siret(self, bloc: _Bloc, siren_num: str, nic_num: str, what: str) -> None:
        siren = bloc.rubriques.get(siren_num)
        if siren is None:
            return
        try:
            validate_siren(siren.valeur, siren.code)
        except InvalidField as error:
            self.errors.at(siren, error.message)
            return
        nic = bloc.rubriques.get(nic_num)
        if nic is not None:
            self._siret_ok(siren.valeur, nic, what, check_siren=False)

    def _siret_ok(self, siren: str, nic: _Rubrique, what: str, *, check_siren: bool) -> bool:
        if not re.fullmatch(r"[0-9]{9}", siren) or not re.fullmatch(r"[0-9]{5}", nic.valeur):
            if not re.fullmatch(r"[0-9]{5}", nic.valeur):
                self.errors.at(nic, "le NIC doit comporter 5 chiffres")
            return False
        try:
            validate_siret(siren + nic.valeur, nic.code)
        except InvalidField:
            self.errors.at(nic, f"la clé de contrôle du SIRET {what} (SIREN + NIC) est incorrecte")
            return False
        return True

    def _salarie(self, individu: _Bloc, seen_nir: set[str]) -> Salarie | None:
        errors = self.errors
        nir_r = individu.rubriques.get("001")
        salarie: Salarie | None = self.objet(individu)
        if nir_r is None and "020" not in individu.rubriques:
            errors.add(
                f"{individu.where()} doit porter le NIR (S21.G00.30.001) ou, à défaut, un numéro technique "
                "temporaire (S21.G00.30.020)",
                ligne=individu.ligne,
                chemin=individu.chemin,
                rubrique="S21.G00.30.001",
            )
        if salarie is not None and salarie.nir is not None:
            if salarie.nir in seen_nir:
                errors.at(nir_r, "ce NIR est déjà déclaré pour un autre individu de la déclaration")  # type: ignore[arg-type]
            seen_nir.add(salarie.nir)
        numeros = self._contrats(individu)
        self._versements(individu, numeros)
        return salarie

    def _contrats(self, individu: _Bloc) -> dict[str, _Bloc]:
        """An individual's contracts: unique numbers, start within or before the month, end after the start."""
        errors = self.errors
        numeros: dict[str, _Bloc] = {}
        for contrat in individu.children("S21.G00.40"):
            numero = contrat.rubriques.get("009")
            if numero is not None:
                if numero.valeur in numeros:
                    errors.at(numero, f"le numéro de contrat « {numero.valeur} » est déjà utilisé pour cet individu")
                numeros[numero.valeur] = contrat
            debut = contrat.rubriques.get("001")
            debut_date = _parse_jjmmaaaa(debut.valeur) if debut else None
            if debut_date is not None and self.mois is not None and debut_date > _last_day(self.mois):
                errors.at(debut, "la date de début du contrat est postérieure au dernier jour du mois principal déclaré")  # type: ignore[arg-type]
            for fin in contrat.children("S21.G00.62"):
                fin_r = fin.rubriques.get("001")
                fin_date = _parse_jjmmaaaa(fin_r.valeur) if fin_r else None
                if fin_date is not None and debut_date is not None and fin_date < debut_date:
                    errors.at(fin_r, "la date de fin du contrat précède sa date de début")  # type: ignore[arg-type]
        return numeros

    def _versements(self, individu: _Bloc, numeros: dict[str, _Bloc]) -> None:
        """An individual's pay and bases: each names one of its contracts, gross pay not negative, periods in order."""
        errors = self.errors
        for versement in individu.children("S21.G00.50"):
            for remuneration in versement.children("S21.G00.51"):
                numero = remuneration.rubriques.get("010")
                if numero is not None and numero.valeur not in numeros:
                    errors.at(
                        numero,
                        f"la rémunération porte le numéro de contrat « {numero.valeur} », "
                        "qui n'est aucun des contrats de l'individu",
                    )
                elif numero is None and len(numeros) > 1:
                    errors.add(
                        f"{remuneration.where()} doit indiquer son numéro de contrat (S21.G00.51.010) : "
                        "l'individu a plusieurs contrats",
                        ligne=remuneration.ligne,
                        chemin=remuneration.chemin,
                        rubrique="S21.G00.51.010",
                    )
                type_r = remuneration.rubriques.get("011")
                montant = remuneration.rubriques.get("013")
                if (
                    type_r is not None
                    and type_r.valeur == REMUNERATION_BRUTE
                    and montant is not None
                    and montant.valeur.startswith("-")
                ):
                    errors.at(montant, "la rémunération brute non plafonnée (type 001) ne peut pas être négative")
                debut, fin = remuneration.rubriques.get("001"), remuneration.rubriques.get("002")
                d1 = _parse_jjmmaaaa(debut.valeur) if debut else None
                d2 = _parse_jjmmaaaa(fin.valeur) if fin else None
                if d1 and d2 and d2 < d1:
                    errors.at(fin, "la date de fin de période de paie précède la date de début")  # type: ignore[arg-type]
            for base in versement.children("S21.G00.78"):
                numero = base.rubriques.get("006")
                if numero is not None and numero.valeur not in numeros:
                    errors.at(
                        numero,
                        f"la base assujettie porte le numéro de contrat « {numero.valeur} », "
                        "qui n'est aucun des contrats de l'individu",
                    )


# ==========================================================================
# Entry points: text


def _interpret(
    roots: list[_Bloc], errors: _Collecteur, *, envoi_text: bool, total: int, lecteur: _Lecteur | None = None
) -> list[Declaration]:
    s10s = [b for b in roots if b.id == "S10.G00.00"]
    s90s = [b for b in roots if b.id == "S90.G00.90"]
    if not s10s:
        errors.add("l'envoi doit commencer par le bloc S10.G00.00 (Envoi)", ligne=1 if envoi_text else None)
    elif len(s10s) > 1:
        errors.add("un fichier ne peut contenir qu'un envoi (un seul bloc S10.G00.00)", ligne=s10s[1].ligne)
    for root in roots:
        _check_bounds(root, errors)
    declarations_blocs = [d for s10 in s10s[:1] for d in s10.children("S20.G00.05")]
    if envoi_text:
        if not s90s:
            errors.add("le bloc S90.G00.90 (Total de l'envoi) manque à la fin du fichier")
        else:
            s90 = s90s[-1]
            if roots[-1] is not s90:
                errors.add("le bloc S90.G00.90 (Total de l'envoi) doit terminer le fichier", ligne=s90.ligne)
            nb = s90.rubriques.get("001")
            if nb is None:
                errors.add("la rubrique S90.G00.90.001 (nombre total de rubriques) est obligatoire",
                           ligne=s90.ligne, rubrique="S90.G00.90.001")  # fmt: skip
            elif re.fullmatch(r"[0-9]+", nb.valeur) and int(nb.valeur) != total:
                errors.at(
                    nb, f"le nombre total de rubriques déclaré ({int(nb.valeur)}) ne correspond pas au fichier ({total})"
                )
            nd = s90.rubriques.get("002")
            if nd is None:
                errors.add("la rubrique S90.G00.90.002 (nombre de DSN) est obligatoire",
                           ligne=s90.ligne, rubrique="S90.G00.90.002")  # fmt: skip
            elif re.fullmatch(r"[0-9]+", nd.valeur) and int(nd.valeur) != len(declarations_blocs):
                errors.at(
                    nd,
                    f"le nombre de DSN déclaré ({int(nd.valeur)}) ne correspond pas au fichier "
                    f"({len(declarations_blocs)})",
                )
    result: list[Declaration] = []
    if not s10s:
        errors.raise_if_any()
    if lecteur is None:
        lecteur = _Lecteur(errors)
    for s20 in declarations_blocs:
        declaration = lecteur.declaration(s10s[0], s20)
        if declaration is not None:
            result.append(declaration)
    # envoi néant iff every declaration is néant (control S10.G00.00.008/CCH-11)
    type_envoi = s10s[0].rubriques.get("008")
    if type_envoi is not None and declarations_blocs:
        types = {d.rubriques["002"].valeur for d in declarations_blocs if "002" in d.rubriques}
        all_neant = bool(types) and types <= TYPES_NEANT
        if type_envoi.valeur == "02" and not all_neant:
            errors.at(type_envoi, "un envoi néant (02) ne peut contenir que des déclarations de type 02 ou 05")
        elif type_envoi.valeur == "01" and all_neant:
            errors.at(type_envoi, "un envoi dont toutes les déclarations sont néant (type 02 ou 05) doit être de type 02")
    errors.raise_if_any()
    return result


def parse_dsn_envoi(data: bytes | str) -> tuple[Declaration, ...]:
    """Read a DSN envoi in the text format: every declaration, or DsnError listing every problem."""
    errors = _Collecteur()
    rubriques, total = _lex(_decode(data), errors)
    if total == 0:
        errors.raise_if_any()
    roots = _build_tree(rubriques, errors)
    return tuple(_interpret(roots, errors, envoi_text=True, total=total))


def parse_dsn(data: bytes | str) -> Declaration:
    """Read one monthly DSN in the text format, or raise DsnError (all problems listed)."""
    declarations = parse_dsn_envoi(data)
    if len(declarations) != 1:
        raise DsnError(
            [DsnProbleme(f"l'envoi contient {len(declarations)} déclarations : lisez-le avec parse_dsn_envoi")]
        )
    return declarations[0]
