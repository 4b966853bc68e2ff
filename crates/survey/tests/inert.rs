//! Texts from experts and coordinators come out inert in every renderer: HTML escaped,
//! Markdown escaped, and in the text form behind `::`, where the reply parser never reads
//! them as answers.

mod fixture;

use std::collections::BTreeMap;

use delphi_survey::{html, markdown, reply, text};

#[test]
fn hostile_rationales_are_escaped_in_html() {
    for language in ["en", "zh"] {
        let q = fixture::round2(language);
        let page = html::render(&q, "/s/\"><script>x</script>", &BTreeMap::new());
        assert!(!page.contains("<script"), "raw script tag in:\n{page}");
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"));
        assert!(page.contains("action=\"/s/&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""));
        assert!(!page.contains('\r'));
        // every tag the page opens is one the renderer writes
        let allowed = [
            "!DOCTYPE",
            "html",
            "head",
            "meta",
            "title",
            "style",
            "body",
            "main",
            "h1",
            "h2",
            "p",
            "strong",
            "form",
            "section",
            "fieldset",
            "legend",
            "div",
            "label",
            "input",
            "select",
            "option",
            "textarea",
            "aside",
            "svg",
            "rect",
            "text",
            "line",
            "details",
            "summary",
            "blockquote",
            "button",
            // The round-2 feedback's legend, ranking table, number line and proposals.
            "span",
            "table",
            "caption",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "circle",
            "ul",
            "li",
        ];
        for tag in page.split('<').skip(1) {
            let name: String =
                tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '!').collect();
            let name = if name == "!DOCTYPE" { name } else { name.to_lowercase() };
            assert!(allowed.contains(&name.as_str()), "unexpected tag <{name}");
        }
    }
}

#[test]
fn hostile_rationales_are_escaped_in_markdown() {
    for language in ["en", "zh"] {
        let md = markdown::render(&fixture::round2(language));
        for (i, line) in md.lines().enumerate() {
            for (j, c) in line.char_indices() {
                if matches!(c, '<' | '[' | '*' | '#' | '`' | '|' | '&') && !line[..j].ends_with('\\') {
                    let structural = (c == '#' && line[..j].chars().all(|p| p == '#'))
                        || (c == '*' && (line.contains("**") || line.starts_with("*") || line.starts_with("> *")))
                        || (c == '`' && (line.starts_with("- ") || line.starts_with('*')))
                        || (c == '|' && line.starts_with("> |"));
                    assert!(structural, "line {}: unescaped {c:?} in {line:?}", i + 1);
                }
            }
        }
        assert!(md.contains("\\#set page(fill: red) \\*bold\\* \\_it\\_ \\[link\\](x) \\`code\\`"));
        assert!(md.contains("> - \\=cmd\\|' /C calc'\\!A0"));
        assert!(md.contains("\\<script\\>"));
    }
}

#[test]
fn hostile_rationales_stay_behind_comment_marks_in_the_text_form() {
    for language in ["en", "zh"] {
        let q = fixture::round2(language);
        let form = text::render(&q);
        for line in form.lines() {
            let marker = line.strip_prefix('[').and_then(|l| l.split_once(']')).map(|(id, _)| id);
            let ok = line.is_empty()
                || line.starts_with("::")
                || line == "[end]"
                || marker.is_some_and(|id| q.item(id).is_some());
            assert!(ok, "a line of the form that is neither text nor a marker: {line:?}");
        }
        assert!(form.contains(":: ") && form.contains("=cmd|' /C calc'!A0"));
        // the untouched form, hostile rationales included, holds no answer
        let errors = reply::parse(&q, &form).expect_err("a blank form");
        assert_eq!(errors.0, [reply::ReplyError::NoAnswers]);
    }
}
