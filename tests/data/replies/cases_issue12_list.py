# The issue-12 cases themselves (exec'd by cases_issue12.py). Numbered from 34.

R = ranking
V, P, I, EV = "verification", "protocols", "infrastructure", "evaluations"

# ================================================================ ordinary, by client

# 34 Gmail web, top-posted, quantile as three numbers, probability with %
e = expert("en", email="nora.quillfeather@gmail.example.com")
w, x = answers(
    ("verification.benefit", "6", ordinal(6)), ("verification.risk-capabilities", "3", ordinal(3)),
    ("verification.recommendation", "5", ordinal(5)),
    ("years-to-first-agreement", "2, 6, 20", quantile(2, 6, 20)),
    ("p-joint-evaluation-2030", "30%", prob(0.3)),
)
add("34-gmail-web-top-posted.eml", *gmail(e, "34", "Tue, 1 Dec 2026 14:03:11 +0000", "Hi,\n\nMy answers:\n\n" + markers(w) + "\n\nBest,\nNora"),
    e, "recorded", "ordinary: Gmail web, multipart/alternative, top-posted answers, a quantile as three bare numbers, 30% as a probability", "gmail-web", ["ordinary", "quantile", "probability"], expected=x)

# 35 Gmail Android app, partial, ranking by numbers
e = expert("en", email="felix.draftsworth@gmail.example.com")
w, x = answers(("protocols.benefit", "5", ordinal(5)), ("area-ranking", "4, 1, 2, 3", R(EV, V, P, I)))
add("35-gmail-android-partial.eml", *gmail(e, "35", "Tue, 1 Dec 2026 19:47:02 +0100", markers(w), android=True),
    e, "recorded", "ordinary, partial: Gmail for Android (<div dir=\"auto\">, \"On …, Delphi study, <…> wrote:\"): two items only, a ranking by numbers", "gmail-android", ["ordinary", "partial", "ranking"], expected=x)

# 36 Gmail web with a Chinese UI, Chinese expert
e = expert("zh", email="xinyi.xu@gmail.example.com")
w, x = answers(
    ("verification.benefit", "6", ordinal(6)), ("infrastructure.benefit", "不知道", DK), ("evaluations.benefit", "7 很高", ordinal(7)),
    ("area-ranking", "评测、验证机制、基础设施、规程与共享标准", R(EV, V, I, P)),
    ("proposals", "建议讨论模型权重的安全存储。", text("建议讨论模型权重的安全存储。")),
)
add("36-gmail-zh-ui.eml", *gmail(e, "36", "Wed, 2 Dec 2026 10:15:40 +0800", "您好，\n\n" + markers(w)),
    e, "recorded", "ordinary, zh: Gmail web with a Chinese UI (\"… 于2026年11月30日周一 17:00写道：\"); 不知道 = don't know; ranking by Chinese titles", "gmail-web", ["ordinary", "zh", "dont-know", "ranking"], expected=x)

# 37 Outlook desktop, answers written into the unquoted original
e = expert("en")
w, x = answers(
    ("infrastructure.benefit", "5", ordinal(5)), ("infrastructure.risk-harm", "6 High", ordinal(6)),
    ("infrastructure.recommendation", "4", ordinal(4)),
    ("years-to-first-agreement", "5%: 1  50%: 4  95%: 12", quantile(1, 4, 12)),
)
add("37-outlook-desktop-inline.eml", *outlook(e, "37", "Wed, 2 Dec 2026 16:20:05 +0000", "Hello,\n\nPlease see my answers below.\n\nRegards,\n" + first_name(e), inline(e, w)),
    e, "recorded", "ordinary: Outlook for Windows (Word HTML + text), answers written into the unquoted original below the From:/Sent:/To:/Subject: block", "outlook-desktop", ["ordinary", "quantile"], expected=x)

# 38 Outlook desktop in plain-text mode, -----Original Message-----
e = expert("en")
w, x = answers(("evaluations.benefit", "6", ordinal(6)), ("evaluations.risk-information", "5", ordinal(5)), ("p-joint-evaluation-2030", "30", prob(0.3)))
add("38-outlook-plain-original-message.eml", *outlook(e, "38", "Thu, 3 Dec 2026 08:02:51 -0500", markers(w), plain_only=True),
    e, "recorded", "ordinary: Outlook for Windows in plain-text mode, top-posted over \"-----Original Message-----\"; 30 (no %) as a probability", "outlook-desktop", ["ordinary", "probability"], expected=x)

# 39 Outlook on the web, top-posted, don't know spelt out
e = expert("en")
w, x = answers(("protocols.benefit", "don't know", DK), ("protocols.risk-harm", "2", ordinal(2)), ("protocols.recommendation", "4 Agree", ordinal(4)))
add("39-owa-top-posted.eml", *owa(e, "39", "Thu, 3 Dec 2026 11:40:22 +0000", "Dear study team,\n\n" + markers(w) + "\n\nKind regards\n" + first_name(e)),
    e, "recorded", "ordinary, dont-know: Outlook on the web (HTML + text, the original under a line of underscores / divRplyFwdMsg); \"don't know\" spelt out", "owa", ["ordinary", "dont-know"], expected=x)

# 40 new Outlook for Windows, ranking by names
e = expert("en")
w, x = answers(("area-ranking", "Evaluations, Verification mechanisms, Infrastructure, Protocols and shared standards", R(EV, V, I, P)),
               ("seed-bletchley-countries", "5%: 20 50%: 27 95%: 40", quantile(20, 27, 40)))
add("40-new-outlook-ranking.eml", *owa(e, "40", "Thu, 3 Dec 2026 15:05:00 +0100", markers(w), new_outlook=True),
    e, "recorded", "ordinary, ranking: new Outlook for Windows (elementToProof divs, appendonsend), ranking by the areas' titles", "new-outlook", ["ordinary", "ranking", "quantile"], expected=x)

# 41 Apple Mail (macOS), multipart/alternative, quantile with "="
e = expert("en")
w, x = answers(("verification.risk-harm", "4", ordinal(4)), ("seed-eo14110-threshold", "5%=24 50%=26 95%=27", quantile(24, 26, 27)),
               ("verification.rationale", "Audits only work with hardware support.", text("Audits only work with hardware support.")))
add("41-apple-mail-html.eml", *apple(e, "41", "Fri, 4 Dec 2026 09:12:33 -0800", markers(w), html=True),
    e, "recorded", "ordinary: Apple Mail on macOS, multipart/alternative (<div> per line, <blockquote type=\"cite\">); quantiles as 5%=…", "apple-mail", ["ordinary", "quantile"], expected=x)

# 42 Apple Mail (macOS) answering inside the quote
e = expert("en")
w, x = answers(("protocols.benefit", "6", ordinal(6)), ("protocols.risk-information", "3", ordinal(3)),
               ("protocols.rationale", "Incident formats are cheap and uncontroversial.", text("Incident formats are cheap and uncontroversial.")))
add("42-apple-mail-inline-quote.eml", *apple(e, "42", "Fri, 4 Dec 2026 18:30:00 +0000", "Answers inline.", inline(e, w)),
    e, "recorded", "ordinary: Apple Mail, answers typed after the markers inside the quoted form (\"> [item] value\")", "apple-mail", ["ordinary"], expected=x)

# 43 iOS Mail, partial
e = expert("en")
w, x = answers(("evaluations.recommendation", "5", ordinal(5)), ("p-joint-evaluation-2030", "12.5%", prob(0.125)))
add("43-ios-partial.eml", *apple(e, "43", "Sat, 5 Dec 2026 07:41:09 +0000", markers(w), ios=True),
    e, "recorded", "ordinary, partial: iOS Mail with \"Sent from my iPhone\", two answers; 12.5% as a probability", "ios-mail", ["ordinary", "partial", "probability"], expected=x)

# 44 Thunderbird, format=flowed, answers in the quote, quantile with decimals
e = expert("en")
w, x = answers(("seed-eo14110-threshold", "5%: 24.5  50%: 25.5  95%: 26", quantile(24.5, 25.5, 26)), ("infrastructure.risk-capabilities", "2", ordinal(2)))
add("44-thunderbird-inline-decimals.eml", *thunderbird(e, "44", "Sat, 5 Dec 2026 12:00:00 +0100", "See the form.", inline(e, w)),
    e, "recorded", "ordinary: Thunderbird format=flowed, answers written into the quoted form; a quantile with decimals", "thunderbird", ["ordinary", "quantile"], expected=x)

