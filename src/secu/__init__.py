"""secu: the French régime général de sécurité sociale, as the law describes it."""

__version__ = "0.1.0"
