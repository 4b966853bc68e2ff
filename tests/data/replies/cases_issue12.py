# The cases of issue 12 (34 on), exec'd by make_corpus.py after the first 33. Every case
# has an expert of its own from the corpus panel (corpus_panel.py); `client` names the
# mail client whose habits the message copies, `classes` the issue-12 classes it covers:
#   crash        HTML-only text with an entity next to a multi-byte character
#   receipt      a reply to the tool's own receipt (steps, {{RECEIPT_ID}}, {{RECEIPT_QUOTED}})
#   above-marker values typed above their markers (ask) or on the line after (record)
#   sign-off     a sign-off, name, phone or address under a final text answer, no "-- "
#   rewrapped    the quoted form re-wrapped by a phone: form fragments without "::"
#   full-width   full-width brackets, digits, commas, colons, ％
#   html         HTML-only bodies (<pre>, table cells, <p>&nbsp;</p>, <div> lines, <br> runs, MsoNormal)
#   order        a reply written earlier but delivered after a later-written correction
#   colleague    another panel member's personal link pasted into a text answer
#   no-token     a fresh mail that cannot be tied to the sender
#   ordinary     ordinary good replies; also: partial, dont-know, zh, ranking, quantile, probability
#   ambiguous    two candidate values for one item, a marker-like line in a text answer

import hashlib

LANG = {}
for line in open(os.path.join(HERE, "../../../surveys/ai-safety-cooperation.panel.csv"), encoding="utf-8"):
    f = line.rstrip("\n").split(",")
    if f[0].startswith("E"):
        LANG[f[0]] = f[-2]
for _e, _p in POOL.items():
    LANG[_e] = _p["lang"]


def zh(e):
    return LANG[e] == "zh"


def inv(e):
    return invitation_zh(e) if zh(e) else invitation_en(e)


def subject(e):
    return SUBJECT_ZH if zh(e) else SUBJECT_EN


def hx(s, n=16):
    return hashlib.sha1(s.encode()).hexdigest()[:n]


def uuid(s, upper=False):
    x = hashlib.sha1(s.encode()).hexdigest()
    u = f"{x[:8]}-{x[8:12]}-4{x[13:16]}-a{x[17:20]}-{x[20:32]}"
    return u.upper() if upper else u


def esc(t):
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def br_lines(t):
    return "<br>\n".join(esc(l) for l in t.split("\n"))


NO_LINK = "http://127.0.0.1:8080/s/…"


def unlinked(t):
    """The quoted original as a client that sends base64 has it: the token only in To:."""
    return t.replace(LINK, NO_LINK)


PROBLEM = {
    "verification.benefit": ("“Verification mechanisms” benefit global AI safety", "中美在“验证机制”领域开展合作，对全球人工智能安全的益处有多大"),
    "verification.risk-capabilities": ("“Verification mechanisms” advances dangerous AI", "“验证机制”领域的合作推动危险人工智能能力发展"),
    "verification.risk-information": ("“Verification mechanisms” requires sharing sensitive", "“验证机制”领域的合作需要共享敏感信息"),
    "verification.recommendation": ("area “Verification mechanisms” in the next three years", "应在未来三年内推进“验证机制”领域的合作"),
    "protocols.benefit": ("and shared standards” benefit global AI safety", None),
    "protocols.recommendation": ("area “Protocols and shared standards” in the next three", "应在未来三年内推进“规程与共享标准”领域的合作"),
    "infrastructure.benefit": ("“Infrastructure” benefit global AI safety", None),
    "evaluations.benefit": ("“Evaluations” benefit global AI safety", None),
    "p-joint-evaluation-2030": ("Chinese institutions jointly run a dangerous-capability", "模型开展危险能力评测的概率是多少"),
}


def problem(item, e):
    words = PROBLEM[item][1 if zh(e) else 0]
    assert words and words in (FORM_ZH if zh(e) else FORM_EN), (item, words)
    return words


def add(file, headers, body, e, outcome, why, client, classes, expected=None, **extra):
    c = case(e, outcome, why, expected=expected, client=client, classes=classes, **extra)
    if isinstance(body, bytes):
        write_bytes(file, headers, body, c)
    else:
        write(file, headers, body, c)


