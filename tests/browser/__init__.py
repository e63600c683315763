"""Browser tests (a package, so that its conftest is `browser.conftest`, not the `conftest` that other tests import)."""
