"""`vgpt2 validate`: answer the validation cases, judge every answer, write the report; or lint the cases.

    vgpt2 validate                                        # the run's latest stage (make validate)
    vgpt2 validate --base                                 # the profile's bare base model, stage `base`
    vgpt2 validate --run exp1 --baseline saves/exp1/validation/report-sft.json
    vgpt2 validate --responses answers.jsonl --report-dir out/ --fail-under 0.8
    vgpt2 validate --lint --cases eval_suite/reference --catalog ../shared/fixtures/vista

Settings come from `recipes/validate.yaml` (`vgpt2.validate.*`); the options here override them.
The report (report.md, report.html, report.json, report.png, responses.jsonl) goes to saves/<run>/validation/;
recorded answers (`--responses FILE`) go to saves/<run>/validation-<FILE's name>/ unless `--report-dir` says,
so re-scoring a file never overwrites the report of the run's model. A baseline that is not comparable (other
cases, catalog or thresholds) and answers recorded for other questions are warned about, on screen and in it.
Exit status: 0, or 1 when the suite is unsound (`--lint`), the input is bad, or a gate fails.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from vgpt2_ext.commands.recipe_args import add_recipe_arguments
from vgpt2_ext.stages import STAGE_ORDER


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("validate", help="score a model on the validation cases, or lint the cases",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", metavar="PATH", help="case YAML file or folder (default: vgpt2.validate.cases)")
    parser.add_argument("--catalog", metavar="PATH", help="catalog to judge against (default: vgpt2.catalog)")
    parser.add_argument("--responses", metavar="FILE", help="recorded answers (JSONL of id, response), not a model")
    parser.add_argument("--backend", choices=("hf", "openai", "responses"), help="who answers (default: recipe)")
    parser.add_argument("--report-dir", metavar="DIR", help="report folder (default: saves/<run>/validation)")
    parser.add_argument("--baseline", metavar="FILE", help="an earlier report.json to compare with")
    parser.add_argument("--fail-under", type=float, metavar="X", help="exit 1 when the overall score is below X")
    parser.add_argument("--lint", action="store_true", help="check the cases against the catalog and exit")
    parser.add_argument("--run", metavar="NAME", help="run name (saves/NAME); same as run_name=NAME")
    parser.add_argument("--base", action="store_true",
                        help="score the profile's base model without the run's adapters, as stage `base` "
                             "(later stages of the run are then shown beside it)")
    add_recipe_arguments(parser)
    parser.set_defaults(func=_validate)


def _validate(args: argparse.Namespace) -> int:
    from vgpt2_ext.catalog import load_catalog
    from vgpt2_ext.judge import load_cases

    config, settings = _settings(args)
    catalog = load_catalog(args.catalog or config["vgpt2"].get("catalog"))
    cases = load_cases(settings.cases)
    console = Console()
    if args.lint:
        return _lint(cases, catalog, settings.cases, console)
    return _score(args, config, settings, cases, catalog, console)


def _settings(args: argparse.Namespace):
    """The compiled `validate` recipe and its `vgpt2.validate` settings with the command-line options applied."""
    from vgpt2_ext.recipe import compile_recipe
    from vgpt2_ext.settings import load_settings

    overrides = [*args.overrides, *([f"run_name={args.run}"] if args.run else []),
                 *(["vgpt2.model_from=null"] if args.base else [])]
    # a model is loaded only for the hf backend; the others (and lint) must work before any training, without
    # the model on disk (`check_files=False`): recorded answers need no model
    config = compile_recipe("validate", args.profile, [*overrides, "vgpt2.model_from=null"], check_files=False)
    settings = load_settings(config["vgpt2"]).validate
    chosen = {"cases": args.cases, "report_dir": args.report_dir, "baseline": args.baseline,
              "fail_under": args.fail_under, "responses": args.responses,
              "backend": "responses" if args.responses else args.backend}
    settings = dataclasses.replace(settings, **{k: v for k, v in chosen.items() if v is not None})
    if settings.backend == "hf" and not args.lint:
        config = compile_recipe("validate", args.profile, overrides)
    return config, settings


def _lint(cases, catalog, where: str, console: Console) -> int:
    from eval_suite.lint import lint_cases

    problems = lint_cases(cases, catalog)
    for problem in problems:
        console.print(problem, highlight=False, markup=False)
    verdict = f"{len(problems)} problem(s)" if problems else "sound"
    console.print(f"lint: {len(cases)} case(s) in `{where}` against catalog `{catalog.name}`: {verdict}",
                  highlight=False, markup=False)
    return 1 if problems else 0


def _score(args, config: dict, settings, cases, catalog, console: Console) -> int:
    from eval_suite.answers import collect_answers, describe_model, recorded_warnings
    from eval_suite.progression import earlier_reports
    from eval_suite.report import Meta, load_baseline, report_json, write_report
    from eval_suite.suite import gate_failures, score_cases, summarise
    from vgpt2_ext.atomic import writable_folder
    from vgpt2_ext.sandbox import sandbox_for

    folder = writable_folder(_report_folder(settings, config), "report folder (`--report-dir`)")  # before any
    # work: not after an hour of generation
    stage = _stage(settings, config)
    found = earlier_reports(folder, stage)  # the stage just before is the baseline: SFT after DPO, base after SFT
    earlier = [load_baseline(path) for path in found]
    baseline_path = settings.baseline or (found[-1] if found else None)
    baseline = load_baseline(baseline_path) if baseline_path else None
    if baseline_path and not settings.baseline:
        console.print(f"comparing with the {baseline.get('stage', 'earlier')} report `{baseline_path}` "
                      "(--baseline picks another)", highlight=False)
    with _progress(console) as progress:
        generating = progress.add_task("generating", total=len(cases), visible=settings.backend != "responses")
        answers, generation = collect_answers(settings.backend, cases, catalog, config, settings,
                                              responses=settings.responses,
                                              progress=lambda: progress.advance(generating))
        scoring = progress.add_task("scoring", total=len(cases))
        outcomes = score_cases(cases, answers, catalog, settings, sandbox=sandbox_for(catalog, settings.seed),
                               progress=lambda: progress.advance(scoring))
    summary = summarise(outcomes, settings)
    meta = Meta(str(config.get("run_name", "")), stage,
                describe_model(settings.backend, config, settings, settings.responses), settings.backend,
                str(settings.cases), f"{catalog.name} ({catalog.fingerprint})")
    warnings = recorded_warnings(cases, settings.responses) if settings.backend == "responses" else []
    data = report_json(summary, meta, baseline, warnings, earlier, generation)
    paths = write_report(data, folder, summary.outcomes)
    console.print(_summary_table(summary, baseline, earlier))
    for warning in data["warnings"]:
        Console(stderr=True, soft_wrap=True).print(f"[bold yellow]warning:[/] {escape(warning)}", highlight=False)
    console.print(f"report: {', '.join(str(p) for p in paths)}", highlight=False, markup=False)
    failures = gate_failures(summary, settings.fail_under)
    for failure in failures:
        console.print(f"gate failed: {failure}", style="bold red", highlight=False, markup=False)
    return 1 if failures else 0


def _report_folder(settings, config: dict) -> Path:
    """`--report-dir`; else the run's validation folder, or for recorded answers a folder of their own beside
    it (`validation-<file name>`): re-scoring a file must not overwrite the report of the run's model."""
    if settings.report_dir:
        return Path(settings.report_dir)
    run = Path("saves") / str(config.get("run_name", "vgpt2"))
    if settings.backend == "responses":
        return run / f"validation-{Path(settings.responses).stem}"
    return run / "validation"


