#!/usr/bin/env python3
"""Writes the reply corpus: NN-*.eml and cases.toml in this directory.

The committed .eml files are the corpus; this script is how they were made, kept so the
corpus can be extended consistently. It quotes the blank round-1 forms form.en.txt and
form.zh.txt (`delphi round show --format text --language en|zh` of the shipped study,
round 1). Every message is built by hand, header by header, the way the named client
writes it; bodies are encoded here (quoted-printable, base64, 8bit, format=flowed) so
that each case exercises what it says. {{TOKEN}} / {{TOKEN_OTHER}} stay literal: only in
headers and in 7bit/8bit/quoted-printable parts, never inside base64.

Run: python3 tests/data/replies/make_corpus.py
"""

import base64
import re
import email.quoprimime
import os
from email.header import Header

HERE = os.path.dirname(os.path.abspath(__file__))
FORM_EN = open(os.path.join(HERE, "form.en.txt"), encoding="utf-8").read()
FORM_ZH = open(os.path.join(HERE, "form.zh.txt"), encoding="utf-8").read()

REPLIES = "delphi+{{TOKEN}}@replies.example.org"
LINK = "http://127.0.0.1:8080/s/{{TOKEN}}"
SUBJECT_EN = "Delphi study: Areas for US–China cooperation on technical AI safety – round 1"
SUBJECT_ZH = "德尔菲研究：中美技术性人工智能安全合作领域 – 第 1 轮"
PANEL = {}
for line in open(os.path.join(HERE, "../../../surveys/ai-safety-cooperation.panel.csv"), encoding="utf-8"):
    f = line.rstrip("\n").split(",")
    if f[0].startswith("E"):
        PANEL[f[0]] = (f[1], f[2])
SHIPPED = list(PANEL)
exec(open(os.path.join(HERE, "corpus_panel.py"), encoding="utf-8").read())


def name(e):
    return PANEL[e][0]


def addr(e):
    return PANEL[e][1]


def invitation_en(e):
    """The invitation's text above the form, as the expert's client quotes it."""
    return (
        f"Dear {name(e)},\n\n"
        "You are invited to round 1 of the Delphi study \"Areas for US–China cooperation on\n"
        "technical AI safety\". Answer by replying to this email: the form is below. Or\n"
        f"answer online with your personal link: {LINK}\n\n"
        "The round closes on 14 December 2026.\n\n"
    ) + FORM_EN


def invitation_zh(e):
    return (
        f"{name(e)} 您好：\n\n"
        "诚邀您参加德尔菲研究“中美技术性人工智能安全合作领域”第 1 轮。请直接回复本邮件作答，\n"
        f"表格见下文；也可以通过您的个人链接在线作答：{LINK}\n\n"
        "本轮截止日期为 2026 年 12 月 14 日。\n\n"
    ) + FORM_ZH


def fill(form, answers):
    """The form with answers written after their markers (a text answer's further lines
    below the marker line)."""
    out = []
    for line in form.split("\n"):
        for item, value in answers.items():
            if line == f"[{item}]" or line.startswith(f"[{item}] "):
                first, *rest = value.split("\n")
                line = f"[{item}] {first}"
                if rest:
                    line += "\n" + "\n".join(rest)
        out.append(line)
    return "\n".join(out)


def markers(answers):
    return "\n".join(f"[{k}] {v}" for k, v in answers.items())


def quote(text, prefix="> ", empty=">"):
    return "\n".join(prefix + l if l else empty for l in text.split("\n"))


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def qp(data: bytes) -> str:
    """Quoted-printable with CRLF line ends and soft breaks at 76 columns."""
    out = email.quoprimime.body_encode(data.replace(b"\r\n", b"\n").decode("latin-1"), 76, eol="\r\n")
    # a placeholder is replaced in the raw bytes: a soft break must not split it
    for p in ("{{TOKEN_OTHER}}", "{{TOKEN}}"):
        out = re.sub("(?:=\r\n)?".join(re.escape(ch) for ch in p), p, out)
    return out


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")


def enc(text, charset="utf-8"):
    return Header(text, charset).encode(maxlinelen=76, linesep="\r\n ")


def flowed(text, width=72):
    """format=flowed (RFC 3676, DelSp=No): long lines broken after a space, the space
    kept at the end of the line; quoted lines keep their quote prefix."""
    out = []
    for line in text.split("\n"):
        prefix = ""
        while line.startswith(">"):
            prefix += ">"
            line = line[1:]
        if prefix and line.startswith(" "):
            line = line[1:]
        lead = prefix + (" " if prefix else "")
        if line.startswith((" ", "From ")) and not prefix:
            line = " " + line  # space-stuffing
        if len(lead + line) <= width or " " not in line:
            out.append((lead + line).rstrip(" ") if line != "-- " else lead + line)
            continue
        words = line.split(" ")
        cur = ""
        for w in words:
            if cur and len(lead + cur + w) > width:
                out.append(lead + cur)  # ends with a space: soft break
                cur = ""
            cur += w + " "
        out.append(lead + cur.rstrip(" "))
    return "\n".join(out)


FILES = []


def write(file, headers, body, case):
    raw = crlf(headers.strip("\n")) + "\r\n\r\n" + body
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    with open(os.path.join(HERE, file), "wb") as f:
        f.write(data)
    case["file"] = file
    FILES.append(case)


def write_bytes(file, headers, body: bytes, case):
    data = crlf(headers.strip("\n")).encode("ascii") + b"\r\n\r\n" + body
    with open(os.path.join(HERE, file), "wb") as f:
        f.write(data)
    case["file"] = file
    FILES.append(case)


def toml_value(v):
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def toml_key(k):
    return k if k.replace("-", "").replace("_", "").isalnum() else toml_value(k)


def write_cases():
    out = [
        "# The reply corpus: what each message is and what `delphi ingest` must make of it.",
        "# See README.md. Generated by make_corpus.py.",
        "",
    ]
    for c in sorted(FILES, key=lambda c: c["file"]):
        out.append("[[case]]")
        for key in ["file", "expert", "other_expert", "step", "client", "classes", "outcome", "why", "known_gap", "same_message_as", "cli_before", "unanswered", "problems", "answers", "final_answers"]:
            if key not in c:
                continue
            if key in ("answers", "final_answers"):
                out.append(f"[case.{key}]")
                for item, a in c[key].items():
                    out.append(f"{toml_key(item)} = {toml_value(a)}")
            else:
                out.append(f"{key} = {toml_value(c[key])}")
        out.append("")
    with open(os.path.join(HERE, "cases.toml"), "w", encoding="utf-8") as f:
        f.write("\n".join(out))


# ------------------------------------------------------------------ answers
# What the expert writes -> what must be stored.


def ordinal(p):
    return {"kind": "ordinal", "point": p}


DK = {"kind": "dont-know"}


def quantile(a, b, c):
    return {"kind": "quantile", "p5": float(a), "p50": float(b), "p95": float(c)}


def prob(v):
    return {"kind": "probability", "value": v}


def ranking(*order):
    return {"kind": "ranking", "order": list(order)}


def text(t):
    return {"kind": "text", "text": t}


# ------------------------------------------------------------------ the cases

D = ["verification", "protocols", "infrastructure", "evaluations"]


def case(expert, outcome, why, written=None, expected=None, **extra):
    c = {"expert": expert, "outcome": outcome, "why": why}
    c.update(extra)
    if expected:
        c["answers"] = expected
    return c


def answers(*triples):
    """(item, as written, as stored) -> (written dict, expected dict)."""
    return {i: w for i, w, _ in triples}, {i: e for i, _, e in triples}


ID = "In-Reply-To: <round-1.{e}@replies.example.org>\nReferences: <round-1.{e}@replies.example.org>"