# 45 Samsung Email, base64, Chinese
e = expert("zh")
w, x = answers(("verification.benefit", "5", ordinal(5)), ("verification.risk-harm", "3 较低", ordinal(3)), ("p-joint-evaluation-2030", "20%", prob(0.2)))
add("45-samsung-zh.eml", *android(e, "45", "Sat, 5 Dec 2026 21:13:45 +0800", markers(w)),
    e, "recorded", "ordinary, zh: Samsung Email, base64 text/plain, \"-------- Original message --------\", Chinese label after the number", "samsung", ["ordinary", "zh", "probability"], expected=x)

# 46 K-9 Mail, top-posted, K-9's own "-- " signature
e = expert("en")
w, x = answers(("infrastructure.benefit", "3", ordinal(3)), ("infrastructure.risk-information", "?", DK), ("infrastructure.rationale", "Shared enclaves leak too much.", text("Shared enclaves leak too much.")))
add("46-k9-top-posted.eml", *android(e, "46", "Sun, 6 Dec 2026 10:10:10 +0100", markers(w), kind="k9"),
    e, "recorded", "ordinary, dont-know: K-9 Mail, 8bit, \"-- \" signature \"Sent from my Android device…\" under the answers; ? = don't know", "k9", ["ordinary", "dont-know"], expected=x)

# 47 FairEmail, multipart/alternative
e = expert("en")
w, x = answers(("evaluations.benefit", "7", ordinal(7)), ("evaluations.risk-capabilities", "5", ordinal(5)), ("area-ranking", "evaluations, protocols, verification, infrastructure", R(EV, P, V, I)))
add("47-fairemail.eml", *android(e, "47", "Sun, 6 Dec 2026 13:31:00 +0000", markers(w), kind="fairemail"),
    e, "recorded", "ordinary, ranking: FairEmail (multipart/alternative, fairemail_quote), ranking by the options' short names", "fairemail", ["ordinary", "ranking"], expected=x)

# 48 QQ Mail, Chinese, full reply
e = expert("zh", email="2837461950@qq.example.com")
w, x = answers(
    ("protocols.benefit", "6", ordinal(6)), ("protocols.risk-capabilities", "2", ordinal(2)), ("protocols.recommendation", "5", ordinal(5)),
    ("area-ranking", "2,1,4,3", R(P, V, EV, I)), ("years-to-first-agreement", "5%：3 50%：7 95%：20", quantile(3, 7, 20)),
    ("protocols.rationale", "统一的事故报告格式成本低、收益高。", text("统一的事故报告格式成本低、收益高。")),
)
add("48-qq-mail-zh.eml", *qq(e, "48", "Mon, 7 Dec 2026 09:20:11 +0800", "您好！\n\n" + markers(w)),
    e, "recorded", "ordinary, zh: QQ Mail (multipart/alternative, GB18030 base64, \"------------------ 原始邮件 ------------------\"); ranking 2,1,4,3; quantile with ：", "qq-mail", ["ordinary", "zh", "ranking", "quantile"], expected=x)

# 49 Foxmail, multipart with GBK HTML
e = expert("zh")
w, x = answers(("evaluations.benefit", "较高", ordinal(5)), ("evaluations.risk-harm", "4", ordinal(4)), ("evaluations.recommendation", "4 同意", ordinal(4)))
add("49-foxmail-html.eml", *foxmail(e, "49", "Mon, 7 Dec 2026 10:45:00 +0800", markers(w), html=True),
    e, "recorded", "ordinary, zh: Foxmail multipart/alternative (GBK base64 text, GBK quoted-printable HTML), Chinese labels as answers", "foxmail", ["ordinary", "zh"], expected=x)

# 50 NetEase 163, HTML only, Chinese
e = expert("zh", email="haoran_tech@163.example.com")
w, x = answers(("infrastructure.benefit", "4", ordinal(4)), ("infrastructure.recommendation", "3", ordinal(3)), ("p-joint-evaluation-2030", "15%", prob(0.15)))
add("50-netease-163.eml", *netease(e, "50", "Mon, 7 Dec 2026 15:00:00 +0800", "<div>您好：</div><div>" + "</div><div>".join(esc(l) for l in markers(w).split("\n")) + "</div>"),
    e, "recorded", "ordinary, zh, html: NetEase 163 webmail, HTML only, the attribution inside the blockquote", "netease", ["ordinary", "zh", "html"], expected=x)

# 51 Outlook with a Chinese UI
e = expert("zh")
w, x = answers(("verification.benefit", "6", ordinal(6)), ("verification.risk-information", "6", ordinal(6)), ("verification.recommendation", "不知道", DK))
add("51-outlook-zh-ui.eml", *outlook(e, "51", "Tue, 8 Dec 2026 08:30:00 +0800", "您好，我的回答如下。\n\n" + markers(w), zh_ui=True),
    e, "recorded", "ordinary, zh: Outlook with a Chinese UI (gb2312 base64, 发件人:/发送时间:/收件人:/主题: block)", "outlook-zh", ["ordinary", "zh", "dont-know"], expected=x)

# 52 mutt, bottom-posting, the answer on the line after the quoted marker
e = expert("en")
body = "\n".join([
    "* Delphi study <delphi@replies.example.org> [2026-11-30 09:00 +0000]:", "> Dear " + name(e) + ",", ">", "> [...]", ">",
    "> :: How much would US–China cooperation in the area", "> :: “Verification mechanisms” benefit global AI safety?",
    "> :: Write the number of your answer: 1 Very low · 2 Low · 3", "> :: Somewhat low · 4 Moderate · 5 Somewhat high · 6 High · 7",
    "> :: Very high · ? don't know", "> [verification.benefit]", "5", "",
    "> :: Briefly explain your ratings for “Verification mechanisms”,", "> [verification.rationale]", "Mostly a question of chip supply chains.", "",
    "> [p-joint-evaluation-2030]", "10", "", "> [...]", "", "Regards,", first_name(e), "", "-- ", name(e), "",
])
add("52-mutt-answer-below-quoted-marker.eml", *purist(e, "52", "Tue, 8 Dec 2026 11:11:11 +0000", body),
    e, "recorded", "above-marker (after: unambiguous): mutt bottom-posting, each answer on its own line right after the quoted marker", "mutt", ["above-marker", "ordinary"],
    expected={"verification.benefit": ordinal(5), "verification.rationale": text("Mostly a question of chip supply chains."), "p-joint-evaluation-2030": prob(0.1)})

# 53 alpine, trimmed quote, answers on the marker lines
e = expert("en")
body = "\n".join([
    "On Mon, 30 Nov 2026, Delphi study wrote:", "", "> [protocols.benefit] 5", "> [protocols.risk-harm] 3", "",
    "I have left the rest, I need to think about it.", "", first_name(e), "",
])
add("53-alpine-trimmed.eml", *purist(e, "53", "Tue, 8 Dec 2026 13:13:13 +0000", body, agent="alpine"),
    e, "recorded", "ordinary, partial: Alpine, the quote trimmed to the two answered marker lines, a remark below", "alpine", ["ordinary", "partial"],
    expected={"protocols.benefit": ordinal(5), "protocols.risk-harm": ordinal(3)})

# 54 Emacs Gnus, "writes:", "-- " signature
e = expert("en")
body = ("Delphi study <delphi@replies.example.org> writes:\n\n> [...]\n> [evaluations.benefit]\n\n6\n\n> [evaluations.rationale]\n\n"
        "Joint evals are the obvious first step.\n\n> [...]\n\n-- \n" + name(e) + "\n" + POOL[e]["place"][0] + "\n")
add("54-gnus-writes.eml", *purist(e, "54", "Tue, 8 Dec 2026 22:02:02 +0000", body, agent="gnus"),
    e, "recorded", "above-marker (after: unambiguous): Emacs Gnus (\"… writes:\"), each answer in its own paragraph right under its quoted marker; \"-- \" signature", "gnus", ["above-marker", "ordinary"],
    expected={"evaluations.benefit": ordinal(6), "evaluations.rationale": text("Joint evals are the obvious first step.")})

