//! One key for the spellings of a concept: British and American spelling, singular and plural.
//!
//! The rules are deliberately small and conservative: merging two different
//! ideas does more harm than leaving two spellings apart. They work on
//! [`crate::normalize::concept_key`] output (lower case, single spaces), word
//! by word:
//!
//! * **British → American** by word lists, not by suffix: `-our` (labour,
//!   colour, behaviour … but not four, hour, tour), `-tre` (centre, metre,
//!   theatre … but not genre, acre), `-ise`/`-yse` verbs (organise, analyse …
//!   but not rise, advise, enterprise, exercise), doubled `l` (travelled,
//!   modelling, labelled) and single words (defence, programme, ageing,
//!   aluminium, grey, sceptical). `-isation(s)` always becomes `-ization(s)`:
//!   every such English word has that spelling.
//! * **Plural → singular** on the last word only (the head of an English
//!   noun phrase: "labour shortages" → "labor shortage", "sales tax" keeps
//!   "sales"): `-ies` → `-y`, `-sses`/`-xes`/`-ches`/`-shes` drop `-es`, and a
//!   final `-s` goes except after `s`, `u`, `i` (status, crisis) and in a
//!   list of words that end in `s` in the singular (news, series, economics,
//!   gas, bias …). No stemming: "university" and "universe", "organic" and
//!   "organization" stay apart.

/// The key under which spelling variants of a concept meet.
pub fn variant_key(key: &str) -> String {
    let words: Vec<&str> = key.split(' ').collect();
    let last = words.len().saturating_sub(1);
    let mut out = String::with_capacity(key.len());
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let american = americanise(word);
        if i == last {
            out.push_str(&singular(&american));
        } else {
            out.push_str(&american);
        }
    }
    out
}

/// British word stems (before any `s`, `d`, `ing`, `ed` ending) and their American spelling.
const BRITISH: &[(&str, &str)] = &[
    ("labour", "labor"),
    ("colour", "color"),
    ("behaviour", "behavior"),
    ("favour", "favor"),
    ("honour", "honor"),
    ("harbour", "harbor"),
    ("neighbour", "neighbor"),
    ("rumour", "rumor"),
    ("vapour", "vapor"),
    ("flavour", "flavor"),
    ("humour", "humor"),
    ("endeavour", "endeavor"),
    ("centre", "center"),
    ("metre", "meter"),
    ("litre", "liter"),
    ("theatre", "theater"),
    ("fibre", "fiber"),
    ("calibre", "caliber"),
    ("defence", "defense"),
    ("offence", "offense"),
    ("licence", "license"),
    ("programme", "program"),
    ("ageing", "aging"),
    ("aluminium", "aluminum"),
    ("grey", "gray"),
    ("sceptic", "skeptic"),
    ("sceptical", "skeptical"),
    ("mould", "mold"),
    ("catalogue", "catalog"),
    ("dialogue", "dialog"),
    ("analyse", "analyze"),
    ("paralyse", "paralyze"),
    ("catalyse", "catalyze"),
    ("organise", "organize"),
    ("realise", "realize"),
    ("recognise", "recognize"),
    ("prioritise", "prioritize"),
    ("optimise", "optimize"),
    ("digitalise", "digitalize"),
    ("digitise", "digitize"),
    ("decentralise", "decentralize"),
    ("centralise", "centralize"),
    ("modernise", "modernize"),
    ("standardise", "standardize"),
    ("utilise", "utilize"),
    ("minimise", "minimize"),
    ("maximise", "maximize"),
    ("monetise", "monetize"),
    ("industrialise", "industrialize"),
    ("urbanise", "urbanize"),
    ("globalise", "globalize"),
    ("harmonise", "harmonize"),
    ("customise", "customize"),
    ("synthesise", "synthesize"),
    ("stabilise", "stabilize"),
    ("mobilise", "mobilize"),
    ("democratise", "democratize"),
    ("regularise", "regularize"),
    ("specialise", "specialize"),
    ("summarise", "summarize"),
    ("emphasise", "emphasize"),
    ("criticise", "criticize"),
    ("travelled", "traveled"),
    ("travelling", "traveling"),
    ("traveller", "traveler"),
    ("modelled", "modeled"),
    ("modelling", "modeling"),
    ("labelled", "labeled"),
    ("labelling", "labeling"),
    ("fuelled", "fueled"),
    ("fuelling", "fueling"),
    ("cancelled", "canceled"),
    ("signalling", "signaling"),
    ("signalled", "signaled"),
    ("levelled", "leveled"),
    ("enrol", "enroll"),
    ("enrolment", "enrollment"),
    ("fulfil", "fulfill"),
    ("fulfilment", "fulfillment"),
    ("paediatric", "pediatric"),
    ("anaemia", "anemia"),
    ("oestrogen", "estrogen"),
    ("manoeuvre", "maneuver"),
    ("tyre", "tire"),
    ("cheque", "check"),
    ("jewellery", "jewelry"),
    ("storey", "story"),
    ("kerb", "curb"),
    ("plough", "plow"),
    ("pyjamas", "pajamas"),
];

