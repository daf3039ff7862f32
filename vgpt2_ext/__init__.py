"""vgpt2_ext: the training side of vgpt2 (catalog, SQL analysis, sandbox, data, recipes, launch)."""

__version__ = "0.1.0"
