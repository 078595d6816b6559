//! Template prose for synthetic articles: titles, summary paragraphs and signal-table cells.

use rand::seq::{IndexedRandom, SliceRandom};
use rand::Rng;

use super::words;

/// Title templates that name an organisation (`{E}`).
const ENTITY_TITLES: &[&str] = &[
    "{E} Cuts Jobs Amid {K} Expansion",
    "{E} Launches {K} Platform",
    "{E} Invests in {K} as {K2} Demand Grows",
    "Inside {Es} {K} Strategy",
    "{E} Reports Surge in {K} Revenue",
    "{E} Pilots {K} in {P}",
    "{E} Bets on {K} to Win Over {A}",
    "{E} Faces Backlash Over {K} Plans",
    "{E} Teams Up With {A} on {K}",
    "{E} Unveils {K} Roadmap for {Y}",
    "{E} Doubles Down on {K} After Strong Quarter",
    "{E} Scales Back {K2} to Focus on {K}",
];

/// Title templates without an organisation.
const TOPIC_TITLES: &[&str] = &[
    "The Rise of {K}: Opportunities for {A}",
    "{K} in {T}: Trends and Insights",
    "How {K} Is Reshaping {T}",
    "{P} Bets Big on {K}",
    "Why {K} Matters for {A}",
    "{K} Adoption Accelerates in {P}",
    "{K} Meets {K2}: What Comes Next",
    "{P} Regulators Target {K}",
    "{K} Startups Draw Record Funding",
    "The Hidden Costs of {K}",
    "{K} Could Transform {T} by {Y}",
    "{K} Job Losses Are Rising, but the Full Story Goes Beyond the Numbers",
    "What {K} Means for {S}",
    "{A} Turn to {K} as {K2} Costs Climb",
    "Is {K} the Future of {T}?",
    "{K} and the New Economics of {K2}",
];

/// Suffixes that make a clashing title unique while keeping it readable.
pub(crate) const TITLE_SUFFIXES: &[&str] = &[
    ", Report Finds",
    ": What Comes Next",
    ", Analysts Say",
    ": A Closer Look",
    ", Survey Shows",
    ": Early Signs",
    ", Experts Warn",
    ": The Numbers Behind It",
    ": Winners and Losers",
    ", New Data Suggests",
];

const OPENINGS: &[&str] = &[
    "{S} is expanding its use of {K1} as part of a broader push into {K2}, a move that reflects wider shifts in {t}.",
    "{S} has announced plans to invest heavily in {K1}, citing rising pressure from {A} and a changing regulatory landscape in {P}.",
    "{S} is set to scale up {K1} across its operations after pilots showed gains of up to {N} percent in {K2}.",
    "A new report finds that {S} and its peers are turning to {K1} to cope with {df}.",
    "{S} has unveiled a {K1} initiative aimed at {A}, signalling how quickly {K2} is moving from experiment to everyday practice.",
    "{S} is betting that {K1} will become central to {t}, and has begun reorganising its teams around {K2}.",
];

const MIDDLES: &[&str] = &[
    "The shift is driven largely by {df}, which has pushed {A} to rethink how they approach {K3}.",
    "Early results suggest that {K2} can cut costs by as much as {N} percent while improving the experience for {A2}.",
    "Analysts say the trend is part of a wider transformation in {t}, where {K3} and {K4} are becoming closely linked.",
    "Critics warn that rapid adoption of {K1} raises concerns about {K5}, transparency and accountability.",
    "Supporters argue that {K4} will create new opportunities for {A2}, particularly in {P}.",
    "Similar projects are under way in {P}, where policymakers are weighing new rules for {K3}.",
    "The announcement follows a year in which spending on {K2} rose by {N} percent across the {sector} sector.",
    "Industry observers note that {df2} is accelerating the change, and that smaller players risk being left behind.",
    "Several competitors have already launched comparable offerings built around {K5}.",
    "Investors have responded positively, and funding for {K1} ventures has reached its highest level since {Y0}.",
    "The plan also includes retraining programs for staff affected by the move toward {K3}.",
    "Observers point out that {K4} still faces technical and social hurdles before it can be deployed at scale.",
    "Data from the past {N2} years show a steady rise in the number of {A} experimenting with {K2}.",
    "Unions and consumer groups have asked for clearer safeguards, arguing that the benefits of {K3} are not evenly shared.",
];

