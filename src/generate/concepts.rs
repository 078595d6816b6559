//! Planted concept variants: spellings, plurals and abbreviations of one concept, and decoys that must stay apart.
//!
//! Each family of forms belongs to one topic group (chosen from the seed);
//! [`CARRY_RATE`] of that group's articles carry it as extra keywords, from
//! their own random stream, so the rest of the collection is the same with or
//! without them. What makes a family one concept is planted the way writers
//! leave it:
//!
//! - **spelling**: each carrier writes one of the forms (British or American,
//!   singular or plural);
//! - **definition**: a carrier writes the long or the short form (or a
//!   keyword that defines it: "Carbon Capture and Storage (CCS)"), and some
//!   ([`DEFINE_RATE`]) also define it in their summary: "… electric vehicles (EVs) …";
//! - **co-occurrence**: most carriers ([`BOTH_RATE`]) name both forms;
//! - **none** (no evidence): the short form in one group, the long form in
//!   another, never together and never defined; they must stay apart;
//! - **decoy**: two forms that look alike ("university" and "universe",
//!   "organic" and "organization"), each in its own group, or an initialism
//!   and a phrase it fits ("EU" and "electric utilities") carried each on its
//!   own by one group's articles, so they meet by chance; they must stay apart.
//!
//! - **native**: synonyms already in the generator's vocabulary (the theme
//!   "Artificial Intelligence" and the keyword "AI"), not planted: merging
//!   them is right (`merge: null`), leaving them apart no error.
//!
//! Most families are keywords. A few cross kinds: their first form is
//! written as a theme (or as the driving force of one signal) and the others
//! as keywords ("Critical Minerals" the theme, "critical mineral" the
//! keyword), so the theme and the keyword must be linked as one concept.
//!
//! `truth.json` lists the families under `concept_variants`, each with the
//! `kinds` its forms are written in.

use super::plan::{stream, Plan};
use crate::model::ConceptKind;
use rand::Rng;
use serde::Serialize;

/// The random stream of the planted variants (apart from the generator's own domains).
const DOMAIN: u64 = 100;
/// Share of a family's group's articles that carry it.
pub(crate) const CARRY_RATE: f64 = 0.3;
/// Share of a definition family's carriers that define the short form in their summary.
pub(crate) const DEFINE_RATE: f64 = 0.5;
/// Share of a co-occurrence family's carriers that name both forms.
pub(crate) const BOTH_RATE: f64 = 0.7;

/// Most keywords an article has with the carried ones (the seed format's usual range ends there).
const MAX_KEYWORDS: usize = 14;

/// How a family's forms are related, and what evidence the collection gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Evidence {
    Spelling,
    Definition,
    CoOccurrence,
    None,
    Decoy,
    /// A decoy whose forms live in one group, each carried on its own, so
    /// they meet by chance (co-occurrence must not take that for evidence).
    DecoyNear,
    /// Synonyms the generator's own vocabulary has (the theme "Artificial
    /// Intelligence" and the keyword "AI"): merging them is right, missing them is no error.
    Native,
}

impl Evidence {
    fn name(self) -> &'static str {
        match self {
            Evidence::Spelling => "spelling",
            Evidence::Definition => "definition",
            Evidence::CoOccurrence => "co-occurrence",
            Evidence::None => "none",
            Evidence::Decoy | Evidence::DecoyNear => "decoy",
            Evidence::Native => "native",
        }
    }

    /// Whether the forms are one concept that alignment should find.
    fn merge(self) -> bool {
        matches!(
            self,
            Evidence::Spelling | Evidence::Definition | Evidence::CoOccurrence
        )
    }
}

/// A family: its forms (for abbreviations: long form first, short form
/// last), its evidence, and the kind its first form is written in (the
/// others are keywords).
struct Family {
    forms: &'static [&'static str],
    evidence: Evidence,
    first: ConceptKind,
}

const fn family(forms: &'static [&'static str], evidence: Evidence) -> Family {
    Family {
        forms,
        evidence,
        first: ConceptKind::Keyword,
    }
}

