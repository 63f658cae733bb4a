#!/usr/bin/env python3
"""scripts/faults-report.py - the table `make faults` ends with.

    python3 scripts/faults-report.py state/faults/report.jsonl
    python3 scripts/faults-report.py --self-test

Reads the JSON lines fault tests append through BerthTestSupport's FaultsReport (one per
scenario run) and prints a Markdown table: scenario | trials | faults injected (by kind) |
converged | duplicates | unowned touched | journal lines lost, then a totals line. Lines of
the same scenario (a suite run twice) are added up. Exits 1 if any scenario did not
converge or found duplicates, touched unowned resources or lost journal lines; 2 if the
report is missing, empty or unreadable.
"""
import json
import sys


def load(lines):
    """Scenario name -> merged row, in first-seen order. Raises ValueError on a bad line."""
    rows = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            name = item["scenario"]
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"line {number}: not a report line ({error})") from None
        row = rows.setdefault(name, {"trials": 0, "faults": {}, "converged": None, "duplicates": 0,
                                     "unowned": 0, "lost": 0, "seeds": []})
        row["trials"] += int(item.get("trials", 0))
        for kind, count in (item.get("faults") or {}).items():
            row["faults"][kind] = row["faults"].get(kind, 0) + int(count)
        converged = item.get("converged")
        if converged is not None:
            row["converged"] = bool(converged) and row["converged"] is not False
        row["duplicates"] += int(item.get("duplicates", 0))
        row["unowned"] += int(item.get("unowned_touched", 0))
        row["lost"] += int(item.get("journal_lines_lost", 0))
        if item.get("seed") is not None:
            row["seeds"].append(str(item["seed"]))
    return rows


def failed(row):
    return row["converged"] is False or row["duplicates"] or row["unowned"] or row["lost"]


def faults_text(faults):
    return ", ".join(f"{kind} {count}" for kind, count in sorted(faults.items())) or "-"


def render(rows):
    """The Markdown table and the totals line, as a list of lines."""
    out = ["| scenario | trials | faults injected | converged | duplicates | unowned touched | journal lines lost |",
           "| --- | ---: | --- | --- | ---: | ---: | ---: |"]
    total = {"trials": 0, "faults": {}, "duplicates": 0, "unowned": 0, "lost": 0}
    for name, row in rows.items():
        converged = {None: "n/a", True: "yes", False: "**no**"}[row["converged"]]
        label = name + (f" (seed {', '.join(row['seeds'])})" if row["seeds"] else "")
        out.append(f"| {label} | {row['trials']} | {faults_text(row['faults'])} | {converged} | "
                   f"{row['duplicates']} | {row['unowned']} | {row['lost']} |")
        total["trials"] += row["trials"]
        for kind, count in row["faults"].items():
            total["faults"][kind] = total["faults"].get(kind, 0) + count
        for key in ("duplicates", "unowned", "lost"):
            total[key] += row[key]
    bad = [name for name, row in rows.items() if failed(row)]
    verdict = "all converged" if not bad else f"FAILED: {', '.join(bad)}"
    out.append(f"| **total** ({len(rows)} scenarios) | {total['trials']} | {faults_text(total['faults'])} | {verdict} | "
               f"{total['duplicates']} | {total['unowned']} | {total['lost']} |")
    return out


def self_test():
    good = ['{"scenario": "crash: apply", "trials": 34, "faults": {"sigkill": 30}, "converged": true, "duplicates": 0,'
            ' "unowned_touched": 0, "journal_lines_lost": 0, "seed": "7"}',
            '', '{"scenario": "fuzz", "trials": 1000, "faults": {"mutation": 1000}, "converged": null}',
            '{"scenario": "crash: apply", "trials": 2, "faults": {"sigkill": 2}, "converged": true}']
    rows = load(good)
    assert list(rows) == ["crash: apply", "fuzz"], rows
    assert rows["crash: apply"]["trials"] == 36 and rows["crash: apply"]["faults"] == {"sigkill": 32}
    assert not any(failed(r) for r in rows.values())
    table = render(rows)
    assert table[2] == "| crash: apply (seed 7) | 36 | sigkill 32 | yes | 0 | 0 | 0 |", table[2]
    assert table[3] == "| fuzz | 1000 | mutation 1000 | n/a | 0 | 0 | 0 |", table[3]
    assert table[-1].startswith("| **total** (2 scenarios) | 1036 | mutation 1000, sigkill 32 | all converged |"), table[-1]
    # One bad line of a scenario makes it fail, even after good ones.
    rows = load(good + ['{"scenario": "crash: apply", "trials": 1, "converged": false, "duplicates": 1}'])
    assert rows["crash: apply"]["converged"] is False and failed(rows["crash: apply"])
    assert "FAILED: crash: apply" in render(rows)[-1]
    assert failed(load(['{"scenario": "w", "trials": 1, "converged": true, "journal_lines_lost": 2}'])["w"])
    try:
        load(["{not json"])
    except ValueError as error:
        assert "line 1" in str(error)
    else:
        raise AssertionError("a bad line must be refused")
    print("faults-report: self-test passed")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as handle:
            rows = load(handle)
    except (OSError, ValueError) as error:
        print(f"faults-report: {argv[1]}: {error}", file=sys.stderr)
        return 2
    if not rows:
        print(f"faults-report: {argv[1]}: no scenario recorded anything", file=sys.stderr)
        return 2
    print("\n".join(render(rows)))
    return 1 if any(failed(row) for row in rows.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
