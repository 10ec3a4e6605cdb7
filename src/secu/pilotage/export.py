"""The accounts taken away: the CCSS lines or the tableau d'équilibre as CSV (UTF-8, « ; », for a spreadsheet) or
Parquet (typed, for DuckDB or Polars). Amounts stay in integer cents; a cell under the secret statistique is empty."""

from __future__ import annotations

import io
from typing import Any

import polars as pl

from secu.core.errors import InvalidField

FORMATS = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}
TABLES = {
    "lignes": {"annee": pl.Int32, "source": pl.String, "branche": pl.String, "regime": pl.String, "sens": pl.String,
               "ligne": pl.String, "libelle": pl.String, "risque": pl.String, "montant_cents": pl.Int64, "ecritures": pl.Int64},
    "tableau": {"annee": pl.Int32, "source": pl.String, "branche": pl.String, "libelle": pl.String, "regime": pl.String,
                "recettes_cents": pl.Int64, "depenses_cents": pl.Int64, "solde_cents": pl.Int64},
}


def frame(doc: dict[str, Any], table: str) -> pl.DataFrame:
    if table not in TABLES:
        raise InvalidField("table", f"table inconnue : {table!r} (admises : {', '.join(TABLES)})")
    schema = TABLES[table]
    rows = [{k: ({"annee": doc["annee"], "source": doc["source"]} | row).get(k) for k in schema} for row in doc[table]]
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def exporter(doc: dict[str, Any], table: str, format: str) -> tuple[bytes, str, str]:
    """(content, media type, file name) of one table of the accounts."""
    if format not in FORMATS:
        raise InvalidField("format", f"format inconnu : {format!r} (admis : {', '.join(FORMATS)})")
    data = frame(doc, table)
    out = io.BytesIO()
    if format == "csv":
        data.write_csv(out, separator=";")
    else:
        data.write_parquet(out)
    nom = f"comptes-{doc['annee']}-{table}{'-simulation' if doc['source'] == 'simulation' else ''}.{format}"
    return out.getvalue(), FORMATS[format], nom