const CLOSINGS: &[&str] = &[
    "Looking ten years ahead, one plausible outcome is this: {h}.",
    "Over the next ten years, the outcome may shape how {A} think about {K1} and {t}.",
    "Whether the approach succeeds will depend on how regulators and {A2} respond to {K2}.",
    "The episode highlights how {df} is quietly reshaping {t}.",
];

/// Signal-cell templates; `{e}` needs an organisation.
const ENTITY_SIGNALS: &[&str] = &[
    "{e} cuts workforce by nearly {N}%",
    "{e} expands {k} to {n} new markets",
    "{e} pilots {k} with {a}",
    "{e} reports {N}% growth from {k}",
];

const SIGNALS: &[&str] = &[
    "{kc} adoption rises among {a}",
    "New {k} rules proposed in {P}",
    "{kc} costs fall {N}% in {y}",
    "{ac} shift toward {k}",
    "Investment in {k} reaches record high",
    "{kc} replaces {m} {role} roles",
    "Surge in demand for {k}",
    "{P} launches national {k} strategy",
    "Decline in traditional {k}",
    "{kc} startups raise ${n}0 million",
    "Survey: {N}% of {a} use {k}",
    "{kc} moves from pilots to production",
];

const CHANGES: &[&str] = &[
    "Human work to {k}",
    "Manual processes to automated",
    "Traditional methods to {k}",
    "From {k2} to {k}",
    "Transition from {k2} to {k}",
    "Niche to mainstream {k}",
    "Pilot projects to full-scale {k}",
    "Local to global {k}",
    "Voluntary to mandatory {k}",
    "Losses to potential profits",
    "Offline to online {k}",
    "Ownership to subscription",
    "Centralized to decentralized {k}",
    "Scarcity to abundance of {k}",
    "Human judgment to {k}",
];

const HORIZONS: &[&str] = &[
    "{kc} becomes mainstream in {sector}",
    "Widespread {k} adoption",
    "Significant job reduction in {sector}",
    "{kc} standard for most {a}",
    "Fully automated {k}",
    "Global {k} market doubles",
    "Tightly regulated {k}",
    "{kc} embedded in daily life",
    "Faster, cheaper {k}",
    "New business models around {k}",
    "{kc} reshapes {sector} jobs",
    "Half of {a} rely on {k}",
];

const QUOTES: &[&str] = &[
    "\"We expect {k} to change how we work\"",
    "\"This is only the beginning for {k}\"",
    "\"Demand for {k} has surprised us\"",
    "\"{kc} is no longer optional\"",
    "\"The numbers speak for themselves\"",
    "\"We are moving carefully on {k}\"",
];

const SUBJECTS: &[&str] = &[
    "A coalition of {sector} firms",
    "A research team in {P}",
    "A {sector} startup",
    "The government of {P}",
    "A leading {sector} company",
];

/// Replace `{name}` slots in `template` using `slot`, appending to `out`.
fn fill_into(out: &mut String, template: &str, slot: &dyn Fn(&str) -> String) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                out.push_str(&slot(&after[..close]));
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
}

fn fill(template: &str, slot: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + 40);
    fill_into(&mut out, template, slot);
    out
}

/// Upper-case the first character.
pub(crate) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.extend(c.to_uppercase());
            out.push_str(chars.as_str());
            out
        }
        None => String::new(),
    }
}

/// Lower-case the first character unless the first word looks like an acronym (`AI`).
fn decapitalize(s: &str) -> String {
    let first_word = s.split(' ').next().unwrap_or("");
    if first_word.chars().skip(1).any(char::is_uppercase) {
        return s.to_string();
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.extend(c.to_lowercase());
            out.push_str(chars.as_str());
            out
        }
        None => String::new(),
    }
}

/// `Name's`, or `Names'` for names ending in s.
fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

