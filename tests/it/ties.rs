//! A study whose ranking item allows ties (`ties = true`), run through the real binary: four
//! experts rank the four areas, tying some, on the web form, through the JSON API and by email
//! (Maildir replies, one typed on a Chinese keyboard); the round's summary then carries Kendall's
//! W with the tie correction, equal to the value worked by hand below; and in round 2 the expert
//! who tied on the web sees the group's places and their own tie, filled in again as a tie.
//!
//! The four rankings, best first, tiers in brackets sharing a place (v verification, p protocols,
//! i infrastructure, e evaluations):
//!
//! | expert | channel | ranking          | mid-ranks v p i e     | Σ(t³ − t) |
//! |--------|---------|------------------|-----------------------|-----------|
//! | E01    | web     | v [p e] i        | 1   2.5 4   2.5       | 6         |
//! | E02    | API     | [v p] e i        | 1.5 1.5 4   3         | 6         |
//! | E07    | email   | v p e i          | 1   2   4   3         | 0         |
//! | E08    | email   | p v [e i]        | 2   1   3.5 3.5       | 6         |
//!
//! By hand: m = 4 raters, n = 4 objects. Rank sums v 5.5, p 7, i 15.5, e 12 around
//! m(n + 1)/2 = 10, so S = 4.5² + 3² + 5.5² + 2² = 63.5; T = Σ Σ(t³ − t) = 18;
//! W = 12 S / (m²(n³ − n) − m T) = 762 / (960 − 72) = 762 / 888 = 0.858108…, without the
//! correction 762 / 960 = 0.79375; χ² = m(n − 1) W = 10.297297… on 3 df, p = 0.016200917…
//! (scipy: `chi2.sf(10.297297297297296, 3)`; by the closed form for 3 df,
//! erfc(√(χ²/2)) + √(2χ²/π)·e^(−χ²/2)). Mean ranks v 1.375, p 1.75, e 3, i 3.875.

use std::collections::BTreeMap;

use crate::util::{Server, email_reply, free_port, init_example, ok, post_form};

fn close(what: &str, value: &serde_json::Value, want: f64) {
    let v = value.as_f64().unwrap_or_else(|| panic!("{what}: a number, found {value}"));
    assert!((v - want).abs() <= 1e-12, "{what}: {v}, worked by hand {want}");
}

/// The round's personal links by expert, on `port`.
fn round_links(root: &std::path::Path, port: u16) -> BTreeMap<String, String> {
    ok(root, &["round", "links", "--base-url", &format!("http://127.0.0.1:{port}")])
        .lines()
        .map(|l| {
            let (expert, link) = l.split_once('\t').unwrap();
            (expert.to_owned(), link.to_owned())
        })
        .collect()
}

/// The web form's rank fields of the ranking item: verification, protocols, infrastructure,
/// evaluations.
fn ranks(v: &str, p: &str, i: &str, e: &str) -> Vec<(String, String)> {
    [("verification", v), ("protocols", p), ("infrastructure", i), ("evaluations", e)]
        .iter()
        .map(|(d, r)| (format!("area-ranking:{d}"), (*r).to_owned()))
        .collect()
}

