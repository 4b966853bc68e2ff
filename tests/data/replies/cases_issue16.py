# The cases of issue 16 (C*), exec'd by make_corpus.py after those of issue 12: out-of-office
# replies without RFC 3834 headers, which must be set aside (never answered: no mail loop),
# and people who are away but answer all the same, who must be recorded. The messages are
# kept as they are (hand-written bytes: GBK in base64, an Outlook HTML body); this file only
# says what each is and what `delphi ingest` must make of it.

ISSUE16 = [
    ("C0-ooo-body-only-en.eml", case("E16", "auto-reply",
        "an out-of-office with no Auto-Submitted/Precedence/X-Autoreply and a plain \"Re:\" subject (a gateway stripped the headers): only its words say so (\"out of the office on annual leave … limited access to email\")",
        client="gateway-stripped", classes=["auto-reply"])),
    ("C1-ooo-outlook-automatic-reply-no-headers.eml", case("E17", "auto-reply",
        "Outlook's \"Automatic reply:\" subject, HTML only (MsoNormal), without Auto-Submitted or X-Auto-Response-Suppress",
        client="outlook-desktop", classes=["auto-reply", "html"])),
    ("C2-ooo-163-gbk-zh.eml", case("E07", "auto-reply",
        "163 Mail (Coremail) vacation responder, GBK in base64, a \"Re:\" subject and no automatic-reply header: \"我正在休假 … 回来后会尽快回复您\"",
        client="163-mail", classes=["auto-reply", "charset"])),
    ("C3-ooo-qq-bracket-subject-zh.eml", case("E09", "auto-reply",
        "QQ Mail's \"【自动回复】\" subject (full-width brackets) and \"不在办公室\", no automatic-reply header",
        client="qq-mail", classes=["auto-reply"])),
    ("C4-ooo-gmail-quoting-the-form.eml", case("E18", "auto-reply",
        "a vacation responder that quotes the blank form below \"I'm away on parental leave and won't be checking email\", its Auto-Submitted dropped by a list: a form without answers is no answer, so no \"please fix\"",
        client="gmail-web", classes=["auto-reply"])),
    ("C5-away-next-week-with-answers-en.eml", case("E121", "recorded",
        "reads like an out-of-office (\"I'm away next week (on annual leave, limited access to email)\") but carries answers of its own: recorded",
        expected={"verification.benefit": ordinal(6), "protocols.benefit": ordinal(5)},
        client="thunderbird", classes=["ordinary", "auto-reply-words"])),
    ("C6-away-next-week-with-answers-zh.eml", case("E123", "recorded",
        "Chinese: \"我下周休假，不在办公室，先把答案发给您\" and two answers: recorded, not set aside",
        expected={"verification.benefit": ordinal(5), "evaluations.benefit": ordinal(4)},
        client="foxmail", classes=["ordinary", "auto-reply-words"])),
]
for _file, _case in ISSUE16:
    assert os.path.exists(os.path.join(HERE, _file)), _file
    _case["file"] = _file
    FILES.append(_case)
