"""The pension de droit propre of the régime général, vectorised over persons (CSS L. 351-1 and following).

pension = SAM × taux × min(trimestres_rg — majorés after 67, R. 351-7 —, durée) ÷ durée (L. 351-1, R. 351-27), at most 50 % of the PASS
(R. 351-29), then the surcote (L. 351-1-2), the minimum contributif (L. 351-10) and the majoration pour enfants
(L. 351-12).

* Âge légal and durée by generation (L. 161-17-2, L. 161-17-3): the tables are dated by the date of BIRTH and
  have one column per law; ``droit_propre.calendrier``, dated by the date d'effet, says which law applies (the
  2023 schedule for pensions from 2023-09-01, the LFSS 2026 suspension for pensions from 2026-09-01).
* Taux plein 50 % (R. 351-27) with the durée, at the âge d'annulation de la décote (L. 351-8, 1°: 67), for
  inaptitude and ex-invalides at the âge légal (L. 351-8), and for a carrière longue (L. 351-1-1).
* Décote (D. 351-1-2): 0,625 point per missing quarter, the lesser of the quarters missing to the durée and the
  quarters from the date d'effet to the âge d'annulation (a begun quarter counts), at most 20.
* Surcote (L. 351-1-2, D. 351-1-4): 1,25 % of the pension per quarter after the âge légal and beyond the durée.
* Majoration de durée (L. 351-6, R. 351-7): the quarters of the régime général in the prorata are increased by
  2,5 % for each whole quarter elapsed from the âge of L. 351-8 1° (67; 65 for the inapte and the ex-invalide)
  to the date d'effet, the total rounded up to the next whole quarter, the prorata still at most 1.
* Carrière longue (L. 351-1-1, D. 351-1-1 as of décret n° 2023-436): departure at 58, 60, 62 (transitional
  ages) or 63 for an activity begun before 16, 18, 20 or 21, with the durée cotisée of the generation.
* Minimum contributif (L. 351-10, D. 351-2-1, D. 351-2-2): at taux plein, prorated as the pension; the majoré part
  on the quarters cotisés when at least 120; compared with the pension BEFORE the surcote, which is added after
  (since 2009-04-01: loi n° 2008-1330 art. 89, circulaire Cnav 2009/17 § 3.2); the complement reduced by what the
  total of pensions exceeds.
* Majoration pour enfants (L. 351-12): +10 % from three children.

Rates are exact ``Decimal(38, 9)`` fractions (``taux`` 0.5 is 50 %); amounts are Int64 cents; each amount is
rounded once, half up to the cent. A bad input raises InvalidField naming the column; nothing is computed then.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from secu.core.errors import InvalidField
from secu.core.money import RATE_DTYPE, RATE_UNIT, apply_rate_expr, div_half_up_expr
from secu.core.parameters import join_parameters, parameters

PARAMS_NAISSANCE = ("droit_propre.age_annulation_decote_mois", "droit_propre.decote_par_trimestre")
"""Parameters dated by the date of birth (set by generation)."""

PARAMS_NAISSANCE_PAR_LOI = ("droit_propre.age_legal_mois", "droit_propre.duree_requise")
"""Parameters dated by the date of birth, one column per law, the column chosen by ``droit_propre.calendrier``."""

CARRIERE_LONGUE = "droit_propre.carriere_longue_age_mois"

PARAMS_EFFET = (
    "droit_propre.calendrier",
    "droit_propre.taux_plein",
    "droit_propre.decote_trimestres_max",
    "droit_propre.surcote_par_trimestre",
    "droit_propre.majoration_duree_par_trimestre",
    "droit_propre.age_majoration_duree_inaptitude_mois",
    "droit_propre.maximum_pass",
    "droit_propre.majoration_enfants_taux",
    "droit_propre.majoration_enfants_nombre",
    "pss.annuel",
    "mico.montant",
    "mico.montant_majore",
    "mico.trimestres_cotises_majoration",
    "mico.plafond",
)
"""Parameters read on the pension's date d'effet."""



def branches_carriere_longue() -> dict[int, str]:
    """``age_debut_activite`` → the D. 351-1-1 branch, read from the table's subkeys (``avant_20`` → 20)."""
    table = next(v.value for v in parameters().get(CARRIERE_LONGUE).values if v.value is not None)
    sous_cles = next(iter(table.values()))  # type: ignore[union-attr]
    return {int(cle.removeprefix("avant_")): cle for cle in sous_cles}  # type: ignore[union-attr]