/// Title case for keywords: capitalise each word, keep words that already contain capitals.
pub(crate) fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            if w.chars().any(char::is_uppercase) {
                w.to_string()
            } else {
                capitalize(w)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn pick<'a, R: Rng>(rng: &mut R, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

/// A readable title for an article about `keywords` (non-entity keywords, most important first).
pub(crate) fn title<R: Rng>(
    rng: &mut R,
    entity: Option<&str>,
    keywords: &[&str],
    theme: &str,
    year: i32,
) -> String {
    let k1 = keywords.first().copied().unwrap_or("innovation");
    let k2 = keywords.get(1).copied().unwrap_or("technology");
    let template = match entity {
        Some(_) if rng.random_bool(0.6) => pick(rng, ENTITY_TITLES),
        _ => pick(rng, TOPIC_TITLES),
    };
    let place = pick(rng, words::PLACES);
    let audience = pick(rng, words::AUDIENCES);
    let sector = pick(rng, words::SECTORS);
    let horizon_year = year + 10;
    fill(template, &|slot| match slot {
        "E" => entity.unwrap_or("").to_string(),
        "Es" => possessive(entity.unwrap_or("")),
        "K" => title_case(k1),
        "K2" => title_case(k2),
        "T" => theme.to_string(),
        "P" => place.to_string(),
        "A" => title_case(audience),
        "S" => title_case(sector),
        "Y" => horizon_year.to_string(),
        _ => String::new(),
    })
}

/// Everything the prose of one article refers to.
pub(crate) struct Context<'a> {
    pub(crate) entity: Option<&'a str>,
    /// Non-entity keywords in their canonical form, most important first (never empty).
    pub(crate) keywords: Vec<&'a str>,
    pub(crate) theme: &'a str,
    pub(crate) forces: Vec<&'a str>,
    pub(crate) year: i32,
    pub(crate) decks: Decks,
}

impl Context<'_> {
    fn kw(&self, i: usize) -> &str {
        self.keywords[i % self.keywords.len()]
    }
}

/// Summary paragraphs (one, sometimes two) of roughly 650-1000 characters in all.
pub(crate) fn summary<R: Rng>(rng: &mut R, ctx: &Context<'_>) -> Vec<String> {
    let place = pick(rng, words::PLACES);
    let sector = pick(rng, words::SECTORS);
    let audiences: Vec<&str> = words::AUDIENCES.choose_multiple(rng, 2).copied().collect();
    let subject = match ctx.entity {
        Some(e) => e.to_string(),
        None => fill(pick(rng, SUBJECTS), &|slot| match slot {
            "sector" => sector.to_string(),
            "P" => place.to_string(),
            _ => String::new(),
        }),
    };
    let df = decapitalize(ctx.forces.first().copied().unwrap_or("market pressure"));
    let df2 = decapitalize(ctx.forces.get(1).copied().unwrap_or("competition"));
    // The last horizon of the deck: usually one the table does not use.
    let horizon = decapitalize(&horizon_cell(rng, ctx, HORIZONS.len() - 1));
    let theme = ctx.theme.to_lowercase();
    let n = rng.random_range(10..65).to_string();
    let n2 = rng.random_range(2..11).to_string();
    let y0 = (ctx.year - rng.random_range(1..4)).to_string();
    let slot = |s: &str| -> String {
        match s {
            "S" => subject.clone(),
            "K1" => ctx.kw(0).to_string(),
            "K2" => ctx.kw(1).to_string(),
            "K3" => ctx.kw(2).to_string(),
            "K4" => ctx.kw(3).to_string(),
            "K5" => ctx.kw(4).to_string(),
            "A" => audiences[0].to_string(),
            "A2" => audiences[1].to_string(),
            "P" => place.to_string(),
            "t" => theme.clone(),
            "df" => df.clone(),
            "df2" => df2.clone(),
            "h" => horizon.clone(),
            "N" => n.clone(),
            "N2" => n2.clone(),
            "Y0" => y0.clone(),
            "sector" => sector.to_string(),
            _ => String::new(),
        }
    };
    let middle_count = rng.random_range(3..6);
    let middles: Vec<&str> = MIDDLES
        .choose_multiple(rng, middle_count)
        .copied()
        .collect();
    let mut sentences = Vec::with_capacity(middle_count + 2);
    sentences.push(fill(pick(rng, OPENINGS), &slot));
    sentences.extend(middles.iter().map(|m| fill(m, &slot)));
    sentences.push(fill(pick(rng, CLOSINGS), &slot));
    if rng.random_bool(0.2) {
        let split = sentences.len() / 2 + 1;
        let second = sentences.split_off(split);
        vec![sentences.join(" "), second.join(" ")]
    } else {
        vec![sentences.join(" ")]
    }
}

/// Per-article shuffled template orders, so a table does not repeat a template
/// before all of that column's templates have been used.
pub(crate) struct Decks {
    entity_signals: Vec<usize>,
    signals: Vec<usize>,
    changes: Vec<usize>,
    horizons: Vec<usize>,
    quotes: Vec<usize>,
}

impl Decks {
    pub(crate) fn new<R: Rng>(rng: &mut R) -> Self {
        let mut deck = |n: usize| {
            let mut d: Vec<usize> = (0..n).collect();
            d.shuffle(rng);
            d
        };
        Decks {
            entity_signals: deck(ENTITY_SIGNALS.len()),
            signals: deck(SIGNALS.len()),
            changes: deck(CHANGES.len()),
            horizons: deck(HORIZONS.len()),
            quotes: deck(QUOTES.len()),
        }
    }
}

