"""Scenario files (TOML) and the loader that turns one into validated parameters."""
