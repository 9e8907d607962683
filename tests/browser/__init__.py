"""Browser tests of the built static site: real Chromium (Debian) driven by Playwright, axe-core."""