_OPTIONNELLES: dict[str, pl.Expr] = {
    "carriere_longue": pl.lit(False),
    "age_debut_activite": pl.lit(None, dtype=pl.Int64),
    "inaptitude": pl.lit(False),
    "ex_invalide": pl.lit(False),
    "enfants": pl.lit(0, dtype=pl.Int64),
    "total_pensions_mensuel": pl.lit(None, dtype=pl.Int64),
    "trimestres_apres_age_legal": pl.lit(None, dtype=pl.Int64),
}


def _exiger(frame: pl.DataFrame, columns: tuple[str, ...]) -> None:
    for column in columns:
        if column not in frame.columns:
            raise InvalidField(column, f"colonne obligatoire absente : {column}")
        if frame.get_column(column).null_count():
            raise InvalidField(column, f"{column} est vide sur au moins une ligne")


def _refuser(frame: pl.DataFrame, condition: pl.Expr, field: str, message: str) -> None:
    if frame.select(condition.any()).item():
        raise InvalidField(field, message)


def mois_revolus(debut: pl.Expr, fin: pl.Expr) -> pl.Expr:
    """Whole months from ``debut`` to ``fin`` (negative when ``fin`` is earlier): a month is whole on the same day number."""
    brut = (fin.dt.year() - debut.dt.year()).cast(pl.Int64) * 12 + (fin.dt.month().cast(pl.Int64) - debut.dt.month().cast(pl.Int64))
    return brut - (fin < debut.dt.offset_by(pl.format("{}mo", brut))).cast(pl.Int64)


def _trimestre(jour: pl.Expr) -> pl.Expr:
    return jour.dt.year().cast(pl.Int64) * 4 + (jour.dt.month().cast(pl.Int64) - 1) // 3


def _trimestres_civils_entiers(debut: pl.Expr, fin: pl.Expr) -> pl.Expr:
    """Calendar quarters wholly on or after ``debut`` and wholly before ``fin``."""
    premier = _trimestre(debut) + (debut != debut.dt.truncate("1q")).cast(pl.Int64)
    return (_trimestre(fin) - premier).clip(lower_bound=0)


def _mois_entames(debut: pl.Expr, fin: pl.Expr) -> pl.Expr:
    """Months from ``debut`` to ``fin``, a begun month counted (``fin`` after ``debut``)."""
    revolus = mois_revolus(debut, fin)
    return revolus + (debut.dt.offset_by(pl.format("{}mo", revolus)) < fin).cast(pl.Int64)


