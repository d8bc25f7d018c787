"""The machine a benchmark ran on, for its result file (shared by the bench/*_report.py scripts)."""

import os
import platform


def machine(note):
    cpuinfo = open("/proc/cpuinfo").read()
    model = next((l.split(":", 1)[1].strip() for l in cpuinfo.splitlines() if l.startswith("model name")), "")
    mem_kib = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
    return {
        "cpu_model": model,
        "cores": os.cpu_count(),
        "virtualized": " hypervisor" in cpuinfo,
        "memory_gib": round(mem_kib / 2**20, 3),
        "kernel": f"{platform.system()} {platform.release()} {platform.machine()}",
        "note": note,
    }
