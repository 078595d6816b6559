#!/usr/bin/env bash
# The shapes against the two hand-written examples beside this script:
# example-valid.ttl must conform, and example-invalid.ttl must fail with one
# result per break it marks "BROKEN" (seven shape violations and one
# undeclared term).
#
#   bash tests/shacl/examples.sh
#
# Exit status: 0 when both behave, 1 otherwise.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

bash "$here/check.sh" "$here/example-valid.ttl"
if out="$(bash "$here/check.sh" "$here/example-invalid.ttl")"; then
    echo "$out"
    echo "examples: example-invalid.ttl conforms, but it must fail" >&2
    exit 1
fi
echo "$out" | tail -n 1
echo "$out" | grep -q "7 violations; vocabulary: .*, 1 undeclared$" || {
    echo "$out"
    echo "examples: example-invalid.ttl must fail with 7 violations and 1 undeclared term" >&2
    exit 1
}
echo "examples: 2 passed, 0 failed"
