"""Setup and teardown tasks: the edges Airflow adds for them, computed as Airflow computes them, never guessed.

Airflow (2.7+, and 3's task SDK, the same algorithm) marks a task setup (``.as_setup()``, ``@setup``) or teardown
(``.as_teardown(setups=...)``, ``@teardown``; its trigger rule becomes ``all_done_setup_success``), and
``as_teardown(setups=s)`` adds ``s >> teardown``. Used as a context manager (``with s >> t.as_teardown(...):``,
``with my_teardown(my_setup()):``) a setup or teardown task collects the tasks created while it is open and,
when it closes, wires them: the setup before the roots of that work, the work's leaves before the teardown, the
teardown found downstream of a setup (or the setup found upstream of a teardown) joined in the same way, and the
setups / teardowns of nested contexts chained outer >> inner / inner >> outer. ``SetupTeardownContext`` here is
that bookkeeping over the scan's task references (``airflow/utils/setup_teardown.py``, read, not copied):
including its quirks (every context that closes deactivates collection, so tasks created in an outer context
after an inner one closed are not collected, as in Airflow).

Group leaves skip teardowns as Airflow's ``TaskGroup.get_leaves`` does: ``group_leaves``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from converters.inventory.values import DagState, TaskRef

Item = tuple[TaskRef, ...]  # a setup or teardown pushed on the context: one task, or a list of them
MAX_SEARCH_LEVELS = 100  # Airflow searches the graph outwards level by level (and recurses forever on some graphs)


def role(ref: TaskRef) -> str:
    task = ref.dag.tasks.get(ref.task_id)
    return task.role if task is not None else ""


def upstream(ref: TaskRef) -> list[TaskRef]:
    return [TaskRef(ref.dag, u) for u in ref.dag.upstream.get(ref.task_id, [])]


def downstream(ref: TaskRef) -> list[TaskRef]:
    return [TaskRef(ref.dag, t) for t, ups in ref.dag.upstream.items() if ref.task_id in ups]


def _key(item: Item) -> tuple:
    return tuple((id(r.dag), r.task_id) for r in item)


def _same(a: TaskRef, b: TaskRef) -> bool:
    return a.dag is b.dag and a.task_id == b.task_id


def _search(operator: TaskRef, tasks: list[TaskRef], wanted: str) -> Item:
    """The nearest tasks of role ``wanted``: among ``tasks``, else among their neighbours (both ways), outwards."""
    for _ in range(MAX_SEARCH_LEVELS):
        found = tuple(t for t in tasks if role(t) == wanted)
        if found:
            return found
        seen: dict[tuple, TaskRef] = {}
        for task in tasks:
            for other in downstream(task) + upstream(task):
                if not _same(other, operator):
                    seen.setdefault((id(other.dag), other.task_id), other)
        if not seen:
            return ()
        tasks = list(seen.values())
    return ()


class SetupTeardownContext:
    """The open setup/teardown contexts of one file's scan (Airflow keeps the same state on a class)."""

    def __init__(self, link: Callable[[Any, Any], None]) -> None:
        self.link = link
        self.active = False
        self.context_map: dict[tuple, list[TaskRef]] = {}
        self.setup: Item = ()
        self.teardown: Item = ()
        self.teardown_downstream: Item = ()  # the teardowns downstream of the open setup
        self.setup_upstream: Item = ()  # the setups upstream of the open teardown
        self.previous: dict[str, list[Item]] = {"setup": [], "teardown": [], "down": [], "up": []}

    def enter(self, item: Item) -> None:
        if role(item[0]) == "teardown":
            self._push("teardown", item)
            self._replace("up", "setup_upstream", _search(item[0], upstream(item[0]), "setup"))
        elif role(item[0]) == "setup":
            self._push("setup", item)
            self._replace("down", "teardown_downstream", _search(item[0], downstream(item[0]), "teardown"))
        self.active = True

    def task_created(self, ref: TaskRef) -> None:
        """Every task created while a context collects belongs to its work (setups and teardowns are left out
        when the context closes: their role is often given after they are created)."""
        if not self.active:
            return
        for item in (self.setup, self.teardown):
            if item:
                self.context_map.setdefault(_key(item), []).append(ref)

    def exit(self) -> None:
        if self.setup:
            work = self._work(self.setup)
            if work:
                roots = [t for t in work if not upstream(t)]
                self.link(list(self.setup), roots or work[0])
                leaves = [t for t in work if not downstream(t)] or [work[-1]]
                self.link(list(self.teardown) if self.teardown else leaves, list(self.teardown_downstream))
        if self.teardown:
            work = self._work(self.teardown)
            if work:
                leaves = [t for t in work if not downstream(t)]
                self.link(leaves or work[-1], list(self.teardown))
                roots = [t for t in work if not upstream(t)] or [work[0]]
                self.link(list(self.setup_upstream), list(self.setup) if self.setup else roots)
        self._close()
        self.active = False

    def _work(self, item: Item) -> list[TaskRef]:
        return [t for t in self.context_map.get(_key(item), []) if not role(t)]

    def _push(self, kind: str, item: Item) -> None:
        current = getattr(self, kind)
        if current and _key(current) != _key(item):
            self.previous[kind].append(current)
        setattr(self, kind, item)

    def _replace(self, kind: str, attribute: str, found: Item) -> None:
        current = getattr(self, attribute)
        if current and _key(current) != _key(found):
            self.previous[kind].append(current)
        setattr(self, attribute, found)

    def _pop(self, kind: str, attribute: str, outer_first: bool) -> Item:
        old = getattr(self, attribute)
        if not self.previous[kind]:
            setattr(self, attribute, ())
            return old
        restored = self.previous[kind].pop()
        setattr(self, attribute, restored)
        if restored and old:
            self.link(list(restored), list(old)) if outer_first else self.link(list(old), list(restored))
        return old

    def _close(self) -> None:
        """Nested contexts: outer setup >> inner setup, inner teardown >> outer teardown."""
        setup = self._pop("setup", "setup", outer_first=True)
        teardown = self._pop("teardown", "teardown", outer_first=False)
        self._pop("down", "teardown_downstream", outer_first=False)
        self._pop("up", "setup_upstream", outer_first=True)
        self.context_map.pop(_key(setup), None)
        self.context_map.pop(_key(teardown), None)