def irt(e, reply_to=None):
    ref = reply_to or f"<round-1.{e}@replies.example.org>"
    return f"In-Reply-To: {ref}\nReferences: {ref}"


# ------------------------------------------------------------------ the clients

def gmail(e, file, date, top, quoted=None, *, android=False, html_top=None, to=REPLIES, reply=True, subj=None, html_only_top_lines=None):
    quoted = inv(e) if quoted is None else quoted
    if zh(e):
        attrib = "Delphi study <delphi@replies.example.org> 于2026年11月30日周一 17:00写道："
    elif android:
        attrib = "On Mon, 30 Nov 2026, 09:00 Delphi study, <delphi@replies.example.org> wrote:"
    else:
        attrib = "On Mon, Nov 30, 2026 at 9:00 AM Delphi study <\ndelphi@replies.example.org> wrote:"
    text_part = top + "\n\n" + attrib + "\n\n" + quote(quoted) + "\n" if reply else top + "\n"
    if html_top is None:
        if android:
            html_top = "<div dir=\"auto\">" + "<br>".join(esc(l) for l in top.split("\n")) + "</div>"
        else:
            html_top = "<div dir=\"ltr\">" + "".join(f"<div>{esc(l)}</div>" if l else "<div><br></div>" for l in top.split("\n")) + "</div>"
    html_part = html_top
    if reply:
        html_part += ("<br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">" + esc(attrib.replace("\n", "")) + "<br></div>"
                      "<blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex\">"
                      + br_lines(quoted) + "</blockquote></div>")
    b = "0000000000" + hx(file, 18)
    headers = f"""
MIME-Version: 1.0
{irt(e) if reply else ""}
From: {name(e)} <{addr(e)}>
Date: {date}
Message-ID: <CA{hx(file + 'a', 12).upper()}+{hx(file + 'b', 20)}_{hx(file + 'c', 8).upper()}@mail.gmail.com>
Subject: {enc(subj or ('Re: ' + subject(e)))}
To: Delphi study <{to}>
Content-Type: multipart/alternative; boundary="{b}"
""".replace("\n\n", "\n")
    body = (f"--{b}\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + qp(text_part.encode()) + f"\r\n\r\n--{b}\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + qp(html_part.encode()) + f"\r\n\r\n--{b}--\r\n")
    return headers, body


def word_html(lines_html, header_block_html, original):
    return ("<html xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\" xmlns:w=\"urn:schemas-microsoft-com:office:word\" "
            "xmlns:m=\"http://schemas.microsoft.com/office/2004/12/omml\" xmlns=\"http://www.w3.org/TR/REC-html40\"><head>"
            "<meta http-equiv=Content-Type content=\"text/html; charset=utf-8\"><meta name=Generator content=\"Microsoft Word 15 (filtered medium)\">"
            "<style><!--\n/* Font Definitions */\n@font-face\n\t{font-family:\"Cambria Math\";}\np.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{margin:0cm;\n\tfont-size:11.0pt;\n\tfont-family:\"Calibri\",sans-serif;}\n--></style>"
            "<!--[if gte mso 9]><xml>\n<o:shapedefaults v:ext=\"edit\" spidmax=\"1026\" />\n</xml><![endif]--></head>"
            "<body lang=EN-US link=\"#0563C1\" vlink=\"#954F72\" style='word-wrap:break-word'><div class=WordSection1>"
            + lines_html
            + "<div><div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>"
            + header_block_html + "</div></div><p class=MsoNormal><o:p>&nbsp;</o:p></p>"
            + "".join(f"<p class=MsoNormal>{esc(l) if l else '<o:p>&nbsp;</o:p>'}<o:p></o:p></p>" for l in original.split("\n"))
            + "</div></body></html>")


def mso_lines(text):
    return "".join(f"<p class=MsoNormal>{esc(l)}<o:p></o:p></p>" if l else "<p class=MsoNormal><o:p>&nbsp;</o:p></p>" for l in text.split("\n"))


