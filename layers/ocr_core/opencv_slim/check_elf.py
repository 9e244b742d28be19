"""Refuse an extension module that Lambda's python3.12 runtime (Amazon Linux 2023) could not load.

python layers/ocr_core/opencv_slim/check_elf.py cv2.abi3.so [...]

The runtime has glibc 2.34 and the libstdc++ of GCC 11 (GLIBCXX_3.4.29, CXXABI_1.3.13). A module built on
a newer system can silently pick up newer symbol versions (memcpy@GLIBC_2.14 is fine, _dl_find_object@
GLIBC_2.35 is not) or a library that is not there. Reads `objdump -p` (binutils): the libraries the
module needs (DT_NEEDED) and the symbol versions it requires from each. Exit status 1 on any violation.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

# the highest version of each versioned interface that Amazon Linux 2023 provides
MAX_VERSIONS = {"GLIBC": (2, 34), "GLIBCXX": (3, 4, 29), "CXXABI": (1, 3, 13)}
# libraries every Linux has; anything else (libstdc++, libgcc_s, libz, ...) must be linked in statically
SYSTEM_LIBRARIES = {
    "libc.so.6",
    "libm.so.6",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
}


def problems(path: Path) -> list[str]:
    """What keeps `path` from loading on Amazon Linux 2023; empty when nothing does."""
    if not path.is_file():
        return ["no such file"]
    argv = ["objdump", "-p", str(path)]  # binutils
    dump = subprocess.run(argv, capture_output=True, text=True, check=True).stdout  # noqa: S603
    found = []
    for lib in re.findall(r"^\s+NEEDED\s+(\S+)$", dump, re.M):
        if lib not in SYSTEM_LIBRARIES:
            found.append(f"needs {lib}, which is not a system library there")
    for required in re.findall(r"^\s+0x[0-9a-f]+ 0x[0-9a-f]+ \d+ (\S+)$", dump, re.M):
        name, _, version = required.rpartition("_")
        limit = MAX_VERSIONS.get(name)
        if limit is None or not re.fullmatch(r"[0-9]+(\.[0-9]+)*", version):
            found.append(f"requires {required}, which Lambda's runtime does not provide")
            continue
        have = tuple(int(part) for part in version.split("."))
        if have > limit:
            found.append(f"requires {name}_{version}, newer than {name}_{'.'.join(map(str, limit))}")
    return found


def main(paths: list[str]) -> int:
    status = 0
    for path in paths:
        found = problems(Path(path))
        for problem in found:
            print(f"{path}: {problem}", file=sys.stderr)
        if found:
            status = 1
        else:
            print(f"{path}: loads on glibc 2.34 / GCC 11 libstdc++ (needs only system libraries)")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
