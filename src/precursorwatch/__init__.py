"""precursorwatch: the shared US-India system against narcotics trafficking and the
diversion of precursor chemicals."""

__version__ = "0.1.0"
__all__ = ["__version__"]