def outlook(e, file, date, top, original=None, *, zh_ui=False, plain_only=False, html_top=None):
    """Outlook for Windows (desktop, Word editor): multipart/alternative, the original
    unquoted under a From:/Sent:/To:/Subject: block (发件人:/发送时间:/收件人:/主题: in a
    Chinese UI, gb2312 base64 then); in plain-text mode under -----Original Message-----."""
    original = inv(e) if original is None else original
    if zh_ui:
        block = ("发件人: Delphi study <delphi@replies.example.org>\n发送时间: 2026年11月30日 17:00\n"
                 f"收件人: {hanzi(e)} <{addr(e)}>\n主题: {subject(e)}")
        block_html = ("<p class=MsoNormal><b>发件人<span lang=EN-US>:</span></b><span lang=EN-US> Delphi study &lt;delphi@replies.example.org&gt; <br></span>"
                      f"<b>发送时间<span lang=EN-US>:</span></b><span lang=EN-US> 2026</span>年<span lang=EN-US>11</span>月<span lang=EN-US>30</span>日<span lang=EN-US> 17:00<br></span>"
                      f"<b>收件人<span lang=EN-US>:</span></b> {hanzi(e)} <span lang=EN-US>&lt;{addr(e)}&gt;<br></span><b>主题<span lang=EN-US>:</span></b> {esc(subject(e))}<o:p></o:p></p>")
    else:
        block = ("From: Delphi study <delphi@replies.example.org> \nSent: Monday, November 30, 2026 9:00 AM\n"
                 f"To: {name(e)} <{addr(e)}>\nSubject: {subject(e)}")
        block_html = ("<p class=MsoNormal><b>From:</b> Delphi study &lt;delphi@replies.example.org&gt; <br><b>Sent:</b> Monday, November 30, 2026 9:00 AM<br>"
                      f"<b>To:</b> {esc(name(e))} &lt;{addr(e)}&gt;<br><b>Subject:</b> {esc(subject(e))}<o:p></o:p></p>")
    charset = "gb2312" if zh_ui else "utf-8"
    if zh_ui:
        original = unlinked(original)
    mid = f"<{hx(file, 8).upper()}{hx(file + 'x', 24).upper()}@{'SG2PR06MB' if zh_ui else 'DM6PR11MB'}{hx(file, 4).upper()}.{'apcprd06' if zh_ui else 'namprd11'}.prod.outlook.com>"
    common = f"""
From: {name(e) if not zh_ui else hanzi(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Subject: {('答复: ' if zh_ui else 'RE: ') + subject(e) if False else enc(('答复: ' if zh_ui else 'RE: ') + subject(e))}
Thread-Topic: {enc(subject(e))}
Thread-Index: AQH{hx(file, 20)}==
Date: {date}
Message-ID: {mid}
{irt(e)}
Accept-Language: {'zh-CN' if zh_ui else 'en-US'}
Content-Language: {'zh-CN' if zh_ui else 'en-US'}
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
X-Mailer: Microsoft Outlook 16.0
MIME-Version: 1.0
"""
    if plain_only:
        text = top + "\n\n-----Original Message-----\n" + block + "\n\n" + original + "\n"
        return common + "Content-Type: text/plain;\n\tcharset=\"utf-8\"\nContent-Transfer-Encoding: quoted-printable\n", qp(text.encode())
    text = top + "\n\n" + block + "\n\n" + original + "\n"
    html = word_html(html_top if html_top is not None else mso_lines(top) + "<p class=MsoNormal><o:p>&nbsp;</o:p></p>", block_html, original)
    b = f"_000_{hx(file, 32).upper()}_"
    if zh_ui:
        enc_t = lambda s: b64(crlf(s).encode("gbk"))
        cte = "base64"
    else:
        enc_t = lambda s: qp(s.encode())
        cte = "quoted-printable"
    body = (f"--{b}\r\nContent-Type: text/plain; charset=\"{charset}\"\r\nContent-Transfer-Encoding: {cte}\r\n\r\n" + enc_t(text)
            + f"\r\n\r\n--{b}\r\nContent-Type: text/html; charset=\"{charset}\"\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
            + enc_t(html.replace("charset=utf-8", f"charset={charset}")) + f"\r\n\r\n--{b}--\r\n")
    return common + f"Content-Type: multipart/alternative;\n\tboundary=\"{b}\"\n", body


