"""Check a report.json against its JSON Schema and the store's own counts.

usage: python check_report.py REPORT_JSON SCHEMA_JSON STATS_JSON ANALYZE_JSON

REPORT_JSON is `signalgraph report --format json` (or run's report.json),
SCHEMA_JSON is docs/report.schema.json, STATS_JSON `signalgraph stats --json`
and ANALYZE_JSON `signalgraph analyze --json` of the articles projection, both
of the same store. Prints one line per check and `report: N passed, M failed`;
exits 1 on any failure.
"""

import json
import sys

import jsonschema

RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append(bool(ok))
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else ""))


def main():
    report_path, schema_path, stats_path, analyze_path = sys.argv[1:5]
    report = json.load(open(report_path, encoding="utf-8"))
    schema = json.load(open(schema_path, encoding="utf-8"))
    stats = json.load(open(stats_path, encoding="utf-8"))
    analysis = json.load(open(analyze_path, encoding="utf-8"))

    jsonschema.Draft202012Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(report), key=str)
    check("report.json matches docs/report.schema.json", not errors,
          "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5]))

    c = report["collection"]
    check("articles = stats articles.read", c["articles"] == stats["articles"]["read"])
    for key in ["signals", "themes", "keywords", "driving_forces", "sources"]:
        check(f"{key} = stats {key}", c[key] == stats[key], f"{c[key]} vs {stats[key]}")
    check("date range = stats dates", (c["first_date"], c["last_date"]) ==
          (stats["dates"]["first"], stats["dates"]["last"]))

    level = analysis["levels"][0]
    check("clusters = analyze levels[0].clusters", report["analysis"]["clusters"] == level["clusters"])
    q = report["analysis"]["modularity"]
    check("modularity = analyze", q is not None and abs(q - level["modularity"]) < 1e-5,
          f"{q} vs {level['modularity']}")
    sizes = {k["cluster"]: k["size"] for k in analysis["clusters"] if k["level"] == 0}
    listed = [k["cluster"] for k in report["clusters"]]
    check("every stored cluster listed once", sorted(listed) == sorted(sizes),
          f"{sorted(listed)} vs {sorted(sizes)}")
    check("cluster sizes = analyze", all(k["articles"] == sizes.get(k["cluster"]) for k in report["clusters"]))
    ids = {i for k in report["clusters"] for i in k["article_ids"]}
    check("clusters partition the articles", len(ids) == c["articles"] ==
          sum(k["articles"] for k in report["clusters"]))
    ranks = [k["rank"] for k in report["clusters"]]
    check("ranks 1..n, largest first", ranks == list(range(1, len(ranks) + 1)) and
          all(a["articles"] >= b["articles"] for a, b in zip(report["clusters"], report["clusters"][1:])))

    cited = set()

    def walk(value):
        if isinstance(value, dict):
            if "/article/" in str(value.get("iri", "")):
                cited.add(value["id"])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(report)
    check("every cited article is in a cluster", cited <= ids, f"{sorted(cited - ids)[:5]}")

    lineage = report["lineage"]
    starts = [w["start"] for w in lineage["windows"]]
    check("windows in order, each start <= end",
          all(w["start"] <= w["end"] for w in lineage["windows"]) and
          all(a["end"] < b["start"] for a, b in zip(lineage["windows"], lineage["windows"][1:])))
    known = {t["id"] for t in lineage["trends"]}
    check("every trend has one count per window",
          all(len(t["windows"]) == len(starts) for t in lineage["trends"] + report["trends"]))
    check("every cluster trend is in the lineage", {t["id"] for t in report["trends"]} <= known)
    events = lineage["events"]
    check("events dated at their window's start",
          all(e["date"] == starts[e["window"]] for e in events))
    check("events name known trends", all(set(e["from"]) | set(e["to"]) <= known for e in events))
    shapes = {"birth": lambda e: not e["from"] and e["to"], "death": lambda e: e["from"] and not e["to"],
              "merge": lambda e: len(e["from"]) >= 2 and len(e["to"]) == 1,
              "split": lambda e: len(e["from"]) == 1 and len(e["to"]) >= 2}
    check("events have their type's shape", all(shapes[e["type"]](e) for e in events))
    everyone = {i for k in report["clusters"] for i in k["article_ids"]}
    cites = events + report["bursts"]
    check("events and bursts cite their first articles",
          all([a["id"] for a in x["cited"]] == x["article_ids"][:len(x["cited"])] and
              set(x["article_ids"]) <= everyone for x in cites))
    check("bursts strongest first", all(a["weight"] >= b["weight"] for a, b in zip(report["bursts"], report["bursts"][1:])))
    check("trend events point at their events",
          all(t["id"] in events[i]["from"] + events[i]["to"] for t in report["trends"] for i in t["events"]))
    check("each brief cites its own cluster's articles, one sentence per article",
          all(set(b["article"]["id"] for b in k["brief"]) <= set(k["article_ids"]) and
              len({b["article"]["id"] for b in k["brief"]}) == len(k["brief"]) for k in report["clusters"]))
    weak = report["weak_signals"]
    per_cluster = {}
    for w in weak:
        per_cluster[w["signal"]["cluster"]] = per_cluster.get(w["signal"]["cluster"], 0) + 1
    check("weak signals best first, at most 2 per cluster, from recent articles",
          all(a["score"] >= b["score"] for a, b in zip(weak, weak[1:])) and
          all(n <= 2 for n in per_cluster.values()) and
          all((w["signal"]["article"]["date"] or "") >= (report["status_rule"]["recent_since"] or "") for w in weak))
    since = report["since"]
    if since is not None:
        check("since indexes are in range",
              all(i < len(events) for i in since["events"]) and all(i < len(report["bursts"]) for i in since["bursts"]))
        grouped = sorted(a["id"] for g in since["by_trend"] for a in g["articles"])
        check("added articles grouped once each", grouped == sorted(set(since["new_articles"]) & everyone))

    failed = RESULTS.count(False)
    print(f"report: {len(RESULTS) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