# ================================================================ 1 crash inputs (HTML only)

# 55 NetEase: R&amp;D – “verification” and the "&gt; 写道：" attribution
e = expert("zh", email="wenbo.luo@163.example.com")
add("55-crash-amp-next-to-dash.eml", *netease(e, "55", "Wed, 9 Dec 2026 08:00:00 +0800",
    "<div>[verification.benefit] 6</div><div>[verification.rationale] Re R&amp;D – “verification” first.</div>"),
    e, "recorded", "crash: NetEase 163 HTML only: \"R&amp;D – “verification”\" (an entity before multi-byte characters) and the attribution \"&gt; 写道：\"", "netease", ["crash", "html"],
    expected={"verification.benefit": ordinal(6), "verification.rationale": text("Re R&D – “verification” first.")})

# 56 NetEase 126: "&nbsp; 中文"
e = expert("zh", email="ruoxi_zheng@126.example.com")
add("56-crash-nbsp-space-cjk.eml", *netease(e, "56", "Wed, 9 Dec 2026 08:30:00 +0800",
    "<div>[protocols.benefit]&nbsp;5</div><div>[proposals]&nbsp; 建立联合事故数据库。</div>", domain="126"),
    e, "recorded", "crash: NetEase 126 HTML only: \"&nbsp; 建立…\" (&nbsp; and a space before CJK text)", "netease", ["crash", "html", "zh"],
    expected={"protocols.benefit": ordinal(5), "proposals": text("建立联合事故数据库。")})

# 57 NetEase: &nbsp; right before CJK, &nbsp; paragraphs
e = expert("zh", email="zhiyuan.liang@163.example.com")
add("57-crash-nbsp-before-cjk.eml", *netease(e, "57", "Wed, 9 Dec 2026 09:00:00 +0800",
    "<div>&nbsp;&nbsp;您好</div><div>[verification.risk-capabilities]&nbsp;2</div><div>[verification.rationale]&nbsp;算力核算最可行。</div><div>&nbsp;</div>"),
    e, "recorded", "crash: NetEase 163 HTML only: \"&nbsp;算力…\" (&nbsp; directly before CJK), &nbsp;-only lines", "netease", ["crash", "html", "zh"],
    expected={"verification.risk-capabilities": ordinal(2), "verification.rationale": text("算力核算最可行。")})

# 58 NetEase 126: numeric entities
e = expert("zh", email="meiling_xie@126.example.com")
add("58-crash-numeric-entities.eml", *netease(e, "58", "Wed, 9 Dec 2026 09:30:00 +0800",
    "<div>[infrastructure.benefit] &#53;</div><div>[infrastructure.rationale] &#20013;&#32654;联合评测平台&#12290;</div>", domain="126", b64body=True),
    e, "recorded", "crash: NetEase 126 HTML only, base64: numeric character references (&#20013;&#32654; = 中美, &#53; = 5) next to CJK text", "netease", ["crash", "html", "zh"],
    expected={"infrastructure.benefit": ordinal(5), "infrastructure.rationale": text("中美联合评测平台。")})

# 59 Outlook on the web, HTML only: named entities next to curly quotes
e = expert("en")
html_top = ("<div style=\"font-family: Calibri, Arial, Helvetica, sans-serif; font-size: 12pt;\">[evaluations.benefit] 6</div>"
            "<div style=\"font-family: Calibri, Arial, Helvetica, sans-serif; font-size: 12pt;\">[evaluations.rationale] “Evals”&mdash;the labs&rsquo; part&hellip; matters most.</div>")
add("59-crash-named-entities.eml", *owa(e, "59", "Wed, 9 Dec 2026 10:00:00 +0000", "", html_only=True, html_top=html_top),
    e, "recorded", "crash: Outlook on the web, HTML only: &mdash; &rsquo; &hellip; right after multi-byte characters (“Evals”&mdash;)", "owa", ["crash", "html"],
    expected={"evaluations.benefit": ordinal(6), "evaluations.rationale": text("“Evals”—the labs’ part… matters most.")})

# 60 NetEase: an unterminated &amp at the very end of the HTML
e = expert("zh", email="chenxi.song@163.example.com")
h = "<div>[evaluations.benefit] 5</div><div>[proposals] 中美联合红队测试 R&amp"
add("60-crash-unterminated-amp.eml", *netease(e, "60", "Wed, 9 Dec 2026 10:30:00 +0800", h, quoted=""),
    e, "recorded", "crash: NetEase 163 HTML only, the body cut off right after an unterminated \"&amp\" following CJK text (a browser shows \"R&\")", "netease", ["crash", "html", "zh"],
    expected={"evaluations.benefit": ordinal(5), "proposals": text("中美联合红队测试 R&")})

# 61 NetEase: a stray & before CJK
e = expert("zh", email="kaiwen_tang@126.example.com")
add("61-crash-stray-amp-cjk.eml", *netease(e, "61", "Wed, 9 Dec 2026 11:00:00 +0800",
    "<div>[evaluations.risk-information] 4</div><div>[evaluations.rationale] 评测&amp;标准&中美双方都能受益</div>", domain="126"),
    e, "recorded", "crash: NetEase 126 HTML only: a stray \"&\" directly before CJK text (\"&中美\") after a proper &amp;", "netease", ["crash", "html", "zh"],
    expected={"evaluations.risk-information": ordinal(4), "evaluations.rationale": text("评测&标准&中美双方都能受益")})

# 62 new Outlook, HTML only: &nbsp;&amp; between CJK and an emoji
e = expert("zh")
html_top = ("<div class=\"elementToProof\">[protocols.recommendation]&nbsp;5</div>"
            "<div class=\"elementToProof\">[proposals] 联合红队测试&nbsp;&amp;&nbsp;事故共享&nbsp;👍</div>")
add("62-crash-entities-emoji.eml", *owa(e, "62", "Wed, 9 Dec 2026 11:30:00 +0800", "", new_outlook=True, html_only=True, html_top=html_top),
    e, "recorded", "crash: new Outlook, HTML only: &nbsp;&amp;&nbsp; between CJK text and a 4-byte emoji", "new-outlook", ["crash", "html", "zh"],
    expected={"protocols.recommendation": ordinal(5), "proposals": text("联合红队测试 & 事故共享 👍")})

# ================================================================ 2 replies to receipts

# 63/64 "Thanks, all good!" above the quoted receipt
e = expert("en")
w, x = answers(("verification.benefit", "5", ordinal(5)), ("protocols.benefit", "6", ordinal(6)),
               ("proposals", "Shared incident formats.", text("Shared incident formats.")))
add("63-receipt-a-reply.eml", *thunderbird(e, "63", "Thu, 10 Dec 2026 09:00:00 +0000", markers(w)),
    e, "recorded", "receipt (step 1): Thunderbird reply whose receipt the expert then answers", "thunderbird", ["receipt", "ordinary"], expected=x)
add("64-receipt-thanks-all-good.eml", f"""
Message-ID: <{uuid('64')}@{addr(e).split('@')[1]}>
Date: Thu, 10 Dec 2026 12:00:00 +0000
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: {enc('Re: ' + SUBJECT_EN)}
To: Delphi study <{REPLIES}>
In-Reply-To: <{{{{RECEIPT_ID}}}}>
References: <round-1.{e}@replies.example.org> <{{{{RECEIPT_ID}}}}>
From: {name(e)} <{addr(e)}>
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit
""", crlf("Thanks, all good!\n\n" + first_name(e) + "\n\nOn 10/12/2026 09:01, Delphi study wrote:\n") + "{{RECEIPT_QUOTED}}\r\n",
    e, "unchanged", "receipt: \"Thanks, all good!\" above the quoted receipt (which repeats every answer): no answers of its own, nothing recorded", "thunderbird", ["receipt"],
    step=2, final_answers=x)

