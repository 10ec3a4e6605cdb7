"""secu: the French régime général de sécurité sociale, as the law describes it."""

from secu.core import allocateur

__version__ = "0.1.0"

allocateur.keep_freed_pages()  # before any module of secu loads Polars: its allocator reads its settings then