def _stage(settings, config: dict) -> str:
    """What answered, in a word: `sft` or `dpo` for the run's model (its last adapter's or its own folder
    name), `base` for a model that is no stage of a run, the endpoint's model name, or the recorded answers'
    file name."""
    if settings.backend == "responses":
        return Path(settings.responses).stem
    if settings.backend == "openai":
        return settings.api_model
    last = str(config.get("adapter_name_or_path") or config.get("model_name_or_path") or "").split(",")[-1]
    return Path(last).name if Path(last).name in STAGE_ORDER else "base"


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)


def _summary_table(summary, baseline: dict | None, earlier: Sequence[dict] = ()) -> Table:
    from eval_suite.report import MARKS, TITLES, points

    table = Table(title=f"validation: overall {summary.overall:.2f} · {summary.passed}/{summary.total} passed "
                        f"({summary.pass_rate:.1%})")
    before = [report for report in earlier if not baseline or report["stage"] != baseline.get("stage")]
    columns = ("category", *(report["stage"] for report in before), "score", "target", "passed", "status")
    for column in columns + ((f"baseline ({baseline.get('stage') or '?'})",) if baseline else ()):
        table.add_column(column)
    for name, cat in summary.categories.items():
        row = [TITLES[name], *(_score_of(report, name) for report in before), f"{cat.score:.0%}", f"{cat.target:.0%}",
               f"{cat.passed}/{cat.total}", MARKS[cat.status]]
        if baseline:
            base = baseline["categories"].get(name, {}).get("score")
            row.append("" if base is None else f"{base:.0%} ({points(cat.score - base)})")
        table.add_row(*row)
    return table


def _score_of(report: dict, category: str) -> str:
    score = report["categories"].get(category, {}).get("score")
    return "" if score is None else f"{score:.0%}"
