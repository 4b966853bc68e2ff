#!/usr/bin/env python3
"""Measures smtp_sink.py: N messages (5 kB invitations) over a few parallel connections,
each reused for all its messages, as a pooled client such as lettre's would.

Run: python3 tests/support/smtp_sink_bench.py [--security plain|starttls|tls] [-n 10000] [--connections 4]
(TLS modes need --cert, --key and --ca, e.g. from target/tmp/delphi-test-ca/.)
"""

import argparse
import os
import smtplib
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--security", choices=["plain", "starttls", "tls"], default="plain")
    p.add_argument("-n", type=int, default=10000)
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--ca")
    a = p.parse_args()
    spool = tempfile.mkdtemp(prefix="smtp-sink-bench.")
    cmd = [sys.executable, os.path.join(HERE, "smtp_sink.py"), "--dir", spool, "--security", a.security]
    cmd += ["--workers", str(a.workers)]
    if a.security != "plain":
        cmd += ["--cert", a.cert, "--key", a.key]
    sink = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    port = int(sink.stdout.readline())
    context = ssl.create_default_context(cafile=a.ca) if a.security != "plain" else None
    line = "Dear expert, you are invited to round 1 of the Delphi study; the form is below.\r\n"
    body = "From: Delphi study <delphi@replies.example.org>\r\nTo: e{n}@example.org\r\nSubject: Round 1\r\n\r\n" + line * 64

    def client(k):
        if a.security == "tls":
            s = smtplib.SMTP_SSL("localhost", port, context=context)
        else:
            s = smtplib.SMTP("localhost", port)
        if a.security == "starttls":
            s.starttls(context=context)
        if a.security != "plain":
            s.login("delphi", "s3cret-pass")
        for n in range(k, a.n, a.connections):
            s.sendmail("delphi@replies.example.org", [f"e{n}@example.org"], body.replace("{n}", str(n)))
        s.quit()

    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(a.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - start
    stored = len([f for f in os.listdir(spool) if f.endswith(".eml")])
    sink.stdin.close()
    sink.wait()
    print(f"{a.security}: {stored} of {a.n} messages stored in {took:.2f} s = {a.n / took:.0f} msg/s "
          f"({a.connections} connections, {a.workers} sink workers)")
    subprocess.run(["rm", "-rf", spool])


if __name__ == "__main__":
    main()
