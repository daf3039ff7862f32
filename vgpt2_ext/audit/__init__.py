"""Auditing an existing dataset: prove every row against the catalog, explain, repair what has one right answer.

    vgpt2 data audit PATH [--catalog C] [--format auto|alpaca|sharegpt|ranking] [--repair]

The room reads in processing order: `source` (a JSON/JSONL file or a dataset_info.json entry, streamed with row
numbers) -> `shapes` (LLaMA-Factory's alpaca/sharegpt, SFT/ranking; a row's answers) -> `proof` (the SFT data
proof on each answer, failures with the closest real names) -> `repair` (rewrites through the sqlglot tree) ->
`verdict` (pass / repaired / fail; a pair's preference) -> `workers` (batches across processes) -> `summary`
(AUDIT.md/.json, the chart) -> `output` (the clean copy, rejected rows, registration, as a set); `run` joins
them. Submodules are imported where used, so importing this package does nothing.
"""