# 65/66 a reply to an OLD receipt after a later correction from another channel
e = expert("en")
w, x = answers(("evaluations.benefit", "4", ordinal(4)), ("evaluations.recommendation", "3", ordinal(3)))
add("65-old-receipt-a-reply.eml", *purist(e, "65", "Thu, 10 Dec 2026 09:30:00 +0000", markers(w) + "\n\n" + first_name(e) + "\n"),
    e, "recorded", "receipt (step 1): a mutt reply; its receipt is answered after a later correction", "mutt", ["receipt", "ordinary"], expected=x)
add("66-old-receipt-thanks-after-correction.eml", f"""
Date: Fri, 11 Dec 2026 08:00:00 +0000
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Subject: Re: {enc('Re: ' + SUBJECT_EN)}
Message-ID: <{hx('66', 16)}@{addr(e).split('@')[1]}>
In-Reply-To: <{{{{RECEIPT_ID}}}}>
References: <{{{{RECEIPT_ID}}}}>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Disposition: inline
Content-Transfer-Encoding: 8bit
User-Agent: Mutt/2.2.12 (2023-09-09)
""", crlf("* Delphi study <delphi@replies.example.org> [2026-12-10 09:31 +0000]:\n") + "{{RECEIPT_QUOTED}}\r\n" + crlf("\nThanks, that looks right.\n\n" + first_name(e) + "\n"),
    e, "unchanged", "receipt: bottom-posted thanks under the quote of the step-1 receipt, after the expert changed evaluations.benefit to 2 on the web (cli_before): nothing recorded, the later answer stays", "mutt", ["receipt"],
    step=2, cli_before="[evaluations.benefit] 2\n", final_answers={"evaluations.benefit": ordinal(2), "evaluations.recommendation": ordinal(3)})

# 67/68 a reply to a receipt that changes one answer in place
e = expert("en")
w, x = answers(("infrastructure.benefit", "5", ordinal(5)), ("infrastructure.risk-harm", "3", ordinal(3)), ("p-joint-evaluation-2030", "25%", prob(0.25)))
add("67-receipt-edit-a-reply.eml", *apple(e, "67", "Thu, 10 Dec 2026 10:00:00 -0800", markers(w), eightbit=True),
    e, "recorded", "receipt (step 1): Apple Mail reply whose receipt the expert then edits", "apple-mail", ["receipt", "ordinary"], expected=x)
add("68-receipt-edit-in-place.eml", f"""
From: {name(e)} <{addr(e)}>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.300.87.4.3\\))
Subject: {enc('Re: Re: ' + SUBJECT_EN)}
Date: Thu, 10 Dec 2026 15:00:00 -0800
In-Reply-To: <{{{{RECEIPT_ID}}}}>
References: <{{{{RECEIPT_ID}}}}>
To: Delphi study <{REPLIES}>
Message-Id: <{uuid('68', True)}@{addr(e).split('@')[1]}>
X-Mailer: Apple Mail (2.3826.300.87.4.3)
""", crlf("I changed one answer below.\n\n> On 10 Dec 2026, at 10:01, Delphi study <delphi@replies.example.org> wrote:\n>\n") + "{{RECEIPT_QUOTED|[infrastructure.risk-harm] 5}}\r\n",
    e, "recorded", "receipt: Apple Mail reply to the receipt with one answer changed in place inside the quote ([infrastructure.risk-harm] 3 → 5): just that change is recorded (the harness edits the quoted receipt's line)", "apple-mail", ["receipt"],
    step=2, expected={"infrastructure.risk-harm": ordinal(5)}, final_answers={"infrastructure.benefit": ordinal(5), "infrastructure.risk-harm": ordinal(5), "p-joint-evaluation-2030": prob(0.25)})

# 69/70 Chinese: 谢谢 above the quoted receipt
e = expert("zh")
w, x = answers(("verification.benefit", "7", ordinal(7)), ("verification.rationale", "验证是合作的前提。", text("验证是合作的前提。")))
add("69-receipt-zh-a-reply.eml", *thunderbird(e, "69", "Thu, 10 Dec 2026 17:00:00 +0800", markers(w)),
    e, "recorded", "receipt (step 1): Chinese Thunderbird reply", "thunderbird", ["receipt", "zh"], expected=x)
add("70-receipt-zh-thanks.eml", f"""
Message-ID: <{uuid('70')}@{addr(e).split('@')[1]}>
Date: Fri, 11 Dec 2026 09:00:00 +0800
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: {enc('Re: ' + SUBJECT_ZH)}
To: Delphi study <{REPLIES}>
In-Reply-To: <{{{{RECEIPT_ID}}}}>
References: <{{{{RECEIPT_ID}}}}>
From: {name(e)} <{addr(e)}>
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit
""", crlf("谢谢，确认无误。\n\n" + hanzi(e) + "\n\n在 2026/12/10 17:01, Delphi study 写道:\n") + "{{RECEIPT_QUOTED}}\r\n",
    e, "unchanged", "receipt, zh: \"谢谢，确认无误。\" above the quoted receipt: nothing recorded", "thunderbird", ["receipt", "zh"], step=2, final_answers=x)

# 71/72 a receipt answered with one new answer on top
e = expert("en")
w, x = answers(("protocols.risk-capabilities", "2", ordinal(2)), ("protocols.recommendation", "5", ordinal(5)))
add("71-receipt-add-a-reply.eml", *android(e, "71", "Thu, 10 Dec 2026 08:00:00 +0100", markers(w), kind="k9"),
    e, "recorded", "receipt (step 1): K-9 Mail reply", "k9", ["receipt", "ordinary"], expected=x)
add("72-receipt-add-one-answer.eml", f"""
Date: Thu, 10 Dec 2026 20:00:00 +0100
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Subject: {enc('Re: Re: ' + SUBJECT_EN)}
User-Agent: K-9 Mail for Android
In-Reply-To: <{{{{RECEIPT_ID}}}}>
References: <{{{{RECEIPT_ID}}}}>
Message-ID: <{uuid('72').upper()}@{addr(e).split('@')[1]}>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
""", crlf("Thanks! One more:\n\n[proposals] A joint registry of frontier training runs.\n-- \nSent from my Android device with K-9 Mail. Please excuse my brevity.\n\nOn 10 December 2026 08:01:00 CET, Delphi study <delphi@replies.example.org> wrote:\n") + "{{RECEIPT_QUOTED}}\r\n",
    e, "recorded", "receipt: K-9 reply to the receipt adding one new answer above the quoted receipt: just that answer is recorded", "k9", ["receipt"],
    step=2, expected={"proposals": text("A joint registry of frontier training runs.")},
    final_answers={"protocols.risk-capabilities": ordinal(2), "protocols.recommendation": ordinal(5), "proposals": text("A joint registry of frontier training runs.")})

# ================================================================ 3 values above their markers

def above(form, values):
    """The form with each value typed on its own line just above its (empty) marker."""
    out = []
    for line in form.split("\n"):
        for item, v in values.items():
            if line == f"[{item}]" or line.startswith(f"[{item}] "):
                out.append(v)
        out.append(line)
    return "\n".join(out)


# 73 Outlook, unquoted original
e = expert("en")
vals = {"verification.benefit": "5", "verification.risk-capabilities": "3", "verification.risk-information": "6"}
add("73-above-markers-outlook.eml", *outlook(e, "73", "Fri, 11 Dec 2026 09:00:00 +0000", "Hi, my ratings are in the form.\n\n" + first_name(e), above(inv(e), vals)),
    e, "invalid", "above-marker: Outlook, each rating typed on its own line under the question text, i.e. above its empty marker: which item a value belongs to is not certain - ask, store nothing", "outlook-desktop", ["above-marker"],
    problems=[problem("verification.benefit", e), problem("verification.risk-capabilities", e), problem("verification.risk-information", e)])

# 74 Gmail, inside the quoted form: "6" unquoted between quoted lines
e = expert("en")
q = quote(inv(e)).split("\n")
out = []
for l in q:
    if l in ("> [protocols.benefit]", "> [infrastructure.benefit]"):
        out.append("6" if "protocols" in l else "4")
    out.append(l)
