"""DPO preference pairs: synthetic (corrupted SFT answers) and mined (the SFT model's own failing samples),
each proven by the judge, registered with LLaMA-Factory in its ranking format, described in a pair card.

    vgpt2 pairs build [--profile P] [key=value ...]      # what `make pairs` (and `make dpo`) runs

Submodules are imported where used, so importing this package does nothing.
"""