def _valider(personnes: pl.DataFrame) -> pl.DataFrame:
    _exiger(personnes, ("naissance", "date_effet", "sam", "trimestres", "trimestres_rg", "trimestres_cotises"))
    frame = personnes.with_columns(expr.alias(name) for name, expr in _OPTIONNELLES.items() if name not in personnes.columns)
    for column in ("carriere_longue", "inaptitude", "ex_invalide", "enfants"):
        _exiger(frame, (column,))
    entiers = ("sam", "trimestres", "trimestres_rg", "trimestres_cotises", "enfants", "age_debut_activite", "total_pensions_mensuel",
               "trimestres_apres_age_legal")
    frame = frame.with_columns(pl.col("naissance").cast(pl.Date), pl.col("date_effet").cast(pl.Date), *(pl.col(c).cast(pl.Int64) for c in entiers),
                               *(pl.col(c).cast(pl.Boolean) for c in ("carriere_longue", "inaptitude", "ex_invalide")))
    for column in ("sam", "trimestres", "trimestres_rg", "trimestres_cotises", "enfants", "total_pensions_mensuel", "trimestres_apres_age_legal"):
        _refuser(frame, pl.col(column) < 0, column, f"{column} ne peut pas être négatif")
    _refuser(frame, pl.col("date_effet") <= pl.col("naissance"), "date_effet", "la date d'effet de la pension doit suivre la date de naissance")
    _refuser(frame, pl.col("date_effet").dt.day() != 1, "date_effet", "une pension prend effet le premier jour d'un mois (CSS R. 351-37)")
    premier_effet = parameters().get("mico.montant").values[0].date_effet
    _refuser(frame, pl.col("date_effet") < premier_effet, "date_effet", f"pension prenant effet avant le {premier_effet:%d/%m/%Y} : non tenue")
    premiere_generation = parameters().get("droit_propre.age_legal_mois").values[0].date_effet
    _refuser(frame, pl.col("naissance") < premiere_generation, "naissance",
             f"générations nées avant le {premiere_generation:%d/%m/%Y} non tenues (âge légal et durée)")
    _refuser(frame, pl.col("trimestres_rg") > pl.col("trimestres"), "trimestres_rg",
             "les trimestres du régime général ne peuvent pas dépasser les trimestres tous régimes")
    _refuser(frame, pl.col("trimestres_cotises") > pl.col("trimestres_rg"), "trimestres_cotises",
             "les trimestres cotisés ne peuvent pas dépasser les trimestres du régime général")
    # Nobody contributes before the year of their 14th birthday: four quarters a year at most since then.
    possibles = (pl.col("date_effet").dt.year() - pl.col("naissance").dt.year() - 13).clip(lower_bound=0).cast(pl.Int64) * 4
    _refuser(frame, pl.col("trimestres_cotises") > possibles, "trimestres_cotises",
             "plus de trimestres cotisés que de trimestres civils depuis l'année des 14 ans : nombre impossible")
    branches = sorted(branches_carriere_longue())
    _refuser(frame, pl.col("carriere_longue") & ~pl.col("age_debut_activite").is_in(branches).fill_null(False), "age_debut_activite",
             f"carrière longue : l'âge de début d'activité doit être {', '.join(map(str, branches[:-1]))} ou {branches[-1]} (CSS D. 351-1-1)")
    return frame


def _carriere_longue(frame: pl.DataFrame) -> pl.DataFrame:
    """The age (months) of the carrière longue departure of each row that asks for it (null otherwise)."""
    demandes = frame.filter(pl.col("carriere_longue")).select("__ligne", "naissance", "date_effet", "__loi", "age_debut_activite")
    lois = {cle for v in parameters().get(CARRIERE_LONGUE).values if v.value is not None for cle in v.value}  # type: ignore[union-attr]
    hors_calendrier = demandes.filter(~pl.col("__loi").is_in(sorted(lois)))
    if hors_calendrier.height:
        effet: date = hors_calendrier.get_column("date_effet").min()  # type: ignore[assignment]
        tenue = min(v.date_effet for v in parameters().get("droit_propre.calendrier").values if f"loi_{v.value}" in lois)
        raise InvalidField("carriere_longue", f"retraite anticipée pour carrière longue non tenue pour une pension prenant effet le {effet:%d/%m/%Y} "
                                              f"(tenue à compter du {tenue:%d/%m/%Y})")
    colonne = CARRIERE_LONGUE.replace(".", "_")
    premiere = parameters().get(CARRIERE_LONGUE).values[0].date_effet
    demandes = demandes.filter(pl.col("naissance") >= premiere)  # older generations: not held (see the parameter)
    demandes = join_parameters(demandes, [CARRIERE_LONGUE], on="naissance", by={CARRIERE_LONGUE: "__loi"}, with_references=True)
    age = pl.lit(None, dtype=pl.Int64)
    for debut, branche in branches_carriere_longue().items():
        age = pl.when(pl.col("age_debut_activite") == debut).then(pl.col(f"{colonne}_{branche}")).otherwise(age)
    demandes = demandes.select("__ligne", age.alias("age_carriere_longue_mois"), pl.col(f"{colonne}_reference").alias("carriere_longue_reference"))
    return frame.join(demandes, on="__ligne", how="left", maintain_order="left")