# 01 Thunderbird, top-posted ---------------------------------------------------------
e = "E03"
w, x = answers(
    ("verification.benefit", "6", ordinal(6)),
    ("verification.risk-capabilities", "2 Low", ordinal(2)),
    ("verification.risk-information", "5", ordinal(5)),
    ("verification.risk-harm", "4", ordinal(4)),
    ("verification.recommendation", "5", ordinal(5)),
    ("protocols.benefit", "5", ordinal(5)),
    ("protocols.recommendation", "4", ordinal(4)),
    ("area-ranking", "verification, protocols, evaluations, infrastructure",
     ranking("verification", "protocols", "evaluations", "infrastructure")),
    ("p-joint-evaluation-2030", "25%", prob(0.25)),
)
body = (
    "Hello,\n\nhere are my answers for round 1. Best regards, Casey\n\n" + markers(w) + "\n\n"
    "On 30/11/2026 09:00, Delphi study wrote:\n" + quote(invitation_en(e)) + "\n"
)
write("01-thunderbird-top-posted.eml", f"""
Message-ID: <8f3c2a1e-5b7d-4e2f-9a61-0c4d2e7b9f10@example.org>
Date: Tue, 1 Dec 2026 10:14:52 -0500
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: {enc(SUBJECT_EN)}
Content-Language: en-US
To: Delphi study <{REPLIES}>
{ID.format(e=e)}
From: {name(e)} <{addr(e)}>
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit
""", crlf(flowed(body)), case(e, "recorded", "Thunderbird (format=flowed, 8bit UTF-8): answers top-posted above the quoted blank form (\"On … Delphi study wrote:\")", expected=x))

# 02 Gmail, answers inline in the quoted form --------------------------------------------
e = "E02"
w, x = answers(
    ("verification.benefit", "5", ordinal(5)),
    ("verification.rationale", "Chip-level mechanisms are the only credible path to verifying compute\nthresholds; both sides gain from that.",
     text("Chip-level mechanisms are the only credible path to verifying compute\nthresholds; both sides gain from that.")),
    ("protocols.benefit", "?", DK),
    ("infrastructure.risk-harm", "6 High", ordinal(6)),
    ("evaluations.recommendation", "Agree", ordinal(4)),
    ("years-to-first-agreement", "5%: 2  50%: 6  95%: 20", quantile(2, 6, 20)),
    ("seed-bletchley-countries", "5%: 20  50%: 28  95%: 35", quantile(20, 28, 35)),
)
text_part = (
    "Please find my answers inline below.\n\nJordan\n\n"
    "On Mon, Nov 30, 2026 at 9:00 AM Delphi study <\ndelphi@replies.example.org> wrote:\n\n"
    + quote(fill(invitation_en(e), w)) + "\n"
)
html_part = "<div dir=\"ltr\">Please find my answers inline below.<div><br></div><div>Jordan</div></div><br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">On Mon, Nov 30, 2026 at 9:00 AM Delphi study &lt;<a href=\"mailto:delphi@replies.example.org\">delphi@replies.example.org</a>&gt; wrote:<br></div><blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex\">" + fill(invitation_en(e), w).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>\n") + "</blockquote></div>\n"
boundary = "000000000000a1b2c3d4e5f60718"
gmail_headers = f"""
MIME-Version: 1.0
References: <round-1.{e}@replies.example.org>
In-Reply-To: <round-1.{e}@replies.example.org>
From: {name(e)} <{addr(e)}>
Date: Tue, 1 Dec 2026 16:02:37 +0000
Message-ID: <CAJx8pQ2v7rN3kYw+Lq0Tf5sD_hG1mZbE9uXo4cR6aWnVt2iKpA@mail.gmail.com>
Subject: Re: {enc(SUBJECT_EN)}
To: Delphi study <{REPLIES}>
Content-Type: multipart/alternative; boundary="{boundary}"
"""
gmail_body = (
    f"--{boundary}\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    + qp(text_part.encode()) + f"\r\n\r\n--{boundary}\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + qp(html_part.encode()) + f"\r\n\r\n--{boundary}--\r\n"
)
write("02-gmail-inline.eml", gmail_headers, gmail_body,
      case(e, "recorded", "Gmail (multipart/alternative, quoted-printable): answers written into the quoted form after \"> [item]\"; the \"On … wrote:\" line wrapped by Gmail", expected=x))

# 03 Outlook: HTML + text, quoted-printable, From/Sent/To/Subject block -------------------
e = "E04"
w, x = answers(
    ("evaluations.benefit", "7 Very high", ordinal(7)),
    ("evaluations.risk-capabilities", "5", ordinal(5)),
    ("evaluations.risk-information", "4", ordinal(4)),
    ("evaluations.risk-harm", "3", ordinal(3)),
    ("evaluations.recommendation", "5 Strongly agree", ordinal(5)),
    ("evaluations.rationale", "Joint dangerous-capability evals are where the two sides’ interests overlap most; the risk is manageable if the test sets stay private.",
     text("Joint dangerous-capability evals are where the two sides’ interests overlap most; the risk is manageable if the test sets stay private.")),
    ("p-joint-evaluation-2030", "40", prob(0.4)),
)
plain = (
    "Hi,\n\nMy answers are in the form below.\n\nRegards,\nRiley\n\n"
    "Riley Testerman | Cascadia Center for Machine Trust\n\n"
    "From: Delphi study <delphi@replies.example.org>\nSent: Monday, November 30, 2026 9:00 AM\n"
    f"To: {name(e)} <{addr(e)}>\nSubject: {SUBJECT_EN}\n\n" + fill(invitation_en(e), w) + "\n"
)
html = (
    "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\" xmlns:w=\"urn:schemas-microsoft-com:office:word\">"
    "<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"><meta name=\"Generator\" content=\"Microsoft Word 15 (filtered medium)\">"
    "<style><!-- p.MsoNormal {margin:0cm; font-size:11.0pt; font-family:\"Calibri\",sans-serif;} --></style></head>"
    "<body lang=\"EN-US\" link=\"#0563C1\" vlink=\"#954F72\"><div class=\"WordSection1\">"
    "<p class=\"MsoNormal\">Hi,<o:p></o:p></p><p class=\"MsoNormal\"><o:p>&nbsp;</o:p></p>"
    "<p class=\"MsoNormal\">My answers are in the form below.<o:p></o:p></p><p class=\"MsoNormal\"><o:p>&nbsp;</o:p></p>"
    "<p class=\"MsoNormal\">Regards,<br>Riley<o:p></o:p></p>"
    "<div><div style=\"border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm\">"
    "<p class=\"MsoNormal\"><b>From:</b> Delphi study &lt;delphi@replies.example.org&gt; <br><b>Sent:</b> Monday, November 30, 2026 9:00 AM<br>"
    f"<b>To:</b> {name(e)} &lt;{addr(e)}&gt;<br><b>Subject:</b> {SUBJECT_EN}<o:p></o:p></p></div></div>"
    + "".join(f"<p class=\"MsoNormal\">{l.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;') or '<o:p>&nbsp;</o:p>'}<o:p></o:p></p>" for l in fill(invitation_en(e), w).split("\n"))
    + "</div></body></html>"
)
b = "_000_DM6PR11MB41077F2A9B3C4D5E6F708192A3B4DM6PR11MB4107namp_"
write("03-outlook-html-qp.eml", f"""
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Subject: RE: {enc(SUBJECT_EN)}
Thread-Topic: {enc(SUBJECT_EN)}
Thread-Index: AdtF2kq8m3Zp1xY0SfGm4WQk7v9tWg==
Date: Wed, 2 Dec 2026 17:41:05 +0000
Message-ID: <DM6PR11MB41077F2A9B3C4D5E6F708192A3B4@DM6PR11MB4107.namprd11.prod.outlook.com>
{ID.format(e=e)}
Accept-Language: en-US
Content-Language: en-US
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
X-Mailer: Microsoft Outlook 16.0
Content-Type: multipart/alternative; boundary="{b}"
MIME-Version: 1.0
""", f"--{b}\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    + qp(plain.encode()) + f"\r\n\r\n--{b}\r\nContent-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    + qp(html.encode()) + f"\r\n\r\n--{b}--\r\n",
    case(e, "recorded", "Outlook 16 (multipart/alternative, HTML + text, quoted-printable): answers written into the original below the From:/Sent:/To:/Subject: block, no quoting", expected=x))

