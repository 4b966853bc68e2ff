//! The synthetic panel: fictional experts from fictional institutions in up to four blocs,
//! drawn from a seed.

use std::collections::BTreeMap;

use delphi_core::Study;
use delphi_core::rng::Rng;
use delphi_survey::Answer;

/// The blocs, in the order a panel takes them, each with its (fictional) institutions and
/// their countries.
pub const BLOCS: [(&str, &[(&str, &str)]); 4] = [
    ("US", &[("Lakeshore Center for AI Safety", "US"), ("Pinecrest University", "US"), ("Harbor Policy Lab", "US")]),
    (
        "China",
        &[
            ("Eastlake Institute of AI Governance", "CN"),
            ("Jade River University", "CN"),
            ("Hengshan AI Safety Lab", "CN"),
        ],
    ),
    ("Europe", &[("Rhinebridge Institute", "DE"), ("Nordfjord University", "NO")]),
    ("Other", &[("Southern Cross AI Centre", "AU"), ("Meridian Policy Forum", "SG")]),
];

/// Names that say they are made up: "Placeholder", "Samplewood"; the Chinese given names are
/// 虚拟 (virtual), 示例 (example), 模拟 (simulated), 假设 (hypothetical), 演示 (demo), 测试 (test).
const GIVEN_NAMES: [&str; 8] = ["Avery", "Jordan", "Casey", "Riley", "Morgan", "Quinn", "Rowan", "Emery"];
const SURNAMES: [&str; 8] =
    ["Placeholder", "Samplewood", "Mockford", "Testerman", "Fictor", "Dummond", "Exampleton", "Pretendwell"];
const CHINESE_SURNAMES: [&str; 6] = ["Wang", "Li", "Zhang", "Chen", "Zhao", "Huang"];
const CHINESE_GIVEN_NAMES: [&str; 6] = ["Xuni", "Shili", "Moni", "Jiashe", "Yanshi", "Ceshi"];
const EXPERTISE: [&str; 6] = ["verification", "governance", "evaluations", "hardware", "standards", "security"];

/// How many blocs a panel comes from: the first 1 to 4 of [`BLOCS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocs(usize);

impl Blocs {
    /// The first `count` blocs; `None` unless `count` is 1 to 4.
    pub fn first(count: u32) -> Option<Self> {
        let count = usize::try_from(count).ok()?;
        (1..=BLOCS.len()).contains(&count).then_some(Self(count))
    }

    /// The blocs with their institutions.
    fn table(self) -> &'static [(&'static str, &'static [(&'static str, &'static str)])] {
        &BLOCS[..self.0]
    }
}

/// How an expert answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Through the JSON API of the personal link in their invitation.
    Web,
    /// By replying to their invitation.
    Email,
}

/// One fictional expert: who they are (as the panel CSV lists them), how they answer, and
/// what they answered last.
#[derive(Debug, Clone)]
pub struct SimulatedExpert {
    /// The panel's id: `E01`, `E02`, … (zero-padded to the panel's size).
    pub id: String,
    /// A made-up name ("Avery Placeholder", "Wang Xuni").
    pub name: String,
    /// An address at `panel.example.org`.
    pub email: String,
    /// Their (fictional) institution.
    pub institution: &'static str,
    /// The institution's country code.
    pub country: &'static str,
    /// One of [`BLOCS`].
    pub bloc: &'static str,
    /// `zh` for the Chinese bloc when the study asks in Chinese, else `en`.
    pub language: &'static str,
    /// Their field, for the panel CSV.
    pub expertise: &'static str,
    /// Web or email.
    pub channel: Channel,
    /// Position on the panel; with the seed it picks the expert's random streams.
    pub(crate) index: u64,
    pub(crate) seed: u64,
    /// Keeps their answers whatever the group says, and explains why.
    pub(crate) holdout: bool,
    pub(crate) dropped_out: bool,
    /// Their answers of the last round they answered, by item.
    pub(crate) previous: BTreeMap<String, Answer>,
}

impl SimulatedExpert {
    /// Whether they keep their ratings whatever the group says (and explain why).
    pub fn holds_out(&self) -> bool {
        self.holdout
    }

    /// Whether they have stopped answering.
    pub fn has_dropped_out(&self) -> bool {
        self.dropped_out
    }
}

/// `experts` fictional experts from the first `blocs`, taken in turn, for `study` (whose
/// languages decide whether the Chinese bloc answers in Chinese). A quarter of the panel (at
/// least one) answers by email, spread over the blocs; about 15 % hold out.
pub fn synthetic_panel(experts: u32, blocs: Blocs, seed: u64, study: &Study) -> Vec<SimulatedExpert> {
    let blocs = blocs.table();
    let count = u64::from(experts);
    let width = count.to_string().len().max(2);
    let mut order: Vec<u64> = (0..count).collect();
    Rng::stream(seed, &[0]).shuffle(&mut order);
    let emailers: Vec<u64> = order[..(count as usize).div_ceil(4)].to_vec();
    (0..count)
        .map(|index| {
            let mut rng = Rng::stream(seed, &[index, 0]);
            let (bloc, institutions) = blocs[index as usize % blocs.len()];
            let (institution, country) = institutions[(index as usize / blocs.len()) % institutions.len()];
            let chinese = bloc == "China" && study.has_language("zh");
            let (given, surname) = if chinese {
                (CHINESE_GIVEN_NAMES[rng.index(6)], CHINESE_SURNAMES[rng.index(6)])
            } else {
                (GIVEN_NAMES[rng.index(8)], SURNAMES[rng.index(8)])
            };
            let id = format!("E{:0width$}", index + 1);
            SimulatedExpert {
                index,
                seed,
                email: format!(
                    "{}.{}.{}@panel.example.org",
                    given.to_lowercase(),
                    surname.to_lowercase(),
                    id.to_lowercase()
                ),
                name: format!("{given} {surname}"),
                id,
                institution,
                country,
                bloc,
                language: if chinese { "zh" } else { "en" },
                expertise: EXPERTISE[index as usize % EXPERTISE.len()],
                channel: if emailers.contains(&index) { Channel::Email } else { Channel::Web },
                holdout: rng.chance(0.15),
                dropped_out: false,
                previous: BTreeMap::new(),
            }
        })
        .collect()
}

/// The panel as a panel CSV (`id,name,email,institution,country,bloc,language,expertise`).
/// Every field is one of the made-up values above, none holding a comma or a quote.
pub fn panel_csv(panel: &[SimulatedExpert]) -> String {
    let mut csv = String::from("id,name,email,institution,country,bloc,language,expertise\n");
    for e in panel {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            e.id, e.name, e.email, e.institution, e.country, e.bloc, e.language, e.expertise
        ));
    }
    csv
}

/// The experts per bloc, in the order of [`BLOCS`], blocs without experts left out:
/// `US 10, China 10, Europe 10, Other 10`.
pub fn bloc_counts(panel: &[SimulatedExpert]) -> String {
    BLOCS
        .iter()
        .map(|(bloc, _)| (bloc, panel.iter().filter(|e| e.bloc == *bloc).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(bloc, n)| format!("{bloc} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
