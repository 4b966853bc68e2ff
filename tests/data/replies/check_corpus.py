#!/usr/bin/env python3
"""Checks the reply corpus against cases.toml.

Always: every file of cases.toml exists, is CRLF only, has Message-ID (unique but for the
duplicate), Date, From, To and Subject, parses as MIME; {{TOKEN}} never sits inside a
base64 part; a case with a base64 body has its token in a header.

Also: every case's expert (and other_expert) is in panel.csv, the corpus panel, with a
unique address; {{RECEIPT_…}} placeholders only in steps after 1 and only in 7bit/8bit
parts; `final_answers` only on a scenario's last message.

With --delphi BIN (a built `delphi`): decodes each recorded or invalid case of a single
message (not the steps, receipts, order scenarios or anything else needing the ingest's
own state) the way the ingest should (the first text/plain part that is not an attachment, else the text/html
part turned into text; charsets decoded, gb2312 read as GBK; format=flowed unflowed),
feeds it to `delphi answer --expert E` in a scratch study with the corpus panel, and compares what was stored
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
        self.pre = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "head", "script"):
            self.skip += 1
        if tag == "pre":
            self.pre += 1
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
        if tag == "pre":
            self.pre -= 1
        if tag == "br" or (tag in self.BREAKS and self.out and not self.out[-1].endswith("\n")):
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip and self.pre:
            self.out.append(data.replace("\r", ""))
        elif not self.skip:
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


PANEL = {}
for _row in open(os.path.join(HERE, "panel.csv"), encoding="utf-8").read().splitlines()[1:]:
    PANEL[_row.split(",")[0]] = _row.split(",")[2]


def structure(cases):
    problems = []
    if len(set(a.lower() for a in PANEL.values())) != len(PANEL):
        problems.append("panel.csv: addresses not unique")
    experts = [c["expert"] for c in cases if c["outcome"] in ("recorded", "invalid", "unchanged") and not c.get("same_message_as")]
    for c in cases:
        if c.get("final_answers") and any(d["expert"] == c["expert"] and d.get("step", 1) > c.get("step", 1) for d in cases):
            problems.append(f"{c['file']}: final_answers before the scenario's last step")
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
        if raw.count(b"{{") != len(re.findall(rb"\{\{(?:TOKEN|TOKEN_OTHER|RECEIPT_ID|RECEIPT_QUOTED(?:\|[^}]*)?)\}\}", raw)):
            problems.append(f"{c['file']}: a placeholder split or misspelt")
        if b"{{RECEIPT_" in raw and c.get("step", 1) == 1:
            problems.append(f"{c['file']}: a receipt placeholder in step 1")
        for part in msg.walk():
            if b"{{RECEIPT_" in raw and not part.is_multipart() and (part.get("Content-Transfer-Encoding") or "7bit").lower() not in ("7bit", "8bit"):
                problems.append(f"{c['file']}: a receipt placeholder in a {part.get('Content-Transfer-Encoding')} part")
        for key in ("expert", "other_expert"):
            if key in c and c[key] not in PANEL:
                problems.append(f"{c['file']}: {key} {c[key]} is not in panel.csv")
        if c["outcome"] not in ("no-token", "unknown-token") and b"{{TOKEN}}" not in raw:
            problems.append(f"{c['file']}: no {{{{TOKEN}}}}")
        if c["outcome"] in ("no-token", "unknown-token") and b"{{TOKEN" in raw:
            problems.append(f"{c['file']}: a token placeholder in a {c['outcome']} case")
    return problems


def run(delphi, scratch, *args, stdin=None):
    return subprocess.run([delphi, "--study", "study/study.toml", "--data-dir", "data", *args], cwd=scratch, capture_output=True, text=True, input=stdin)


def with_delphi(delphi, cases):
    with tempfile.TemporaryDirectory(prefix="delphi-corpus.") as scratch:
        r = subprocess.run([delphi, "init", "study", "--id", "corpus", "--example", "ai-safety"], cwd=scratch, capture_output=True, text=True)
        if r.returncode:
            sys.exit(f"delphi init: {r.stderr}")
        with open(os.path.join(HERE, "panel.csv"), "rb") as src, open(os.path.join(scratch, "study", "panel.csv"), "wb") as dst:
            dst.write(src.read())
        return with_data(delphi, cases, scratch)


def single_message(c, cases):
    """A case `delphi answer` alone can check: one message of its expert, no receipt."""
    raw = open(os.path.join(HERE, c["file"]), "rb").read()
    return (c.get("step", 1) == 1 and "final_answers" not in c and b"{{RECEIPT_" not in raw
            and sum(1 for d in cases if d.get("expert") == c.get("expert")) == 1)


def with_data(delphi, cases, scratch):
    problems = []
    for args in (["panel", "import"], ["round", "open", "--days", "14"]):
        r = run(delphi, scratch, *args)
        if r.returncode:
            sys.exit(f"delphi {args}: {r.stderr}")
    data = scratch
    db = os.path.join(scratch, "data", "corpus", "delphi.sqlite")
    for c in cases:
        if c["outcome"] not in ("recorded", "invalid") or not single_message(c, cases):
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
        text = body_text(msg).replace("{{TOKEN}}", "abcdefghijklmnopqrstuvwxyz234567").replace("{{TOKEN_OTHER}}", "bcdefghijklmnopqrstuvwxyz2345672")
        r = run(delphi, data, "answer", "--expert", c["expert"], "-", stdin=text)
        if c["outcome"] == "invalid":
            if r.returncode == 0:
                problems.append(f"{c['file']}: accepted, expected invalid")
            for p in c.get("problems", []):
                if re.fullmatch(r"[\w.\-\[\]]+", p, re.ASCII) and p.strip("[]").split("]")[0] not in r.stderr:
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
            if want.get("kind") == "text":
                want = dict(want, text=want["text"].replace("{{TOKEN_OTHER}}", "bcdefghijklmnopqrstuvwxyz2345672"))
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
    by_client, by_class = {}, {}
    for c in cases:
        by_client[c.get("client", "-")] = by_client.get(c.get("client", "-"), 0) + 1
        for k in c.get("classes", []):
            by_class[k] = by_class.get(k, 0) + 1
    print("clients:", ", ".join(f"{k} {v}" for k, v in sorted(by_client.items())))
    print("classes:", ", ".join(f"{k} {v}" for k, v in sorted(by_class.items())))
    print(f"{len(cases)} cases, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
