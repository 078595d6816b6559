#!/usr/bin/env bash
# The pass/fail tally of the interop shell scripts. Source it, then:
#
#   check NAME OK DETAIL    # OK is 1 (passed) or anything else (failed)
#
# and at the end print "$passed passed, $failed failed".
passed=0 failed=0
check() { # NAME OK DETAIL
    if [ "$2" = 1 ]; then
        passed=$((passed + 1))
        echo "ok   $1: $3"
    else
        failed=$((failed + 1))
        echo "FAIL $1: $3"
    fi
}
