"""The command line: one module per command group; the only layer that imports typer or rich or prints."""
