"""The shared HTTP kit: the caller and the unit of work (``deps``), French error answers (``errors``).

It imports nothing but ``secu.core`` and ``secu.config``: the routers live with their domain
(``secu.<package>.api``) and ``secu.app`` assembles them.
"""
