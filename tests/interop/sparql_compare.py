"""Compares two SPARQL JSON result documents as multisets of rows.

    python3 sparql_compare.py A.json B.json

Rows are compared on their values: blank nodes as one placeholder (labels
are local to each store), literals as (lexical form, datatype or language),
a literal without datatype or language as xsd:string (SPARQL 1.1 JSON
results differ there between stores, and Virtuoso still says
"typed-literal"), xsd:double and xsd:float as numbers to 6 significant digits (what
Virtuoso writes in JSON results), and a column named `num` (STR() of a
double) as the double's 16 significant digits (Virtuoso's STR() gives 16,
where the shortest text that reads back as the same double may need 17). Prints the row count, and the first differences when the
answers differ (exit 1).
"""
import collections
import json
import sys

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
# Virtuoso writes these in its JSON results to 6 significant digits ("0.0"
# for "0"): they are compared as numbers, to 6 digits.
FLOATS = {XSD + "double", XSD + "float"}


def term(t, name=""):
    if t is None:
        return None
    if name == "num" and t["value"]:
        return ("number", f"{float(t['value']):.16g}")
    kind = t["type"]
    if kind == "bnode":
        return ("bnode",)
    if kind == "uri":
        return ("uri", t["value"])
    if "xml:lang" in t:
        return ("literal", t["value"], "@" + t["xml:lang"].lower())
    datatype = t.get("datatype", XSD_STRING)
    if datatype in FLOATS:
        return ("literal", float(f"{float(t['value']):.6g}"), datatype)
    return ("literal", t["value"], datatype)


def rows(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    names = doc["head"]["vars"]
    return names, collections.Counter(
        tuple(term(b.get(n), n) for n in names) for b in doc["results"]["bindings"]
    )


def main():
    (names_a, a), (names_b, b) = rows(sys.argv[1]), rows(sys.argv[2])
    if names_a != names_b:
        print(f"columns differ: {names_a} vs {names_b}")
        return 1
    if a == b:
        first = min(a, default=())
        shown = ", ".join(str(t[1]) if t else "" for t in first)[:80]
        print(f"{sum(a.values())} rows equal (first: {shown})")
        return 0
    only_a, only_b = a - b, b - a
    print(f"answers differ: {sum(only_a.values())} rows only in the first, {sum(only_b.values())} only in the second")
    diff = sorted([(repr(r), "<") for r in only_a] + [(repr(r), ">") for r in only_b])
    for row, side in diff[:8]:
        print(f"  {side} {row[:300]}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
