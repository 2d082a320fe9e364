#!/usr/bin/env python3
"""Writes expected.json: the metrics of graph/analytics computed independently with networkx.

Run from anywhere (only when the graphs or definitions change; CI does not need Python):

    pip install networkx==3.6.1 numpy==2.3.5 scipy==1.16.3   # nx.pagerank needs scipy
    go test ./graph/analytics -run TestViewsFixture -update     # refresh views.json from the seed
    python3 graph/analytics/testdata/gen.py

Graphs: Zachary's karate club (networkx's copy, with its interaction counts as
strength), a path, a star, two triangles with an isolate, parallel edges and a
self-loop, and the seeded IMPACT Campania and Community Building City network
views (views.json, written by the Go test TestViewsFixture).

How the definitions of the Go package are aligned with networkx:
- The Go code sees a subgraph as an undirected simple graph: parallel edges in
  either direction collapse into one edge weighted by the sum of their
  strengths (1 when absent); self-loops are dropped. simple_graph() below does
  the same and hands networkx an nx.Graph with the sum as "weight".
- Betweenness and closeness count hops: weight=None. Closeness uses networkx's
  default wf_improved=True.
- Eigenvector, PageRank and constraint use weight="weight". networkx's default
  tolerances (1e-6) are tightened (eigenvector tol=1e-12, pagerank tol=1e-13)
  so both sides agree well within the 1e-6 the Go test allows.
- nx.constraint gives NaN for an isolate; the Go package gives 0, so NaN is
  written as 0 here.
- Average path length: the mean over all ordered pairs of distinct nodes
  joined by a path (networkx's average_shortest_path_length refuses
  disconnected graphs; on connected ones the two agree, which is asserted);
  diameter: the largest eccentricity over all components.
- Brokerage and bridges have no networkx function; they are recomputed here
  from their definitions (see the Go package documentation).
"""

import json
import math
import os
import sys

import networkx as nx

HERE = os.path.dirname(os.path.abspath(__file__))
PINNED = "3.6.1"


def simple_graph(g):
    """The undirected simple graph of a fixture graph, weights summed."""
    G = nx.Graph()
    for n in g["nodes"]:
        G.add_node(n["id"])
    for e in g["edges"]:
        u, v = e["from"], e["to"]
        if u == v:
            continue
        w = e.get("strength", 1.0)
        if G.has_edge(u, v):
            G[u][v]["weight"] += w
        else:
            G.add_edge(u, v, weight=w)
    return G


def summary(G):
    total, pairs, diameter = 0, 0, 0
    for _, lengths in nx.all_pairs_shortest_path_length(G):
        for d in lengths.values():
            if d > 0:
                total += d
                pairs += 1
                diameter = max(diameter, d)
    apl = total / pairs if pairs else 0.0
    if nx.is_connected(G) and G.number_of_nodes() > 1:
        assert abs(apl - nx.average_shortest_path_length(G)) < 1e-12
        assert diameter == nx.diameter(G)
    return {
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "components": nx.number_connected_components(G),
        "density": nx.density(G),
        "averagePathLength": apl,
        "diameter": diameter,
    }


def brokerage(G, u):
    nb = list(G[u])
    return sum(1 for i, a in enumerate(nb) for b in nb[i + 1:] if not G.has_edge(a, b))


def bridges(g, G):
    label = {n["id"]: n["label"] for n in g["nodes"]}
    partner = {}
    for e in g["edges"]:
        if e["type"] == "PARTNER_IN" and label.get(e["from"]) == "Organization" and label.get(e["to"]) == "Network":
            partner.setdefault(e["from"], set()).add(e["to"])
    out = {}
    for u in G:
        nets = set()
        for v in G[u]:
            if label[v] == "Network":
                nets.add(v)
            elif label[v] == "Organization":
                nets |= partner.get(v, set())
        nets.discard(u)
        out[u] = len(nets)
    return out


def metrics(g):
    G = simple_graph(g)
    bc = nx.betweenness_centrality(G)
    cc = nx.closeness_centrality(G)
    ev = nx.eigenvector_centrality(G, weight="weight", max_iter=100000, tol=1e-12)
    pr = nx.pagerank(G, alpha=0.85, weight="weight", tol=1e-13, max_iter=100000)
    cs = nx.constraint(G, weight="weight")
    br = bridges(g, G)
    out = {}
    for u in sorted(G):
        c = cs[u]
        out[u] = {
            "betweenness": bc[u],
            "closeness": cc[u],
            "eigenvector": ev[u],
            "pagerank": pr[u],
            "constraint": 0.0 if math.isnan(c) else c,
            "brokerage": brokerage(G, u),
            "bridges": br[u],
        }
    return G, out


