"""The data plan: which objects hold rows, which parent rows each child copies, and in what order.

Plain views (`APTH` over `bAPTH`) hold no rows of their own: their relationships are carried over to their
base tables (in the database the rows go by the view's name, `home`, and the base table is a view over them).
Other views (report views without a base table) are stored as tables. Parents come before children in one
global order of the relationship graph, its cycles broken where a depth-first walk in name order meets an
ancestor; so a table's rows depend only on the seed and on its ancestors' rows, never on which tables a query
happened to touch first.

Besides the relationships the catalog infers, each company's group columns follow the company master
(Vista: APTH.VendorGroup is HQCO.VendorGroup of APTH.APCo), as an extra link from (company, group) to
(HQCo, group).

A query on APTH needs the rows of ~75 ancestors, but of them only what a child can copy: keys, join columns,
company and group columns, codes. Every other column is `later`: drawn from a random stream of its own when
the table itself is created, so an ancestor nobody reads costs its links and keys, not its 60 amounts and
descriptions, and the rows a query sees stay the same whichever tables were built before.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from functools import cached_property

from vgpt2_ext.catalog import Catalog, CatalogObject, Column
from vgpt2_ext.sandbox.values import COMPANY_DOMAINS, ColumnSpec, column_spec

MASTER_KEY = "hqco"  # the company master's key column (Vista's HQCO.HQCo)


@dataclass(frozen=True)
class Link:
    """Child rows copy `parent_columns` of one parent row into `child_columns` (positions in the rows)."""

    parent: str
    child_columns: tuple[int, ...]
    parent_columns: tuple[int, ...]
    optional: bool = False  # every child column is nullable: some rows leave it NULL (a LEFT JOIN misses)
    group: bool = False  # a company's group column from the company master
    also: tuple[tuple[int, int], ...] = ()  # (child, parent) positions of same-named columns copied along


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    keys: tuple[tuple[int, ...], ...]  # unique keys, as column positions
    links: tuple[Link, ...]  # followed in this order (see `_in_order`)
    company: int | None  # position of the row's company column
    rows: int  # rows wanted (fewer when a key runs out of values: there are only so many companies)
    later: tuple[int, ...] = ()  # columns no child copies: drawn when the table itself is created


class DataPlan:
    """The plan for one catalog; specs are worked out on first use, so a 3,000-object catalog costs
    nothing until a query touches it."""

    def __init__(self, catalog: Catalog, rows: int = 30) -> None:
        self.catalog = catalog
        self.rows = rows
        self._specs: dict[str, TableSpec] = {}

    # -- which objects hold rows -------------------------------------------------------------------
    def node_of(self, obj: CatalogObject) -> str:
        """The object whose rows `obj` shows: its base table for a plain view, else itself."""
        return self.catalog.object(obj.base_table).name if obj.base_table else obj.name

    def home(self, node: str) -> str:
        """The name `node`'s table goes by in the database: the first plain view (by name) that shows exactly
        its columns, else the node itself; the node and its other views are views over it. Queries name the
        views (`APTH`, not `bAPTH`), and DuckDB binds a view's 60-100 columns again on every query that reads
        it (1.3 ms a reference, half of a typical query's time), where a table costs nothing."""
        return self._homes.get(node, node)

    @cached_property
    def _homes(self) -> dict[str, str]:
        homes: dict[str, str] = {}
        for view in sorted((obj for obj in self.catalog.objects if obj.base_table), key=lambda obj: obj.name):
            node = self.node_of(view)
            same = [c.lower() for c in view.column_names] == [c.lower() for c in self.catalog.object(node).column_names]
            if same and node not in homes:
                homes[node] = view.name
        return homes

    @cached_property
    def nodes(self) -> tuple[str, ...]:
        return tuple(sorted(obj.name for obj in self.catalog.objects if not obj.base_table and obj.columns))

    # -- the relationship graph ----------------------------------------------------------------------
    @cached_property
    def _edges(self) -> dict[str, list[tuple[str, tuple[str, ...], tuple[str, ...]]]]:
        """child node -> [(parent node, child column names, parent column names)], no duplicates."""
        nodes = {obj.name: self.node_of(obj) for obj in self.catalog.objects}

        def node(name: str) -> str:  # a declared relationship may spell a name its own way
            return nodes.get(name) or self.node_of(self.catalog.object(name))

        edges: dict[str, set] = defaultdict(set)
        for rel in self.catalog.relationships:
            child, parent = node(rel.child), node(rel.parent)
            if child != parent:
                edges[child].add((parent, rel.child_columns, rel.parent_columns))
        return {node: sorted(found) for node, found in edges.items()}

    @cached_property
    def _order(self) -> tuple[dict[str, int], frozenset[tuple[str, str]]]:
        """Each node's position (parents first) and the (child, parent) edges dropped to break cycles."""
        parents = {node: sorted({edge[0] for edge in self._edges.get(node, ())}) for node in self.nodes}
        position: dict[str, int] = {}
        dropped: set[tuple[str, str]] = set()
        state: dict[str, int] = {}  # 1 on the walk's path, 2 placed
        for root in self.nodes:
            if root in state:
                continue
            state[root] = 1
            stack = [(root, iter(parents[root]))]
            while stack:
                node, pending = stack[-1]
                for parent in pending:
                    if state.get(parent) == 1:
                        dropped.add((node, parent))
                    elif parent not in state:
                        state[parent] = 1
                        stack.append((parent, iter(parents[parent])))
                        break
                else:
                    stack.pop()
                    state[node] = 2
                    position[node] = len(position)
        return position, frozenset(dropped)

    def position(self, node: str) -> int:
        return self._order[0][node]

    @cached_property
    def master(self) -> str | None:
        """The company master (HQCO): a node keyed by HQCo alone, the shortest name first."""
        found = [n for n in self.nodes if tuple(k.lower() for k in self.catalog.object(n).key) == (MASTER_KEY,)]
        return min(found, key=lambda n: (len(n), n)) if found else None

    # -- specs -------------------------------------------------------------------------------------
    def spec(self, node: str) -> TableSpec:
        if node not in self._specs:
            self._specs[node] = self._build_spec(node)
        return self._specs[node]

    def requirements(self, nodes: list[str]) -> list[str]:
        """`nodes` and every table their rows copy from, parents first."""
        needed: set[str] = set()
        pending = list(nodes)
        while pending:
            node = pending.pop()
            if node not in needed:
                needed.add(node)
                pending.extend(link.parent for link in self.spec(node).links)
        return sorted(needed, key=self.position)

    def _build_spec(self, node: str) -> TableSpec:
        obj = self.catalog.object(node)
        columns = tuple(column_spec(c, self._typed.get(c.name.lower())) for c in obj.columns)
        index = _positions(obj)
        keys = tuple(dict.fromkeys(tuple(index[n.lower()] for n in key) for key in obj.keys))
        company = _company_position(columns, keys)
        links = [self._link(columns, index, edge) for edge in self._edges.get(node, ())
                 if (node, edge[0]) not in self._order[1]]
        links += self._group_links(node, columns, company)
        ordered = _in_order([link for link in links if link], keys[0] if keys else ())
        keyed = {i for key in keys for i in key}
        later = tuple(i for i, c in enumerate(columns) if i not in keyed and not c.codes
                      and c.domain not in COMPANY_DOMAINS and c.name.lower() not in self._join_names)
        return TableSpec(obj.name, columns, keys, tuple(self._with_also(ordered, columns)), company, self.rows,
                         later)

    def _with_also(self, links: list[Link], columns: tuple[ColumnSpec, ...]) -> list[Link]:
        """Each link also copies the parent's same-named columns that other links join on, so they agree
        (JCJP copies Contract from its JCJM row, and then finds the contract's item in JCCI)."""
        joined = sorted({c for link in links for c in link.child_columns})
        result = []
        for link in links:
            spec = self.spec(link.parent)
            parent_index = {column.name.lower(): i for i, column in enumerate(spec.columns) if i not in spec.later}
            also = tuple((c, parent_index[columns[c].name.lower()]) for c in joined
                         if c not in link.child_columns and columns[c].name.lower() in parent_index
                         and _holds(columns[c], spec.columns[parent_index[columns[c].name.lower()]]))
            result.append(replace(link, also=also))
        return result

    def _link(self, columns: tuple[ColumnSpec, ...], index: dict[str, int],
              edge: tuple[str, tuple[str, ...], tuple[str, ...]]) -> Link | None:
        """The link along one relationship, or None where a child column could not hold the parent's values
        (an untyped report-view column that borrowed another type)."""
        parent, child_names, parent_names = edge
        parent_columns = self.spec(parent).columns
        parent_index = {column.name.lower(): i for i, column in enumerate(parent_columns)}
        if any(n.lower() not in index for n in child_names) or any(n.lower() not in parent_index for n in parent_names):
            return None
        child_pos = tuple(index[n.lower()] for n in child_names)
        parent_pos = tuple(parent_index[n.lower()] for n in parent_names)
        if not all(_holds(columns[c], parent_columns[p]) for c, p in zip(child_pos, parent_pos)):
            return None
        return Link(parent, child_pos, parent_pos, all(columns[i].nullable for i in child_pos))

    def _group_links(self, node: str, columns: tuple[ColumnSpec, ...], company: int | None) -> list[Link]:
        """(company, group) -> the master's (HQCo, group), for each group column the master also has."""
        master = self.master
        if company is None or master is None or node == master or self.position(master) > self.position(node):
            return []
        master_index = _positions(self.catalog.object(master))
        master_company = master_index[MASTER_KEY]
        drawn_later = self.spec(master).later
        links = []
        for i, column in enumerate(columns):
            group = master_index.get(column.name.lower()) if column.domain == "bgroup" else None
            group = None if group in drawn_later else group
            if group is not None:
                optional = columns[company].nullable or column.nullable
                links.append(Link(master, (company, i), (master_company, group), optional, group=True))
        return links

    @cached_property
    def _join_names(self) -> frozenset[str]:
        """Column names (lower) any relationship joins on: a child copies its parent's columns of these names
        (the link's own and, through `Link.also`, same-named ones), so they are drawn with the keys."""
        return frozenset(name.lower() for rel in self.catalog.relationships
                         for name in rel.child_columns + rel.parent_columns)

    @cached_property
    def _typed(self) -> dict[str, Column]:
        """Column name (lower) -> the most common type and domain of the typed columns of that name in the
        catalog's tables (those with a domain first): what an untyped or domain-less column borrows."""
        counts = Counter((column.name.lower(), bool(column.domain), column.sql_type, column.domain or "")
                         for obj in self.catalog.objects if obj.kind == "table"
                         for column in obj.columns if column.sql_type)
        best: dict[str, tuple] = {}
        for (name, *shape), count in counts.items():
            rank = (shape[0], count, tuple(shape))
            best[name] = max(best.get(name, rank), rank)
        return {name: Column(name, sql_type, domain or None) for name, (_, _, (_, sql_type, domain)) in best.items()}


def _in_order(links: list[Link], primary_key: tuple[int, ...]) -> list[Link]:
    """Links that identify the row (all their columns in its primary key) first, then the company's group
    links, then the rest; widest first within each. So APTH takes its company, then that company's vendor
    group, then a vendor of that group."""
    key = set(primary_key)

    def rank(link: Link) -> tuple:
        stage = 0 if set(link.child_columns) <= key else 1 if link.group else 2
        return stage, -len(link.child_columns), link.parent, link.child_columns

    return sorted(links, key=rank)


def _holds(child: ColumnSpec, parent: ColumnSpec) -> bool:
    """Whether every value of `parent` fits `child` (tinyint into int yes, int into tinyint no)."""
    if child.kind != parent.kind:
        return False
    if child.kind == "int":
        return child.bounds[0] <= parent.bounds[0] and parent.bounds[1] <= child.bounds[1]
    if child.kind == "decimal":
        return child.scale >= parent.scale and child.precision - child.scale >= parent.precision - parent.scale
    if child.kind == "text":
        return child.length is None or (parent.length is not None and parent.length <= child.length)
    return True


def _company_position(columns: tuple[ColumnSpec, ...], keys: tuple[tuple[int, ...], ...]) -> int | None:
    """The row's company: the first company column of the primary key, else the first company column."""
    in_key = [i for i in (keys[0] if keys else ()) if columns[i].is_company]
    anywhere = [i for i, c in enumerate(columns) if c.is_company]
    return (in_key or anywhere or [None])[0]


def _positions(obj: CatalogObject) -> dict[str, int]:
    return {column.name.lower(): i for i, column in enumerate(obj.columns)}