/// A family whose first form is written as a theme or a driving force.
const fn cross(forms: &'static [&'static str], evidence: Evidence, first: ConceptKind) -> Family {
    Family {
        forms,
        evidence,
        first,
    }
}

const FAMILIES: &[Family] = &[
    family(
        &["data centre", "data centres", "data center", "data centers"],
        Evidence::Spelling,
    ),
    family(
        &[
            "labour shortage",
            "labour shortages",
            "labor shortage",
            "labor shortages",
        ],
        Evidence::Spelling,
    ),
    family(&["heat pump", "heat pumps"], Evidence::Spelling),
    family(&["microgrid", "microgrids"], Evidence::Spelling),
    family(&["digitalisation", "digitalization"], Evidence::Spelling),
    family(
        &["defence budget", "defense budget", "defence budgets"],
        Evidence::Spelling,
    ),
    family(
        &["fibre network", "fiber network", "fibre networks"],
        Evidence::Spelling,
    ),
    family(&["university", "universities"], Evidence::Spelling),
    family(&["energy policy", "energy policies"], Evidence::Spelling),
    family(
        &["climate modelling", "climate modeling"],
        Evidence::Spelling,
    ),
    family(
        &[
            "carbon capture and storage",
            "Carbon Capture and Storage (CCS)",
            "CCS",
        ],
        Evidence::Definition,
    ),
    family(
        &[
            "small modular reactor",
            "small modular reactors (SMRs)",
            "SMR",
        ],
        Evidence::Definition,
    ),
    family(&["large language model", "LLM"], Evidence::Definition),
    family(
        &["electric vehicle", "electric vehicles", "EV"],
        Evidence::Definition,
    ),
    family(&["universal basic income", "UBI"], Evidence::CoOccurrence),
    family(&["power purchase agreement", "PPA"], Evidence::CoOccurrence),
    family(&["vertical farming", "VF"], Evidence::CoOccurrence),
    family(&["battery energy storage system", "BESS"], Evidence::None),
    family(&["buy now pay later", "BNPL"], Evidence::None),
    family(&["universe", "university"], Evidence::Decoy),
    family(&["organic", "organization"], Evidence::Decoy),
    family(&["EU", "electric utilities"], Evidence::DecoyNear),
    family(&["ER", "energy retrofits"], Evidence::DecoyNear),
    family(&["economics", "economic"], Evidence::Decoy),
    family(&["Artificial Intelligence", "AI"], Evidence::Native),
    cross(
        &["Critical Minerals", "critical mineral", "critical minerals"],
        Evidence::Spelling,
        ConceptKind::Theme,
    ),
    cross(
        &["Labour Mobility", "labor mobility"],
        Evidence::Spelling,
        ConceptKind::DrivingForce,
    ),
    cross(
        &["Carbon Border Adjustment Mechanism", "CBAM"],
        Evidence::Definition,
        ConceptKind::Theme,
    ),
    cross(
        &["Direct Air Capture", "DAC"],
        Evidence::CoOccurrence,
        ConceptKind::Theme,
    ),
];

/// What one article carries.
#[derive(Debug, Default)]
pub(crate) struct Carried {
    /// Extra keywords, in family order.
    pub(crate) keywords: Vec<&'static str>,
    /// Sentences appended to the summary (definitions).
    pub(crate) sentences: Vec<String>,
    /// Extra themes.
    pub(crate) themes: Vec<&'static str>,
    /// A driving force for the last signal.
    pub(crate) force: Option<&'static str>,
}

impl Carried {
    /// Writes form `k` of `fam` where the family writes it.
    fn push(&mut self, fam: &Family, k: usize) {
        match (k, fam.first) {
            (0, ConceptKind::Theme) => self.themes.push(fam.forms[0]),
            (0, ConceptKind::DrivingForce) => self.force = Some(fam.forms[0]),
            _ => self.keywords.push(fam.forms[k]),
        }
    }
}

/// The group of each of a family's forms: most families live in one group;
/// the forms of "none" and "decoy" families are spread over different groups.
fn groups_of(seed: u64, f: usize, groups: usize) -> (usize, usize) {
    let mut rng = stream(seed, DOMAIN, u64::MAX - f as u64);
    let first = rng.random_range(0..groups);
    let second = if groups > 1 {
        (first + 1 + rng.random_range(0..groups - 1)) % groups
    } else {
        first
    };
    (first, second)
}

