"""Run an aegisthus plan on Spark: one task per unit (or per small group of
units), then `aegisthus commit`.

    aegisthus plan INPUT... --out plan.json --now 2024-06-01T00:00:00Z
    spark-submit --master yarn --files bin/aegisthus \\
        deploy/spark/aegisthus_spark.py --plan plan.json --out s3://bucket/export

Spark schedules the tasks, retries a failed one (spark.task.maxFailures; on a
local master give the attempts in the master URL, local[2,4], since local mode
retries nothing otherwise) and may run speculative copies: each task runs
`aegisthus export --plan P --units ...`, which commits every unit's part whole
under its final name and keeps the parts an earlier attempt committed, so a
retried or duplicated task never leaves a duplicate or a half part. The driver
then runs `aegisthus commit`, which checks every unit and writes _manifest.json
and _SUCCESS. A second submission of the same plan and output runs only the
units still missing (aegisthus status).

The aegisthus binary comes from --files (SparkFiles), or --binary for a path
every node has. The plan file is shipped to the executors with addFile when it
is local; an s3:// plan is read by each task. Arguments after "--" go to every
aegisthus command (S3 connection flags such as --s3-endpoint); credentials come
from the environment (instance roles, IRSA, AWS_* variables).
"""

import argparse
import json
import os
import signal
import stat
import subprocess
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--plan", required=True, help="plan file (local path or s3://)")
    p.add_argument("--out", required=True, help="output directory or s3:// prefix (as every executor sees it)")
    p.add_argument("--binary", default="", help="aegisthus on every node (default: the one shipped with --files)")
    p.add_argument("--units-per-task", type=int, default=1,
                   help="units per Spark task, grouped by bytes (default 1: one task per unit)")
    p.add_argument("--workers", type=int, default=1,
                   help="aegisthus --workers in each task (match spark.task.cpus)")
    p.add_argument("--no-commit", action="store_true", help="leave `aegisthus commit` to a later step")
    p.add_argument("extra", nargs="*", help="after --: flags for every aegisthus command (S3 connection)")
    return p.parse_args(argv)


def binary_path(given):
    """The aegisthus binary here: --binary, or the file shipped with --files."""
    if given:
        return given
    from pyspark import SparkFiles
    path = SparkFiles.get("aegisthus")
    if not os.path.exists(path):
        raise RuntimeError("no aegisthus binary: ship it with spark-submit --files path/to/aegisthus, or give --binary")
    mode = os.stat(path).st_mode
    if not mode & stat.S_IXUSR:
        os.chmod(path, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def groups_by_bytes(pending, per_task):
    """Units into tasks of about per_task units each, balanced by bytes:
    largest first onto the lightest task."""
    if per_task <= 1:
        return [[u["unit"]] for u in sorted(pending, key=lambda u: (-u["bytes"], u["unit"]))]
    n = max(1, -(-len(pending) // per_task))
    tasks = [[0, i, []] for i in range(n)]
    for u in sorted(pending, key=lambda u: (-u["bytes"], u["unit"])):
        t = min(tasks, key=lambda t: (t[0], t[1]))
        t[0] += max(u["bytes"], 1)
        t[2].append(u["unit"])
    return [sorted(t[2]) for t in tasks if t[2]]


def run_units(units, cfg):
    """One Spark task: aegisthus export --plan --units. A failure raises, and
    Spark runs the task again."""
    from pyspark import SparkFiles, TaskContext
    binary = binary_path(cfg["binary"])
    plan = cfg["plan"] if cfg["plan_url"] else SparkFiles.get(cfg["plan_name"])
    cmd = [binary, "export", "--plan", plan, "--out", cfg["out"], "--units", ",".join(map(str, units)),
           "--workers", str(cfg["workers"]), "--log-format", "json"] + cfg["extra"]
    env = dict(os.environ)
    kill_after = None
    # Test hook (make test-spark): the first task to get here anywhere has its
    # aegisthus killed with SIGKILL mid-unit, once; Spark must retry the task.
    marker = os.environ.get("AEGISTHUS_SPARK_TEST_KILL", "")
    if marker:
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            os.write(fd, ("units %s\n" % ",".join(map(str, units))).encode())
            os.close(fd)
            env["AEGISTHUS_TEST_STALL"] = "30s"  # each part waits before its commit
            kill_after = 2.0
        except FileExistsError:
            pass
    start = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if kill_after is not None:
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate()
    tc = TaskContext.get()
    attempt = tc.attemptNumber() if tc else 0
    if proc.returncode != 0:
        tail = err.decode(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError("aegisthus export --units %s (attempt %d) exited %d: %s"
                           % (",".join(map(str, units)), attempt, proc.returncode, " | ".join(tail)))
    return {"units": units, "attempt": attempt, "seconds": round(time.time() - start, 3)}


def aegisthus(binary, args, check=True):
    r = subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and r.returncode != 0:
        sys.stderr.write(r.stderr.decode(errors="replace"))
        sys.stderr.write(r.stdout.decode(errors="replace"))
        raise SystemExit(r.returncode)
    return r


def main(argv):
    args = parse_args(argv)
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.appName("aegisthus").getOrCreate()
    sc = spark.sparkContext
    binary = binary_path(args.binary)
    plan_url = args.plan.startswith("s3://")
    plan = args.plan if plan_url else os.path.abspath(args.plan)
    if not plan_url:
        sc.addFile(plan)
    status = json.loads(aegisthus(binary, ["status", "--plan", plan, "--out", args.out, "--json"] + args.extra).stdout)
    pending = status.get("pending") or []
    tasks = groups_by_bytes(pending, args.units_per_task)
    print("aegisthus: plan %s: %d units, %d to run in %d tasks" % (status["plan"], status["units"], len(pending), len(tasks)),
          file=sys.stderr)
    cfg = {"binary": args.binary, "plan": plan, "plan_url": plan_url, "plan_name": os.path.basename(plan),
           "out": args.out, "workers": args.workers, "extra": args.extra}
    if tasks:
        done = sc.parallelize(tasks, len(tasks)).map(lambda units: run_units(units, cfg)).collect()
        retried = [d for d in done if d["attempt"] > 0]
        print("aegisthus: %d tasks done, %d of them on a retry" % (len(done), len(retried)), file=sys.stderr)
    if not args.no_commit:
        r = aegisthus(binary, ["commit", "--plan", plan, "--out", args.out] + args.extra)
        sys.stdout.write(r.stdout.decode(errors="replace"))
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