# 04 Apple Mail -----------------------------------------------------------------------
e = "E05"
w, x = answers(
    ("infrastructure.benefit", "4", ordinal(4)),
    ("infrastructure.risk-capabilities", "3", ordinal(3)),
    ("infrastructure.risk-information", "6", ordinal(6)),
    ("infrastructure.recommendation", "2", ordinal(2)),
    ("area-ranking", "2 1 4 3", ranking("protocols", "verification", "evaluations", "infrastructure")),
)
body = (
    markers(w) + "\n\n> On 30 Nov 2026, at 09:00, Delphi study <" + REPLIES + "> wrote:\n>\n" + quote(invitation_en(e)) + "\n\n"
)
write("04-apple-mail.eml", f"""
From: {name(e)} <{addr(e)}>
Content-Type: text/plain;
\tcharset=utf-8
Content-Transfer-Encoding: quoted-printable
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.300.87.4.3\\))
Subject: Re: {enc(SUBJECT_EN)}
Date: Wed, 2 Dec 2026 20:12:44 -0800
{ID.format(e=e)}
To: Delphi study <{REPLIES}>
Message-Id: <3F2A9C1B-7D4E-4B8A-9E21-5C6D7F8A9B0C@example.org>
X-Mailer: Apple Mail (2.3826.300.87.4.3)
""", qp(body.encode()), case(e, "recorded", "Apple Mail (quoted-printable): answers alone at the top, the quoted form under \"> On …, at …, Delphi study <…> wrote:\"; ranking by numbers", expected=x))

# 05 HTML only ------------------------------------------------------------------------
e = "E06"
x = {
    "verification.benefit": ordinal(6),
    "verification.risk-harm": ordinal(3),
    "years-to-first-agreement": quantile(3, 8, 25),
    "verification.rationale": text("Compute accounting > chip mechanisms in the short term; R&D on both is cheap."),
    "p-joint-evaluation-2030": prob(0.15),
}
form_html = "<br>\n".join(l.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for l in invitation_en(e).split("\n"))
html = (
    "<html><body><div style=\"font-family: arial, helvetica, sans-serif; font-size: 12pt; color: #000000\">"
    "<div>Dear study team, my answers are below. Best, Taylor</div><div><br data-mce-bogus=\"1\"></div>"
    "<p>[verification.benefit] 6<br>[verification.risk-harm] 3<br>"
    "[years-to-first-agreement] 5%:&nbsp;3&nbsp; 50%:&nbsp;8&nbsp; 95%:&nbsp;25<br>"
    "[verification.rationale] Compute accounting &gt; chip mechanisms in the short term; R&amp;D on both is cheap.</p>"
    "<p>[p-joint-evaluation-2030] 15 %</p>"
        "<hr id=\"zwchr\"><div style=\"color:#000;font-weight:normal;font-style:normal;text-decoration:none;font-family:Helvetica,Arial,sans-serif;font-size:12pt;\">"
    "<b>From: </b>\"Delphi study\" &lt;delphi@replies.example.org&gt;<br><b>To: </b>\"Taylor Fictus\" &lt;taylor.fictus@edu.example.org&gt;<br>"
    "<b>Sent: </b>Monday, November 30, 2026 9:00:00 AM<br><b>Subject: </b>" + SUBJECT_EN + "<br></div><div><br></div>"
    "<blockquote style=\"border-left:2px solid #1010FF;margin-left:5px;padding-left:5px;\">" + form_html + "</blockquote></div></body></html>\r\n"
)
write("05-html-only.eml", f"""
Date: Thu, 3 Dec 2026 08:30:12 -0600 (CST)
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Message-ID: <1287734619.4471203.1796308212044.JavaMail.zimbra@edu.example.org>
{ID.format(e=e)}
Subject: Re: {enc(SUBJECT_EN)}
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable
X-Mailer: Zimbra 8.8.15_GA_4484 (ZimbraWebClient - GC120 (Win)/8.8.15_GA_4484)
Thread-Topic: {enc(SUBJECT_EN)}
Thread-Index: 9Xk2b3F0aW9uLWJlbmVmaXQ=
""", qp(html.encode()), case(e, "recorded", "HTML only (Zimbra web client): answers in <p> with <br>, &nbsp; inside the quantiles, &gt; and &amp; in a text answer; the blank form quoted in a <blockquote>", expected=x))

# 06 quoted-printable soft line breaks inside answers (Roundcube) --------------------
e = "E12"
rationale = ("Shared incident-reporting formats cost little and expose nothing sensitive; the hard part is getting both "
             "governments to require them of their labs, which is a question of politics, not of technical difficulty.")
w, x = answers(
    ("protocols.benefit", "6", ordinal(6)),
    ("protocols.risk-information", "2", ordinal(2)),
    ("protocols.recommendation", "5", ordinal(5)),
    ("protocols.rationale", rationale, text(rationale)),
    ("seed-eo14110-threshold", "5%: 24  50%: 26  95%: 27", quantile(24, 26, 27)),
)
body = "Dear Delphi team,\n\nmy answers (kind regards, Zhao Moni):\n\n" + markers(w) + "\n\nOn 2026-11-30 09:00, Delphi study wrote:\n" + quote(invitation_en(e)) + "\n"
encoded = qp(body.encode())
assert "=\r\n" in encoded.split("[protocols.rationale]")[1].split("[seed")[0], "a soft break inside the rationale"
write("06-qp-soft-breaks.eml", f"""
MIME-Version: 1.0
Date: Thu, 03 Dec 2026 22:05:51 +0800
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Subject: Re: {enc(SUBJECT_EN)}
{ID.format(e=e)}
Message-ID: <5b0e1f3a9c2d4e7f8a6b1c2d3e4f5a6b@edu.example.org>
X-Sender: {addr(e)}
User-Agent: Roundcube Webmail/1.6.5
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable
""", encoded, case(e, "recorded", "Roundcube, quoted-printable: the long text answer is split by soft line breaks (=CRLF) mid-word", expected=x))

# 07 base64 text/plain (Samsung Email) -----------------------------------------------
e = "E13"
w, x = answers(
    ("infrastructure.benefit", "5", ordinal(5)),
    ("infrastructure.risk-harm", "5", ordinal(5)),
    ("infrastructure.recommendation", "3", ordinal(3)),
    ("proposals", "Joint work on secure enclaves for model weights.", text("Joint work on secure enclaves for model weights.")),
)
body = "Greta here, answers below.\n\n" + markers(w) + "\n\n\n-------- Original message --------\nFrom: Delphi study <delphi@replies.example.org> \nDate: 30/11/2026 10:00 (GMT+01:00) \nTo: " + addr(e) + " \nSubject: " + SUBJECT_EN + " \n\n" + invitation_en(e).replace(LINK, "http://127.0.0.1:8080/s/…") + "\n"
write("07-base64-samsung.eml", f"""
Message-ID: <kq7m2x9vdf3b1c0a5e8h4n6p@email.android.com>
Date: Fri, 04 Dec 2026 07:48:03 +0100
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
{ID.format(e=e)}
Subject: Re: {enc(SUBJECT_EN)}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64
""", b64(crlf(body).encode()), case(e, "recorded", "Samsung Email: base64 text/plain, top-posted answers over an unquoted \"-------- Original message --------\" copy (the token only in To:)", expected=x))