def pension_droit_propre(personnes: pl.DataFrame) -> pl.DataFrame:
    """The pension de droit propre of each row, at its date d'effet.

    Input, one row per person: ``naissance``, ``date_effet`` (Date, the first of a month, R. 351-37), ``sam``
    (Int64 cents, annual), ``trimestres`` (all régimes, majorations included), ``trimestres_rg`` (régime
    général), ``trimestres_cotises``; optional: ``carriere_longue`` (bool: a departure asked under L. 351-1-1)
    with ``age_debut_activite`` (16, 18, 20 or 21: the smallest of these ages by the end of whose calendar year the
    assuré had five quarters — four when born October to December —, D. 351-1-1), ``inaptitude``, ``ex_invalide``
    (bool, L. 351-8), ``enfants`` (children raised, L. 351-12), ``total_pensions_mensuel`` (cents: the OTHER
    pensions of the assuré, base and complementary, all régimes, this one excluded; null: unknown, no écrêtement
    of the minimum), ``trimestres_apres_age_legal`` (quarters cotisés after the âge légal; null: assumed to be
    every whole calendar quarter from the day of the âge légal to the date d'effet).

    Output, the input plus: ``age_legal_mois``, ``duree_requise``, ``age_annulation_decote_mois``,
    ``age_carriere_longue_mois`` (null without carrière longue), ``age_effet_mois`` (whole months at the date
    d'effet), ``depart_anticipe`` (carrière longue before the âge légal), ``taux_plein`` (bool), ``age_taux_plein_mois``
    (the earliest age of taux plein for this career, assuming one quarter every three months around the date
    d'effet), ``decote_trimestres``, ``taux`` (Decimal(38, 9) fraction: 0.5 is 50 %), ``surcote_trimestres``,
    ``age_majoration_duree_mois`` (the age after which quarters increase the durée, R. 351-7),
    ``trimestres_apres_age_majoration`` (whole quarters from that age to the date d'effet), ``duree_rg_majoree``
    (``trimestres_rg`` × (1 + 2,5 % × those quarters), rounded up), ``prorata_numerateur`` (min(duree_rg_majoree,
    durée)), ``prorata_denominateur``, ``pension_calculee`` (SAM × taux × prorata, cents a year),
    ``pension_maximum`` (50 % of the PASS), ``pension_plafonnee``, ``surcote``, ``montant_mico`` (the minimum
    prorated, a year), ``mico_majore`` (bool), ``complement_mico`` (what brings the pension plafonnée, before the
    surcote, to the minimum),
    ``ecretement_mico`` (what the total of pensions over the plafond takes from it), ``minimum_contributif`` (bool: a
    complement is paid), ``majoration_enfants``, ``pension_annuelle``, ``pension_mensuelle`` (cents, gross), the
    parameters' values and references (``droit_propre_…``, ``pss_annuel``, ``mico_…``, ``…_reference``).

    A date d'effet before the âge légal without a carrière longue that opens it raises InvalidField("date_effet").
    """
    frame = _valider(personnes).with_row_index("__ligne")
    frame = join_parameters(frame, PARAMS_EFFET, on="date_effet", with_references=True)
    frame = frame.with_columns(pl.format("loi_{}", pl.col("droit_propre_calendrier")).alias("__loi"))
    frame = join_parameters(frame, PARAMS_NAISSANCE, on="naissance", with_references=True)
    par_loi = {name: "__loi" for name in PARAMS_NAISSANCE_PAR_LOI}
    frame = join_parameters(frame, PARAMS_NAISSANCE_PAR_LOI, on="naissance", by=par_loi, with_references=True)
    frame = frame.rename({"droit_propre_age_legal_mois": "age_legal_mois", "droit_propre_duree_requise": "duree_requise",
                          "droit_propre_age_annulation_decote_mois": "age_annulation_decote_mois"})
    frame = _carriere_longue(frame)

    naissance, effet = pl.col("naissance"), pl.col("date_effet")
    duree, trimestres = pl.col("duree_requise"), pl.col("trimestres")
    date_age_legal = naissance.dt.offset_by(pl.format("{}mo", pl.col("age_legal_mois")))
    date_annulation = naissance.dt.offset_by(pl.format("{}mo", pl.col("age_annulation_decote_mois")))
    date_carriere_longue = naissance.dt.offset_by(pl.format("{}mo", pl.col("age_carriere_longue_mois")))
    carriere_longue_ouverte = (pl.col("carriere_longue") & pl.col("age_carriere_longue_mois").is_not_null()
                               & (pl.col("trimestres_cotises") >= duree) & (effet >= date_carriere_longue)).fill_null(False)
    frame = frame.with_columns(mois_revolus(naissance, effet).alias("age_effet_mois"), (effet < date_age_legal).alias("__avant_age_legal"),
                               carriere_longue_ouverte.alias("__carriere_longue_ouverte"))
    interdits = frame.filter(pl.col("__avant_age_legal") & ~pl.col("__carriere_longue_ouverte"))
    if interdits.height:
        ligne = interdits.row(0, named=True)
        age = f"{ligne['age_legal_mois'] // 12} ans" + (f" et {ligne['age_legal_mois'] % 12} mois" if ligne["age_legal_mois"] % 12 else "")
        raise InvalidField("date_effet", f"départ avant l'âge légal ({age} pour un assuré né le {ligne['naissance']:%d/%m/%Y}) "
                                         "sans carrière longue qui l'ouvre (CSS L. 161-17-2, L. 351-1-1)")
    frame = frame.with_columns(pl.col("__avant_age_legal").alias("depart_anticipe"))

    taux_plein = ((trimestres >= duree) | (effet >= date_annulation) | pl.col("inaptitude") | pl.col("ex_invalide")
                  | pl.col("depart_anticipe"))
    manquants_age = (_mois_entames(effet, date_annulation) + 2) // 3
    decote = pl.min_horizontal(duree - trimestres, manquants_age, pl.col("droit_propre_decote_trimestres_max"))
    frame = frame.with_columns(taux_plein.alias("taux_plein"), pl.when(taux_plein).then(0).otherwise(decote).cast(pl.Int64).alias("decote_trimestres"))
    taux = pl.col("droit_propre_taux_plein") - pl.col("droit_propre_decote_par_trimestre") * pl.col("decote_trimestres")
    apres_age_legal = pl.coalesce(pl.col("trimestres_apres_age_legal"), _trimestres_civils_entiers(date_age_legal, effet))
    surcote = pl.when(pl.col("depart_anticipe")).then(0).otherwise(pl.min_horizontal(apres_age_legal, trimestres - duree).clip(lower_bound=0))
    frame = frame.with_columns(taux.cast(RATE_DTYPE).alias("taux"), surcote.cast(pl.Int64).alias("surcote_trimestres"))
    frame = _majoration_duree(frame)
    frame = frame.with_columns(pl.min_horizontal(pl.col("duree_rg_majoree"), duree).alias("prorata_numerateur"), duree.alias("prorata_denominateur"))
    frame = frame.with_columns(_age_taux_plein().alias("age_taux_plein_mois"))

    # SAM × taux × numérateur ÷ dénominateur, exact in Int128, rounded once.
    taux_unites = (pl.col("taux") * RATE_UNIT).cast(pl.Int128)
    produit = pl.col("sam").cast(pl.Int128) * taux_unites * pl.col("prorata_numerateur").cast(pl.Int128)
    calculee = div_half_up_expr(produit, (pl.col("prorata_denominateur") * RATE_UNIT).cast(pl.Int128), non_negative=True).cast(pl.Int64)
    maximum = apply_rate_expr(pl.col("pss_annuel"), pl.col("droit_propre_maximum_pass"))
    frame = frame.with_columns(calculee.alias("pension_calculee"), maximum.alias("pension_maximum"))
    frame = frame.with_columns(pl.min_horizontal("pension_calculee", "pension_maximum").alias("pension_plafonnee"))
    taux_surcote = pl.col("droit_propre_surcote_par_trimestre") * pl.col("surcote_trimestres")
    frame = frame.with_columns(apply_rate_expr(pl.col("pension_plafonnee"), taux_surcote).alias("surcote"))
    frame = _minimum_contributif(frame)

    avant_majoration = pl.col("pension_plafonnee") + pl.col("surcote") + pl.col("complement_mico") - pl.col("ecretement_mico")
    enfants = pl.col("enfants") >= pl.col("droit_propre_majoration_enfants_nombre")
    majoration = pl.when(enfants).then(apply_rate_expr(avant_majoration, pl.col("droit_propre_majoration_enfants_taux"))).otherwise(0)
    frame = frame.with_columns(majoration.alias("majoration_enfants"))
    frame = frame.with_columns((avant_majoration + pl.col("majoration_enfants")).alias("pension_annuelle"))
    frame = frame.with_columns(div_half_up_expr(pl.col("pension_annuelle"), 12, non_negative=True).alias("pension_mensuelle"))
    return frame.sort("__ligne").drop("__ligne", "__loi", "__avant_age_legal", "__carriere_longue_ouverte")


