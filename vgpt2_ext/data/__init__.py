"""The SFT dataset: six builders, proof against the catalog, hygiene, LLaMA-Factory registration, data card.

    vgpt2 data build [--profile P] [key=value ...]      # what `make data` runs

`render_user_message` (in `context`) builds the user turn of training and validation prompts alike.
Submodules are imported where used, so importing this package does nothing.
"""
