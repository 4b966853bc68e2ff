//! The shipped study and its example panel validate, and model what the paper asked.

use delphi_core::Study;
use delphi_core::panel::Panel;
use delphi_core::study::ResponseKind;

const STUDY: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");
const PANEL: &str = include_str!("../../../surveys/ai-safety-cooperation.panel.csv");

fn study() -> Study {
    match Study::from_toml(STUDY, "ai-safety-cooperation.toml") {
        Ok(study) => study,
        Err(problems) => panic!("{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")),
    }
}

#[test]
fn shipped_study_has_the_papers_four_areas_and_three_risks() {
    let study = study();
    let domains: Vec<&str> = study.domains.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(domains, ["verification", "protocols", "infrastructure", "evaluations"]);
    let risks: Vec<&str> = study.synthesis.as_ref().unwrap().risks.iter().map(|r| r.as_str()).collect();
    assert_eq!(risks, ["risk-capabilities", "risk-information", "risk-harm"]);
    assert_eq!(study.synthesis.as_ref().unwrap().benefit.as_str(), "benefit");
    let languages: Vec<&str> = study.languages.iter().map(|l| l.as_str()).collect();
    assert_eq!(languages, ["en", "zh"]);
    assert!(study.items.iter().any(|i| matches!(i.response, ResponseKind::Quantile { .. })));
    assert!(study.items.iter().any(|i| matches!(i.response, ResponseKind::RankingOfDomains { .. })));
    assert!(study.criteria.iter().any(|c| c.response == ResponseKind::Text), "a rationale per area");
    assert!(!study.seeds.is_empty());
}

#[test]
fn questions_cover_the_grid_and_never_carry_a_realisation() {
    let study = study();
    let questions = study.questions();
    let grid = study.domains.len() * study.criteria.len();
    assert_eq!(questions.len(), grid + study.items.len() + study.seeds.len());
    assert_eq!(questions[0].id.as_str(), "verification.benefit");
    let json = serde_json::to_string(&questions).expect("questions serialise");
    for seed in &study.seeds {
        let realisation = seed.realisation().to_string();
        assert!(
            !json.contains(&format!(":{realisation}")) && !json.contains("realisation"),
            "seed answer leaked: {json}"
        );
    }
}

#[test]
fn example_panel_spans_four_blocs_of_at_least_the_minimum_size() {
    let study = study();
    let panel = Panel::from_csv(PANEL, "panel.csv", &study)
        .unwrap_or_else(|p| panic!("{}", p.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")));
    let mut blocs = std::collections::BTreeMap::<&str, u32>::new();
    for member in panel.members() {
        *blocs.entry(member.bloc.as_str()).or_default() += 1;
    }
    assert_eq!(blocs.keys().copied().collect::<Vec<_>>(), ["China", "Europe", "Other", "US"]);
    assert!(blocs.values().all(|n| *n >= study.subgroups.min_group_size), "{blocs:?}");
}

const STARTER: &str = include_str!("../../../surveys/starter.toml");
const STARTER_PANEL: &str = include_str!("../../../surveys/starter.panel.csv");

#[test]
fn the_starter_study_is_valid_in_one_language_with_its_panel_and_a_contact() {
    let study = match Study::from_toml(STARTER, "starter.toml") {
        Ok(study) => study,
        Err(problems) => panic!("{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")),
    };
    let languages: Vec<&str> = study.languages.iter().map(|l| l.as_str()).collect();
    assert_eq!(languages, ["en"]);
    assert_eq!(study.contact.as_deref(), Some("Study coordinator <coordinator@example.org>"));
    assert!(study.domains.len() >= 2 && !study.criteria.is_empty());
    let panel = Panel::from_csv(STARTER_PANEL, "starter.panel.csv", &study).expect("the starter panel is valid");
    assert!(panel.members().iter().all(|m| m.language.as_str() == "en"));
    // The shipped study has no contact: the field is optional.
    assert_eq!(self::study().contact, None);
}
