"""Compares a run of moto's suite (pytest's junit XML) with results.tsv.

results.tsv lists every test of moto 5.2.1's IAM and STS suites that does
not pass against Keyward, with why: its category and a note (for a moto
quirk, the AWS documentation that shows Keyward's answer is AWS's).
Usage: categorize.py JUNIT_XML RESULTS_TSV [--dump]

It prints the counts by category and every difference: a test that fails
but is not listed (new failure), and a listed test that now passes.
With --dump it prints every failing test with the first line of its error.
"""
import collections
import sys
import xml.etree.ElementTree as ET


def outcomes(path):
    out = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("classname", "").replace(".", "/") + ".py::" + case.get("name")
        state, msg = "passed", ""
        for tag in ("failure", "error", "skipped"):
            el = case.find(tag)
            if el is not None:
                state = "skipped" if tag == "skipped" else "failed"
                msg = (el.get("message") or "").splitlines()[0:1]
                msg = msg[0] if msg else ""
                break
        out[name] = (state, msg)
    return out


def listed(path):
    rows = {}
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            test, category, note = (line.rstrip("\n").split("\t") + ["", ""])[:3]
            rows[test] = (category, note)
    return rows


def main():
    got = outcomes(sys.argv[1])
    if "--dump" in sys.argv:
        for t, (state, msg) in sorted(got.items()):
            if state == "failed":
                print(f"{t}\t{msg[:300]}")
        return 0
    want = listed(sys.argv[2])
    counts = collections.Counter(state for state, _ in got.values())
    print("tests:", len(got), dict(counts))
    cats = collections.Counter()
    bad = 0
    for t, (state, msg) in sorted(got.items()):
        if state != "failed":
            if t in want and state == "passed":
                print("listed but passes now:", t)
                bad += 1
            continue
        if t not in want:
            print("failure not listed:", t, "--", msg[:200])
            bad += 1
            continue
        cats[want[t][0]] += 1
    for c, n in cats.most_common():
        print(f"  {n:4d} {c}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