/// The variant forms article `i` carries.
pub(crate) fn carried(plan: &Plan, i: usize) -> Carried {
    let mut rng = stream(plan.seed, DOMAIN, i as u64);
    let group = plan.articles[i].group as usize;
    let groups = plan.groups.len();
    let mut out = Carried::default();
    for (f, fam) in FAMILIES.iter().enumerate() {
        let (first, second) = groups_of(plan.seed, f, groups);
        let carries = rng.random_bool(CARRY_RATE);
        let pick = rng.random_range(0..fam.forms.len());
        let both = rng.random_bool(BOTH_RATE);
        let define = rng.random_bool(DEFINE_RATE);
        let also = rng.random_bool(CARRY_RATE);
        if fam.evidence == Evidence::DecoyNear && group == first {
            let (long, short) = (fam.forms[1], fam.forms[0]);
            out.keywords.extend(carries.then_some(short));
            out.keywords.extend(also.then_some(long));
            continue;
        }
        if !carries || (group != first && group != second) {
            continue;
        }
        let (long, short) = (fam.forms[0], fam.forms[fam.forms.len() - 1]);
        match fam.evidence {
            Evidence::Spelling if group == first => out.push(fam, pick),
            Evidence::Definition if group == first => {
                out.push(fam, pick);
                if define {
                    out.sentences.push(definition_sentence(long, short));
                }
            }
            Evidence::CoOccurrence if group == first => {
                if both {
                    out.push(fam, 0);
                    out.push(fam, fam.forms.len() - 1);
                } else {
                    out.push(fam, pick);
                }
            }
            Evidence::None | Evidence::Decoy if groups > 1 => {
                out.keywords.push(if group == first { short } else { long });
            }
            _ => {}
        }
    }
    let room = MAX_KEYWORDS.saturating_sub(plan.articles[i].keywords.len());
    out.keywords.truncate(room);
    out
}

fn definition_sentence(long: &str, short: &str) -> String {
    format!("Analysts expect {long} ({short}) to matter more within the decade.")
}

/// One family as `truth.json` records it.
#[derive(Serialize)]
pub(crate) struct VariantTruth {
    evidence: &'static str,
    forms: &'static [&'static str],
    /// The kind of each form (theme, keyword, driving force).
    kinds: Vec<&'static str>,
    groups: Vec<usize>,
    /// `null` for native synonyms: merging them is right, missing them no error.
    merge: Option<bool>,
}

/// Every family, for `truth.json`.
pub(crate) fn truth(plan: &Plan) -> Vec<VariantTruth> {
    let groups = plan.groups.len();
    FAMILIES
        .iter()
        .enumerate()
        .filter(|(_, fam)| {
            fam.evidence != Evidence::Decoy && fam.evidence != Evidence::None || groups > 1
        })
        .map(|(f, fam)| {
            let (first, second) = groups_of(plan.seed, f, groups);
            VariantTruth {
                evidence: fam.evidence.name(),
                forms: fam.forms,
                kinds: (0..fam.forms.len())
                    .map(|k| {
                        if k == 0 {
                            fam.first
                        } else {
                            ConceptKind::Keyword
                        }
                        .slug()
                    })
                    .collect(),
                groups: match fam.evidence {
                    Evidence::Native => Vec::new(),
                    Evidence::DecoyNear => vec![first],
                    e if e.merge() => vec![first],
                    _ => vec![first, second],
                },
                merge: match fam.evidence {
                    Evidence::Native => None,
                    e => Some(e.merge()),
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_well_formed() {
        for fam in FAMILIES {
            assert!(fam.forms.len() >= 2);
            if matches!(fam.evidence, Evidence::Definition) {
                let (long, short) = (fam.forms[0], fam.forms[fam.forms.len() - 1]);
                let defs =
                    crate::align::abbreviation::definitions(&definition_sentence(long, short));
                assert_eq!(defs.len(), 1, "{long} ({short})");
            }
        }
    }
}
