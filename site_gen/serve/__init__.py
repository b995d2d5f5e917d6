"""Preview server: serves the last good build, watches the site and reloads open pages."""
