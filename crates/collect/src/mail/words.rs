//! The email channel's own words, per language (Chinese for `zh`, English otherwise, like
//! the forms). Placeholders in braces are filled by [`fill`].

use delphi_core::study::Language;

pub(crate) use delphi_survey::ui::fill;
use delphi_survey::ui::is_chinese;

#[derive(Debug)]
pub(crate) struct Words {
    pub invitation_subject: &'static str,
    pub reminder_subject: &'static str,
    pub receipt_subject: &'static str,
    pub problems_subject: &'static str,
    pub refused_subject: &'static str,
    pub unchanged_subject: &'static str,
    pub untied_subject: &'static str,
    pub late_subject: &'static str,
    pub between_rounds_subject: &'static str,
    pub greeting: &'static str,
    pub invitation: &'static str,
    pub feedback_included: &'static str,
    pub anonymity: &'static str,
    pub answer_on_the_web: &'static str,
    pub answer_by_reply: &'static str,
    pub closes: &'static str,
    pub reminder: &'static str,
    pub receipt: &'static str,
    pub receipt_unanswered: &'static str,
    pub receipt_change: &'static str,
    pub problems: &'static str,
    pub problems_fix: &'static str,
    pub refused: &'static str,
    pub unchanged: &'static str,
    pub kept_newer: &'static str,
    pub untied: &'static str,
    pub late: &'static str,
    pub between_rounds: &'static str,
    pub signature: &'static str,
    pub signed: &'static str,
    pub local_time: &'static str,
    pub open_form: &'static str,
    pub reply_heading: &'static str,
    pub why_asked: &'static str,
    pub privacy_heading: &'static str,
    pub consent: &'static str,
    pub contact: &'static str,
    pub withdraw: &'static str,
}

const EN: Words = Words {
    invitation_subject: "Round {round}: {title} (answers by {deadline})",
    reminder_subject: "Reminder, round {round}: {title} (answers by {deadline})",
    receipt_subject: "Received: your answers to round {round} of {title}",
    problems_subject: "Not yet recorded: your reply to round {round} of {title}",
    refused_subject: "Not recorded: your reply to round {round} of {title}",
    unchanged_subject: "Nothing changed: your reply to round {round} of {title}",
    untied_subject: "Which invitation? Your message about round {round} of {title}",
    late_subject: "Round {closed} has closed, round {round} is open: {title}",
    between_rounds_subject: "Round {round} has closed: {title}",
    greeting: "Dear {name},",
    invitation: "You are invited to answer round {round} of the Delphi study “{title}”.",
    feedback_included: "The form shows the panel's answers of the previous round and your own, with the \
                        reasons experts gave; you may keep or change your view.",
    anonymity: "Your answers are anonymous: other experts and the reports see only the group's figures \
                and reasons without names.",
    answer_on_the_web: "Answer on the web with your personal link (do not forward it):",
    answer_by_reply: "Or reply to this email: keep the form below and write each answer after its [item] \
                      marker. You may answer some items now and the rest later; the latest answer counts.",
    closes: "The round closes on {deadline}.",
    reminder: "This is a reminder: round {round} of the Delphi study “{title}” is still waiting for your \
               answers.",
    receipt: "Thank you. {count} answers of yours to round {round} were recorded; they are listed in the \
              form below.",
    receipt_unanswered: "{n} items are still empty; you can answer them later.",
    receipt_change: "You can change any answer until {deadline} by replying again or on the web; the \
                     latest answer counts.",
    problems: "Your reply could not be recorded yet, and nothing of it was stored. Please fix the following:",
    problems_fix: "Then reply again with the whole form.",
    refused: "Your reply could not be recorded, because the round no longer accepts answers:",
    unchanged: "Thank you for your reply. It changes none of your answers, so nothing new was recorded: \
                every answer in it is the one already recorded (or was quoted from an earlier message). \
                Your answers as they stand are in the form below.",
    kept_newer: "These answers in your reply were older than answers you gave later, which stand:",
    untied: "We received a message from you about this round, but it does not carry your personal \
             link or reply address, so we could not tell which invitation it answers, and nothing of it \
             was recorded. Please answer with the link below, or reply to this email.",
    late: "Thank you for your reply. It answers round {closed}, which has closed, so nothing of it was \
           recorded. Round {round} is open now: please answer it with your personal link below, or reply to \
           this email with the form of round {round} below.",
    between_rounds: "Thank you for your reply. It answers round {round}, which has closed, so nothing of it \
                     was recorded. The study is between rounds now: if there is a further round, you will \
                     receive an invitation with a new link when it opens.",
    signature: "— The study's coordinators",
    signed: "— {coordinator}, for the study's coordinators",
    local_time: "{time} in your time zone, {zone}",
    open_form: "Open your personal form",
    reply_heading: "Answering by email",
    why_asked: "Why you: {why}",
    privacy_heading: "Your answers and your privacy",
    consent: "When you first send answers, on the web or by email, you agree to this statement; we record \
              the time you did.",
    contact: "Questions about the study? Write to its coordinator: {contact}.",
    withdraw: "To stop taking part, withdraw on this page (it asks you to confirm); you will then receive no \
               more messages about the study:",
};

