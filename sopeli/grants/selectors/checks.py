"""checks: see sopeli/grants/README.md."""
