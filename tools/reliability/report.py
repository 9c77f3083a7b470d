"""Writes docs/reliability.md from what one run of the reliability suite measured.

Reads the figures each fault IT wrote to target/reliability/*.tsv, the test results in
target/surefire-reports and target/failsafe-reports, and the suite's Maven log (for the lines the
fuzz test prints). Called by tools/reliability/run; exits 1 when any test of the suite failed or did
not run, so the run fails too.
"""
import argparse
import glob
import os
import platform
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

# (issue item, what is faulted, test class, figure files, what the test requires)
ITEMS = [
    ("1", "Worker crashes", "tenshot.reliability.WorkerCrashesIT", ["worker-crashes"],
     "SIGKILL a worker at a seeded random moment during TRAIN, GENERATE or SCORE (never on a job's last attempt), "
     "a fresh worker after each kill: every run succeeds, 0 jobs lost, every kill in the attempt history as "
     "`lease_expired`, each killed training resumed from its newest stored checkpoint or later, 0 artifacts "
     "written twice."),
    ("2", "Resume is exact", "tenshot.reliability.KilledTrainingResumesExactlyTest", [],
     "`tenshot train` killed with SIGKILL between checkpoints and resumed writes the uninterrupted run's LoRA "
     "and images, byte for byte."),
    ("3", "API restarts", "tenshot.reliability.ApiRestartsIT", ["api-restarts"],
     "The API process killed and restarted while runs train, one SSE client per run: every run succeeds; every "
     "client, reconnecting with `Last-Event-ID`, ends with a fresh client's state; no job version seen out of order."),
    ("4", "Database goes away", "tenshot.reliability.DatabaseOutageIT", ["database-outage"],
     "A throwaway PostgreSQL cluster stopped mid-run: every API answer while it is down is a 503 problem "
     "document within 10 s; no attempt fails (kept or given back); the run succeeds once it is back."),
    ("5", "Artifact write failures", "tenshot.reliability.ArtifactWriteFailuresIT",
     ["artifact-write-store-throws", "artifact-write-disk-full"],
     "Every store write throws, or the store's disk is full, while a run trains: the attempt fails with a reason "
     "naming the store folder or the full disk, the job is retried and succeeds after the repair, and no file "
     "the store showed while broken changes later."),
    ("6", "Malformed input at scale", "tenshot.studio.fuzz.MalformedInputFuzzTest", [],
     "A seeded fuzz run over every upload and JSON endpoint: every answer below 500, refused requests change "
     "nothing, accepted ones are stored exactly."),
    ("7", "Load", "tenshot.reliability.ApiLoadIT", ["api-load"],
     "One worker runs a run; 50 SSE clients follow it and 20 clients poll the API: p99 latency under 200 ms."),
]


def test_results(class_name):
    """(verdict, seconds, messages) of one test class from its surefire or failsafe report."""
    for folder in ("target/failsafe-reports", "target/surefire-reports"):
        path = os.path.join(folder, "TEST-%s.xml" % class_name)
        if not os.path.exists(path):
            continue
        suite = ET.parse(path).getroot()
        tests, failures = int(suite.get("tests", 0)), int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        messages = []
        for case in suite.iter("testcase"):
            for problem in list(case.findall("failure")) + list(case.findall("error")) + list(case.findall("skipped")):
                text = (problem.get("message") or problem.text or "").strip().splitlines()
                kind = "skipped" if problem.tag == "skipped" else "failed"
                messages.append("%s %s: %s" % (case.get("name"), kind, text[0][:300] if text else ""))
        if tests == 0:
            verdict = "did not run"
        elif failures:
            verdict = "**FAILED** (%d of %d)" % (failures, tests)
        elif skipped:
            verdict = "passed %d, skipped %d" % (tests - skipped, skipped)
        else:
            verdict = "passed" if tests == 1 else "passed (%d tests)" % tests
        return verdict, float(suite.get("time", 0)), messages
    return "did not run", 0.0, []


def figures(name):
    path = os.path.join("target/reliability", name + ".tsv")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n").split("\t", 1) for line in f if "\t" in line]