text_part = "My answers are inline.\n\nOn Mon, Nov 30, 2026 at 9:00 AM Delphi study <\ndelphi@replies.example.org> wrote:\n\n" + "\n".join(out) + "\n"
html_part = "<div dir=\"ltr\">My answers are inline.</div>"
b = "0000000000" + hx("74", 18)
add("74-above-markers-gmail-quote.eml", f"""
MIME-Version: 1.0
{irt(e)}
From: {name(e)} <{addr(e)}>
Date: Fri, 11 Dec 2026 10:00:00 +0000
Message-ID: <CA{hx('74a', 12).upper()}+{hx('74b', 20)}@mail.gmail.com>
Subject: {enc('Re: ' + SUBJECT_EN)}
To: Delphi study <{REPLIES}>
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable
""", qp(text_part.encode()),
    e, "invalid", "above-marker: Gmail (plain text), inside the quoted form a rating typed unquoted between \"> :: … ? don't know\" and the empty \"> [item]\" marker: ask, store nothing", "gmail-web", ["above-marker"],
    problems=[problem("protocols.benefit", e), problem("infrastructure.benefit", e)])

# 75 Foxmail, Chinese, above the markers
e = expert("zh")
vals = {"verification.benefit": "6", "verification.recommendation": "4"}
add("75-above-markers-foxmail-zh.eml", *foxmail(e, "75", "Fri, 11 Dec 2026 11:00:00 +0800", "见下文。",
    quoted=above(inv(e), vals)),
    e, "invalid", "above-marker, zh: Foxmail (GBK base64), the ratings typed above the empty markers in the copy of the form: ask, store nothing", "foxmail", ["above-marker", "zh"],
    problems=[problem("verification.benefit", e), problem("verification.recommendation", e)])

# 76 Thunderbird: most answers after their markers, one above an empty marker
e = expert("en")
form = fill(inv(e), {"evaluations.benefit": "5", "evaluations.risk-capabilities": "4"})
form = above(form, {"p-joint-evaluation-2030": "40"})
add("76-above-one-marker-thunderbird.eml", *thunderbird(e, "76", "Fri, 11 Dec 2026 12:00:00 +0000", "", raw_body="Answers in the form.\n\n" + form + "\n", flow=False),
    e, "invalid", "above-marker: Thunderbird, two answers after their markers but \"40\" typed under the probability question above its empty marker: the reply is not certain - ask, store nothing", "thunderbird", ["above-marker"],
    problems=[problem("p-joint-evaluation-2030", e)])

# 77 Apple Mail, unquoted form, the value on the line after the marker
e = expert("en")
form = inv(e).replace("[verification.benefit]", "[verification.benefit]\n5").replace("[verification.risk-harm]", "[verification.risk-harm]\n2")
add("77-after-marker-next-line.eml", *apple(e, "77", "Fri, 11 Dec 2026 13:00:00 -0800", "Answers in the copy below.\n\n" + form, quoted=""),
    e, "recorded", "above-marker (after: unambiguous): Apple Mail, the expert pasted the form and typed each rating on the line right after its marker", "apple-mail", ["above-marker"],
    expected={"verification.benefit": ordinal(5), "verification.risk-harm": ordinal(2)})

# ================================================================ 4 sign-offs under a final text answer

def signoff_case(file, e, client_fn, date, answers_written, expected, sign, why, client, extra_classes=()):
    top = markers(answers_written) + "\n\n" + sign
    add(file, *client_fn(e, file[:2], date, top), e, "recorded", "sign-off: " + why, client, ["sign-off", *extra_classes], expected=expected)


e = expert("zh")
w, x = answers(("verification.benefit", "6", ordinal(6)), ("proposals", "A joint incident database for frontier labs.", text("A joint incident database for frontier labs.")))
signoff_case("78-signoff-title-phone.eml", e, outlook, "Sat, 12 Dec 2026 09:00:00 +0800", w, x,
             f"Best regards,\n{name(e)}\nProfessor, {POOL[e]['place'][0]}\n+86 10 6278 0000",
             "Outlook: \"Best regards,\", name, title and institution, phone number under the last text answer", "outlook-desktop")

e = expert("en")
w, x = answers(("protocols.benefit", "4", ordinal(4)), ("protocols.rationale", "Standards bodies move slowly; start with formats.", text("Standards bodies move slowly; start with formats.")))
signoff_case("79-signoff-thanks-initial.eml", e, gmail, "Sat, 12 Dec 2026 10:00:00 +0000", w, x, f"Thanks,\n{first_name(e)[0]}.",
             "Gmail: \"Thanks,\" and an initial under the last text answer", "gmail-web")

e = expert("en")
w, x = answers(("infrastructure.rationale", "Enclaves are promising but immature.", text("Enclaves are promising but immature.")))
signoff_case("80-signoff-cheers-one-line.eml", e, lambda *a: apple(*a, ios=True), "Sat, 12 Dec 2026 11:00:00 +0000", w, x, f"Cheers, {first_name(e)}",
             "iOS Mail: \"Cheers, Name\" on one line, then \"Sent from my iPhone\"", "ios-mail")

e = expert("zh")
w, x = answers(("evaluations.benefit", "6", ordinal(6)), ("evaluations.rationale", "联合评测可以建立互信。", text("联合评测可以建立互信。")))
signoff_case("81-signoff-cizhi-jingli.eml", e, foxmail, "Sat, 12 Dec 2026 12:00:00 +0800", w, x, f"此致\n敬礼\n{hanzi(e)}",
             "Foxmail: \"此致 / 敬礼\" and the name under the last text answer", "foxmail", ["zh"])

e = expert("zh", email="jiayi_yuan@163.example.com")
signoff_html = ("<div>[protocols.recommendation] 4</div><div>[proposals] 建议增加关于开源模型的讨论。</div><div><br></div><div>祝好！</div><div>"
                + hanzi(e) + "</div>")
add("82-signoff-zhuhao-netease.eml", *netease(e, "82", "Sat, 12 Dec 2026 13:00:00 +0800", signoff_html),
    e, "recorded", "sign-off, zh, html: NetEase 163 HTML only, \"祝好！\" and the name under the last text answer", "netease", ["sign-off", "zh", "html"],
    expected={"protocols.recommendation": ordinal(4), "proposals": text("建议增加关于开源模型的讨论。")})

e = expert("en")
w, x = answers(("verification.rationale", "Hardware mechanisms need a decade.", text("Hardware mechanisms need a decade.")))
signoff_case("83-signoff-phone-only.eml", e, lambda *a: thunderbird(*a, flow=False), "Sat, 12 Dec 2026 14:00:00 +0100", w, x, "Tel. +49 30 2093 4471",
             "Thunderbird: only a phone number under the last text answer", "thunderbird")

e = expert("en")
w, x = answers(("evaluations.risk-harm", "3", ordinal(3)), ("proposals", "Exchange of evaluation staff.", text("Exchange of evaluation staff.")))
signoff_case("84-signoff-postal-address.eml", e, outlook, "Sat, 12 Dec 2026 15:00:00 +0100", w, x,
             f"Dr. {name(e)}\n{POOL[e]['place'][0]}\nMusterstraße 12\n10115 Berlin\nGermany",
             "Outlook: a postal address block (name, institute, street, city, country) under the last text answer", "outlook-desktop")

e = expert("en")
w, x = answers(("infrastructure.risk-information", "5", ordinal(5)), ("infrastructure.rationale", "Joint databases are the safe first step.", text("Joint databases are the safe first step.")))
add("85-signoff-full-name-alone.eml", *purist(e, "85", "Sat, 12 Dec 2026 16:00:00 +0000", "On Mon, 30 Nov 2026, Delphi study wrote:\n\n> [...]\n\n" + markers(w) + "\n\n" + name(e) + "\n", agent="alpine"),
    e, "recorded", "sign-off: Alpine, the expert's full panel name alone on the last line under the last text answer", "alpine", ["sign-off"], expected=x)

e = expert("en")
para = "Two ideas.\nFirst, shared incident formats.\n\nSecond, joint red-teaming of open models."
w, x = answers(("evaluations.recommendation", "5", ordinal(5)), ("proposals", para, text(para)))
signoff_case("86-signoff-paragraphs-kind-regards.eml", e, lambda *a: owa(*a), "Sat, 12 Dec 2026 17:00:00 +0000", w, x, f"Kind regards,\n{first_name(e)}",
             "Outlook on the web: a text answer of two paragraphs with a line break inside the first (kept as \\n and \\n\\n), then \"Kind regards,\" and the name", "owa")

