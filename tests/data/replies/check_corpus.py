#!/usr/bin/env python3
"""Checks the reply corpus against cases.toml.

Always: every file of cases.toml exists, is CRLF only, has Message-ID (unique but for the
duplicate), Date, From, To and Subject, parses as MIME; {{TOKEN}} never sits inside a
base64 part; a case with a base64 body has its token in a header.

With --delphi BIN (a built `delphi`): decodes each recorded or invalid case the way the
ingest should (the first text/plain part that is not an attachment, else the text/html
part turned into text; charsets decoded, gb2312 read as GBK; format=flowed unflowed),
feeds it to `delphi answer --expert E` in a scratch study, and compares what was stored
with the case's answers (recorded) or checks the refusal names the problems' items
(invalid).

Run: python3 tests/data/replies/check_corpus.py [--delphi target/debug/delphi]
"""

import argparse
import email
import email.policy
import html
import html.parser
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../../.."))


class HtmlText(html.parser.HTMLParser):
    BREAKS = {"br", "p", "div", "tr", "li", "blockquote", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "head", "script"):
            self.skip += 1
        if tag == "br":
            self.out.append("\n")
            return
        if tag in self.BREAKS and tag != "br" and self.out and not self.out[-1].endswith("\n"):
            self.out.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("style", "head", "script"):
            self.skip -= 1
        if tag == "br" or (tag in self.BREAKS and self.out and not self.out[-1].endswith("\n")):
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data.replace("\r", "").replace("\n", " ") if data.strip() else data.replace("\n", ""))


def html_to_text(source):
    p = HtmlText()
    p.feed(source)
    p.close()
    return "".join(p.out).replace("\xa0", " ")


def decode(part):
    data = part.get_payload(decode=True)
    charset = (part.get_content_charset() or "us-ascii").lower()
    charset = {"gb2312": "gbk", "us-ascii": "utf-8"}.get(charset, charset)
    text = data.decode(charset)
    params = {k.lower(): v.lower() for k, v in part.get_params() or []}
    if params.get("format") == "flowed":
        text = unflow(text, params.get("delsp") == "yes")
    return text


def unflow(text, delsp):
    """RFC 3676: a line ending in a space continues on the next line of the same depth."""
    out, cur, cur_depth = [], None, ""
    for line in text.replace("\r\n", "\n").split("\n"):
        depth = re.match(r">*", line).group(0)
        content = line[len(depth) :]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing, or the space after the quote marks
        soft = content.endswith(" ") and content != "-- "
        if delsp and soft:
            content = content[:-1]
        if cur is None:
            cur, cur_depth = content, depth
        else:
            cur += content
        if not soft:
            out.append((cur_depth + " " if cur_depth else "") + cur)
            cur = None
    if cur is not None:
        out.append((cur_depth + " " if cur_depth else "") + cur)
    return "\n".join(out)


def body_text(msg):
    html_part = None
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        if part.get_content_type() == "text/plain":
            return decode(part)
        if part.get_content_type() == "text/html" and html_part is None:
            html_part = part
    return html_to_text(decode(html_part)) if html_part else ""