def fuzz_line(log):
    if not os.path.exists(log):
        return None
    with open(log, errors="replace") as f:
        found = re.findall(r"fuzz seed \d+: \d+ requests in [0-9.]+ s, answers by status: \{[^}]*\}", f.read())
    return found[-1] if found else None


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    return 0


def cell(text):
    return str(text).replace("|", "\\|")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--started", required=True)
    parser.add_argument("--finished", required=True)
    parser.add_argument("--load-before", required=True)
    parser.add_argument("--load-after", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--command", required=True)
    args = parser.parse_args()

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    out = []
    out.append("# Reliability figures\n")
    out.append("What the fault suite of issue 15 measured in its last full run. Every figure below was written by the "
               "test that measured it (`target/reliability/*.tsv`) and copied here by `tools/reliability/report.py`; "
               "nothing is typed in by hand. Regenerate with:\n")
    out.append("```\n%s\n```\n" % args.command)
    out.append("The suite runs the packaged studio (`target/quarkus-app`) as separate API and worker processes on "
               "loopback ports against the test database (item 4: a throwaway cluster of its own). Counts are system "
               "properties with the full counts as defaults (`tenshot.reliability.kills`, `.crash-runs`, `.restarts`, "
               "`.crash-train-steps`, `.restart-runs`, `.db-down-seconds`, `.sse-clients`, `.pollers`, `.poll-ms`, `.load-seconds`, `.load-train-steps`, `.load-warmup-seconds`). "
               "`mvn verify` runs the quick subset instead: `ResumeOnAnotherHostIT` (one crash and resume), "
               "`ApiRestartSseIT` (one API restart with SSE resume), `KilledTrainingResumesExactlyTest` and "
               "`MalformedInputFuzzTest`.\n")
    out.append("## Run\n")
    out.append("| | |\n| --- | --- |")
    out.append("| started (UTC) | %s |" % args.started)
    out.append("| finished (UTC) | %s |" % args.finished)
    out.append("| commit | %s |" % (commit or "unknown"))
    uname = subprocess.run(["uname", "-a"], capture_output=True, text=True).stdout.strip() or " ".join(platform.uname())
    out.append("| machine | `%s` |" % cell(uname))
    out.append("| CPU | %s, %d cores |" % (cell(cpu_model()), os.cpu_count()))
    out.append("| memory | %.0f GiB |" % memory_gib())
    out.append("| load average (1, 5, 15 min) before / after | %s / %s |" % (args.load_before, args.load_after))
    out.append("")
    out.append("The machine is shared: other builds ran beside the suite, so the load average above is part of "
               "every timing below.\n")

    out.append("## Summary\n")
    out.append("| # | fault | test | result | time (s) |")
    out.append("| --- | --- | --- | --- | --- |")
    all_passed = True
    details = []
    for number, fault, test, files, requirement in ITEMS:
        verdict, seconds, messages = test_results(test)
        if not verdict.startswith("passed"):
            all_passed = False
        out.append("| %s | %s | `%s` | %s | %.0f |" % (number, fault, test.rsplit(".", 1)[1], verdict, seconds))
        details.append((number, fault, test, files, requirement, verdict, messages))
    out.append("")

    for number, fault, test, files, requirement, verdict, messages in details:
        out.append("## %s. %s\n" % (number, fault))
        out.append("Requires: %s\n" % requirement)
        out.append("Result: %s.\n" % verdict)
        for message in messages:
            out.append("- %s" % cell(message))
        if messages:
            out.append("")
        for name in files:
            rows = figures(name)
            if len(files) > 1:
                out.append("`%s`:\n" % name)
            if not rows:
                out.append("(no figures recorded)\n")
                continue
            out.append("| figure | measured |\n| --- | --- |")
            for figure, value in rows:
                out.append("| %s | %s |" % (cell(figure), cell(value)))
            out.append("")
        if test.endswith("MalformedInputFuzzTest"):
            line = fuzz_line(args.log)
            out.append("Measured: %s\n" % (cell(line) if line else "(its summary line was not in the log)"))
    sys.stdout.write("\n".join(out).rstrip() + "\n")
    return 0 if all_passed else 1


if __name__ == "__main__":
    sys.exit(main())
