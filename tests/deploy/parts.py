"""The parts of a deployment of several machines, started on 127.0.0.1 from the
files `deploy/` ships: nginx as the load balancer, PgBouncer, gunicorn web servers
and job workers. Each part runs in a process group of its own and stops by itself
at the end of the test. The files are used as shipped, with only their addresses
and paths changed (`shipped`): a change to a file that the rehearsal no longer
finds fails it."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.net import free_port
from tests.processes import stop_group

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def shipped(name: str, changes: dict[str, str]) -> str:
    """deploy/`name`, with each production value in `changes` replaced by this
    machine's; every one must be in the file."""
    text = (DEPLOY / name).read_text()
    for old, new in changes.items():
        assert old in text, f"deploy/{name} no longer holds {old!r}"
        text = text.replace(old, new)
    return text


def wait_for_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def run_as() -> list[str]:
    """PgBouncer will not run as root; as root, it is told to be `nobody`."""
    return ["-u", "nobody"] if os.geteuid() == 0 else []


class Part:
    """A process of the deployment, its output in a log file."""

    def __init__(self, name: str, folder: Path):
        self.name, self.folder, self.process = name, folder, None
        self.log = folder / f"{name}.log"

    def popen(self, args, env=None, **options) -> subprocess.Popen:
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True, **options)
        return self.process

    def listening(self, port: int) -> None:
        """Wait for the part to listen on `port`; stop it if it never does."""
        try:
            wait_for_port(port)
        except RuntimeError:
            self.stop()
            raise RuntimeError(f"{self.name} did not start:\n{self.output()}") from None

    def stop(self, sig=signal.SIGTERM) -> float:
        if self.process is None or self.process.poll() is not None:
            return 0.0
        return stop_group(self.process, sig)

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def log_since(self, offset: int) -> str:
        with self.log.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        if self.process is not None and self.process.returncode not in (0, -15, -9):
            print(f"{self.name} ended with {self.process.returncode}:\n{self.output()}")


class PgBouncer(Part):
    def __init__(self, folder: Path, *, database: str, user: str, password: str):
        super().__init__("pgbouncer", folder)
        self.port = free_port()
        conf = folder / "pgbouncer"
        conf.mkdir(mode=0o755)
        (conf / "userlist.txt").write_text(f'"{user}" "{password}"\n')
        (conf / "pgbouncer.ini").write_text(shipped("pgbouncer/pgbouncer.ini", {
            "dbname=intercessors": f"dbname={database}",
            "listen_addr = 10.0.0.20": "listen_addr = 127.0.0.1",
            "listen_port = 6432": f"listen_port = {self.port}",
            "/etc/pgbouncer/userlist.txt": str(conf / "userlist.txt"),
            "/var/log/postgresql/pgbouncer.log": str(conf / "pgbouncer.log"),
            "/var/run/postgresql/pgbouncer.pid": str(conf / "pgbouncer.pid"),
        }))
        for path in conf.iterdir():
            path.chmod(0o644)
        conf.chmod(0o777)  # its log and pid file, as `nobody`
        self.popen(["pgbouncer", *run_as(), str(conf / "pgbouncer.ini")])
        self.listening(self.port)


class Nginx(Part):
    def __init__(self, folder: Path, *, app_ports: list[int], server_name: str,
                 extra_changes: dict[str, str] | None = None):
        super().__init__("nginx", folder)
        self.port, self.plain_port = free_port(), free_port()
        home = folder / "nginx"
        home.mkdir(mode=0o755)
        cert, key = home / "cert.pem", home / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-days", "1", "-subj", f"/CN={server_name}", "-keyout", str(key),
             "-out", str(cert)], check=True, capture_output=True, timeout=30)
        site = shipped("nginx/intercessors.conf", {
            "server 10.0.0.11:8000": f"server 127.0.0.1:{app_ports[0]}",
            "server 10.0.0.12:8000": f"server 127.0.0.1:{app_ports[1]}",
            "/var/cache/nginx/": f"{home}/cache-",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{self.port} ssl http2;",
            "listen 80;": f"listen 127.0.0.1:{self.plain_port};",
            "server_name example.org;": f"server_name {server_name};",
            "/etc/letsencrypt/live/example.org/fullchain.pem": str(cert),
            "/etc/letsencrypt/live/example.org/privkey.pem": str(key),
            **(extra_changes or {}),
        })
        (home / "intercessors.conf").write_text(site)
        self.access_log = home / "access.log"
        (home / "nginx.conf").write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 2;
pid {home}/nginx.pid;
error_log {home}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    log_format rehearsal '$status $request_method $uri $upstream_status $upstream_cache_status';
    access_log {self.access_log} rehearsal;
    client_body_temp_path {home}/body;
    proxy_temp_path {home}/proxy;
    fastcgi_temp_path {home}/fastcgi;
    uwsgi_temp_path {home}/uwsgi;
    scgi_temp_path {home}/scgi;
    include {home}/intercessors.conf;
}}
""")
        self.popen(["nginx", "-p", str(home), "-c", str(home / "nginx.conf"),
                    "-g", "daemon off;"])
        self.listening(self.port)

    def upstream_answers(self) -> list[str]:
        """Each request's answers from the app servers, in order: "502, 200" is a
        request that the first server failed and the next one answered."""
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return [" ".join(line.split()[3:-1]) for line in lines]


class HeldSocket:
    """A web server's listening socket, held open by this process as systemd's
    socket unit holds it (deploy/systemd/intercessors-web.socket): while gunicorn
    restarts, connections wait in its queue for the new one, and none is refused."""

    def __init__(self):
        self.port = free_port()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(1024)
        self.sock.set_inheritable(True)

    def close(self):
        self.sock.close()


class WebServer(Part):
    """gunicorn with the project's gunicorn.conf.py, on a held socket."""

    def __init__(self, name: str, folder: Path, env: dict):
        super().__init__(name, folder)
        self.env, self.socket = env, HeldSocket()
        self.port = self.socket.port

    def start(self) -> "WebServer":
        fd = self.socket.sock.fileno()
        self.popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                    "--bind", f"fd://{fd}"], env=self.env, pass_fds=(fd,))
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        super().__exit__(*exc)
        self.socket.close()


class JobWorker(Part):
    """`manage.py qcluster`, as deploy/systemd/intercessors-worker.service runs it."""

    def __init__(self, name: str, folder: Path, env: dict):
        super().__init__(name, folder)
        self.env = env

    def start(self) -> "JobWorker":
        self.popen([sys.executable, "manage.py", "qcluster"], env=self.env)
        return self

    def __enter__(self):
        return self.start()
