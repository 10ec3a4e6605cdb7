"""The law's dated parameters as YAML (one file per parameter, see README.md) and the `secu param` command."""
