#!/usr/bin/env python3
"""An SMTP sink for the integration tests (tests/support/mail_servers.rs).

Listens on 127.0.0.1 at an ephemeral port and prints that port as the first line of
stdout. Every message accepted is stored raw in DIR as NNNNNNNN.eml (zero-padded
arrival counter, written to a temporary name and renamed, so a reader never sees half a
message) after its envelope NNNNNNNN.env (first line MAIL FROM, then one RCPT TO a line).

Security modes:
  plain     no TLS, no AUTH
  starttls  STARTTLS required before anything else; AUTH PLAIN/LOGIN required after it
  tls       implicit TLS from the first byte (port 465 style); AUTH PLAIN/LOGIN required

Messages are accepted by --workers processes (default 2), each with its own listening
socket on the port (SO_REUSEPORT), sharing one counter: a single Python process tops out at a few hundred messages a second.
With several workers, NNNNNNNN.eml may appear a moment before NNNNNNNN-1.eml; readers
should take the gapless prefix (mail_servers.rs does).

The sink exits when its stdin is closed (the workers die with it), so it never outlives
the test that started it. Needs the aiosmtpd package.
"""

import argparse
import asyncio
import logging
import os
import ssl
import sys
import multiprocessing
import signal
import socket
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Store:
    """Stores each message with its number from a counter shared by all workers."""

    def __init__(self, directory, counter):
        self.directory = directory
        self.counter = counter

    async def handle_DATA(self, server, session, envelope):
        with self.counter.get_lock():
            self.counter.value += 1
            number = self.counter.value
        stem = os.path.join(self.directory, f"{number:08d}")
        env = f"{envelope.mail_from}\n" + "".join(f"{r}\n" for r in envelope.rcpt_tos)
        # the envelope first: a reader that sees NNNNNNNN.eml finds its envelope too
        write_atomically(stem + ".env", env.encode("utf-8"))
        write_atomically(stem + ".eml", envelope.original_content)
        return "250 2.0.0 Ok: queued as %08d" % number


class FastSMTP(SMTP):
    """aiosmtpd's SMTP with a DATA phase that reads the message in large chunks instead
    of line by line (four times faster for a typical 5 kB invitation). No size limit,
    no line-length check: this is a test sink."""

    # the stream reader's buffer limit (aiosmtpd's is one SMTP line, 1001 bytes); DATA
    # below reads whole chunks, so the buffer must be allowed to hold them
    line_length_limit = 1 << 26

    async def smtp_DATA(self, arg):
        if await self.check_helo_needed():
            return
        if await self.check_auth_needed("DATA"):
            return
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        # the message as a sequence of CRLF-ended lines, behind a CRLF so that the end
        # mark is always CRLF "." CRLF, also for an empty message
        buf = bytearray(b"\r\n")
        searched = 0
        while True:
            end = buf.find(b"\r\n.\r\n", searched)
            if end >= 0:
                break
            searched = max(0, len(buf) - 4)
            chunk = await self._reader.read(1 << 16)
            if not chunk:  # connection lost during DATA
                self._writer.close()
                return
            buf += chunk
        rest = bytes(buf[end + 5 :])
        if rest:  # pipelined commands after the end mark: back to the reader
            self._reader._buffer[0:0] = rest
        # the end mark's first CRLF ends the last line; undo dot-stuffing (RFC 5321 4.5.2)
        original = bytes(buf[: end + 2]).replace(b"\r\n.", b"\r\n")[2:]
        self.envelope.content = original
        self.envelope.original_content = original
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push(status)


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        if (
            mechanism in ("PLAIN", "LOGIN")
            and isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        ):
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    return check


def die_with_parent():
    """Linux: SIGKILL this worker when the process that forked it dies."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


async def serve(sock, args, counter):
    loop = asyncio.get_running_loop()
    store = Store(args.dir, counter)
    context = None
    if args.security != "plain":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    def factory():
        common = dict(
            loop=loop,
            hostname="localhost",
            ident="delphi test sink",
            decode_data=False,
            enable_SMTPUTF8=True,
            data_size_limit=None,
            timeout=120,
        )
        if args.security == "plain":
            return FastSMTP(store, **common)
        auth = dict(authenticator=authenticator(args.user, args.password), auth_required=True)
        if args.security == "starttls":
            return FastSMTP(store, tls_context=context, require_starttls=True, auth_require_tls=True, **auth, **common)
        # implicit TLS: the transport is TLS from the start, which aiosmtpd does not
        # count as "after STARTTLS", so AUTH must not demand STARTTLS
        return FastSMTP(store, auth_require_tls=False, **auth, **common)

    server = await loop.create_server(factory, sock=sock, ssl=context if args.security == "tls" else None)
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--security", choices=["plain", "starttls", "tls"], default="plain")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user", default="delphi")
    parser.add_argument("--password", default="s3cret-pass")
    parser.add_argument("--workers", type=int, default=2, help="processes accepting connections")
    parser.add_argument("--no-stdin-watch", action="store_true", help="keep running when stdin closes")
    args = parser.parse_args()

    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")

    # one listening socket per worker on the same port (SO_REUSEPORT): the kernel spreads
    # the connections over them; a single shared socket would leave one worker doing all
    def listener(port):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(1024)
        sock.setblocking(False)
        return sock

    first = listener(0)
    port = first.getsockname()[1]
    sockets = [first] + [listener(port) for _ in range(max(1, args.workers) - 1)]
    counter = multiprocessing.Value("Q", 0)

    children = []
    for sock in sockets:
        pid = os.fork()
        if pid == 0:
            die_with_parent()
            try:
                asyncio.run(serve(sock, args, counter))
            finally:
                os._exit(0)
        children.append(pid)
    for sock in sockets:
        sock.close()

    # the workers accept on the socket already; the port is usable once printed
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()

    def stop(*_):
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.no_stdin_watch:
        while True:
            signal.pause()
    while sys.stdin.buffer.read(4096):
        pass
    stop()


if __name__ == "__main__":
    main()
