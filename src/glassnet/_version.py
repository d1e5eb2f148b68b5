"""glassnet's version, in a module of its own (nothing imports the package for it)."""

__version__ = "0.1.0"
