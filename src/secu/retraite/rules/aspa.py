"""The ASPA, allocation de solidarité aux personnes âgées (CSS L. 815-1 and following), and its recovery on the estate.

:func:`aspa`, one row per household (foyer) at a date d'effet — or a month of payment:

* **age** (L. 815-1, R. 815-1): 65 (``aspa.age``), or 62 (``aspa.age_inaptitude``) for a claimant inapte au
  travail, handicapped (incapacity of at least 50 %) or an ex-invalid (``inapte``), who keeps the âge légal of 62;
  with two claimants in the household, each meets it;
* **ceiling and maximum** (D. 815-1, D. 815-2): a person alone has the single ceiling and the single maximum; a
  couple (married, PACS, concubinage) has the couple ceiling; with one claimant, the single maximum, with two
  (``allocataires`` = 2) the couple maximum, shared by halves;
* **resources** (R. 815-22 to R. 815-29): those of the household over the 3 calendar months before the date
  d'effet, the earned income less an abattement of 0.9 SMIC mensuel (alone) or 1.5 (couple), the SMIC of 1 January
  (R. 815-29; ``aspa.abattement_smic``), times 4; when they exceed a quarter of the ceiling, those of the 12 months
  before, without abattement (circulaire Cnav 2015-23). Not counted (the caller leaves them out): the prestations
  familiales, the allocations de logement, the retraite du combattant, the aide sociale and the ASPA itself
  (R. 815-22);
* **amount**: differential, ``min(maximum, ceiling − resources)``, never below 0 (L. 815-4, L. 815-9), a twelfth of it
  monthly, **rounded down to the cent** (halved between two claimants): the monthly amounts the CNAV and
  service-public.fr publish are the annual ones ÷ 12 rounded down (12 411,44 € → 1 034,28 € in 2025).

:func:`recuperation_aspa`, one row per estate (L. 815-13): the ASPA paid is recovered on the part of the net
estate above ``aspa.recuperation_seuil`` — 39 000 € until 31 August 2023; 100 000 € from 1 September 2023
(loi n° 2023-270, art. 18), revalued each 1 January since — or, in the départements et régions d'outre-mer,
``aspa.recuperation_seuil_outre_mer`` (100 000 € since the loi n° 2017-256; **150 000 € from 1 September 2023
until 31 December 2029**, the 2023 change for outre-mer); within ``aspa.recuperation_plafond_annuel`` per year of
ASPA paid (single or couple), the value in force at the death × the months paid ÷ 12 (secu's reading).

**Financing.** The ASPA is a non-contributory minimum: the CNAV (or the CARSAT) pays it and the **Fonds de
solidarité vieillesse** bears it (CSS L. 135-1, L. 135-2), the sums recovered on estates being the FSV's product.
The merger books it on a branch ``fsv`` (organism FSV, régime général), poste ``prestations.aspa`` (charge), and
the recoveries as ``recuperations.aspa`` (produit), with the CNAV's receivable on the FSV (``creances.fsv``) as the
counterpart of what the CNAV pays — never on the vieillesse branch's own charges.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from secu.core.ages import age_expr
from secu.core.errors import InvalidField
from secu.core.money import apply_rate_expr, div_half_up_expr, div_toward_zero_expr
from secu.core.parameters import join_parameters
from secu.retraite.rules.reversion import avec_defauts, colonnes_obligatoires

PARAMETRES = ("aspa.age", "aspa.age_inaptitude")
"""Scalars joined on the date d'effet (with references); the tables are joined keyed by the household's situation."""

TABLES = ("aspa.plafond", "aspa.montant_maximum", "aspa.abattement_smic")

REF_DIFFERENTIELLE = "CSS art. L. 815-4 et L. 815-9 (allocation différentielle : plafond moins ressources, au plus le montant maximum)"
REF_RESSOURCES = "CSS art. R. 815-22 à R. 815-29 (ressources des 3 mois civils précédant la date d'effet, ou des 12 mois au-delà du quart du plafond)"
REF_RECUPERATION = "CSS art. L. 815-13 (récupération sur la fraction de l'actif net successoral qui excède le seuil, dans la limite annuelle)"
REF_PARTAGE = "CSS art. D. 815-2 (deux allocataires d'un même ménage : montant « couple » partagé par moitié)"

_OBLIGATOIRES = ("date_effet", "naissance", "revenus_activite_3_mois", "autres_ressources_3_mois")
_DEFAUTS: Mapping[str, pl.Expr] = {
    "couple": pl.lit(False),
    "allocataires": pl.lit(1, dtype=pl.Int64),
    "inapte": pl.lit(False),
    "inapte_conjoint": pl.lit(False),
    "naissance_conjoint": pl.lit(None, dtype=pl.Date),
    "revenus_activite_12_mois": pl.lit(None, dtype=pl.Int64),
    "autres_ressources_12_mois": pl.lit(None, dtype=pl.Int64),
}
_MONTANTS = ("revenus_activite_3_mois", "autres_ressources_3_mois", "revenus_activite_12_mois", "autres_ressources_12_mois")
_I = pl.Int64


def aspa(foyers: pl.DataFrame) -> pl.DataFrame:
    """The ASPA of each household (see the module docstring).

    Input: ``date_effet``, ``naissance`` (the claimant's; Date), ``revenus_activite_3_mois``, ``autres_ressources_3_mois``
    (the household's counted resources of the 3 calendar months before, cents); optional ``couple`` (bool),
    ``allocataires`` (1 or 2: two only in a couple), ``naissance_conjoint`` (Date, needed with two claimants),
    ``inapte``, ``inapte_conjoint`` (bool), ``revenus_activite_12_mois``, ``autres_ressources_12_mois`` (needed when the
    3 months exceed a quarter of the ceiling). Output: the input, the parameters (``aspa_plafond``,
    ``aspa_montant_maximum``, ``aspa_abattement_smic`` for the household's situation) and references, ``age``,
    ``age_requis``, ``age_conjoint``, ``age_requis_conjoint``, ``condition_age``, ``smic_mensuel_1er_janvier``,
    ``abattement_activite``, ``ressources_3_mois``, ``periode_ressources`` (3 or 12), ``ressources_annuelles``,
    ``aspa_annuelle``, ``aspa_mensuelle`` (the household's) and ``aspa_mensuelle_allocataire`` (each claimant's).
    """
    frame = avec_defauts(foyers, _DEFAUTS)
    colonnes_obligatoires(frame, _OBLIGATOIRES)
    frame = frame.with_columns(
        pl.col("date_effet", "naissance", "naissance_conjoint").cast(pl.Date),
        pl.col(*_MONTANTS, "allocataires").cast(_I),
        pl.col("couple", "inapte", "inapte_conjoint").cast(pl.Boolean),
    )
    _verifier(frame)
    situation = pl.when(pl.col("couple")).then(pl.lit("couple")).otherwise(pl.lit("personne_seule"))
    maximum = pl.when(pl.col("allocataires") == 2).then(pl.lit("couple")).otherwise(pl.lit("personne_seule"))
    frame = frame.with_row_index("__ligne")
    frame = join_parameters(
        frame, [*PARAMETRES, *TABLES], on="date_effet", with_references=True,
        by={"aspa.plafond": situation, "aspa.montant_maximum": maximum, "aspa.abattement_smic": situation},
    )
    janvier = frame.select("__ligne", pl.date(pl.col("date_effet").dt.year(), 1, 1).alias("__janvier"))
    janvier = join_parameters(janvier, ["smic.mensuel"], on="__janvier", with_references=True)
    frame = frame.join(janvier.select("__ligne", pl.col("smic_mensuel").alias("smic_mensuel_1er_janvier"),
                                      pl.col("smic_mensuel_reference").alias("smic_mensuel_1er_janvier_reference")), on="__ligne")

    requis = pl.when(pl.col("inapte")).then(pl.col("aspa_age_inaptitude")).otherwise(pl.col("aspa_age"))
    requis_conjoint = pl.when(pl.col("inapte_conjoint")).then(pl.col("aspa_age_inaptitude")).otherwise(pl.col("aspa_age"))
    frame = frame.with_columns(
        age_expr("naissance", "date_effet").cast(_I).alias("age"), requis.alias("age_requis"),
        age_expr("naissance_conjoint", "date_effet").cast(_I).alias("age_conjoint"), requis_conjoint.alias("age_requis_conjoint"),
    )
    conjoint_ok = (pl.col("allocataires") == 1) | (pl.col("age_conjoint") >= pl.col("age_requis_conjoint"))
    frame = frame.with_columns(((pl.col("age") >= pl.col("age_requis")) & conjoint_ok).alias("condition_age"))

    # R. 815-29: the abattement on the quarter's earned income.
    plafond_abattement = apply_rate_expr(pl.col("smic_mensuel_1er_janvier"), pl.col("aspa_abattement_smic"))
    frame = frame.with_columns(pl.min_horizontal(pl.col("revenus_activite_3_mois"), plafond_abattement).alias("abattement_activite"))
    frame = frame.with_columns(
        (pl.col("revenus_activite_3_mois") - pl.col("abattement_activite") + pl.col("autres_ressources_3_mois")).alias("ressources_3_mois"))
    douze = (pl.col("ressources_3_mois") * 4) > pl.col("aspa_plafond")
    frame = frame.with_columns(pl.when(douze).then(12).otherwise(3).cast(_I).alias("periode_ressources"))
    manquants = frame.filter(douze & pl.col("condition_age") & (pl.col("revenus_activite_12_mois").is_null() | pl.col("autres_ressources_12_mois").is_null()))
    if manquants.height:
        colonne = "revenus_activite_12_mois" if manquants.get_column("revenus_activite_12_mois").null_count() else "autres_ressources_12_mois"
        raise InvalidField(colonne, "les ressources des trois mois dépassent le quart du plafond : celles des douze mois civils "
                                    "précédant la date d'effet sont nécessaires (CSS art. R. 815-29)")
    annuelles = pl.when(douze).then(pl.col("revenus_activite_12_mois") + pl.col("autres_ressources_12_mois")).otherwise(pl.col("ressources_3_mois") * 4)
    frame = frame.with_columns(annuelles.alias("ressources_annuelles"))

    sous_plafond = pl.col("aspa_plafond") - pl.col("ressources_annuelles")
    differentielle = pl.max_horizontal(pl.min_horizontal(pl.col("aspa_montant_maximum"), sous_plafond), pl.lit(0, dtype=_I))
    frame = frame.with_columns(pl.when(pl.col("condition_age")).then(differentielle).otherwise(0).cast(_I).alias("aspa_annuelle"))
    frame = frame.with_columns(
        div_toward_zero_expr(pl.col("aspa_annuelle"), 12).alias("aspa_mensuelle"),
        div_toward_zero_expr(pl.col("aspa_annuelle"), pl.col("allocataires") * 12).alias("aspa_mensuelle_allocataire"),
    )
    return frame.sort("__ligne").drop("__ligne")


def _verifier(frame: pl.DataFrame) -> None:
    for column in _MONTANTS:
        if frame.select((pl.col(column) < 0).any()).item():
            raise InvalidField(column, "un montant de ressources ne peut pas être négatif")
    if frame.select((~pl.col("allocataires").is_in([1, 2])).any()).item():
        raise InvalidField("allocataires", "le nombre d'allocataires du ménage est 1 ou 2")
    if frame.select(((pl.col("allocataires") == 2) & ~pl.col("couple")).any()).item():
        raise InvalidField("allocataires", "deux allocataires : seulement pour un couple (marié, pacsé ou en concubinage)")
    if frame.select(((pl.col("allocataires") == 2) & pl.col("naissance_conjoint").is_null()).any()).item():
        raise InvalidField("naissance_conjoint", "la date de naissance du conjoint est nécessaire quand il demande aussi l'ASPA")
    if frame.select((pl.col("date_effet") < pl.col("naissance")).any()).item():
        raise InvalidField("date_effet", "la date d'effet précède la naissance du demandeur")


# ---------------------------------------------------------------------------
# L. 815-13: recovery on the estate

_OBLIGATOIRES_SUCCESSION = ("date_deces", "actif_net", "aspa_versee", "mois_versement")
_DEFAUTS_SUCCESSION: Mapping[str, pl.Expr] = {"couple": pl.lit(False), "outre_mer": pl.lit(False)}


def recuperation_aspa(successions: pl.DataFrame) -> pl.DataFrame:
    """The ASPA recovered on each estate (L. 815-13).

    Input: ``date_deces`` (Date), ``actif_net`` (the net estate, cents), ``aspa_versee`` (the ASPA paid to the deceased,
    cents), ``mois_versement`` (months it was paid); optional ``couple`` (the allocation was a couple's: the couple's
    annual limit), ``outre_mer`` (the estate falls under the DROM threshold). Output: the input and
    ``seuil_recuperation`` (with its reference), ``aspa_recuperation_plafond_annuel`` (and reference),
    ``plafond_recuperation`` (the annual limit × months ÷ 12, half up), ``actif_recuperable`` (the net estate above
    the threshold, at least 0) and ``recuperation`` (the least of the ASPA paid, the limit and the recoverable estate).
    """
    frame = avec_defauts(successions, _DEFAUTS_SUCCESSION)
    colonnes_obligatoires(frame, _OBLIGATOIRES_SUCCESSION)
    frame = frame.with_columns(pl.col("date_deces").cast(pl.Date), pl.col("actif_net", "aspa_versee", "mois_versement").cast(_I),
                               pl.col("couple", "outre_mer").cast(pl.Boolean))
    for column in ("actif_net", "aspa_versee", "mois_versement"):
        if frame.select((pl.col(column) < 0).any()).item():
            raise InvalidField(column, f"{column} ne peut pas être négatif")
    situation = pl.when(pl.col("couple")).then(pl.lit("couple")).otherwise(pl.lit("personne_seule"))
    frame = frame.with_row_index("__ligne")
    frame = join_parameters(frame, ["aspa.recuperation_seuil", "aspa.recuperation_plafond_annuel"], on="date_deces", with_references=True,
                            by={"aspa.recuperation_plafond_annuel": situation})
    dom = frame.filter(pl.col("outre_mer")).select("__ligne", "date_deces")
    if dom.height:
        dom = join_parameters(dom, ["aspa.recuperation_seuil_outre_mer"], on="date_deces", with_references=True).drop("date_deces")
    else:
        dom = dom.drop("date_deces").with_columns(pl.lit(None, dtype=_I).alias("aspa_recuperation_seuil_outre_mer"),
                                                  pl.lit(None, dtype=pl.String).alias("aspa_recuperation_seuil_outre_mer_reference"))
    frame = frame.join(dom, on="__ligne", how="left")
    frame = frame.with_columns(
        pl.when(pl.col("outre_mer")).then(pl.col("aspa_recuperation_seuil_outre_mer")).otherwise(pl.col("aspa_recuperation_seuil")).alias("seuil_recuperation"),
        pl.when(pl.col("outre_mer")).then(pl.col("aspa_recuperation_seuil_outre_mer_reference").cast(pl.String))
        .otherwise(pl.col("aspa_recuperation_seuil_reference").cast(pl.String)).alias("seuil_recuperation_reference"),
    ).drop("aspa_recuperation_seuil_outre_mer", "aspa_recuperation_seuil_outre_mer_reference")
    frame = frame.with_columns(
        div_half_up_expr(pl.col("aspa_recuperation_plafond_annuel") * pl.col("mois_versement"), 12, non_negative=True).alias("plafond_recuperation"),
        pl.max_horizontal(pl.col("actif_net") - pl.col("seuil_recuperation"), pl.lit(0, dtype=_I)).alias("actif_recuperable"),
    )
    frame = frame.with_columns(pl.min_horizontal("aspa_versee", "plafond_recuperation", "actif_recuperable").alias("recuperation"))
    return frame.sort("__ligne").drop("__ligne")


__all__ = ["PARAMETRES", "REF_DIFFERENTIELLE", "REF_PARTAGE", "REF_RECUPERATION", "REF_RESSOURCES", "TABLES", "aspa", "recuperation_aspa"]
