"""Server-rendered pages (Jinja2). The portals grow here."""
