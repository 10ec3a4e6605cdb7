"""The composition root: the one place that assembles the application.

The API under /api (OpenAPI at /docs), the FHIR routes under /fhir, the pages and their static
files at /. Every router lives with its domain (``secu.<package>.api``) and uses the shared
HTTP kit of ``secu.api``; a new branch plugs in by adding its router to ``API_ROUTERS``.
"""

from __future__ import annotations

import gc

from fastapi import APIRouter, FastAPI

from secu import __version__
from secu.api import errors
from secu.api.deps import AuthentificationAvantLecture
from secu.api.entetes import EntetesDeSecurite
from secu.api.limites import Limites
from secu.autonomie.api import router as autonomie
from secu.config import settings
from secu.core.db import make_engine, migrate, session_factory
from secu.especes.api import router as especes
from secu.especes.api_invalidite import router as especes_invalidite
from secu.famille.api import router as famille
from secu.grand_livre.api import router as grand_livre
from secu.maladie.api import fhir_router
from secu.maladie.api import router as maladie
from secu.organismes.api import router as organismes
from secu.parametres.api import router as parametres
from secu.pilotage.api import router as pilotage
from secu.recouvrement.api import router as recouvrement
from secu.register.api import routers as register
from secu.retraite.api import router as retraite_demande
from secu.retraite.api_carriere import router as retraite_carriere
from secu.retraite.api_survivants import router as retraite_survivants
from secu.statistiques.api import router as statistiques
from secu.utilisateurs.api import router as utilisateurs
from secu.web.pages import router as pages

API_ROUTERS: tuple[APIRouter, ...] = (
    utilisateurs,
    *register,
    grand_livre,
    statistiques,
    organismes,
    parametres,
    maladie,
    recouvrement,
    famille,
    autonomie,
    especes,
    especes_invalidite,
    retraite_demande,
    retraite_survivants,
    retraite_carriere,
    pilotage,
)

DESCRIPTION = (
    "API du répertoire national : personnes, ayants droit, foyers, employeurs, professionnels de santé, "
    "droits (PUMa, carte Vitale, médecin traitant, ALD, C2S), attestation de droits, grand livre. "
    "Chaque lecture de données personnelles est inscrite au journal des accès."
)


GC_THRESHOLDS = (20_000, 20, 20)
"""The cyclic collector's thresholds for a serving process. Python's defaults (700, 10, 10) run a full collection
every ~70,000 allocations, each walking every object the process holds (the law tables, the ORM's mappers, the
schemas): a lot of 300 feuilles de soins allocates millions, and those walks cost 12 % of its CPU time
(bench/intake_stages.py). Reference counting frees almost everything anyway; cycles are collected, less often."""


def create_app(database_url: str | None = None, *, run_migrations: bool = True) -> FastAPI:
    url = database_url or settings().resolved_database_url
    if gc.get_threshold()[0] < GC_THRESHOLDS[0]:
        gc.set_threshold(*GC_THRESHOLDS)
    engine = make_engine(url)
    if run_migrations:
        migrate(engine)
    app = FastAPI(
        title="secu — Sécurité sociale, régime général",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    errors.install(app)
    api = APIRouter(prefix="/api")
    for router in API_ROUTERS:
        api.include_router(router)
    app.include_router(api)
    app.include_router(fhir_router)
    app.include_router(pages)
    # The last added runs first: the scheme a trusted proxy forwards, the security headers on every answer, the
    # size and characters checks, then the token, and only then does a route read the body.
    app.add_middleware(AuthentificationAvantLecture, application=app)
    app.add_middleware(Limites)
    app.add_middleware(EntetesDeSecurite)
    if settings().proxies_de_confiance.strip():
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings().proxies_de_confiance)
    errors.document(app)
    return app
