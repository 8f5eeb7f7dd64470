#!/usr/bin/env python3
# Start-up time of commands on a shared machine (docs/cli.md, "Start-up time"): runs them interleaved, A B C A B C ...,
# so a change in the machine's load hits each alike, and prints the median and fastest wall and CPU time of each.
import subprocess, sys, time, statistics, os, resource
# usage: interleave.py N 'label=cmd' ... ; runs the commands interleaved (A B C A B C ...) so load drift hits all alike
n = int(sys.argv[1]); cmds = [a.split('=',1) for a in sys.argv[2:]]
walls = {l: [] for l,_ in cmds}; cpus = {l: [] for l,_ in cmds}
for l,c in cmds: subprocess.run(c, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for i in range(n):
    for l,c in cmds:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN); t0 = time.perf_counter()
        subprocess.run(c, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t1 = time.perf_counter(); r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        walls[l].append((t1-t0)*1000); cpus[l].append((r1.ru_utime-r0.ru_utime+r1.ru_stime-r0.ru_stime)*1000)
for l,_ in cmds:
    w = sorted(walls[l]); c = sorted(cpus[l])
    print(f"{l:28s} wall median {statistics.median(w):6.0f} ms  min {w[0]:6.0f} ms   cpu median {statistics.median(c):6.0f} ms  min {c[0]:6.0f} ms")
print("load", os.getloadavg())