const ZH: Words = Words {
    invitation_subject: "第{round}轮：{title}（请于{deadline}前作答）",
    reminder_subject: "提醒，第{round}轮：{title}（请于{deadline}前作答）",
    receipt_subject: "已收到：您对“{title}”第{round}轮的回答",
    problems_subject: "尚未记录：您对“{title}”第{round}轮的回复",
    refused_subject: "未能记录：您对“{title}”第{round}轮的回复",
    unchanged_subject: "没有变化：您对“{title}”第{round}轮的回复",
    untied_subject: "无法对应邀请：您关于“{title}”第{round}轮的邮件",
    late_subject: "第{closed}轮已结束，第{round}轮正在进行：{title}",
    between_rounds_subject: "第{round}轮已结束：{title}",
    greeting: "{name}，您好：",
    invitation: "诚邀您参加德尔菲研究“{title}”第{round}轮问卷。",
    feedback_included: "问卷中附有上一轮专家组的回答、您本人的回答以及专家们给出的理由；您可以保留或修改自己的观点。",
    anonymity: "您的回答是匿名的：其他专家和报告只能看到小组的统计结果和不署名的理由。",
    answer_on_the_web: "请通过您的个人链接在线作答（请勿转发）：",
    answer_by_reply: "或直接回复本邮件：保留下面的问卷，在每个[条目]标记后写下您的回答。您可以先回答部分条目，其余稍后再答；以最后一次回答为准。",
    closes: "本轮将于{deadline}截止。",
    reminder: "温馨提醒：德尔菲研究“{title}”第{round}轮仍在等待您的回答。",
    receipt: "谢谢！您在第{round}轮的{count}个回答已记录，列于下方问卷中。",
    receipt_unanswered: "还有{n}个条目未作答，您可以稍后再答。",
    receipt_change: "在{deadline}之前，您可以再次回复或在线修改任何回答；以最后一次回答为准。",
    problems: "您的回复暂未能记录，其中的内容均未保存。请修改以下问题：",
    problems_fix: "然后请带着完整问卷再次回复。",
    refused: "本轮已不再接受回答，您的回复未能记录：",
    unchanged: "感谢您的回复。回复中没有改动任何回答，因此没有记录新内容：其中的每个回答都与已记录的相同（或引自之前的邮件）。您目前的回答见下方问卷。",
    kept_newer: "回复中的以下回答早于您之后给出的回答，以后者为准：",
    untied: "我们收到了您关于本轮的邮件，但其中没有您的个人链接或回复地址，无法判断它回答的是哪一封邀请，因此没有记录任何内容。请使用下面的链接作答，或直接回复本邮件。",
    late: "感谢您的回复。它回答的是已经结束的第{closed}轮，因此没有记录任何内容。第{round}轮现正进行：请使用下面的个人链接作答，或回复本邮件并填写下方第{round}轮的问卷。",
    between_rounds: "感谢您的回复。它回答的是已经结束的第{round}轮，因此没有记录任何内容。本研究目前处于两轮之间：如果还有下一轮，开始时您会收到附有新链接的邀请。",
    signature: "——研究协调人",
    signed: "——{coordinator}，代表研究协调人",
    local_time: "您所在时区（{zone}）{time}",
    open_form: "打开您的个人问卷",
    reply_heading: "通过邮件作答",
    why_asked: "为何邀请您：{why}",
    privacy_heading: "您的回答与隐私",
    consent: "当您首次提交回答（在线或通过邮件）时，即表示您同意上述声明；我们会记录同意的时间。",
    contact: "如对本研究有疑问，请联系研究协调人：{contact}。",
    withdraw: "如不想继续参与，可在此页面退出（页面会请您确认）；退出后您将不再收到关于本研究的任何邮件：",
};

/// The words for `language`.
pub(crate) fn words(language: &Language) -> &'static Words {
    if is_chinese(language) { &ZH } else { &EN }
}