#[test]
fn tied_rankings_given_on_the_web_through_the_api_and_by_email_get_kendalls_w_with_the_tie_correction() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    init_example(root, "tied", |written| {
        assert!(written.contains("of = \"domains\"\n"));
        written.replacen("of = \"domains\"\n", "of = \"domains\"\nties = true\n", 1)
    });
    ok(root, &["round", "open", "--days", "14"]);
    let port = free_port();
    let links = round_links(root, port);
    ok(root, &["invite"]);
    let outbox = root.join("data/tied/outbox");
    let invitation = |expert: &str| -> Vec<u8> {
        let path = std::fs::read_dir(&outbox)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().contains(&format!("-invitation-{expert}")))
            .unwrap_or_else(|| panic!("an invitation to {expert}"));
        std::fs::read(path).unwrap()
    };
    // The emailed form says how to write a tie, in the expert's language.
    let english = mail_parser::MessageParser::default()
        .parse(&invitation("E03"))
        .expect("a MIME message")
        .body_text(0)
        .expect("a text part")
        .replace("\r\n", "\n")
        .replace("\n:: ", " ");
    assert!(english.contains("join them with =, as in 2, 1 = 4, 3"), "{english}");

    let server = Server::start(root, port);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    runtime.block_on(async {
        // E01 on the web form: protocols and evaluations both ranked 2. A first try with
        // infrastructure left without a rank comes back as typed, the tie kept.
        let link = &links["E01"];
        let page = client.get(link).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Options you rank equal may share a rank (a tie)"), "{page}");
        let refused = post_form(&client, link, &ranks("1", "2", "", "2")).await;
        assert_eq!(refused.status(), 422);
        let page = refused.text().await.unwrap();
        assert!(page.contains("Infrastructure has no rank yet; give each option a rank"), "{page}");
        assert_eq!(page.matches("<option value=\"2\" selected>").count(), 2, "the tie as typed: {page}");
        let saved = post_form(&client, link, &ranks("1", "2", "4", "2")).await;
        assert_eq!(saved.status(), 303, "{}", saved.text().await.unwrap());

        // E02 through the JSON API: verification and protocols tied first.
        let api = links["E02"].replace("/s/", "/api/v1/s/");
        let tie = serde_json::json!({"answers": {"area-ranking": {
            "kind": "ranking", "order": [["verification", "protocols"], "evaluations", "infrastructure"]
        }}});
        let saved = client.post(&api).json(&tie).send().await.unwrap();
        assert!(saved.status().is_success(), "{}", saved.text().await.unwrap());
        // The questionnaire the API returns says the item allows ties.
        let questionnaire: serde_json::Value = client.get(&api).send().await.unwrap().json().await.unwrap();
        let items = questionnaire["questionnaire"]["items"].as_array().unwrap();
        let ranking = items.iter().find(|i| i["id"] == "area-ranking").unwrap();
        assert_eq!(ranking["answer"]["ties"], true, "{ranking}");
        // Saved as sent, the tie's ids in order (a tie has no order within it).
        let saved = serde_json::json!({"kind": "ranking", "order": [["protocols", "verification"], "evaluations", "infrastructure"]});
        assert_eq!(questionnaire["answers"]["area-ranking"], saved);
    });
    drop(server);

    // E07 and E08 by email, in Chinese: titles with full-width commas (no tie), and option
    // numbers with a full-width equals sign (evaluations and infrastructure tied last).
    let maildir = root.join("maildir");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    for (n, (expert, line)) in
        [("E07", "［area-ranking］验证机制，规程与共享标准，评测，基础设施"), ("E08", "[area-ranking] ２，１，４＝３")]
            .into_iter()
            .enumerate()
    {
        let raw = email_reply(&invitation(expert), &format!("{line}\n\n谢谢"), n);
        std::fs::write(maildir.join("tmp").join(format!("{n}.reply")), raw).unwrap();
        std::fs::rename(maildir.join("tmp").join(format!("{n}.reply")), maildir.join("new").join(format!("{n}.reply")))
            .unwrap();
    }
    let ingested = ok(root, &["ingest", "--maildir", "maildir"]);
    assert!(ingested.contains("; 2 recorded,"), "{ingested}");
    ok(root, &["round", "close"]);

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("data/tied/round-1/summary.json")).unwrap()).unwrap();
    let item = summary["items"].as_array().unwrap().iter().find(|i| i["item"] == "area-ranking").unwrap();
    let kendall = &item["result"]["kendall"];
    assert_eq!((kendall["raters"].as_u64(), kendall["objects"].as_u64()), (Some(4), Some(4)), "{kendall}");
    close("W", &kendall["w"], 762.0 / 888.0);
    close("W without the tie correction", &kendall["w_uncorrected"], 0.79375);
    close("χ²", &kendall["chi_square"], 4.0 * 3.0 * 762.0 / 888.0);
    assert!((kendall["p_value"].as_f64().unwrap() - 0.016_200_917_367_803_457).abs() < 1e-12, "{kendall}");
    let means: BTreeMap<String, f64> = kendall["mean_ranks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| (pair[0].as_str().unwrap().to_owned(), pair[1].as_f64().unwrap()))
        .collect();
    let want = [("evaluations", 3.0), ("infrastructure", 3.875), ("protocols", 1.75), ("verification", 1.375)];
    assert_eq!(means, want.map(|(o, m)| (o.to_owned(), m)).into_iter().collect(), "{kendall}");

    // Round 2: E01 sees the group's places and their own tie (places 2–3), filled in again.
    ok(root, &["round", "open", "--days", "14"]);
    let port = free_port();
    let links = round_links(root, port);
    let server = Server::start(root, port);
    let page = runtime.block_on(async { client.get(&links["E01"]).send().await.unwrap().text().await.unwrap() });
    drop(server);
    let row = |title: &str| {
        let row = page.split(&format!("<th scope=\"row\">{title}</th>")).nth(1).unwrap_or_else(|| panic!("{page}"));
        row[..row.find("</tr>").unwrap()].to_owned()
    };
    // mean rank, then how many put it in places 1–4 (a tie at the first place it shares), then E01's place
    assert_eq!(row("Verification mechanisms"), "<td>1.38</td><td>3</td><td>1</td><td>0</td><td>0</td><td>1</td>");
    assert_eq!(
        row("Protocols and shared standards"),
        "<td>1.75</td><td>2</td><td>2</td><td>0</td><td>0</td><td>2–3</td>"
    );
    assert_eq!(row("Evaluations"), "<td>3</td><td>0</td><td>1</td><td>3</td><td>0</td><td>2–3</td>");
    assert_eq!(row("Infrastructure"), "<td>3.88</td><td>0</td><td>0</td><td>1</td><td>3</td><td>4</td>");
    assert!(page.contains("a tie for places 2–3 counts as rank 2.5 in the mean"), "{page}");
    assert!(
        page.contains("Your answer in round 1: Verification mechanisms &gt; Evaluations = Protocols and shared standards &gt; Infrastructure"),
        "{page}"
    );
    assert_eq!(page.matches("<option value=\"2\" selected>").count(), 2, "filled in as the tie: {page}");
}