def group_leaves(dag: DagState, group_id: str) -> list[TaskRef]:
    """A group's leaves as Airflow sees them: a teardown at the end is skipped for the work it tears down."""
    inside = list(dag.groups.get(group_id, []))
    ids = set(inside)
    if not any(role(TaskRef(dag, t)) == "teardown" for t in inside):  # the common case, in linear time
        has_child = {u for t in inside for u in dag.upstream.get(t, []) if u in ids}
        return [TaskRef(dag, t) for t in inside if t not in has_child]

    def has_work_downstream(ref: TaskRef, exclude: str) -> bool:
        return any(d.task_id != exclude and d.task_id in ids and role(d) != "teardown" for d in downstream(ref))

    def first_work(ref: TaskRef, depth: int = 0) -> list[TaskRef]:
        found: list[TaskRef] = []
        for up in upstream(ref):
            if up.task_id not in ids or depth > MAX_SEARCH_LEVELS:
                continue
            if role(up) == "teardown":
                found.extend(first_work(up, depth + 1))
            elif role(ref) == "teardown" and role(up) == "setup":
                continue  # not through the teardown-to-setup path
            elif not has_work_downstream(up, ref.task_id):
                found.append(up)
        return found

    leaves: list[TaskRef] = []
    for task_id in inside:
        ref = TaskRef(dag, task_id)
        if {d.task_id for d in downstream(ref)} & ids:
            continue
        leaves.extend([ref] if role(ref) != "teardown" else first_work(ref))
    return leaves