def owa(e, file, date, top, original=None, *, new_outlook=False, html_only=False, html_top=None):
    """Outlook on the web / new Outlook for Windows: the original under a line of
    underscores (text) or <hr> + divRplyFwdMsg (HTML), as a PlainText div."""
    original = inv(e) if original is None else original
    block = ("From: Delphi study <delphi@replies.example.org>\nSent: Monday, November 30, 2026 09:00\n"
             f"To: {name(e)} <{addr(e)}>\nSubject: {subject(e)}")
    text = top + "\n\n________________________________\n" + block + "\n\n" + original + "\n"
    div = "<div class=\"elementToProof\" style=\"font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);\">" if new_outlook else \
        "<div style=\"font-family: Calibri, Arial, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);\">"
    if html_top is None:
        html_top = "".join(div + (esc(l) if l else "<br>") + "</div>" for l in top.split("\n"))
    html = ("<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n"
            "<style type=\"text/css\" style=\"display:none;\"> P {margin-top:0;margin-bottom:0;} </style>\r\n</head>\r\n<body dir=\"ltr\">\r\n"
            + html_top + "<div id=\"appendonsend\"></div>\r\n<hr style=\"display:inline-block;width:98%\" tabindex=\"-1\">\r\n"
            "<div id=\"divRplyFwdMsg\" dir=\"ltr\"><font face=\"Calibri, sans-serif\" style=\"font-size:11pt\" color=\"#000000\"><b>From:</b> Delphi study &lt;delphi@replies.example.org&gt;<br>\r\n"
            f"<b>Sent:</b> Monday, November 30, 2026 09:00<br>\r\n<b>To:</b> {esc(name(e))} &lt;{addr(e)}&gt;<br>\r\n<b>Subject:</b> {esc(subject(e))}</font>\r\n"
            "<div>&nbsp;</div>\r\n</div>\r\n<div class=\"BodyFragment\"><font size=\"2\"><span style=\"font-size:11pt;\">\r\n<div class=\"PlainText\">"
            + br_lines(original) + "</div>\r\n</span></font></div>\r\n</body>\r\n</html>\r\n")
    pr = "AS8PR07MB" if new_outlook else "DB9PR02MB"
    headers = f"""
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Subject: {enc('Re: ' + subject(e))}
Thread-Topic: {enc(subject(e))}
Thread-Index: AQH{hx(file, 22)}
Date: {date}
Message-ID: <{pr}{hx(file, 4).upper()}{hx(file + 'm', 28).upper()}@{pr}{hx(file, 4).upper()}.eurprd07.prod.outlook.com>
{irt(e)}
Accept-Language: en-GB, en-US
Content-Language: en-GB
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
msip_labels:
MIME-Version: 1.0
"""
    if new_outlook:
        headers += "x-ms-exchange-messagesentrepresentingtype: 1\nx-ms-publictraffictype: Email\n"
    if html_only:
        return headers + "Content-Type: text/html; charset=\"utf-8\"\nContent-Transfer-Encoding: quoted-printable\n", qp(html.encode())
    b = f"_000_{pr}{hx(file, 30).upper()}_"
    body = (f"--{b}\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp(text.encode())
            + f"\r\n\r\n--{b}\r\nContent-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + qp(html.encode()) + f"\r\n\r\n--{b}--\r\n")
    return headers + f"Content-Type: multipart/alternative;\n\tboundary=\"{b}\"\n", body


def apple(e, file, date, top, quoted=None, *, ios=False, html=False, quoted_block=None, eightbit=False):
    """Apple Mail (macOS) / iOS Mail: the quote under "> On …, at …, Delphi study <…> wrote:"."""
    quoted = inv(e) if quoted is None else quoted
    attrib = (f"在 2026年11月30日，17:00，Delphi study <{REPLIES}> 写道：" if zh(e) else f"On 30 Nov 2026, at 09:00, Delphi study <{REPLIES}> wrote:")
    qblock = quoted_block if quoted_block is not None else quote(quoted)
    text = top + ("\n\nSent from my iPhone" if ios and not zh(e) else "\n\n发自我的iPhone" if ios else "") + "\n\n> " + attrib + "\n>\n" + qblock + "\n"
    mid = f"<{uuid(file, True)}@{addr(e).split('@')[1]}>"
    xm = "iPhone Mail (22B91)" if ios else "Apple Mail (2.3826.300.87.4.3)"
    mv = "1.0 (1.0)" if ios else "1.0 (Mac OS X Mail 16.0 \\(3826.300.87.4.3\\))"
    headers = f"""
From: {name(e)} <{addr(e)}>
Mime-Version: {mv}
Subject: {enc('Re: ' + subject(e))}
Date: {date}
Message-Id: {mid}
{irt(e)}
To: Delphi study <{REPLIES}>
X-Mailer: {xm}
"""
    if not html:
        if eightbit:
            return headers + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n", crlf(text)
        return headers + "Content-Type: text/plain;\n\tcharset=utf-8\nContent-Transfer-Encoding: quoted-printable\n", qp(text.encode())
    b = f"Apple-Mail={uuid(file + 'b', True)}"
    h = ("<html aria-label=\"message body\"><head><meta http-equiv=\"content-type\" content=\"text/html; charset=utf-8\"></head>"
         "<body style=\"overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;\">"
         + "".join(f"<div>{esc(l)}</div>" if l else "<div><br></div>" for l in top.split("\n"))
         + f"<div><br><blockquote type=\"cite\"><div>{esc(attrib)}</div><br class=\"Apple-interchange-newline\"><div><div>"
         + "".join(f"<div>{esc(l)}</div>" if l else "<div><br></div>" for l in quoted.split("\n"))
         + "</div></div></blockquote></div><br></body></html>")
    body = (f"\r\n--{b}\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Type: text/plain;\r\n\tcharset=utf-8\r\n\r\n" + qp(text.encode())
            + f"\r\n--{b}\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html;\r\n\tcharset=utf-8\r\n\r\n" + qp(h.encode()) + f"\r\n--{b}--\r\n")
    return headers + f"Content-Type: multipart/alternative;\n\tboundary=\"{b}\"\n", body


def thunderbird(e, file, date, top, quoted=None, *, bottom=None, raw_body=None, flow=True):
    quoted = inv(e) if quoted is None else quoted
    attrib = "在 2026/11/30 17:00, Delphi study 写道:" if zh(e) else "On 30/11/2026 09:00, Delphi study wrote:"
    text = raw_body if raw_body is not None else (top + "\n\n" + attrib + "\n" + quote(quoted) + "\n" + (bottom or ""))
    headers = f"""
Message-ID: <{uuid(file)}@{addr(e).split('@')[1]}>
Date: {date}
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: {enc('Re: ' + subject(e))}
Content-Language: {'zh-CN' if zh(e) else 'en-GB'}
To: Delphi study <{REPLIES}>
{irt(e)}
From: {name(e)} <{addr(e)}>
"""
    if flow:
        return headers + "Content-Type: text/plain; charset=UTF-8; format=flowed\nContent-Transfer-Encoding: 8bit\n", crlf(flowed(text))
    return headers + "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n", crlf(text)


def android(e, file, date, top, quoted=None, *, kind="samsung", quoted_block=None):
    quoted = inv(e) if quoted is None else quoted
    if kind == "samsung":
        sent = "\n\n\n\nSent from my Galaxy" if not zh(e) else "\n\n\n\n从我的 Galaxy 发送"
        text = (top + sent + "\n\n\n-------- Original message --------\nFrom: Delphi study <delphi@replies.example.org> \n"
                f"Date: 30/11/2026 10:00 (GMT+01:00) \nTo: {addr(e)} \nSubject: {subject(e)} \n\n" + unlinked(quoted) + "\n")
        headers = f"""
Message-ID: <{hx(file, 24)}@email.android.com>
Date: {date}
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
{irt(e)}
Subject: {enc('Re: ' + subject(e))}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64
"""
        return headers, b64(crlf(text).encode())
    attrib = f"On 30 November 2026 09:00:00 CET, Delphi study <delphi@replies.example.org> wrote:"
    qblock = quoted_block if quoted_block is not None else quote(quoted)
    if kind == "k9":
        text = top + "\n-- \nSent from my Android device with K-9 Mail. Please excuse my brevity.\n\n" + attrib + "\n" + qblock + "\n"
        headers = f"""
Date: {date}
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Subject: {enc('Re: ' + subject(e))}
User-Agent: K-9 Mail for Android
{irt(e)}
Message-ID: <{uuid(file).upper()}@{addr(e).split('@')[1]}>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
"""
        return headers, crlf(text)
    # FairEmail: multipart/alternative, the quote in a <blockquote>
    attrib = "On 30 Nov 2026 09:00, Delphi study wrote:" if not zh(e) else "2026年11月30日 17:00, Delphi study 写道："
    text = top + "\n\n" + attrib + "\n" + qblock + "\n"
    h = ("<!DOCTYPE html><html><head><meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\"></head><body>"
         + "<p>" + "<br>".join(esc(l) for l in top.split("\n")) + "</p>"
         + f"<div class=\"fairemail_quote\"><p>{esc(attrib)}</p><blockquote style=\"border-left:3px solid #ccc; padding-left:3px;\">"
         + br_lines(quoted) + "</blockquote></div></body></html>")
    b = f"----=_Part_{int(hx(file, 6), 16)}_{int(hx(file + 'q', 8), 16)}.1796{int(hx(file, 5), 16)}"
    headers = f"""
Date: {date}
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Message-ID: <{uuid(file)}@{addr(e).split('@')[1]}>
{irt(e)}
Subject: {enc('Re: ' + subject(e))}
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="{b}"
User-Agent: FairEmail
"""
    body = (f"--{b}\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp(text.encode())
            + f"\r\n--{b}\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp(h.encode()) + f"\r\n--{b}--\r\n")
    return headers, body


def qq(e, file, date, top, quoted=None, *, html_top=None, reply=True, subj=None, to=REPLIES):
    """QQ Mail: multipart/alternative, GB18030 base64 both parts (the token only in To:),
    the original under "------------------ 原始邮件 ------------------"."""
    quoted = unlinked(inv(e) if quoted is None else quoted)
    orig_text = ("\n\n\n------------------ 原始邮件 ------------------\n发件人: \"Delphi study\"<delphi@replies.example.org>;\n"
                 f"发送时间: 2026年11月30日(星期一) 下午5:00\n收件人: \"{hanzi(e)}\"<{addr(e)}>;\n主题: {subject(e)}\n\n" + quoted + "\n")
    text = top + (orig_text if reply else "\n")
    if html_top is None:
        html_top = "".join(f"<div>{esc(l)}</div>" if l else "<div><br></div>" for l in top.split("\n"))
    h = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=GB18030\">" + html_top
    if reply:
        h += ("<div><br></div><div><br></div><div style=\"font-size: 12px;font-family: Arial Narrow;padding:2px 0 2px 0;\">------------------&nbsp;原始邮件&nbsp;------------------</div>"
              "<div style=\"font-size: 12px;background:#efefef;padding:8px;\"><div><b>发件人:</b>&nbsp;\"Delphi study\"&lt;delphi@replies.example.org&gt;;</div>"
              "<div><b>发送时间:</b>&nbsp;2026年11月30日(星期一) 下午5:00</div>"
              f"<div><b>收件人:</b>&nbsp;\"{hanzi(e)}\"&lt;{addr(e)}&gt;;<wbr></div><div></div><div><b>主题:</b>&nbsp;{esc(subject(e))}</div></div><div><br></div>"
              + br_lines(quoted))
    b = f"----=_NextPart_{hx(file, 8).upper()}_{hx(file + 'q', 8).upper()}_{hx(file + 'r', 8).upper()}"
    headers = f"""
From: "=?gb18030?B?{base64.b64encode(hanzi(e).encode('gb18030')).decode()}?=" <{addr(e)}>
To: "=?gb18030?B?RGVscGhpIHN0dWR5?=" <{to}>
Subject: =?gb18030?B?{base64.b64encode((subj or ('回复：' + subject(e))).encode('gb18030')).decode()}?=
Mime-Version: 1.0
Content-Type: multipart/alternative;
\tboundary="{b}"
Content-Transfer-Encoding: 8Bit
Date: {date}
X-Priority: 3
Message-ID: <tencent_{hx(file, 32).upper()}{hx(file + 'z', 8).upper()}@qq.com>
X-QQ-MIME: TCMime 1.0 by Tencent
X-Mailer: QQMail 2.x
X-QQ-Mailer: QQMail 2.x
{irt(e) if reply else ""}
""".replace("\n\n", "\n")
    body = ("This is a multi-part message in MIME format.\r\n\r\n"
            f"--{b}\r\nContent-Type: text/plain;\r\n\tcharset=\"gb18030\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(crlf(text).encode("gb18030"))
            + f"\r\n--{b}\r\nContent-Type: text/html;\r\n\tcharset=\"gb18030\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(crlf(h).encode("gb18030"))
            + f"\r\n--{b}--\r\n\r\n")
    return headers, body.encode("ascii")


def foxmail(e, file, date, top, quoted=None, *, html=False):
    quoted = unlinked(inv(e) if quoted is None else quoted)
    orig = ("\n\n\n发件人： Delphi study\n发送时间： 2026-11-30 17:00\n收件人： " + addr(e).split("@")[0]
            + "\n主题： " + subject(e) + "\n" + quoted + "\n")
    text = top + orig
    headers = f"""
Date: {date}
From: "=?GBK?B?{base64.b64encode(hanzi(e).encode('gbk')).decode()}?=" <{addr(e)}>
To: "Delphi study" <{REPLIES}>
Subject: =?GBK?B?{base64.b64encode(('回复：' + subject(e)).encode('gbk')).decode()}?=
X-Priority: 3
X-Has-Attach: no
X-Mailer: Foxmail 7.2.25.375[cn]
Mime-Version: 1.0
Message-ID: <2026{int(hx(file, 10), 16) % 10**16:016d}@{addr(e).split('@')[1]}>
{irt(e)}
"""
    if not html:
        return headers + "Content-Type: text/plain;\n\tcharset=\"GBK\"\nContent-Transfer-Encoding: base64\n", b64(crlf(text).encode("gbk")).encode()
    h = ("<html><head><meta http-equiv=\"content-type\" content=\"text/html; charset=GBK\"><style>body { line-height: 1.5; }body { font-size: 14px; font-family: 'Microsoft YaHei UI'; color: rgb(0, 0, 0); line-height: 1.5; }</style></head><body>"
         + "".join(f"<div><span></span>{esc(l)}</div>" if l else "<div><br></div>" for l in top.split("\n"))
         + "<blockquote style=\"margin-Top: 0px; margin-Bottom: 0px; margin-Left: 0.5em; margin-Right: inherit\"><div>&nbsp;</div><div style=\"border:none;border-top:solid #B5C4DF 1.0pt;padding:3.0pt 0cm 0cm 0cm\">"
         "<div style=\"PADDING-RIGHT: 8px; PADDING-LEFT: 8px; FONT-SIZE: 12px;FONT-FAMILY:tahoma;COLOR:#000000; BACKGROUND: #efefef; PADDING-BOTTOM: 8px; PADDING-TOP: 8px\">"
         f"<div><b>发件人：</b>&nbsp;Delphi study</div><div><b>发送时间：</b>&nbsp;2026-11-30&nbsp;17:00</div><div><b>收件人：</b>&nbsp;{addr(e).split('@')[0]}</div><div><b>主题：</b>&nbsp;{esc(subject(e))}</div></div></div><div><div>"
         + br_lines(quoted) + "</div></div></blockquote></body></html>")
    b = f"----=_001_NextPart{int(hx(file, 10), 16) % 10**12:012d}_=----"
    body = (f"This is a multi-part message in MIME format.\r\n\r\n--{b}\r\nContent-Type: text/plain;\r\n\tcharset=\"GBK\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + b64(crlf(text).encode("gbk")) + f"\r\n--{b}\r\nContent-Type: text/html;\r\n\tcharset=\"GBK\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + qp(crlf(h).encode("gbk")) + f"\r\n\r\n--{b}--\r\n\r\n\r\n")
    return headers + f"Content-Type: multipart/alternative;\n\tboundary=\"{b}\"\n", body.encode("ascii")


def netease(e, file, date, top_html, quoted=None, *, domain="163", b64body=False, html_tail=""):
    """NetEase 163/126 webmail: HTML only, the attribution "在 …，"Delphi study" <…> 写道："
    inside the blockquote of the original."""
    quoted = inv(e) if quoted is None else quoted
    if b64body:
        quoted = unlinked(quoted)
    h = ("<div style=\"line-height:1.7;color:#000000;font-size:14px;font-family:Arial\">" + top_html + "</div>"
         "<br><br><div style=\"position:relative;zoom:1\"></div><div id=\"divNeteaseMailCard\"></div><br>"
         "<blockquote id=\"isReplyContent\" style=\"PADDING-LEFT: 1ex; MARGIN: 0px 0px 0px 0.8ex; BORDER-LEFT: #ccc 1px solid\">"
         "在 2026-11-30 09:00:00，\"Delphi study\" &lt;delphi@replies.example.org&gt; 写道：<br>"
         + br_lines(quoted) + "</blockquote>" + html_tail) if quoted != "" else top_html
    headers = f"""
Date: {date}
From: "{hanzi(e)}" <{addr(e)}>
To: "Delphi study" <{REPLIES}>
Subject: {enc('Re:' + subject(e))}
X-Priority: 3
X-Mailer: Coremail Webmail Server Version XT5.0.14 build 20230109(dcb5de15)
 Copyright (c) 2002-2026 www.mailtech.cn {domain}com
{irt(e)}
X-NTES-SC: AL_Qu2{hx(file, 40)}
MIME-Version: 1.0
Message-ID: <{hx(file, 8)}.{hx(file + 'm', 4)}.{hx(file + 'n', 11)}.Coremail.{addr(e).split('@')[0]}@{domain}.com>
X-Coremail-Locale: zh_CN
X-CM-TRANSID:{hx(file + 't', 24)}
"""
    if b64body:
        return headers + "Content-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: base64\n", b64(crlf(h).encode())
    return headers + "Content-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n", qp(h.encode())


def purist(e, file, date, body, agent="mutt", charset="utf-8"):
    domain = addr(e).split("@")[1]
    if agent == "mutt":
        mid, ua, extra = f"<{hx(file, 16)}@{domain}>", "User-Agent: Mutt/2.2.12 (2023-09-09)", "Content-Disposition: inline\n"
    elif agent == "alpine":
        mid, ua, extra = f"<alpine.DEB.2.22.394.{int(hx(file, 8), 16) % 10**10}.{int(hx(file, 3), 16)}@{domain}>", "User-Agent: Alpine 2.26 (DEB 649 2022-06-02)", ""
    else:
        mid, ua, extra = f"<87{hx(file, 8)}.fsf@{domain}>", "User-Agent: Gnus/5.13 (Gnus v5.13)", ""
    headers = f"""
Date: {date}
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Subject: {enc('Re: ' + subject(e))}
Message-ID: {mid}
{irt(e)}
MIME-Version: 1.0
Content-Type: {'TEXT/PLAIN; charset=UTF-8' if agent == 'alpine' else 'text/plain; charset=' + charset}
{extra}Content-Transfer-Encoding: 8bit
{ua}
""".replace("\n\n", "\n")
    return headers, crlf(body)


def form_of(e):
    return FORM_ZH if zh(e) else FORM_EN


def inline(e, answers_written):
    """The invitation with answers after their markers (filled into the form)."""
    return fill(inv(e), answers_written)


exec(open(os.path.join(HERE, "cases_issue12_list.py"), encoding="utf-8").read())
