"""calls: see sopeli/grants/README.md."""