def path_cases(G, pairs):
    return [
        {"from": s, "to": t, "paths": sorted(nx.all_shortest_paths(G, s, t))}
        for s, t in pairs
    ]


def karate():
    K = nx.karate_club_graph()
    ids = {n: "k%02d" % n for n in K}
    nodes = [{"id": ids[n], "label": "Person", "name": "Member %d" % n, "club": K.nodes[n]["club"]} for n in sorted(K)]
    edges = [{"from": ids[u], "to": ids[v], "type": "KNOWS", "strength": float(d["weight"])} for u, v, d in sorted(K.edges(data=True))]
    return {"name": "karate", "nodes": nodes, "edges": edges}


def path():
    ids = ["a", "b", "c", "d", "e"]
    return {
        "name": "path",
        "nodes": [{"id": i, "label": "Service", "name": i.upper()} for i in ids],
        "edges": [{"from": u, "to": v, "type": "REFERS_TO"} for u, v in zip(ids, ids[1:])],
    }


def star():
    leaves = ["l%d" % i for i in range(1, 6)]
    return {
        "name": "star",
        "nodes": [{"id": "hub", "label": "Network", "name": "Hub"}]
        + [{"id": i, "label": "Organization", "name": i.upper()} for i in leaves],
        "edges": [{"from": i, "to": "hub", "type": "PARTNER_IN"} for i in leaves],
    }


def triangles():
    # Two triangles and an isolate; a-b is joined by two edges (0.5 and 2,
    # opposite directions: weight 2.5) and c has a self-loop, which is dropped.
    return {
        "name": "triangles",
        "nodes": [{"id": i, "label": "Organization", "name": i.upper()} for i in "abcdefz"],
        "edges": [
            {"from": "a", "to": "b", "type": "CONTRIBUTES_TO", "strength": 0.5},
            {"from": "b", "to": "a", "type": "SITS_ON", "strength": 2.0},
            {"from": "b", "to": "c", "type": "SITS_ON"},
            {"from": "c", "to": "a", "type": "SITS_ON"},
            {"from": "c", "to": "c", "type": "SITS_ON", "strength": 7.0},
            {"from": "d", "to": "e", "type": "SITS_ON"},
            {"from": "e", "to": "f", "type": "SITS_ON"},
            {"from": "f", "to": "d", "type": "SITS_ON"},
        ],
    }


def main():
    if nx.__version__ != PINNED:
        sys.exit("networkx %s is installed; the fixtures are made with %s" % (nx.__version__, PINNED))
    with open(os.path.join(HERE, "views.json")) as f:
        views = json.load(f)
    graphs = [karate(), path(), star(), triangles()] + views
    out = {"networkx": nx.__version__, "graphs": []}
    for g in graphs:
        G, m = metrics(g)
        entry = dict(g)
        entry["metrics"] = m
        entry["summary"] = summary(G)
        if g["name"] == "karate":
            clubs = {}
            for n in g["nodes"]:
                clubs.setdefault(n["club"], []).append(n["id"])
            factions = [sorted(v) for _, v in sorted(clubs.items())]
            entry["factionModularity"] = {
                "1": nx.community.modularity(G, factions, weight="weight", resolution=1),
                "0.5": nx.community.modularity(G, factions, weight="weight", resolution=0.5),
                "2": nx.community.modularity(G, factions, weight="weight", resolution=2),
            }
            louvain = nx.community.louvain_communities(G, weight="weight", resolution=1, seed=42)
            entry["louvain"] = {
                "seed": 42,
                "communities": sorted(sorted(c) for c in louvain),
                "modularity": nx.community.modularity(G, louvain, weight="weight"),
            }
            entry["shortestPaths"] = path_cases(G, [("k16", "k26"), ("k00", "k33"), ("k11", "k25"), ("k04", "k05")])
        if g["name"] == "impact-campania":
            entry["shortestPaths"] = path_cases(G, [("net-com-in", "org-comune-di-napoli"), ("org-comune-di-napoli", "terr-IT"), ("org-cidis-onlus", "terr-063049")])
        if g["name"] == "community-building-city":
            entry["shortestPaths"] = path_cases(G, [("org-shannara", "svc-giugliano-servizi-sociali"), ("per-anna-schettini", "svc-giugliano-servizi-sociali")])
        out["graphs"].append(entry)
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