# 08 GBK Chinese reply (Foxmail) --------------------------------------------------------
e = "E07"
w, x = answers(
    ("verification.benefit", "较高", ordinal(5)),
    ("verification.risk-information", "6 高", ordinal(6)),
    ("evaluations.benefit", "不知道", DK),
    ("area-ranking", "验证机制、规程与共享标准、评测、基础设施", ranking("verification", "protocols", "evaluations", "infrastructure")),
    ("verification.rationale", "算力核算的技术门槛不高，但需要芯片厂商配合；朱镕基时代的出口管制经验值得借鉴。",
     text("算力核算的技术门槛不高，但需要芯片厂商配合；朱镕基时代的出口管制经验值得借鉴。")),
)
body = (
    "您好：\n\n我的回答如下。张世立\n\n" + markers(w) + "\n\n"
    "发件人： Delphi study\n发送时间： 2026-11-30 17:00\n收件人： " + addr(e).split("@")[0] + "\n主题： " + SUBJECT_ZH + "\n"
    + invitation_zh(e).replace(LINK, "http://127.0.0.1:8080/s/…") + "\n"
)
write_bytes("08-gbk-foxmail.eml", f"""
Date: Fri, 4 Dec 2026 09:16:45 +0800
From: {enc(name(e) + " 张世立", "utf-8").split(" =?")[0] if False else "=?GBK?B?" + base64.b64encode("张世立".encode("gbk")).decode() + "?="} <{addr(e)}>
To: "Delphi study" <{REPLIES}>
Subject: =?GBK?B?{base64.b64encode(("回复：" + SUBJECT_ZH).encode("gbk")).decode()}?=
X-Priority: 3
X-Has-Attach: no
X-Mailer: Foxmail 7.2.25.375[cn]
Mime-Version: 1.0
Message-ID: <202612040916451378622@cn.example.org>
{ID.format(e=e)}
Content-Type: text/plain;
\tcharset="GBK"
Content-Transfer-Encoding: base64
""", b64(crlf(body).encode("gbk")).encode(), case(e, "recorded", "Foxmail, GBK base64 (the token only in To:): Chinese labels as answers (较高 = 5, 不知道), ranking by Chinese titles, a text answer with 镕 (in GBK, not in GB2312); the original under a 发件人：/发送时间： block", expected=x))

# 09 windows-1252, Outlook plain text, -----Original Message----- ---------------------
e = "E15"
rationale = "Les standards communs sont la voie la moins coûteuse : l’expérience de l’ISO le montre déjà."
w, x = answers(
    ("protocols.benefit", "6", ordinal(6)),
    ("protocols.risk-capabilities", "1", ordinal(1)),
    ("protocols.risk-harm", "2", ordinal(2)),
    ("protocols.rationale", rationale, text(rationale)),
    ("p-joint-evaluation-2030", "20 %", prob(0.2)),
)
body = (
    "Bonjour,\n\nVoici mes réponses. Cordialement, Camille Exemplaire\n\n" + markers(w) + "\n\n"
    "-----Original Message-----\nFrom: Delphi study <delphi@replies.example.org> \nSent: Monday, November 30, 2026 10:00 AM\n"
    f"To: {name(e)} <{addr(e)}>\nSubject: {SUBJECT_EN}\n\n" + invitation_en(e) + "\n"
)
write_bytes("09-windows-1252-outlook.eml", f"""
From: "{name(e)}" <{addr(e)}>
To: "'Delphi study'" <{REPLIES}>
{ID.format(e=e)}
Subject: RE: {enc(SUBJECT_EN, "windows-1252")}
Date: Fri, 4 Dec 2026 11:03:27 +0100
Message-ID: <000001db4a2c$3f8e1a20$beaa4e60$@example.org>
MIME-Version: 1.0
Content-Type: text/plain;
\tcharset="windows-1252"
Content-Transfer-Encoding: quoted-printable
X-Mailer: Microsoft Outlook 14.0
Thread-Index: AdtKLD+OGiC+qk5gR3l2YmVudGFsc28=
Content-Language: fr
""", qp(crlf(body).encode("cp1252")).encode("ascii"), case(e, "recorded", "Outlook 2010 plain text in windows-1252, quoted-printable (’ is =92, é =E9, – =96): answers top-posted, the original below \"-----Original Message-----\"", expected=x))

# 10 ISO-8859-1, 8bit (Mutt), trimmed inline quote -----------------------------------
e = "E14"
rationale = "Überprüfbarkeit ist der Schlüssel; die Kosten für\nPrüfstände sind gering, das Risiko für Geschäftsgeheimnisse groß."
w, x = answers(
    ("verification.benefit", "7", ordinal(7)),
    ("verification.risk-information", "6", ordinal(6)),
    ("verification.recommendation", "4", ordinal(4)),
    ("verification.rationale", rationale, text(rationale)),
)
quoted = "\n".join([
    "On Mon, Nov 30, 2026 at 09:00:00AM +0000, Delphi study wrote:",
    "> Dear Lukas Musterfeld,", ">", "> [snip]", ">",
    "> [verification.benefit] 7",
    "> [verification.risk-capabilities]",
    "> [verification.risk-information] 6",
    "> [verification.risk-harm]",
    "> [verification.recommendation] 4",
    "> [verification.rationale] Überprüfbarkeit ist der Schlüssel; die Kosten für",
    "> Prüfstände sind gering, das Risiko für Geschäftsgeheimnisse groß.",
    ">", "> [end]", "",
    "Die übrigen Fragen beantworte ich nächste Woche.", "", "Grüße", "Lukas", "", "-- ",
    "Lukas Musterfeld · Rhine-Meuse Centre for Trustworthy Computing", "",
])
write_bytes("10-iso-8859-1-mutt.eml", f"""
Date: Sat, 5 Dec 2026 14:22:09 +0100
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Subject: Re: {enc(SUBJECT_EN)}
Message-ID: <Z1Gk9f3aWb7cX2dE@rhine-meuse.example.org>
{ID.format(e=e)}
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-1
Content-Disposition: inline
Content-Transfer-Encoding: 8bit
User-Agent: Mutt/2.2.9 (2022-11-12)
""", crlf(quoted).encode("latin-1"), case(e, "recorded", "Mutt, ISO-8859-1 in 8bit (raw bytes ü = 0xFC): answers inline in a trimmed quote (the :: lines deleted, [snip] marks), the text answer typed over two quoted lines (the line break is kept); a signature", expected=x))

# 11 format=flowed (Thunderbird), long lines soft-broken -------------------------------
e = "E16"
r1 = ("Shared evaluation platforms are useful, but operating them jointly means both sides see the other's "
      "models under test, and the security engineering needed to make that safe is far from solved today.")
p1 = "An incident database with a common schema, hosted by a neutral party."
p2 = "Exchanges of red-team staff between the two countries' safety institutes, starting with methods rather than models."
w, x = answers(
    ("infrastructure.benefit", "5 Somewhat high", ordinal(5)),
    ("infrastructure.risk-information", "5", ordinal(5)),
    ("infrastructure.rationale", r1, text(r1)),
    ("proposals", p1 + "\n\n" + p2, text(p1 + "\n\n" + p2)),
    ("seed-bletchley-countries", "5%: 15  50%: 25  95%: 40", quantile(15, 25, 40)),
)
body = "Hello, Oliver here.\n\n" + markers(w) + "\n\nOn 30/11/2026 09:00, Delphi study wrote:\n" + quote(invitation_en(e)) + "\n"
fl = flowed(body)
assert any(l.endswith(" ") and l.startswith("[infrastructure.rationale]") for l in fl.split("\n")), "a soft break in the rationale"
write("11-format-flowed.eml", f"""
Message-ID: <c0ffee42-9d1b-4a7e-8f3c-2b6d5e4a1f90@example.org>
Date: Sat, 5 Dec 2026 18:40:11 +0000
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: {enc(SUBJECT_EN)}
Content-Language: en-GB
To: Delphi study <{REPLIES}>
{ID.format(e=e)}
From: {name(e)} <{addr(e)}>
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit
""", crlf(fl), case(e, "recorded", "Thunderbird, format=flowed (DelSp=No): the long text answers are soft-broken (lines ending in a space); a text answer of two paragraphs", expected=x))

