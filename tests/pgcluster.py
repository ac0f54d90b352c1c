"""A throwaway PostgreSQL cluster of one's own (initdb, pg_ctl, a private port and folder): what the fault tests and
bench/faults stop and start, never the machine's shared server. Standard library only, so bench scripts import it
without Django."""

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.ports import free_port


def server_programs() -> Path | None:
    """The folder of the newest PostgreSQL server programs installed (Debian: /usr/lib/postgresql/<version>/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    return found[-1].parent if found else None


class Cluster:
    """initdb refuses to run as root, so as root the cluster runs as `postgres`."""

    def __init__(self, *, bin_dir: Path | None = None):
        self.bin = bin_dir or server_programs()
        self.folder = Path(tempfile.mkdtemp(prefix="newsroom-pg-"))
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")
        self.options = f"-p {self.port} -k '' -c listen_addresses=127.0.0.1 -c fsync=off"

    def run(self, *args):
        subprocess.run([*self.as_user, *map(str, args)], check=True, capture_output=True, timeout=60)

    def create(self, name="newsroom"):
        self.run(self.bin / "initdb", "-D", self.folder / "data", "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        self.run(self.bin / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", name)

    def start(self):
        self.run(self.bin / "pg_ctl", "-D", self.folder / "data", "-l", self.folder / "log", "-w", "-o", self.options,
                 "start")  # fmt: skip

    def stop(self, mode="fast"):
        self.run(self.bin / "pg_ctl", "-D", self.folder / "data", "-w", "-m", mode, "stop")

    def url(self, name="newsroom"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def remove(self):
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
