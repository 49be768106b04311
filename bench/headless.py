"""A `queuedeck --headless` for the Python benchmarks: a data folder of its own under a
folder on the real disk, a free loopback port learnt from the line it prints, and both
gone when the `with` block ends."""

import contextlib
import re
import shutil
import subprocess
import sys
import tempfile


@contextlib.contextmanager
def headless(binary, parent, prefix, extra_args=()):
    """Yields (process, port). `extra_args` go on the command line (e.g. --worker PATH)."""
    data = tempfile.mkdtemp(prefix=prefix, dir=parent)
    server = subprocess.Popen([binary, "--headless", "--data-dir", data, "--port", "0", *extra_args],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = None
        for line in server.stdout:
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", line)
            if m:
                port = int(m.group(1))
                break
        if port is None:
            sys.exit("the runtime did not start")
        yield server, port
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(data, ignore_errors=True)