/// A word in American spelling (unchanged when no rule applies).
fn americanise(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("isations") {
        return format!("{stem}izations");
    }
    if let Some(stem) = word.strip_suffix("isation") {
        return format!("{stem}ization");
    }
    // The word itself, or a listed stem with an inflection: centres,
    // organised, organising, labours.
    for suffix in ["", "s", "d", "ed", "es", "ing", "r", "rs"] {
        let Some(stem) = word.strip_suffix(suffix) else {
            continue;
        };
        if let Ok(i) = BRITISH_SORTED.binary_search_by(|(b, _)| b.cmp(&stem)) {
            let american = BRITISH_SORTED[i].1;
            return inflect(american, stem, suffix);
        }
        // organis-ing, organis-ed: the stem lost its final e.
        if matches!(suffix, "ing" | "ed") {
            let with_e = format!("{stem}e");
            if let Ok(i) = BRITISH_SORTED.binary_search_by(|(b, _)| b.cmp(&with_e.as_str())) {
                let american = BRITISH_SORTED[i].1;
                return format!("{}{suffix}", american.strip_suffix('e').unwrap_or(american));
            }
        }
    }
    word.to_string()
}

/// `american` with the ending `suffix` that the British `stem` had.
fn inflect(american: &str, stem: &str, suffix: &str) -> String {
    // centre+s → centers, theatre+s → theaters: the -re/-er swap moves the e.
    if stem.ends_with("re") && american.ends_with("er") && suffix.starts_with('d') {
        return format!("{american}{}", suffix.trim_start_matches('d'));
    }
    format!("{american}{suffix}")
}

/// [`BRITISH`] sorted for binary search (checked by a test).
static BRITISH_SORTED: std::sync::LazyLock<Vec<(&str, &str)>> = std::sync::LazyLock::new(|| {
    let mut v = BRITISH.to_vec();
    v.sort_unstable();
    v
});

/// Words that end in `s` in the singular (or have no singular).
const SINGULAR_S: &[&str] = &[
    "news",
    "series",
    "species",
    "economics",
    "physics",
    "politics",
    "logistics",
    "robotics",
    "analytics",
    "ethics",
    "statistics",
    "mathematics",
    "electronics",
    "genomics",
    "biometrics",
    "semiconductors-as",
    "gas",
    "bias",
    "atlas",
    "canvas",
    "alias",
    "christmas",
    "texas",
    "lens",
    "chaos",
    "ethos",
    "pathos",
    "kudos",
    "always",
    "perhaps",
    "across",
    "whereas",
    "towards",
    "afterwards",
    "mathematics",
    "means",
    "headquarters",
    "thanks",
    "aws",
    "dns",
    "ios",
    "macos",
    "gps",
    "saas",
    "paas",
    "iaas",
    "esg-as",
    "mas",
    "emissions-trading",
    "covid-19",
    "sars",
    "mers",
    "aids",
    "hiv-aids",
    "yes",
    "his",
    "its",
    "has",
    "was",
    "is",
    "us",
    "plus",
];

/// The singular of a last word (unchanged when it is not a plural by the rules).
fn singular(word: &str) -> String {
    if word.chars().count() <= 3
        || !word.ends_with('s')
        || SINGULAR_S.contains(&word)
        || !word.is_ascii()
    {
        return word.to_string();
    }
    if let Some(stem) = word.strip_suffix("ies") {
        if stem.len() >= 2 {
            return format!("{stem}y");
        }
    }
    for ending in ["sses", "xes", "ches", "shes", "zzes"] {
        if word.ends_with(ending) {
            return word[..word.len() - 2].to_string();
        }
    }
    let before = word.as_bytes()[word.len() - 2];
    if matches!(before, b's' | b'u' | b'i') || !before.is_ascii_alphabetic() {
        return word.to_string();
    }
    word[..word.len() - 1].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) {
        assert_eq!(variant_key(a), variant_key(b), "{a} ~ {b}");
    }

    fn apart(a: &str, b: &str) {
        assert_ne!(variant_key(a), variant_key(b), "{a} !~ {b}");
    }

    #[test]
    fn spellings_and_plurals_meet() {
        same("data centre", "data center");
        same("data centres", "data center");
        same("data centers", "data center");
        same("labour shortages", "labor shortage");
        same("organisation", "organization");
        same("organisations", "organization");
        same("digitalisation", "digitalization");
        same("policies", "policy");
        same("technologies", "technology");
        same("electric vehicles", "electric vehicle");
        same("supply chains", "supply chain");
        same("businesses", "business");
        same("taxes", "tax");
        same("approaches", "approach");
        same("behavioural change", "behavioural change");
        same("modelling", "modeling");
        same("defence spending", "defense spending");
        same("ageing population", "aging population");
        same("grey literature", "gray literature");
        same("ideas", "idea");
        same("theatres", "theater");
    }

    #[test]
    fn different_ideas_stay_apart() {
        apart("university", "universe");
        apart("organic", "organization");
        apart("news", "new");
        apart("economics", "economic");
        apart("gas", "ga");
        apart("series", "sery");
        apart("status", "statu");
        apart("crisis", "crisi");
        apart("sales tax", "sale tax");
        apart("four", "for");
        apart("hour", "hor");
        apart("genre", "genr");
        apart("rise", "rize");
        apart("enterprise", "enterprize");
        apart("exercise", "exercize");
        apart("us", "u");
        apart("ai", "artificial intelligence");
        apart("aids", "aid");
        apart("physics", "physic");
    }

    #[test]
    fn only_the_last_word_is_made_singular() {
        assert_eq!(variant_key("sales taxes"), "sales tax");
        assert_eq!(variant_key("news media"), "news media");
        assert_eq!(variant_key("organised labour"), "organized labor");
    }

    #[test]
    fn word_lists_are_clean() {
        let mut seen = std::collections::BTreeSet::new();
        for (b, a) in BRITISH {
            assert!(seen.insert(*b), "{b} twice");
            assert_ne!(b, a);
        }
    }
}
