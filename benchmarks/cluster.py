"""A PostgreSQL server of the run's own: a new cluster in a temporary folder, on a free loopback
port, that the run may stop and start at will and that is stopped and deleted however the run
ends. The server other people use is never touched.

initdb and postgres refuse to run as root: run as root, they are run as the ``postgres`` user
(with the folder handed to it); run as anyone else, as that user."""

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.servers import HOST, free_port

SUPERUSER = "postgres"
COMMAND_SECONDS = 120
INSTALL_HINT = (
    "The PostgreSQL server programs (initdb, pg_ctl) are not found: on Debian or Ubuntu, "
    "`sudo apt-get install postgresql`, or set PG_BIN to the folder that holds them."
)
# The cluster's data is thrown away when the run ends: nothing needs to survive a crash of the
# machine, so it is written without waiting for the disk.
SERVER_OPTIONS = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")


def server_programs() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: ``PG_BIN``, else the ``PATH``'s, else the
    newest of Debian's ``/usr/lib/postgresql/<version>/bin``."""
    candidates = [os.environ.get("PG_BIN", "")]
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(Path(path).parent.name.split(".")[0]), reverse=True
    )
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


class PrivateCluster:
    """``with PrivateCluster(server_programs()) as cluster:`` a running PostgreSQL server at
    ``cluster.port``, reached as ``postgres`` without a password from loopback only; ``stop()``
    and ``start()`` take it down and bring it back with its data. Stopped and deleted on the way
    out."""

    def __init__(self, programs: Path) -> None:
        self.programs = programs
        self.port = 0
        self.folder: Path | None = None
        self.data = self.log = Path()
        self.running = False
        # postgres will not run as root; it runs as its own user, which must own the folder.
        self.run_as = SUPERUSER if os.geteuid() == 0 else None

    def url(self, database: str) -> str:
        return f"postgres://{SUPERUSER}@{HOST}:{self.port}/{database}"

    def __enter__(self) -> "PrivateCluster":
        try:
            self.create()
            self.start()
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()

    def _run(self, program: str, *arguments: str) -> str:
        command = [str(self.programs / program), *arguments]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        finished = subprocess.run(  # noqa: S603 - our own command line
            command, capture_output=True, text=True, timeout=COMMAND_SECONDS, check=False, cwd=self.folder
        )
        if finished.returncode != 0:
            output = finished.stdout + finished.stderr
            raise RuntimeError(f"{program} failed with status {finished.returncode}:\n{output}")
        return finished.stdout

    def create(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="expo-soak-postgresql-"))
        self.data, self.log = self.folder / "data", self.folder / "server.log"
        if self.run_as:
            user = pwd.getpwnam(self.run_as)
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self.port = free_port()
        self._run(
            "initdb",
            f"--pgdata={self.data}",
            f"--username={SUPERUSER}",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )

    def start(self) -> float:
        """Start the server and wait until it accepts connections; the seconds that took."""
        started = time.monotonic()
        options = " ".join(
            [
                f"-p {self.port}",
                f"-c listen_addresses={HOST}",
                # The socket goes in the cluster's folder, not the shared server's /var/run/postgresql.
                f"-c unix_socket_directories={self.folder}",
                *SERVER_OPTIONS,
            ]
        )
        try:
            self._run("pg_ctl", "start", "--wait", f"--pgdata={self.data}", f"--log={self.log}", f"--options={options}")
        except RuntimeError as error:
            # pg_ctl only says that the server did not start; its log says why.
            raise RuntimeError(f"{error}\n{self.log_tail()}") from None
        self.running = True
        return time.monotonic() - started

    def stop(self, mode: str = "fast") -> float:
        """Stop the server (``fast``: open sessions are ended, as a service restart does); the
        seconds that took."""
        started = time.monotonic()
        self._run("pg_ctl", "stop", "--wait", f"--pgdata={self.data}", f"--mode={mode}")
        self.running = False
        return time.monotonic() - started

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def remove(self) -> None:
        """Stop the server if it runs, and delete the folder."""
        # A server whose start failed half-way may run all the same: its pid file says so.
        if self.folder is not None and (self.running or (self.data / "postmaster.pid").exists()):
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self.stop(mode="immediate")
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