def structure(cases):
    problems = []
    ids = {}
    for c in cases:
        path = os.path.join(HERE, c["file"])
        raw = open(path, "rb").read()
        if re.search(rb"(?<!\r)\n", raw):
            problems.append(f"{c['file']}: bare LF")
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        for h in ["Message-ID", "Date", "From", "To", "Subject"]:
            if msg.get(h) is None:
                problems.append(f"{c['file']}: no {h}")
        mid = msg.get("Message-ID", "").strip()
        if mid in ids and c["outcome"] != "duplicate":
            problems.append(f"{c['file']}: Message-ID of {ids[mid]}")
        if c["outcome"] == "duplicate" and ids.get(mid) != c.get("same_message_as"):
            problems.append(f"{c['file']}: not the Message-ID of {c.get('same_message_as')}")
        ids.setdefault(mid, c["file"])
        in_headers = b"{{TOKEN}}" in raw.split(b"\r\n\r\n", 1)[0]
        for part in msg.walk():
            if part.is_multipart():
                continue
            if (part.get("Content-Transfer-Encoding") or "").lower() == "base64":
                if "{{TOKEN" in part.get_payload(decode=True).decode("latin-1"):
                    problems.append(f"{c['file']}: a token inside base64")
                if c["outcome"] not in ("no-token", "unknown-token") and not in_headers:
                    problems.append(f"{c['file']}: base64 body but no token in the headers")
        if c["outcome"] not in ("no-token", "unknown-token") and b"{{TOKEN}}" not in raw:
            problems.append(f"{c['file']}: no {{{{TOKEN}}}}")
        if c["outcome"] in ("no-token", "unknown-token") and b"{{TOKEN" in raw:
            problems.append(f"{c['file']}: a token placeholder in a {c['outcome']} case")
    return problems


def run(delphi, data, *args, stdin=None):
    return subprocess.run([delphi, "--data-dir", data, *args], cwd=ROOT, capture_output=True, text=True, input=stdin)


def with_delphi(delphi, cases):
    with tempfile.TemporaryDirectory(prefix="delphi-corpus.") as data:
        return with_data(delphi, cases, data)


def with_data(delphi, cases, data):
    problems = []
    for args in (["panel", "import"], ["round", "open", "--days", "14"]):
        r = run(delphi, data, *args)
        if r.returncode:
            sys.exit(f"delphi {args}: {r.stderr}")
    db = os.path.join(data, "ai-safety-cooperation", "delphi.sqlite")
    for c in cases:
        if c["outcome"] not in ("recorded", "invalid"):
            continue
        found = check_case(delphi, data, db, c)
        if c.get("known_gap"):
            print(f"{c['file']}: known gap " + ("still there: " + "; ".join(found) if found else "FIXED (remove known_gap)"))
        else:
            problems += found
    return problems


def check_case(delphi, data, db, c):
    problems = []
    if True:
        msg = email.message_from_bytes(open(os.path.join(HERE, c["file"]), "rb").read(), policy=email.policy.compat32)
        text = body_text(msg).replace("{{TOKEN}}", "abcdefghijklmnopqrstuvwxyz234567")
        r = run(delphi, data, "answer", "--expert", c["expert"], "-", stdin=text)
        if c["outcome"] == "invalid":
            if r.returncode == 0:
                problems.append(f"{c['file']}: accepted, expected invalid")
            for p in c.get("problems", []):
                if re.fullmatch(r"[\w.\-\[\]]+", p) and p.strip("[]").split("]")[0] not in r.stderr:
                    problems.append(f"{c['file']}: the refusal does not name {p}: {r.stderr}")
            return problems
        if r.returncode:
            problems.append(f"{c['file']}: refused: {r.stderr.strip()}")
            return problems
        con = sqlite3.connect(db)
        sid = con.execute("SELECT max(id) FROM submissions WHERE expert_id = ?", (c["expert"],)).fetchone()[0]
        stored = {i: json.loads(v) for i, v in con.execute("SELECT item_id, value FROM answers WHERE submission_id = ?", (sid,))}
        con.close()
        for item, want in c.get("answers", {}).items():
            if stored.get(item) != want:
                problems.append(f"{c['file']}: {item}: stored {stored.get(item)}, expected {want}")
        extra = set(stored) - set(c.get("answers", {}))
        if extra:
            problems.append(f"{c['file']}: stored more than expected: {sorted(extra)}")
        print(f"{c['file']}: {r.stdout.strip()}")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--delphi")
    args = parser.parse_args()
    cases = tomllib.load(open(os.path.join(HERE, "cases.toml"), "rb"))["case"]
    problems = structure(cases)
    if args.delphi:
        problems += with_delphi(os.path.abspath(args.delphi), cases)
    for p in problems:
        print("PROBLEM", p)
    print(f"{len(cases)} cases, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
