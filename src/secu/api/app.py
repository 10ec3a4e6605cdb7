"""Assemble the application: API under /api (OpenAPI at /docs), pages at /."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from secu import __version__
from secu.api import errors
from secu.api.routes import (
    administration,
    auth,
    employeurs,
    foyers,
    grand_livre,
    personnes,
    professionnels,
    referentiels,
    statistiques,
)
from secu.config import settings
from secu.core.db import make_engine, migrate, session_factory


def create_app(database_url: str | None = None, *, run_migrations: bool = True) -> FastAPI:
    url = database_url or settings().resolved_database_url
    engine = make_engine(url)
    if run_migrations:
        migrate(engine)
    app = FastAPI(
        title="secu — Sécurité sociale, régime général",
        version=__version__,
        description=(
            "API du répertoire national : personnes, ayants droit, foyers, employeurs, professionnels de santé, "
            "droits (PUMa, carte Vitale, médecin traitant, ALD, C2S), attestation de droits, grand livre. "
            "Chaque lecture de données personnelles est inscrite au journal des accès."
        ),
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    errors.install(app)
    api = APIRouter(prefix="/api")
    for module in (auth, personnes, foyers, employeurs, professionnels, grand_livre, statistiques, referentiels, administration):
        api.include_router(module.router)
    from secu.autonomie.api import router as autonomie
    from secu.famille.api import router as famille
    from secu.maladie.api import fhir_router
    from secu.maladie.api import router as maladie
    from secu.recouvrement.api import router as recouvrement

    for branch in (maladie, recouvrement, famille, autonomie):
        api.include_router(branch)
    app.include_router(api)
    app.include_router(fhir_router)

    from secu.web.pages import router as pages

    app.include_router(pages)
    return app
