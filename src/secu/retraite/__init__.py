"""Retraite de base du régime général (CNAV / CARSAT): the career, the pension, survivors and the minimum.

``rules/`` holds the law, vectorised over Polars frames (``carriere``: quarters and SAM; ``droit_propre``: the
pension; ``revalorisation``: the pension in payment); ``explication`` turns a rule's row into steps; ``cli`` is
``secu retraite``. The parameters are under ``parametres/retraite/``.
"""