# ================================================================ 5 quotes re-wrapped by a phone

def starts_like_a_value(s):
    return s[:1] != "" and (s[:1].isdigit() or s[:1] in "?？")


def rewrap_quote(text, width=60):
    """Each quoted line longer than `width` broken at a space, the rest on a new "> " line
    (no "::") - what iOS/Android do to a quoted plain-text form. Never so that a
    continuation starts with a number (a human would then wonder whether it is an answer)."""
    out = []
    for line in quote(text).split("\n"):
        while len(line) > width and " " in line[2:width]:
            cut = line.rfind(" ", 2, width)
            while starts_like_a_value(line[cut + 1:]) and line.rfind(" ", 2, cut) > 4:
                cut = line.rfind(" ", 2, cut)
            out.append(line[:cut])
            line = "> " + line[cut + 1:]
        out.append(line)
    return "\n".join(out)


def reflow_quote(text, width=70):
    """Runs of "::" lines joined and re-wrapped at `width`: only the first line of a run
    keeps its "::" (Android clients reflowing a quoted plain-text form)."""
    out, run = [], []

    def flush():
        if not run:
            return
        words = " ".join(run).split(" ")
        cur = "> ::"
        for wd in words:
            if len(cur) + 1 + len(wd) > width and cur not in ("> ::", ">"):
                carry = ""
                if starts_like_a_value(wd) and cur.count(" ") > 2:
                    cur, carry = cur.rsplit(" ", 1)
                out.append(cur)
                cur = ">" + (" " + carry if carry else "")
            cur += " " + wd
        out.append(cur)
        run.clear()

    for line in text.split("\n"):
        if line.startswith(":: ") and not line.startswith(":: ===="):
            run.append(line[3:].strip())
            continue
        flush()
        out.append("> " + line if line else ">")
    flush()
    return "\n".join(out)


e = expert("en")
w, x = answers(("verification.benefit", "6", ordinal(6)), ("verification.rationale", "Chips first, audits later.", text("Chips first, audits later.")),
               ("protocols.benefit", "5", ordinal(5)), ("proposals", "A shared eval registry.", text("A shared eval registry.")))
qb = rewrap_quote(inline(e, w))
assert not any(starts_like_a_value(l[2:]) for l in qb.split("\n"))
add("87-rewrapped-ios.eml", *apple(e, "87", "Sun, 13 Dec 2026 08:00:00 +0000", "Answers in the form below.", ios=True, quoted_block=qb),
    e, "recorded", "rewrapped: iOS Mail, answers in the quoted form whose lines the phone broke at 60 columns (continuation lines such as \"> developing,\" or \"> include\" without \"::\" right after text answers)", "ios-mail", ["rewrapped"], expected=x)

e = expert("en")
w, x = answers(("infrastructure.benefit", "4", ordinal(4)), ("infrastructure.rationale", "Too early for joint operation.", text("Too early for joint operation.")),
               ("evaluations.benefit", "6", ordinal(6)))
qb = reflow_quote(inline(e, w))
add("88-rewrapped-k9-reflow.eml", *android(e, "88", "Sun, 13 Dec 2026 09:00:00 +0100", "Inline.", kind="k9", quoted_block=qb),
    e, "recorded", "rewrapped: K-9 Mail, the quoted form reflowed at 70 columns so each question's continuation lines lose their \"::\" (fragments such as \"> Very high · ? don't know\" after a text answer)", "k9", ["rewrapped"], expected=x)

e = expert("zh")
w, x = answers(("protocols.benefit", "6", ordinal(6)), ("protocols.rationale", "标准合作风险低。", text("标准合作风险低。")),
               ("protocols.recommendation", "5", ordinal(5)))
qb = rewrap_quote(inline(e, w), width=34)
add("89-rewrapped-fairemail-zh.eml", *android(e, "89", "Sun, 13 Dec 2026 17:00:00 +0800", "见下文。", kind="fairemail", quoted_block=qb),
    e, "recorded", "rewrapped, zh: FairEmail, the quoted Chinese form broken by the phone so fragments like \"> 高 · 6 高 · 7 很高 · ? 不知道\" follow a text answer", "fairemail", ["rewrapped", "zh"], expected=x)

# ================================================================ 6 full-width syntax

e = expert("zh", email="1092837465@qq.example.com")
w, x = answers(("protocols.benefit", "４", ordinal(4)), ("evaluations.benefit", "？", DK))
top = "［protocols.benefit］４\n【verification.benefit】５\n［evaluations.benefit］？"
x = {"protocols.benefit": ordinal(4), "verification.benefit": ordinal(5), "evaluations.benefit": DK}
add("90-fullwidth-brackets-no-space.eml", *qq(e, "90", "Mon, 14 Dec 2026 08:00:00 +0800", top),
    e, "recorded", "full-width: QQ Mail, ［protocols.benefit］４ and 【verification.benefit】５ with no space, full-width ？ for don't know", "qq-mail", ["full-width", "zh", "dont-know"], expected=x)

e = expert("zh")
top = "［seed-bletchley-countries］２０，２８，３５\n［years-to-first-agreement］５％：２ ５０％：５ ９５％：１５"
add("91-fullwidth-quantiles.eml", *foxmail(e, "91", "Mon, 14 Dec 2026 09:00:00 +0800", top),
    e, "recorded", "full-width: Foxmail, a quantile as ２０，２８，３５ (a full-width comma is never a decimal comma) and as ５％：２ ５０％：５ ９５％：１５", "foxmail", ["full-width", "zh", "quantile"],
    expected={"seed-bletchley-countries": quantile(20, 28, 35), "years-to-first-agreement": quantile(2, 5, 15)})

e = expert("zh")
top = "[p-joint-evaluation-2030]：３０％\n[verification.benefit]：６\n[area-ranking]：３，１，４，２"
add("92-fullwidth-colon.eml", *outlook(e, "92", "Mon, 14 Dec 2026 10:00:00 +0800", top, zh_ui=True),
    e, "recorded", "full-width: Outlook with a Chinese UI, a full-width colon after the marker, ３０％, a ranking with full-width commas", "outlook-zh", ["full-width", "zh", "ranking", "probability"],
    expected={"p-joint-evaluation-2030": prob(0.3), "verification.benefit": ordinal(6), "area-ranking": R(I, V, EV, P)})

e = expert("zh")
top = "【infrastructure.benefit】　５\n【infrastructure.rationale】　基础设施合作需要第三方托管。"
add("93-fullwidth-ideographic-space.eml", *apple(e, "93", "Mon, 14 Dec 2026 11:00:00 +0800", top, ios=True),
    e, "recorded", "full-width: iOS Mail (Chinese), 【】 markers followed by an ideographic space", "ios-mail", ["full-width", "zh"],
    expected={"infrastructure.benefit": ordinal(5), "infrastructure.rationale": text("基础设施合作需要第三方托管。")})

# ================================================================ 7 HTML-only bodies

e = expert("en")
pre = esc(inline(e, {"verification.benefit": "5", "verification.risk-harm": "4", "p-joint-evaluation-2030": "35"}))
h = ("<html><body><div style=\"font-family: arial, helvetica, sans-serif; font-size: 12pt; color: #000000\"><div>Answers typed into the form below.</div>"
     "<div><br></div><hr id=\"zwchr\"><blockquote style=\"border-left:2px solid #1010FF;margin-left:5px;padding-left:5px;\"><pre>" + pre + "</pre></blockquote></div></body></html>")
add("94-html-pre-block.eml", f"""
Date: Tue, 15 Dec 2026 08:00:00 -0600 (CST)
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Message-ID: <{int(hx('94', 8), 16)}.{int(hx('94b', 6), 16)}.1796{int(hx('94c', 6), 16)}.JavaMail.zimbra@{addr(e).split('@')[1]}>
{irt(e)}
Subject: {enc('Re: ' + SUBJECT_EN)}
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable
X-Mailer: Zimbra 8.8.15_GA_4484 (ZimbraWebClient - FF120 (Linux)/8.8.15_GA_4484)
""", qp(h.encode()),
    e, "recorded", "html: Zimbra HTML only, answers typed into the quoted form inside a <pre> block (line breaks are newlines, not <br>)", "zimbra", ["html"],
    expected={"verification.benefit": ordinal(5), "verification.risk-harm": ordinal(4), "p-joint-evaluation-2030": prob(0.35)})