fn deal<'a>(list: &[&'a str], deck: &[usize], n: usize) -> &'a str {
    list[deck[n % deck.len()]]
}

/// One signal row: (signal, change, 10y horizon); `row` varies which keyword it is about.
pub(crate) fn signal_cells<R: Rng>(
    rng: &mut R,
    ctx: &Context<'_>,
    row: usize,
) -> (String, String, String) {
    let d = &ctx.decks;
    let template = match ctx.entity {
        Some(_) if rng.random_bool(0.3) => deal(ENTITY_SIGNALS, &d.entity_signals, row),
        _ => deal(SIGNALS, &d.signals, row),
    };
    let signal = capitalize(&cell(rng, ctx, template, row));
    let change = capitalize(&cell(rng, ctx, deal(CHANGES, &d.changes, row), row));
    let horizon = horizon_cell(rng, ctx, row);
    (signal, change, horizon)
}

fn horizon_cell<R: Rng>(rng: &mut R, ctx: &Context<'_>, row: usize) -> String {
    capitalize(&cell(
        rng,
        ctx,
        deal(HORIZONS, &ctx.decks.horizons, row),
        row,
    ))
}

/// A quote for the optional `Source quote` column.
pub(crate) fn quote_cell<R: Rng>(rng: &mut R, ctx: &Context<'_>, row: usize) -> String {
    cell(rng, ctx, deal(QUOTES, &ctx.decks.quotes, row), row)
}

/// A signal cell containing an escaped pipe (`\|`), as some digests write "A | B".
pub(crate) fn piped_signal(ctx: &Context<'_>, row: usize) -> String {
    format!("{} revenue up \\| headcount down", capitalize(ctx.kw(row)))
}

fn cell<R: Rng>(rng: &mut R, ctx: &Context<'_>, template: &str, row: usize) -> String {
    let k = ctx.kw(row);
    let k2 = ctx.kw(row + 1 + rng.random_range(0..3));
    let n_small = rng.random_range(2..12);
    fill(template, &|slot| match slot {
        "e" => ctx.entity.unwrap_or("").to_string(),
        "k" => k.to_string(),
        "kc" => capitalize(k),
        "k2" => k2.to_string(),
        "a" => words::AUDIENCES[(row * 7 + k.len()) % words::AUDIENCES.len()].to_string(),
        "ac" => capitalize(words::AUDIENCES[(row * 5 + k.len()) % words::AUDIENCES.len()]),
        "P" => words::PLACES[(row * 11 + k.len()) % words::PLACES.len()].to_string(),
        "N" => (10 + (row * 13 + k.len() * 7) % 60).to_string(),
        "n" => n_small.to_string(),
        "m" => (100 + (k.len() * 97 + row * 31) % 900).to_string(),
        "y" => ctx.year.to_string(),
        "role" => words::ROLES[(row + k.len()) % words::ROLES.len()].to_string(),
        "sector" => words::SECTORS[(row * 3 + k.len()) % words::SECTORS.len()].to_string(),
        _ => String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn templates_fill_every_slot() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let ctx = Context {
            entity: Some("Veltrana Labs"),
            keywords: vec!["remote work", "AI", "automation"],
            theme: "Future of Work",
            forces: vec!["Cost reduction and efficiency", "Labor shortages"],
            year: 2022,
            decks: Decks::new(&mut rng),
        };
        for row in 0..50 {
            let (s, c, h) = signal_cells(&mut rng, &ctx, row);
            for cell in [&s, &c, &h] {
                assert!(!cell.contains('{') && !cell.contains('|'), "{cell}");
                assert!(!cell.is_empty());
            }
        }
        for _ in 0..50 {
            let paragraphs = summary(&mut rng, &ctx);
            let text = paragraphs.join(" ");
            assert!(!text.contains('{'), "{text}");
            assert!((400..1400).contains(&text.len()), "{}", text.len());
            let t = title(&mut rng, ctx.entity, &ctx.keywords, ctx.theme, 2022);
            assert!(
                !t.contains('{') && !t.contains("__") && !t.contains('['),
                "{t}"
            );
        }
        assert_eq!(title_case("remote work"), "Remote Work");
        assert_eq!(title_case("AI"), "AI");
        assert_eq!(
            decapitalize("Advancements in AI technology"),
            "advancements in AI technology"
        );
        assert_eq!(decapitalize("AI regulation"), "AI regulation");
    }
}
