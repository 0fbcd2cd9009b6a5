"""The version that manifests and fitted overlays record."""

from __future__ import annotations

import importlib.metadata

from packaging.version import Version

from sim import version


def test_the_installed_version_is_reported():
    assert version.package_version() == importlib.metadata.version("edusim")


def test_a_source_tree_reports_a_version_that_sorts_before_every_release(monkeypatch):
    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(version, "version", not_installed)
    assert version.package_version() == version.UNKNOWN_VERSION
    assert Version(version.package_version()) < Version("0.0.1")