# 12 signature and legal disclaimer --------------------------------------------------
e = "E17"
w, x = answers(
    ("evaluations.benefit", "6", ordinal(6)),
    ("evaluations.risk-capabilities", "6", ordinal(6)),
    ("evaluations.recommendation", "3 Neither agree nor disagree", ordinal(3)),
    ("years-to-first-agreement", "5%: 4 50%: 10 95%: 30", quantile(4, 10, 30)),
)
body = (
    markers(w) + "\n\n-- \nHarriet Notreal\nSenior Fellow, AI Governance\nThameside Institute for Technology and Security\n+44 20 7946 0000\n\n"
    "On Mon, 30 Nov 2026 at 09:00, Delphi study <delphi@replies.example.org> wrote:\n" + quote(invitation_en(e)) + "\n\n"
    "________________________________\n\nThis email and any attachments are confidential and may be legally privileged. If you are not\n"
    "the intended recipient, please notify the sender immediately and delete it. Any views or\n"
    "opinions expressed are solely those of the author. [Thameside Institute, registered charity 1234567]\n"
)
write("12-signature-disclaimer.eml", f"""
Received: from mail-gw.thameside.example.org (mail-gw.thameside.example.org [192.0.2.25])
\tby mx.replies.example.org (Postfix) with ESMTPS id 4Qx7Lm2b9Kz3T
\tfor <{REPLIES}>; Mon, 7 Dec 2026 09:12:40 +0000 (UTC)
From: {name(e)} <{addr(e)}>
To: "Delphi study" <{REPLIES}>
Subject: Re: {enc(SUBJECT_EN)}
Date: Mon, 7 Dec 2026 09:12:33 +0000
Message-ID: <LO2P265MB5127B3A9F0C14D2E8A7B6C5D4E3F2A1B0C9D@LO2P265MB5127.GBRP265.PROD.OUTLOOK.COM>
{ID.format(e=e)}
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable
X-Mailer: Microsoft Outlook 16.0
""", qp(body.encode()), case(e, "recorded", "a signature after \"-- \" and a legal disclaimer appended at the bottom by the mail gateway (after a line of underscores, with a [bracketed] line)", expected=x))

# 13 attachment -----------------------------------------------------------------------
e = "E18"
w, x = answers(
    ("infrastructure.benefit", "6", ordinal(6)),
    ("infrastructure.risk-capabilities", "2", ordinal(2)),
    ("infrastructure.risk-harm", "4", ordinal(4)),
    ("infrastructure.recommendation", "4", ordinal(4)),
    ("infrastructure.rationale", "See the attached note for the longer argument.", text("See the attached note for the longer argument.")),
)
body = "Dear colleagues,\n\nmy answers are below; a longer note is attached. Wei Ling\n\n" + markers(w) + "\n\nOn 30/11/2026 17:00, Delphi study wrote:\n" + quote(invitation_en(e)) + "\n"
pdf = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
       b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
b = "------------7fQ2xN0mBv4LcR8tY1uW3sZ6"
write("13-attachment.eml", f"""
Content-Type: multipart/mixed; boundary="{b}"
Message-ID: <7a1d9e3c-2f4b-4c8a-b6e5-0d9f8a7c6b5e@example.org>
Date: Mon, 7 Dec 2026 15:27:18 +0800
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: {enc(SUBJECT_EN)}
Content-Language: en-GB
To: Delphi study <{REPLIES}>
{ID.format(e=e)}
From: {name(e)} <{addr(e)}>
""", "This is a multi-part message in MIME format.\r\n" + f"--{b}\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    + crlf(body) + f"\r\n--{b}\r\nContent-Type: application/pdf; name=\"delphi-round1-note.pdf\"\r\nContent-Disposition: attachment; filename=\"delphi-round1-note.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\n" + b64(pdf) + f"\r\n--{b}--\r\n",
    case(e, "recorded", "Thunderbird multipart/mixed: answers in the text/plain part, a PDF attachment (base64) to ignore", expected=x))

# 14 partial answers (iPhone) ---------------------------------------------------------
e = "E20"
w, x = answers(
    ("verification.benefit", "5", ordinal(5)),
    ("protocols.benefit", "6", ordinal(6)),
    ("p-joint-evaluation-2030", "10", prob(0.1)),
)
body = "Quick answers for now, more later.\n\n" + markers(w) + "\n\n> On 1 Dec 2026, at 07:12, Delphi study <" + REPLIES + "> wrote:\n>\n" + quote(invitation_en(e)) + "\n"
write("14-partial-iphone.eml", f"""
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable
From: {name(e)} <{addr(e)}>
Mime-Version: 1.0 (1.0)
Date: Tue, 8 Dec 2026 07:40:02 +0530
Subject: Re: {enc(SUBJECT_EN)}
Message-Id: <A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D@example.org>
{ID.format(e=e)}
To: Delphi study <{REPLIES}>
X-Mailer: iPhone Mail (22B91)
""", qp(body.encode()), case(e, "recorded", "iPhone Mail: only three items answered (a partial reply is allowed; the rest stays unanswered)", expected=x))

# 15 From address in other case, other display name (Outlook for Mac) ------------------
e = "E01"
w, x = answers(
    ("verification.benefit", ": 5", ordinal(5)),
    ("protocols.benefit", "= 6", ordinal(6)),
    ("infrastructure.benefit", "4", ordinal(4)),
    ("evaluations.benefit", "7", ordinal(7)),
    ("area-ranking", "Verification mechanisms, Evaluations, Protocols and shared standards, Infrastructure",
     ranking("verification", "evaluations", "protocols", "infrastructure")),
)
body = markers(w).replace("] : ", "]: ").replace("] = ", "] = ") + "\n\nFrom: Delphi study <delphi@replies.example.org>\nDate: Monday, 30 November 2026 at 09:00\nTo: Avery Placeholder <avery.placeholder@example.org>\nSubject: " + SUBJECT_EN + "\n\n" + invitation_en(e) + "\n"
write("15-address-case.eml", f"""
User-Agent: Microsoft-MacOutlook/16.91.24111020
Date: Tue, 08 Dec 2026 13:05:44 -0500
Subject: Re: {enc(SUBJECT_EN)}
From: "Dr. Avery Placeholder (Northbridge)" <Avery.Placeholder@Example.org>
To: Delphi study <{REPLIES}>
Message-ID: <9C4E2B7A-1F3D-4E8B-A5C6-7D8E9F0A1B2C@Example.org>
Thread-Topic: {enc(SUBJECT_EN)}
{ID.format(e=e)}
Mime-version: 1.0
Content-type: text/plain;
\tcharset="UTF-8"
Content-transfer-encoding: quoted-printable
""", qp(body.encode()), case(e, "recorded", "Outlook for Mac: From address in other case (Avery.Placeholder@Example.org) and another display name - matches E01 case-insensitively; markers decorated with \":\" and \"=\", ranking by titles", expected=x))

# 16 Chinese, full-width digits and brackets (Coremail, base64 UTF-8) --------------------
e = "E10"
w, x = answers(
    ("verification.benefit", "６", ordinal(6)),
    ("protocols.benefit", "５", ordinal(5)),
    ("evaluations.benefit", "不知道", DK),
    ("years-to-first-agreement", "５％：３　５０％：８　９５％：２０", quantile(3, 8, 20)),
    ("p-joint-evaluation-2030", "３０％", prob(0.3)),
    ("proposals", "建议增加“模型权重安全”作为第五个领域。", text("建议增加“模型权重安全”作为第五个领域。")),
)
lines = []
for i, (k, v) in enumerate(w.items()):
    open_, close = ("【", "】") if i % 2 else ("［", "］")
    lines.append(f"{open_}{k}{close} {v}")
body = "您好，\n\n" + "\n".join(lines) + "\n\n\n在 2026-11-30 17:00:00，\"Delphi study\" <delphi@replies.example.org> 写道：\n" + quote(invitation_zh(e).replace(LINK, "http://127.0.0.1:8080/s/…")) + "\n"
write("16-chinese-fullwidth.eml", f"""
Date: Tue, 8 Dec 2026 21:33:50 +0800 (CST)
From: "{name(e)}" <{addr(e)}>
To: "Delphi study" <{REPLIES}>
Subject: =?UTF-8?B?{base64.b64encode(("回复:" + SUBJECT_ZH).encode()).decode()}?=
X-Priority: 3
X-Mailer: Coremail Webmail Server Version XT5.0.13 build 20230526(1f79a8ec) Copyright (c) 2002-2026 www.mailtech.cn cn.example.org
{ID.format(e=e)}
Content-Transfer-Encoding: base64
Content-Type: text/plain; charset=UTF-8
MIME-Version: 1.0
Message-ID: <4d2a1c0b.3f8e.18c7a9b2e41.Coremail.chen.xuni@cn.example.org>
""", b64(crlf(body).encode()), case(e, "recorded", "Coremail, Chinese, base64 UTF-8 (the token only in To:): full-width brackets ［］ and 【】, full-width digits, ％ and ：, ideographic spaces; 不知道 = don't know; the quoted form under \"在 … 写道：\"", expected=x))

