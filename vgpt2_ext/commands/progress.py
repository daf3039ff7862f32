"""Progress bars for long builds: one rich bar per named step, fed by `advance(name, done, total)` calls."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

Advance = Callable[[str, int, int], None]


@contextmanager
def progress_bars(console: Console, label_width: int = 18) -> Iterator[Advance]:
    """Yield `advance`: the library reports steps by name; a bar appears on a step's first report."""
    columns = (TextColumn(f"{{task.description:<{label_width}}}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bars:
        tasks: dict[str, int] = {}

        def advance(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bars.add_task(name, total=total)
            bars.update(tasks[name], completed=done, total=total)

        yield advance
