"""Loopback servers for the live-source tests (127.0.0.1 only, free ports, started and stopped by the
test itself; readiness polled, never slept on)."""
from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable, Optional


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll(pred: Callable[[], bool], timeout: float = 10.0, step: float = 0.01) -> bool:
    until = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > until:
            return pred()
        time.sleep(step)
    return True


class _Acceptor:
    def __init__(self, handle: Callable[[socket.socket], None], port: Optional[int] = None) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port or 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"tcp://127.0.0.1:{self.port}"
        self.accepted = 0
        self._conns: list[socket.socket] = []
        self._handle = handle
        self._stop = False
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self._conns.append(c)
            try:
                self._handle(c)
            except OSError:
                pass

    def close(self) -> None:
        self._stop = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        for c in self._conns:
            c.close()
        self._t.join(5)


class SilentServer(_Acceptor):
    """Accepts and never sends (a camera that takes the connection and streams nothing)."""

    def __init__(self) -> None:
        super().__init__(lambda c: None)


class BytesServer(_Acceptor):
    """Sends `data` to each client, then closes that connection (a stream that ends: EOF)."""

    def __init__(self, data: bytes) -> None:
        def send(c: socket.socket) -> None:
            c.sendall(data)
            c.close()
            self._conns.remove(c)
        super().__init__(send)


class _ServerProcess:
    """A server subprocess the tests can freeze (SIGSTOP: socket open, no data), thaw and kill."""
    proc: subprocess.Popen

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGSTOP)

    def cont(self) -> None:
        self.proc.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.kill()
        self.proc.wait(10)


class FFmpegTcpServer(_ServerProcess):
    """`ffmpeg -re -i clip -c copy -f mpegts tcp://127.0.0.1:PORT?listen=1`: one client, real time."""

    def __init__(self, clip: Path, port: int, loop: bool = False) -> None:
        exe = shutil.which("ffmpeg")
        if exe is None:
            raise RuntimeError("ffmpeg CLI not installed")
        args = [exe, "-hide_banner", "-loglevel", "error", "-re"]
        if loop:
            args += ["-stream_loop", "-1"]
        args += ["-i", str(clip), "-c", "copy", "-f", "mpegts", f"tcp://127.0.0.1:{port}?listen=1"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL)
        self.port = port
        self.url = f"tcp://127.0.0.1:{port}"


GST_PYTHON = "/usr/bin/python3"  # the system python: Debian's python3-gi, not the venv
_GST_SCRIPT = Path(__file__).with_name("gst_rtsp_server.py")


def rtsp_server_unavailable() -> Optional[str]:
    """Why the GStreamer RTSP server cannot run here (None when it can)."""
    if not Path(GST_PYTHON).exists():
        return f"{GST_PYTHON} not found (the RTSP server runs on Debian's python3-gi)"
    r = subprocess.run([GST_PYTHON, str(_GST_SCRIPT), "--check"], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return ("GStreamer RTSP server unavailable (apt-get install python3-gi gir1.2-gst-rtsp-server-1.0; "
                f"scripts/setup_reference.sh does): {r.stderr.strip()}")
    return None


class RtspServer(_ServerProcess):
    """GStreamer's gst-rtsp-server (tests/gst_rtsp_server.py) serving a live 25 fps H.264 test pattern
    at rtsp://127.0.0.1:PORT/cam; ready once it accepts a TCP connection (polled)."""

    def __init__(self, port: int, path: str = "/cam") -> None:
        self.proc = subprocess.Popen([GST_PYTHON, str(_GST_SCRIPT), "--port", str(port), "--path", path],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        self.port = port
        self.url = f"rtsp://127.0.0.1:{port}{path}"

        def up() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the RTSP server exited with {self.proc.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return True
            except OSError:
                return False

        if not poll(up, timeout=30, step=0.02):
            self.kill()
            raise RuntimeError(f"the RTSP server did not listen on 127.0.0.1:{port}")
