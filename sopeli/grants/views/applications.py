"""applications: see sopeli/grants/README.md."""
