"""The edusim version that manifests and fitted overlays record."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "edusim"
#: Reported when the package is imported from a source tree that was never installed: a valid
#: PEP 440 version (``0`` with the local label ``unknown``), so tools that parse the version of a
#: manifest read it as older than any release instead of failing on it.
UNKNOWN_VERSION = "0+unknown"


def package_version() -> str:
    """Report the installed edusim version.

    Returns
    -------
    str
        The version of the installed ``edusim`` distribution (e.g. ``"0.1.0"``), or
        :data:`UNKNOWN_VERSION` when it is not installed.
    """
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return UNKNOWN_VERSION


__all__ = ["UNKNOWN_VERSION", "package_version"]