e = expert("en")
rows = [("[verification.benefit]", "5"), ("[protocols.benefit]", "6"), ("[infrastructure.benefit]", "3"), ("[evaluations.benefit]", "7")]
table = ("<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none'>"
         + "".join(f"<tr><td width=301 valign=top style='width:225.4pt;border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'><p class=MsoNormal>{a}<o:p></o:p></p></td>"
                   f"<td width=301 valign=top style='width:225.4pt;border:solid windowtext 1.0pt;border-left:none;padding:0cm 5.4pt 0cm 5.4pt'><p class=MsoNormal>{b_}<o:p></o:p></p></td></tr>" for a, b_ in rows)
         + "</table>")
hdr, body = outlook(e, "95", "Tue, 15 Dec 2026 09:00:00 +0000", "", html_top="<p class=MsoNormal>My ratings:<o:p></o:p></p>" + table + "<p class=MsoNormal><o:p>&nbsp;</o:p></p>")
# HTML only: keep just the HTML part
import re as _re
html_part = body.split("Content-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")[1].rsplit("\r\n\r\n--", 1)[0]
hdr = _re.sub(r"Content-Type: multipart/alternative;\n\tboundary=\"[^\"]+\"\n", "Content-Type: text/html; charset=\"utf-8\"\nContent-Transfer-Encoding: quoted-printable\n", hdr)
add("95-html-table-cells.eml", hdr, html_part + "\r\n",
    e, "recorded", "html: Outlook (Word) HTML only, the answers in a table: <td>[verification.benefit]</td><td>5</td> per row", "outlook-desktop", ["html"],
    expected={"verification.benefit": ordinal(5), "protocols.benefit": ordinal(6), "infrastructure.benefit": ordinal(3), "evaluations.benefit": ordinal(7)})

e = expert("en")
html_top = ("<p>[protocols.risk-information] 2</p><p>[protocols.rationale] Formats, not data.</p><p>&nbsp;</p><p>&nbsp;</p><p>" + esc(name(e)) + "</p>")
add("96-html-nbsp-paragraphs-name.eml", *owa(e, "96", "Tue, 15 Dec 2026 10:00:00 +0000", "", html_only=True, html_top=html_top),
    e, "recorded", "html, sign-off: Outlook on the web HTML only, <p>&nbsp;</p> paragraphs between the last text answer and the name", "owa", ["html", "sign-off"],
    expected={"protocols.risk-information": ordinal(2), "protocols.rationale": text("Formats, not data.")})

e = expert("en")
h = ("<div dir=\"ltr\"><div>[evaluations.benefit] 5</div><div><br></div><div>[evaluations.rationale] Shared benchmarks first.</div>"
     "<div>Then joint evaluations.</div><div><br></div><div>" + esc(first_name(e)) + "</div></div>")
add("97-html-div-lines.eml", f"""
MIME-Version: 1.0
Date: Tue, 15 Dec 2026 11:00:00 +0000
{irt(e)}
Message-ID: <{hx('97', 24)}@mail.zoho.example.com>
Subject: {enc('Re: ' + SUBJECT_EN)}
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable
User-Agent: Zoho Mail
X-Mailer: Zoho Mail
""", qp(h.encode()),
    e, "recorded", "html, sign-off: Zoho Mail HTML only, Gmail-style <div> per line and <div><br></div> blank lines; a text answer over two <div>s (kept as \\n) and the first name after a blank line", "zoho", ["html", "sign-off"],
    expected={"evaluations.benefit": ordinal(5), "evaluations.rationale": text("Shared benchmarks first.\nThen joint evaluations.")})

e = expert("en")
h = ("<html><body>[verification.recommendation] 4<br><br><br>[infrastructure.recommendation] 2<br><br>[years-to-first-agreement] 5%: 3 50%: 9 95%: 30<br><br><br><br>"
     "Best<br>" + esc(first_name(e)) + "<br></body></html>")
add("98-html-br-runs.eml", f"""
Date: Tue, 15 Dec 2026 12:00:00 +0000
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
{irt(e)}
Message-ID: <{uuid('98')}@{addr(e).split('@')[1]}>
Subject: {enc('Re: ' + SUBJECT_EN)}
MIME-Version: 1.0
Content-Type: text/html; charset=us-ascii
Content-Transfer-Encoding: 7bit
User-Agent: Roundcube Webmail/1.6.5
""", crlf(h + "\n"),
    e, "recorded", "html: Roundcube HTML only, answers separated by runs of <br>", "roundcube", ["html", "quantile"],
    expected={"verification.recommendation": ordinal(4), "infrastructure.recommendation": ordinal(2), "years-to-first-agreement": quantile(3, 9, 30)})

e = expert("en")
html_top = ("<p class=MsoNormal><span lang=EN-GB style='mso-fareast-language:ZH-CN'>[infrastructure.risk-capabilities] 3<o:p></o:p></span></p>"
            "<p class=MsoNormal><span lang=EN-GB>[infrastructure.rationale] Operating platforms jointly is where the risk is.<o:p></o:p></span></p>"
            "<p class=MsoNormal><span lang=EN-GB><o:p>&nbsp;</o:p></span></p><p class=MsoNormal><span lang=EN-GB>" + esc(first_name(e)) + "<o:p></o:p></span></p>")
hdr, body = outlook(e, "99", "Tue, 15 Dec 2026 13:00:00 +0000", "", html_top=html_top)
html_part = body.split("Content-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")[1].rsplit("\r\n\r\n--", 1)[0]
hdr = _re.sub(r"Content-Type: multipart/alternative;\n\tboundary=\"[^\"]+\"\n", "Content-Type: text/html; charset=\"utf-8\"\nContent-Transfer-Encoding: quoted-printable\n", hdr)
add("99-html-msonormal.eml", hdr, html_part + "\r\n",
    e, "recorded", "html, sign-off: Outlook HTML only, <p class=MsoNormal> with <span lang=…> and <o:p>, an <o:p>&nbsp;</o:p> line before the name", "outlook-desktop", ["html", "sign-off"],
    expected={"infrastructure.risk-capabilities": ordinal(3), "infrastructure.rationale": text("Operating platforms jointly is where the risk is.")})

# ================================================================ 8 order: written earlier, delivered later

e = expert("en")
w, x = answers(("verification.benefit", "4", ordinal(4)), ("verification.risk-harm", "3", ordinal(3)), ("protocols.benefit", "5", ordinal(5)))
add("A0-order-correction-written-later.eml", *gmail(e, "A0", "Wed, 16 Dec 2026 11:30:00 +0000", "Sorry, a correction:\n\n[verification.benefit] 6"),
    e, "recorded", "order: Gmail, a correction written at 11:30 but delivered first (file-name order)", "gmail-web", ["order"], expected={"verification.benefit": ordinal(6)})
add("A1-order-full-reply-written-earlier.eml", *gmail(e, "A1", "Wed, 16 Dec 2026 10:00:00 +0000", markers(w)),
    e, "recorded", "order: Gmail, the full reply written at 10:00 (Date) but delivered after the 11:30 correction: its other answers are recorded, the correction wins for verification.benefit", "gmail-web", ["order"],
    expected={"verification.risk-harm": ordinal(3), "protocols.benefit": ordinal(5)},
    final_answers={"verification.benefit": ordinal(6), "verification.risk-harm": ordinal(3), "protocols.benefit": ordinal(5)})

e = expert("zh")
w, x = answers(("evaluations.benefit", "5", ordinal(5)), ("evaluations.rationale", "评测合作可行。", text("评测合作可行。")))
add("A2-order-correction-zh.eml", *thunderbird(e, "A2", "Wed, 16 Dec 2026 20:00:00 +0800", "更正：\n\n[evaluations.rationale] 评测合作可行，但需要第三方参与。"),
    e, "recorded", "order, zh: Thunderbird, a correction of a text answer written at 20:00, delivered first", "thunderbird", ["order", "zh"],
    expected={"evaluations.rationale": text("评测合作可行，但需要第三方参与。")})