# 17 Outlook (Chinese UI), gb2312 label over cp936 bytes ------------------------------
e = "E11"
w, x = answers(
    ("protocols.benefit", "6", ordinal(6)),
    ("protocols.risk-information", "2", ordinal(2)),
    ("protocols.recommendation", "5 非常同意", ordinal(5)),
    ("area-ranking", "2 1 3 4", ranking("protocols", "verification", "infrastructure", "evaluations")),
)
body = (
    markers(w) + "\n\n发件人: Delphi study <delphi@replies.example.org>\n发送时间: 2026年11月30日 17:00\n"
    f"收件人: {name(e)} <{addr(e)}>\n主题: {SUBJECT_ZH}\n\n" + invitation_zh(e).replace(LINK, "http://127.0.0.1:8080/s/…") + "\n"
)
try:
    body.encode("gb2312")
    GB_NOTE = "all of it in GB2312"
except UnicodeEncodeError:
    GB_NOTE = "labelled gb2312 but containing GBK-only characters (– ·), as Windows code page 936 does: decode gb2312 as GBK"
html = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body><div>" + "<br>".join(
    l.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for l in body.split("\n")) + "</div></body></html>"
b = "_000_TYZPR06MB62711C2D3E4F5A6B7C8D9E0F1A2B3C4DTYZPR06MB6271apcp_"
write_bytes("17-outlook-gb2312.eml", f"""
From: =?gb2312?B?{base64.b64encode("刘佳明".encode("gb2312")).decode()}?= <{addr(e)}>
To: Delphi study <{REPLIES}>
Subject: =?gb2312?B?{base64.b64encode(("答复: " + SUBJECT_ZH.replace("–", "-")).encode("gb2312")).decode()}?=
Thread-Topic: =?gb2312?B?{base64.b64encode(SUBJECT_ZH.replace("–", "-").encode("gb2312")).decode()}?=
Thread-Index: AdtLmX5q0cV2Z3xkQ0uAPW9iYmVudA==
Date: Wed, 9 Dec 2026 02:11:37 +0000
Message-ID: <TYZPR06MB62711C2D3E4F5A6B7C8D9E0F1A2B3C4D@TYZPR06MB6271.apcprd06.prod.outlook.com>
{ID.format(e=e)}
Accept-Language: zh-CN, en-US
Content-Language: zh-CN
X-MS-Has-Attach:
X-Mailer: Microsoft Outlook 16.0
Content-Type: multipart/alternative; boundary="{b}"
MIME-Version: 1.0
""", (f"--{b}\r\nContent-Type: text/plain; charset=\"gb2312\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      + b64(crlf(body).encode("gbk")) + f"\r\n--{b}\r\nContent-Type: text/html; charset=\"gb2312\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      + b64(html.encode("gbk")) + f"\r\n--{b}--\r\n").encode("ascii"),
    case(e, "recorded", f"Outlook 16 with a Chinese UI, multipart/alternative, base64 (the token only in To:), {GB_NOTE}; the original below a 发件人:/发送时间:/收件人:/主题: block", expected=x))

# 18 forwarded message (Gmail) ----------------------------------------------------------
e = "E09"
w, x = answers(
    ("evaluations.benefit", "5", ordinal(5)),
    ("evaluations.risk-harm", "4", ordinal(4)),
    ("evaluations.recommendation", "4", ordinal(4)),
    ("seed-eo14110-threshold", "5%: 24  50%: 26  95%: 28", quantile(24, 26, 28)),
)
fwd = ("My answers are in the form below (I forwarded the invitation to myself first, sorry).\n\nWang Ceshi\n\n"
       "---------- Forwarded message ---------\nFrom: Delphi study <delphi@replies.example.org>\n"
       "Date: Mon, Nov 30, 2026 at 5:00 PM\nSubject: " + SUBJECT_ZH + "\nTo: <" + addr(e) + ">\n\n\n" + fill(invitation_zh(e), w) + "\n")
html = "<div dir=\"ltr\">" + fwd.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>") + "</div>"
b = "0000000000009f8e7d6c5b4a3921"
write("18-forwarded.eml", f"""
MIME-Version: 1.0
References: <round-1.{e}@replies.example.org>
In-Reply-To: <round-1.{e}@replies.example.org>
From: Wang Ceshi <{addr(e)}>
Date: Wed, 9 Dec 2026 10:20:15 +0800
Message-ID: <CAHk4Yw0mQ7pZs2+Xv9Lb3Nd8Rt5Gf1Jc6Ue4Ko0Ai7We2Sy3Dq@mail.gmail.com>
Subject: =?UTF-8?B?{base64.b64encode(("Fwd: " + SUBJECT_ZH).encode()).decode()}?=
To: {REPLIES}
Content-Type: multipart/alternative; boundary="{b}"
""", f"--{b}\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp(fwd.encode())
    + f"\r\n\r\n--{b}\r\nContent-Type: text/html; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp(html.encode()) + f"\r\n\r\n--{b}--\r\n",
    case(e, "recorded", "Gmail forward (\"---------- Forwarded message ---------\") sent to the study's reply address; answers written into the forwarded (unquoted) Chinese form", expected=x))

# 19 the client ignored Reply-To: the token is only in the quoted personal link ---------
e = "E19"
w, x = answers(
    ("verification.benefit", "6", ordinal(6)),
    ("infrastructure.benefit", "4", ordinal(4)),
    ("evaluations.benefit", "5", ordinal(5)),
    ("p-joint-evaluation-2030", "12.5", prob(0.125)),
)
body = "Regards, Tan Jiaxiang\n\n" + markers(w) + "\n\nOn 30/11/2026 17:00, Delphi study wrote:\n" + quote(invitation_zh(e)) + "\n"
write("19-token-in-body-only.eml", f"""
Message-ID: <e4b1c7d2-6a3f-4f9e-8b2a-5c0d1e9f7a36@example.org>
Date: Wed, 9 Dec 2026 12:45:31 +0800
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: {enc(SUBJECT_ZH)}
To: Delphi study <delphi@replies.example.org>
{ID.format(e=e)}
From: {name(e)} <{addr(e)}>
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit
""", crlf(body), case(e, "recorded", "the client ignored Reply-To and wrote to the bare delphi@replies.example.org: the token is only in the personal link of the quoted invitation (http://127.0.0.1:8080/s/TOKEN); sender matches the token's expert", expected=x))

# 20 invalid answers (Chinese expert: the error reply is in Chinese) --------------------
e = expert("zh")
w = {"verification.benefit": "5", "protocols.recommendation": "9", "p-joint-evaluation-2030": "0.3"}
body = "您好，\n\n" + markers(w) + "\n\n" + hanzi(e) + "\n\n在 2026/11/30 17:00, Delphi study 写道:\n" + quote(invitation_zh(e)) + "\n"
write("20-invalid-answers.eml", f"""
Message-ID: <2b9f4e1a-7c3d-4a8e-9f6b-1d2c3e4f5a6b@cn.example.org>
Date: Thu, 10 Dec 2026 08:05:12 +0800
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: {enc(SUBJECT_ZH)}
Content-Language: zh-CN
To: Delphi study <{REPLIES}>
{ID.format(e=e)}
From: {name(e)} <{addr(e)}>
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit
""", crlf(body), case(e, "invalid", "9 on the 1–5 agreement scale and a bare fraction as a probability: nothing is stored, the error reply (in Chinese, the expert's language) names both questions by their wording",
                      problems=["应在未来三年内推进“规程与共享标准”领域的合作", "模型开展危险能力评测的概率是多少"]))

# 21 unknown item marker ----------------------------------------------------------------
e = expert("en")
w = {"verification.benfit": "5", "verification.risk-harm": "3"}
body = markers(w) + "\n\n" + first_name(e) + "\n\nOn 2026-11-30 09:00, Delphi study wrote:\n" + quote(invitation_en(e)) + "\n"
write("21-unknown-item.eml", f"""
MIME-Version: 1.0
Date: Thu, 10 Dec 2026 09:30:00 +0800
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Subject: Re: {enc(SUBJECT_EN)}
{ID.format(e=e)}
Message-ID: <8e2d7f6c5b4a39281706f5e4d3c2b1a0@edu.example.org>
User-Agent: Roundcube Webmail/1.6.5
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable
""", qp(body.encode()), case(e, "invalid", "a misspelt marker [verification.benfit]: nothing is stored (not even the valid answer), the error reply names the marker",
                              problems=["verification.benfit"]))

# 22-24 auto-replies ------------------------------------------------------------------
e = "E13"
write("22-auto-reply-exchange.eml", f"""
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Subject: Automatic reply: {enc(SUBJECT_EN)}
Thread-Topic: {enc(SUBJECT_EN)}
Date: Mon, 30 Nov 2026 09:00:14 +0000
Message-ID: <a5b6c7d8e9f04a1b8c2d3e4f5a6b7c8d@AM9PR07MB7891.eurprd07.prod.outlook.com>
{ID.format(e=e)}
Auto-Submitted: auto-replied
X-MS-Exchange-Inbox-Rules-Loop: {addr(e)}
X-Auto-Response-Suppress: All
Content-Language: en-GB
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit
""", crlf("I am out of the office until 14 December 2026 with limited access to email.\n\nFor urgent matters please contact the institute office.\n\nGreta Beispielmann\n"),
    case(e, "auto-reply", "Exchange out-of-office: Auto-Submitted: auto-replied (RFC 3834), \"Automatic reply:\" subject; valid token - must not be read as a reply, no receipt"))

e = "E14"
write("23-auto-reply-x-autoreply.eml", f"""
Return-Path: <>
Date: Mon, 30 Nov 2026 10:00:09 +0100
From: {addr(e)}
To: {REPLIES}
Subject: Out of Office
Message-ID: <autoreply-20261130100009-4471@rhine-meuse.example.org>
X-Autoreply: yes
X-Autorespond: {addr(e)}
Precedence: auto_reply
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
""", crlf("Ich bin bis 11.12. nicht im Büro. I am away until 11 December.\n"),
    case(e, "auto-reply", "a vacation responder (cPanel/Exim style) recognisable only by X-Autoreply: yes, Precedence: auto_reply and the subject \"Out of Office\" (no Auto-Submitted, no In-Reply-To)"))

e = "E15"
write("24-auto-reply-subject-only.eml", f"""
From: "{name(e)}" <{addr(e)}>
To: "Delphi study" <{REPLIES}>
Subject: Out of Office AutoReply: {enc(SUBJECT_EN)}
Date: Mon, 30 Nov 2026 10:00:03 +0100
Message-ID: <000a01db4a2c$00000000$00000000@example.org>
{ID.format(e=e)}
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit
""", crlf("Je suis absente jusqu’au 3 décembre. I am out of the office until 3 December.\n"),
    case(e, "auto-reply", "an out-of-office answer recognisable only by its subject (\"Out of Office AutoReply:\"), headers stripped by a gateway"))

# 25 bounce ---------------------------------------------------------------------------
e = "E06"
b = "4QxBn71Zk2z9T.1796308000/mx.edu.example.org"
invitation_headers = f"""Return-Path: <{REPLIES}>
Received: from replies.example.org (replies.example.org [198.51.100.7])
\tby mx.edu.example.org (Postfix) with ESMTPS id 4QxBn71Zk2z9T
\tfor <{addr(e)}>; Mon, 30 Nov 2026 09:00:02 +0000 (UTC)
From: Delphi study <delphi@replies.example.org>
Reply-To: {REPLIES}
To: {name(e)} <{addr(e)}>
Subject: {enc(SUBJECT_EN)}
Date: Mon, 30 Nov 2026 09:00:00 +0000
Message-ID: <round-1.{e}@replies.example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable
"""
write("25-bounce-dsn.eml", f"""
Return-Path: <>
From: MAILER-DAEMON@mx.edu.example.org (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: {REPLIES}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{b}"
Content-Transfer-Encoding: 7bit
Message-Id: <20261130090003.5E2A11C0142@mx.edu.example.org>
Date: Mon, 30 Nov 2026 09:00:03 +0000 (UTC)
""", crlf(f"""This is a MIME-encapsulated message.

--{b}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.edu.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

<{addr(e)}>: host mailstore.edu.example.org[192.0.2.40] said: 550 5.1.1
    <{addr(e)}>: Recipient address rejected: User unknown in
    virtual mailbox table (in reply to RCPT TO command)

--{b}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.edu.example.org
X-Postfix-Queue-ID: 4QxBn71Zk2z9T
X-Postfix-Sender: rfc822; {REPLIES}
Arrival-Date: Mon, 30 Nov 2026 09:00:02 +0000 (UTC)

Final-Recipient: rfc822; {addr(e)}
Original-Recipient: rfc822;{addr(e)}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mailstore.edu.example.org
Diagnostic-Code: smtp; 550 5.1.1 <{addr(e)}>: Recipient address rejected:
    User unknown in virtual mailbox table

--{b}
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers
Content-Transfer-Encoding: 7bit

{invitation_headers}
--{b}--
"""), case(e, "bounce", "Postfix DSN from MAILER-DAEMON (multipart/report; report-type=delivery-status, 5.1.1 user unknown) for the invitation to E06; the token in To: and in the returned headers' Reply-To"))

# 26-27 spoofed senders -----------------------------------------------------------------
e = "E16"
w = {"evaluations.benefit": "1", "evaluations.recommendation": "1"}
write("26-spoofed-outsider.eml", f"""
From: Oliver Specimen <o.specimen@mail.example.net>
To: Delphi study <{REPLIES}>
Subject: Re: {enc(SUBJECT_EN)}
Date: Thu, 10 Dec 2026 23:59:01 +0000
Message-ID: <f00dbabe-1234-4cde-8f90-abcdef012345@mail.example.net>
{ID.format(e=e)}
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 7bit
""", crlf(markers(w) + "\n"), case(e, "spoofed", "E16's valid token, but From: an address not on the panel (same display name): nothing stored"))

e = "E17"
w = {"verification.benefit": "2", "protocols.benefit": "2"}
write("27-spoofed-other-panelist.eml", f"""
Message-ID: <3c2b1a09-8f7e-4d6c-b5a4-93827160f5e4@example.org>
Date: Thu, 10 Dec 2026 12:00:00 +0800
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: Fwd: {enc(SUBJECT_EN)}
To: Delphi study <{REPLIES}>
From: {name("E18")} <{addr("E18")}>
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit
""", crlf(markers(w) + "\n\nWei Ling\n\nOn 30/11/2026 10:05, Harriet Notreal wrote:\n> FYI - the Delphi form, in case you want to see it.\n>\n" + quote(invitation_en(e)) + "\n"),
    case(e, "spoofed", "E17's valid token (her invitation, forwarded to a colleague) but From: E18, another panel member: nothing stored for either", other_expert="E18"))

# 28 well-formed token that was never issued ---------------------------------------------
e = "E20"
w = {"verification.benefit": "4", "protocols.benefit": "4", "evaluations.benefit": "4"}
write("28-unknown-token.eml", f"""
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit
From: {name(e)} <{addr(e)}>
Mime-Version: 1.0 (1.0)
Date: Thu, 10 Dec 2026 18:20:00 +0530
Subject: Re: {enc(SUBJECT_EN)}
Message-Id: <B2C3D4E5-F6A7-4B8C-9D0E-1F2A3B4C5D6E@example.org>
To: Delphi study <delphi+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@replies.example.org>
X-Mailer: iPhone Mail (22B91)
""", crlf(markers(w) + "\n\nSent from my iPhone\n"),
    case(e, "unknown-token", "a well-formed token (32 × a) that was never issued, from a panel member's address: nothing stored, no guessing by From (no {{TOKEN}} in this file; expert is the sender)"))

# 29 no token at all ----------------------------------------------------------------------
e = "E05"
w = {"verification.benefit": "3", "infrastructure.benefit": "3", "evaluations.benefit": "3"}
write("29-no-token.eml", f"""
From: {name(e)} <{addr(e)}>
To: Delphi study <delphi@replies.example.org>
Subject: {enc("My answers for the Delphi study")}
Date: Thu, 10 Dec 2026 20:00:00 -0800
Message-Id: <C3D4E5F6-A7B8-4C9D-8E0F-2A3B4C5D6E7F@example.org>
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.300.87.4.3\\))
X-Mailer: Apple Mail (2.3826.300.87.4.3)
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit
""", crlf("Hi, I lost the original email, here are my answers:\n\n" + markers(w) + "\n\nMorgan\n"),
    case(e, "no-token", "a new message (not a reply) to the bare address, no token and no link anywhere, from a panel member: nothing stored, no guessing by From (no {{TOKEN}} in this file; expert is the sender)"))

# 31-33 habits the reply parser once did not cope with (a sign-off, a phone's
# signature, quote elisions); see README.md --------------------------------
e = expert("zh")
w, x = answers(
    ("verification.risk-capabilities", "3", ordinal(3)),
    ("infrastructure.risk-capabilities", "2", ordinal(2)),
    ("evaluations.risk-information", "5", ordinal(5)),
)
body = markers(w) + "\n\nThanks,\n" + name(e) + "\n\nOn 30/11/2026 17:00, Delphi study wrote:\n" + quote(invitation_zh(e)) + "\n"
write("31-sign-off-after-answers.eml", f"""
Message-ID: <6d5c4b3a-2918-4f7e-a6d5-c4b3a2918f7e@cn.example.org>
Date: Fri, 11 Dec 2026 08:00:00 +0800
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: {enc(SUBJECT_ZH)}
To: Delphi study <{REPLIES}>
{ID.format(e=e)}
From: {name(e)} <{addr(e)}>
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit
""", crlf(body), case(e, "recorded", "top-posted answers followed by a sign-off (\"Thanks,\" and the name) without a \"-- \" line, the commonest way to end a reply", expected=x))

e = expert("zh")
w, x = answers(
    ("protocols.risk-harm", "2", ordinal(2)),
    ("proposals", "Cooperation on watermarking standards.", text("Cooperation on watermarking standards.")),
)
body = markers(w) + "\n\nSent from my iPhone\n\n> On 30 Nov 2026, at 17:00, Delphi study <" + REPLIES + "> wrote:\n>\n" + quote(invitation_zh(e)) + "\n"
write("32-mobile-signature.eml", f"""
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable
From: {name(e)} <{addr(e)}>
Mime-Version: 1.0 (1.0)
Date: Fri, 11 Dec 2026 09:10:00 +0800
Subject: Re: {enc(SUBJECT_ZH)}
Message-Id: <D4E5F6A7-B8C9-4DAE-9F01-3B4C5D6E7F80@cn.example.org>
{ID.format(e=e)}
To: Delphi study <{REPLIES}>
X-Mailer: iPhone Mail (22B91)
""", qp(body.encode()), case(e, "recorded", "iPhone Mail's automatic \"Sent from my iPhone\" below a text answer (no \"-- \" line)", expected=x))

e = expert("zh")
w, x = answers(
    ("verification.recommendation", "4", ordinal(4)),
    ("protocols.risk-capabilities", "1", ordinal(1)),
)
quoted = "\n".join([
    "On Mon, Nov 30, 2026 at 05:00:00PM +0800, Delphi study wrote:",
    "> [...]", ">",
    "> [verification.recommendation] 4", ">", "> [...]", ">",
    "> [protocols.risk-capabilities] 1", ">", "> [...]", "",
])
write("33-ellipsis-in-quote.eml", f"""
Date: Fri, 11 Dec 2026 10:20:00 +0800
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Subject: Re: {enc(SUBJECT_ZH)}
Message-ID: <Z1m2n3o4p5q6r7s8@cn.example.org>
{ID.format(e=e)}
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Disposition: inline
User-Agent: Mutt/2.2.9 (2022-11-12)
""", crlf(quoted), case(e, "recorded", "Mutt, inline answers in a quote trimmed with the usual \"[...]\" marks", expected=x))

# 30 duplicate: case 02 delivered a second time (same Message-ID) ----------------------
raw = open(os.path.join(HERE, "02-gmail-inline.eml"), "rb").read()
received = crlf("""Received: from mail-sor-f41.google.com (mail-sor-f41.google.com [209.85.220.41])
\tby mx2.replies.example.org (Postfix) with ESMTPS id 4QxD0v3Rk1z2W
\tfor <delphi+{{TOKEN}}@replies.example.org>; Tue, 1 Dec 2026 16:02:41 +0000 (UTC)
""").encode()
write_bytes("30-duplicate.eml", "", b"", case("E02", "duplicate", "case 02 delivered a second time (another Received: line, the same Message-ID): the second copy stores nothing and sends no second receipt", same_message_as="02-gmail-inline.eml"))
with open(os.path.join(HERE, "30-duplicate.eml"), "wb") as f:
    f.write(received + raw)

# the client and issue-12 classes of the first 33 cases (see cases_issue12.py)
OLD = {'01': ('thunderbird', ['ordinary', 'ranking', 'probability']), '02': ('gmail-web', ['ordinary', 'dont-know', 'quantile']), '03': ('outlook-desktop', ['ordinary', 'probability']), '04': ('apple-mail', ['ordinary', 'ranking']), '05': ('zimbra', ['html', 'quantile']), '06': ('roundcube', ['ordinary', 'quantile']), '07': ('samsung', ['ordinary']), '08': ('foxmail', ['zh', 'dont-know', 'ranking']), '09': ('outlook-desktop', ['ordinary', 'probability']), '10': ('mutt', ['ordinary', 'partial']), '11': ('thunderbird', ['ordinary', 'quantile']), '12': ('outlook-desktop', ['sign-off']), '13': ('thunderbird', ['ordinary']), '14': ('ios-mail', ['partial', 'probability']), '15': ('outlook-mac', ['ordinary', 'ranking']), '16': ('netease', ['full-width', 'zh', 'dont-know', 'quantile', 'probability']), '17': ('outlook-zh', ['zh', 'ranking']), '18': ('gmail-web', ['zh', 'quantile']), '19': ('thunderbird', ['ordinary', 'probability']), '20': ('thunderbird', ['invalid', 'zh']), '21': ('roundcube', ['invalid']), '22': ('outlook-desktop', ['auto-reply']), '23': ('exim-autoresponder', ['auto-reply']), '24': ('outlook-desktop', ['auto-reply']), '25': ('postfix-dsn', ['bounce']), '26': ('thunderbird', ['spoofed']), '27': ('thunderbird', ['spoofed']), '28': ('ios-mail', ['unknown-token']), '29': ('apple-mail', ['no-token']), '30': ('gmail-web', ['duplicate']), '31': ('thunderbird', ['sign-off', 'zh']), '32': ('ios-mail', ['sign-off', 'zh']), '33': ('mutt', ['ordinary', 'partial'])}
for _c in FILES:
    if _c["file"][:2] in OLD:
        _c["client"], _c["classes"] = OLD[_c["file"][:2]][0], list(OLD[_c["file"][:2]][1])

exec(open(os.path.join(HERE, "cases_issue12.py"), encoding="utf-8").read())
exec(open(os.path.join(HERE, "cases_issue16.py"), encoding="utf-8").read())

write_cases()
write_panel()
print(f"{len(FILES)} cases written")
