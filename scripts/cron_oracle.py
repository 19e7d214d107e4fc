#!/usr/bin/env python3
"""Next fire times from croniter, the differential-test oracle for Butler's cron expressions.

Reads a JSON list of {"expression", "zone", "start" (ISO 8601 UTC), "count"} on stdin and writes a JSON
list of lists of ISO 8601 UTC instants (second precision) on stdout.
"""
import json
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from croniter import croniter

results = []
for case in json.load(sys.stdin):
    zone = ZoneInfo(case["zone"])
    start = datetime.fromisoformat(case["start"].replace("Z", "+00:00")).astimezone(zone)
    fields = case["expression"].split()
    iterator = croniter(case["expression"], start, second_at_beginning=len(fields) == 6)
    times = []
    for _ in range(case["count"]):
        nxt = iterator.get_next(datetime)
        times.append(nxt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    results.append(times)
json.dump(results, sys.stdout)