add("A3-order-full-zh-written-earlier.eml", *thunderbird(e, "A3", "Wed, 16 Dec 2026 18:00:00 +0800", markers(w)),
    e, "recorded", "order, zh: Thunderbird, the full reply written at 18:00 but delivered after the 20:00 correction: the correction wins", "thunderbird", ["order", "zh"],
    expected={"evaluations.benefit": ordinal(5)},
    final_answers={"evaluations.benefit": ordinal(5), "evaluations.rationale": text("评测合作可行，但需要第三方参与。")})

# ================================================================ 9 a colleague's link in a text answer

other = expert("en")
e = expert("en")
t = f"Please also ask my colleague, who knows the hardware side better: http://127.0.0.1:8080/s/{{{{TOKEN_OTHER}}}}"
w, x = answers(("verification.benefit", "5", ordinal(5)), ("proposals", t, text(t)))
add("B0-colleague-link-outlook.eml", *outlook(e, "B0", "Thu, 17 Dec 2026 09:00:00 +0000", markers(w)),
    e, "recorded", "colleague: Outlook, another panel member's personal link pasted into a text answer; the expert replies from their own address to their own invitation (own token in To: and in the quoted link): recorded for the sender, the text as written", "outlook-desktop", ["colleague"],
    expected=x, other_expert=other)

other = expert("en")
e = expert("en")
t = f"My colleague's form is at http://127.0.0.1:8080/s/{{{{TOKEN_OTHER}}}} - she will answer herself."
w, x = answers(("evaluations.risk-capabilities", "4", ordinal(4)), ("evaluations.rationale", t, text(t)))
add("B1-colleague-link-gmail.eml", *gmail(e, "B1", "Thu, 17 Dec 2026 10:00:00 +0000", markers(w), quoted=""),
    e, "recorded", "colleague: Gmail, the quote deleted, so the expert's own token is only in To:; a colleague's link in the text answer: recorded for the sender", "gmail-web", ["colleague"],
    expected=x, other_expert=other)

other = expert("zh")
e = expert("zh")
t = f"我的同事也在专家组中，她的链接是 http://127.0.0.1:8080/s/{{{{TOKEN_OTHER}}}}"
w, x = answers(("infrastructure.benefit", "5", ordinal(5)), ("infrastructure.rationale", t, text(t)))
add("B2-colleague-link-zh.eml", *thunderbird(e, "B2", "Thu, 17 Dec 2026 18:00:00 +0800", markers(w)),
    e, "recorded", "colleague, zh: Thunderbird, a colleague's personal link in a Chinese text answer: recorded for the sender", "thunderbird", ["colleague", "zh"],
    expected=x, other_expert=other)

# ================================================================ 10 no token

e = expert("en")
hdr = f"""
From: {name(e)} <{addr(e)}>
To: delphi@replies.example.org
Subject: Delphi answers
Date: Fri, 18 Dec 2026 09:00:00 +0000
Message-ID: <{hx('B3', 8).upper()}{hx('B3x', 24).upper()}@DM6PR11MB{hx('B3', 4).upper()}.namprd11.prod.outlook.com>
Accept-Language: en-US
Content-Language: en-US
X-Mailer: Microsoft Outlook 16.0
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit
"""
add("B3-no-token-outlook-new-message.eml", hdr, crlf("Hello,\n\nI could not find the invitation, so here are my answers:\n\n[verification.benefit] 5\n[protocols.benefit] 4\n\nBest,\n" + first_name(e) + "\n"),
    e, "no-token", "no-token: Outlook, a new message (not a reply) to the bare address from a panel member, no token, no link, no In-Reply-To: nothing stored", "outlook-desktop", ["no-token"])

e = expert("zh", email="3948571620@qq.example.com")
add("B4-no-token-qq.eml", *qq(e, "B4", "Fri, 18 Dec 2026 10:00:00 +0800", "您好，这是我的答案：\n\n[evaluations.benefit] 6\n[evaluations.recommendation] 4", reply=False, subj="德尔菲研究答案", to="delphi@replies.example.org"),
    e, "no-token", "no-token, zh: QQ Mail, a fresh message to the bare address: nothing stored", "qq-mail", ["no-token", "zh"])

e = expert("en", email="lena.ipsumson@gmail.example.com")
add("B5-no-token-gmail-re.eml", *gmail(e, "B5", "Fri, 18 Dec 2026 11:00:00 +0000", "[infrastructure.benefit] 4\n[p-joint-evaluation-2030] 20%", reply=False,
                                       subj="Re: Delphi study round 1", to="delphi@replies.example.org"),
    e, "no-token", "no-token: Gmail, \"Re:\" typed by hand into a new message's subject, no In-Reply-To, no token: nothing stored", "gmail-web", ["no-token"])

# ================================================================ cases a human could not be sure about

e = expert("en")
w = {"verification.benefit": "5 or 6", "verification.risk-harm": "3"}
add("B6-two-candidate-values.eml", *gmail(e, "B6", "Sat, 19 Dec 2026 09:00:00 +0000", markers(w)),
    e, "invalid", "ambiguous: Gmail, \"5 or 6\" for one rating: two candidate values - ask, store nothing", "gmail-web", ["ambiguous"],
    problems=[problem("verification.benefit", e)])

e = expert("en")
body = ("[protocols.benefit] 5\n[proposals] Some thoughts:\n[evaluations.benefit] should be asked per model class\nand not per area.\n\n"
        + first_name(e) + "\n\nOn 30/11/2026 09:00, Delphi study wrote:\n" + quote(inv(e)) + "\n")
add("B7-marker-line-in-text.eml", *thunderbird(e, "B7", "Sat, 19 Dec 2026 10:00:00 +0000", "", raw_body=body, flow=False),
    e, "invalid", "ambiguous: Thunderbird, a line inside a text answer that starts with a real marker (\"[evaluations.benefit] should be asked…\"): an answer or part of the text? - ask, store nothing", "thunderbird", ["ambiguous"],
    problems=[problem("evaluations.benefit", e)])

e = expert("en")
w = {"infrastructure.benefit": "5"}
add("B8-same-item-top-and-inline.eml", *apple(e, "B8", "Sat, 19 Dec 2026 11:00:00 +0000", markers(w), inline(e, {"infrastructure.benefit": "3"})),
    e, "invalid", "ambiguous: Apple Mail, infrastructure.benefit 5 top-posted and 3 written into the quoted form: two values for one item - ask, store nothing", "apple-mail", ["ambiguous"],
    problems=[problem("infrastructure.benefit", e)])

# ================================================================ unreadable

e = expert("en")
b = f"_004_{hx('B9', 30).upper()}_"
tnef = b"\x78\x9f\x3e\x22" + bytes(range(256)) * 4
hdr = f"""
From: {name(e)} <{addr(e)}>
To: Delphi study <{REPLIES}>
Subject: {enc('RE: ' + SUBJECT_EN)}
Date: Sat, 19 Dec 2026 12:00:00 +0000
Message-ID: <{hx('B9', 8).upper()}{hx('B9x', 24).upper()}@DM6PR11MB{hx('B9', 4).upper()}.namprd11.prod.outlook.com>
{irt(e)}
X-MS-Has-Attach: yes
X-MS-TNEF-Correlator: <{hx('B9t', 24)}@DM6PR11MB.namprd11.prod.outlook.com>
X-Mailer: Microsoft Outlook 16.0
MIME-Version: 1.0
Content-Type: multipart/mixed;
\tboundary="{b}"
"""
add("B9-unreadable-winmail-dat.eml", hdr, f"--{b}\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\nContent-Disposition: attachment; filename=\"winmail.dat\"\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\n" + b64(tnef) + f"\r\n--{b}--\r\n",
    e, "unreadable", "unreadable: Outlook sending rich text as TNEF only (one winmail.dat attachment, no text part): nothing can be read - set aside", "outlook-desktop", ["unreadable"])
