"""Exact network-flow algorithms over integers: the assignment's combinatorial core.

Two algorithms, both on whole numbers (CEUs are scaled to integer units of the
data's grain before they get here), both deterministic: every choice follows
the order in which nodes and edges were added, never hash order.

* :func:`transport` fills the minimums of one layer (core or specialty) from
  classes of interchangeable records: a bipartite max-flow that gives the
  earliest minimum as much as it can take, then the next, and so on (the greedy
  that reaches the lexicographically largest fill of a polymatroid), rerouting
  along augmenting paths so that no earlier minimum ever loses CEUs.
* :class:`Network` is a min-cost flow solved by successive shortest paths from
  an optimal start. Costs are Python integers; lexicographic objectives are
  folded into one integer by weights (see ``_assign``).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Sequence


def transport(
    supplies: Sequence[int], serves: Sequence[Sequence[int]], caps: Sequence[int]
) -> list[dict[int, int]]:
    """How much each class gives to each sink, filling sinks in order.

    ``supplies[c]`` is what class ``c`` can give, ``serves[c]`` the sinks it may
    give to (indices into ``caps``, each sink's capacity). The result, per class,
    maps sink -> amount; it is a maximum flow whose vector of sink fills is the
    lexicographically largest in sink order.
    """
    flow: list[dict[int, int]] = [{} for _ in supplies]
    left = list(supplies)
    givers: list[list[int]] = [[] for _ in caps]  # per sink, the classes that may give to it
    for c, sinks in enumerate(serves):
        for k in sinks:
            givers[k].append(c)
    for k, cap in enumerate(caps):
        need = cap
        # Direct gifts first, earliest class first: no rerouting needed.
        for c in givers[k]:
            if need == 0:
                break
            if left[c]:
                share = min(left[c], need)
                flow[c][k] = flow[c].get(k, 0) + share
                left[c] -= share
                need -= share
        while need and (path := _augmenting_path(k, left, flow, serves, givers)):
            need -= _augment(path, need, k, left, flow)
    return flow


def _augmenting_path(
    target: int,
    left: list[int],
    flow: list[dict[int, int]],
    serves: Sequence[Sequence[int]],
    givers: Sequence[Sequence[int]],
) -> list[tuple[int, int]] | None:
    """A shortest path ``class -> sink -> class -> ... -> target``, backwards from ``target``.

    Read from the target: a class that serves ``target`` either has supply left
    (the path ends there) or gives to another sink ``j``, whose share another
    class that serves ``j`` could take over. Returns the (class, sink) steps from
    the class with supply to ``target``: class -> sink is a new gift; the
    previous step's sink is the one the class stops giving to.
    """
    # BFS over sinks, starting at the target: reach classes that serve a sink.
    came: dict[int, tuple[int, int]] = {}  # class -> (sink it would give to, next class or -1)
    seen_sinks = {target}
    frontier: deque[tuple[int, int]] = deque([(target, -1)])
    while frontier:
        sink, then = frontier.popleft()
        for c in givers[sink]:
            if c in came:
                continue
            came[c] = (sink, then)
            if left[c]:
                path = []
                node = c
                while node != -1:
                    sink_of, nxt = came[node]
                    path.append((node, sink_of))
                    node = nxt
                return path
            for j in serves[c]:  # c could give less to j, if someone else takes over j
                if j not in seen_sinks and flow[c].get(j, 0):
                    seen_sinks.add(j)
                    frontier.append((j, c))
    return None


def _augment(
    path: list[tuple[int, int]], need: int, target: int, left: list[int], flow: list[dict[int, int]]
) -> int:
    """Push along ``path``; return how much was pushed."""
    first = path[0][0]
    amount = min(need, left[first])
    # Each later class stops giving to the sink the previous class now gives to.
    for (_, sink), (c, _) in itertools.pairwise(path):
        amount = min(amount, flow[c][sink])
    for n, (c, sink) in enumerate(path):
        flow[c][sink] = flow[c].get(sink, 0) + amount
        if n:
            released = path[n - 1][1]
            flow[c][released] -= amount
            if not flow[c][released]:
                del flow[c][released]
    left[first] -= amount
    assert path[-1][1] == target
    return amount


class Network:
    """A min-cost flow network on integers, solved by successive shortest paths.

    Edges are added in pairs (forward, residual). :meth:`push` moves flow along
    an edge before solving, to start from a known flow; :meth:`improve` then
    augments along cheapest source-to-sink paths while they cost less than
    nothing. Successive shortest paths keep a flow that is cheapest for its
    value, provided the start is (no negative-cost cycle in its residual graph).
    """

    def __init__(self) -> None:
        self.nodes = 0
        self.head: list[int] = []  # edge e goes to head[e]
        self.cap: list[int] = []  # residual capacity of e
        self.cost: list[int] = []
        self.out: list[list[int]] = []  # per node, its edges in the order added

    def node(self) -> int:
        self.out.append([])
        self.nodes += 1
        return self.nodes - 1

    def edge(self, tail: int, head: int, cap: int, cost: int = 0) -> int:
        """Add ``tail -> head``; return its index (its residual twin is ``index ^ 1``)."""
        e = len(self.head)
        self.head += [head, tail]
        self.cap += [cap, 0]
        self.cost += [cost, -cost]
        self.out[tail].append(e)
        self.out[head].append(e + 1)
        return e

    def push(self, e: int, amount: int) -> None:
        self.cap[e] -= amount
        self.cap[e ^ 1] += amount

    def flow(self, e: int) -> int:
        return self.cap[e ^ 1]

    def improve(self, source: int, sink: int) -> None:
        """Augment along cheapest paths from ``source`` to ``sink`` while they cost < 0."""
        while True:
            found = self._cheapest_path(source, sink)
            if found is None:
                return
            distance, via = found
            if distance >= 0:
                return
            amount = None
            v = sink
            while v != source:
                e = via[v]
                amount = self.cap[e] if amount is None else min(amount, self.cap[e])
                v = self.head[e ^ 1]
            assert amount
            v = sink
            while v != source:
                e = via[v]
                self.push(e, amount)
                v = self.head[e ^ 1]

    def _cheapest_path(self, source: int, sink: int) -> tuple[int, list[int]] | None:
        """Bellman-Ford with a queue (SPFA); the residual graph has no negative cycle."""
        dist: list[int | None] = [None] * self.nodes
        via = [-1] * self.nodes
        dist[source] = 0
        queued = [False] * self.nodes
        queue = deque([source])
        queued[source] = True
        head, cap, cost, out = self.head, self.cap, self.cost, self.out
        while queue:
            u = queue.popleft()
            queued[u] = False
            du = dist[u]
            assert du is not None
            for e in out[u]:
                if cap[e] > 0:
                    v = head[e]
                    d = du + cost[e]
                    dv = dist[v]
                    if dv is None or d < dv:
                        dist[v] = d
                        via[v] = e
                        if not queued[v]:
                            queued[v] = True
                            queue.append(v)
        found = dist[sink]
        return None if found is None else (found, via)
