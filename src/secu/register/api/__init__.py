"""The répertoire over HTTP: persons and their rights, households, employers, health professionals."""

from __future__ import annotations

from secu.register.api import employeurs, foyers, personnes, professionnels

routers = (personnes.router, foyers.router, employeurs.router, professionnels.router)
