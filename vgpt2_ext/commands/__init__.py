"""CLI subcommands of `vgpt2`: thin argument parsing and printing over the library modules."""
