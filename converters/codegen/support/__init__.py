"""Support modules copied verbatim into every generated package (SUPPORT_FILES; this file is not copied).

This file makes the folder a package so that the import contract (pyproject.toml, `make lint-imports`) sees it:
these modules run inside the generated package alone, so they import nothing from ``converters``."""
