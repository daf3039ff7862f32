"""eval_suite: the validation side of vgpt2 (cases, lint, scoring, report). Depends on vgpt2_ext."""
