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

    failed = RESULTS.count(False)
    print(f"report: {len(RESULTS) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