def _age_taux_plein() -> pl.Expr:
    """The earliest age of taux plein for this career, a quarter assumed every three months around the date d'effet."""
    age_effet, age_legal = pl.col("age_effet_mois"), pl.col("age_legal_mois")
    ecart = pl.col("trimestres") - pl.col("duree_requise")
    atteint = pl.max_horizontal(age_legal, age_effet - 3 * ecart)  # the durée was reached before the date d'effet
    a_venir = pl.min_horizontal(pl.col("age_annulation_decote_mois"), age_effet + 3 * (-ecart))
    selon_duree = pl.when(ecart >= 0).then(atteint).otherwise(pl.max_horizontal(age_legal, a_venir))
    anticipe = pl.when(pl.col("depart_anticipe")).then(pl.col("age_carriere_longue_mois"))
    inapte = pl.when(pl.col("inaptitude") | pl.col("ex_invalide")).then(age_legal)
    return pl.coalesce(anticipe, inapte, pl.min_horizontal(selon_duree, pl.col("age_annulation_decote_mois")))


def _majoration_duree(frame: pl.DataFrame) -> pl.DataFrame:
    """R. 351-7: the régime général's quarters × (1 + rate × whole quarters elapsed after the age), rounded up."""
    inapte = pl.col("inaptitude") | pl.col("ex_invalide")
    inapte_age = pl.min_horizontal("droit_propre_age_majoration_duree_inaptitude_mois", "age_annulation_decote_mois")
    age = pl.when(inapte).then(inapte_age).otherwise(pl.col("age_annulation_decote_mois"))
    frame = frame.with_columns(age.alias("age_majoration_duree_mois"))
    apres = ((pl.col("age_effet_mois") - pl.col("age_majoration_duree_mois")).clip(lower_bound=0) // 3).cast(pl.Int64)
    frame = frame.with_columns(apres.alias("trimestres_apres_age_majoration"))
    # Exact in units of 10⁻⁹ of a quarter, rounded up once ("au chiffre immédiatement supérieur").
    facteur = RATE_UNIT + (pl.col("droit_propre_majoration_duree_par_trimestre") * RATE_UNIT).cast(pl.Int128) * pl.col("trimestres_apres_age_majoration")
    majoree = (pl.col("trimestres_rg").cast(pl.Int128) * facteur + (RATE_UNIT - 1)) // RATE_UNIT
    return frame.with_columns(majoree.cast(pl.Int64).alias("duree_rg_majoree"))


def _minimum_contributif(frame: pl.DataFrame) -> pl.DataFrame:
    """L. 351-10: the minimum at taux plein, prorated; the complement, reduced by the excess over the plafond.

    The minimum is compared with the pension plafonnée BEFORE the surcote, which is added to whichever is paid
    (L. 351-10 as amended by loi n° 2008-1330 art. 89, for pensions from 2009-04-01; circulaire Cnav 2009/17 § 3.2):
    a surcote is never absorbed by the minimum."""
    duree = pl.col("prorata_denominateur")
    majore = pl.col("trimestres_cotises") >= pl.col("mico_trimestres_cotises_majoration")
    cotises = pl.min_horizontal(pl.col("trimestres_cotises"), duree)
    base = pl.col("mico_montant") * pl.col("prorata_numerateur")  # annual amounts
    supplement = (pl.col("mico_montant_majore") - pl.col("mico_montant")) * cotises
    montant = div_half_up_expr(base + pl.when(majore).then(supplement).otherwise(0), duree, non_negative=True)
    frame = frame.with_columns(montant.alias("montant_mico"), majore.alias("mico_majore"))
    complement = pl.when(pl.col("taux_plein")).then((pl.col("montant_mico") - pl.col("pension_plafonnee")).clip(lower_bound=0)).otherwise(0)
    frame = frame.with_columns(complement.alias("complement_mico"))
    total = pl.col("total_pensions_mensuel") * 12 + pl.col("pension_plafonnee") + pl.col("surcote") + pl.col("complement_mico")
    depassement = (total - pl.col("mico_plafond") * 12).clip(lower_bound=0)
    connu = pl.col("total_pensions_mensuel").is_not_null()
    ecretement = pl.when(connu).then(pl.min_horizontal(pl.col("complement_mico"), depassement)).otherwise(0)
    frame = frame.with_columns(ecretement.alias("ecretement_mico"))
    return frame.with_columns((pl.col("complement_mico") > pl.col("ecretement_mico")).alias("minimum_contributif"))
