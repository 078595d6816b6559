//! The planted topic groups: trajectory, size weight, themes, owned and shared vocabulary, neighbours.
//!
//! Built in one sequential pass over the `GROUPS` stream, before any article is planned.

use rand::seq::SliceRandom;
use rand::Rng;

use super::calendar::{Trajectory, EMERGING_WINDOW};
use super::vocab::{Ranked, Vocab, Zipf};

/// A planted topic group.
#[derive(Debug)]
pub(crate) struct Group {
    pub(crate) trajectory: Trajectory,
    /// Theme indices; the first is the group's primary theme.
    pub(crate) themes: Ranked<u16>,
    /// Organisation keywords owned by the group.
    pub(crate) entities: Ranked<u32>,
    /// Phrases and less common topics owned by the group.
    pub(crate) topical: Ranked<u32>,
    /// Common keywords the group uses more than others do.
    pub(crate) shared: Ranked<u32>,
    /// Driving-force indices (owned ones and a few common ones).
    pub(crate) forces: Ranked<u32>,
    /// Groups this one links to and bridges with most.
    pub(crate) neighbors: Vec<u32>,
    /// The part of the period (fractions) the group publishes in, for a group
    /// with a planted lineage event; `None`: the whole period, by its trajectory.
    pub(crate) active: Option<(f64, f64)>,
    /// Two groups whose vocabularies the group's articles draw from, half
    /// each, instead of its own: a merged topic speaks both its parents'
    /// language, and a topic that splits spoke both its parts'.
    pub(crate) blend: Option<[u32; 2]>,
    /// Earlier groups half of the group's in-group links reach (its parents).
    pub(crate) link_to: Vec<u32>,
    /// The planted lineage event the group takes part in.
    pub(crate) event: Option<PlantedEvent>,
}

/// A planted lineage event, as `truth.json` records it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlantedEvent {
    /// `birth`, `death`, `merge` or `split`.
    pub(crate) kind: &'static str,
    /// When it happens, as a fraction of the period.
    pub(crate) at: f64,
    /// The groups before (empty for a birth).
    pub(crate) from: Vec<u32>,
    /// The groups after (empty for a death).
    pub(crate) to: Vec<u32>,
}

/// Earliest and latest point of the period (fractions) where a planted
/// death, merge or split happens, so windows before and after it hold articles.
const EVENT_SPAN: (f64, f64) = (0.4, 0.65);

impl Group {
    /// A position in the period, in `[0, 1)`, for one of the group's articles.
    pub(crate) fn sample_time<R: Rng>(&self, rng: &mut R) -> f64 {
        match self.active {
            Some((from, to)) => (from + (to - from) * rng.random::<f64>()).min(1.0 - f64::EPSILON),
            None => self.trajectory.sample(rng),
        }
    }

    /// The group whose vocabulary the next word comes from: a blended
    /// group's parents half each, otherwise the group itself.
    pub(crate) fn vocabulary<'a, R: Rng>(&'a self, groups: &'a [Group], rng: &mut R) -> &'a Group {
        match self.blend {
            Some([a, b]) => &groups[if rng.random_bool(0.5) { a } else { b } as usize],
            None => self,
        }
    }
}

/// `count` groups and their size weights (for picking an article's group).
pub(crate) fn build_groups<R: Rng>(
    count: usize,
    vocab: &Vocab,
    rng: &mut R,
) -> (Vec<Group>, Vec<f64>) {
    // Trajectories: dealt from a shuffled deck so shares are as equal as possible.
    let mut deck = Trajectory::ALL;
    deck.shuffle(rng);
    let mut trajectories: Vec<Trajectory> = (0..count).map(|i| deck[i % deck.len()]).collect();
    trajectories.shuffle(rng);

    // Group sizes follow a mild power law in a random order.
    let mut ranks: Vec<usize> = (0..count).collect();
    ranks.shuffle(rng);
    let weights: Vec<f64> = ranks
        .iter()
        .map(|&r| 1.0 / ((r + 1) as f64).powf(0.6))
        .collect();

    let (mut entities, mut topical) = deal_owned(count, vocab, rng);
    let mut forces = vocab.group_forces.clone();

    let theme_count = vocab.themes.len();
    let mut primaries: Vec<u16> = (0..theme_count as u16).collect();
    primaries.shuffle(rng);
    let head_rank = Zipf::new(vocab.generic_head.max(1), 1.0);
    let force_head_rank = Zipf::new(vocab.force_head.max(1), 1.0);

    let mut groups = Vec::with_capacity(count);
    for (g, trajectory) in trajectories.into_iter().enumerate() {
        let themes = group_themes(primaries[g % theme_count], vocab, rng);
        let shared = group_shared(vocab, &head_rank, rng);
        let group_forces = group_forces(std::mem::take(&mut forces[g]), &force_head_rank, rng);
        let mut owned_topical = std::mem::take(&mut topical[g]);
        owned_topical.shuffle(rng);
        let neighbors = group_neighbors(g, count, rng);

        groups.push(Group {
            trajectory,
            themes: Ranked::new(themes, 1.0),
            entities: Ranked::new(std::mem::take(&mut entities[g]), 1.0),
            topical: Ranked::new(owned_topical, 0.9),
            shared: Ranked::new(shared, 0.8),
            forces: Ranked::new(group_forces, 1.0),
            neighbors,
            active: None,
            blend: None,
            link_to: Vec::new(),
            event: None,
        });
    }
    let mut weights = weights;
    plant_events(&mut groups, &mut weights, rng);
    (groups, weights)
}

/// Merges and splits planted among `groups` (one of each per 25 groups, from 12
/// groups on; three groups each), and the birth of every emerging group and
/// the death of every ended one. A group's weight is scaled by the share of
/// the period it publishes in, so its rate matches the others'.
fn plant_events<R: Rng>(groups: &mut [Group], weights: &mut [f64], rng: &mut R) {
    let count = groups.len();
    let pairs = if count >= 12 { (count / 25).max(1) } else { 0 };
    let mut order: Vec<u32> = (0..count as u32).collect();
    order.shuffle(rng);
    for (e, triple) in order.chunks_exact(3).take(2 * pairs).enumerate() {
        let at = rng.random_range(EVENT_SPAN.0..EVENT_SPAN.1);
        let [x, y, z] = [triple[0], triple[1], triple[2]];
        let (old, new, event) = if e % 2 == 0 {
            // x and y merge into z.
            groups[z as usize].blend = Some([x, y]);
            groups[z as usize].link_to = vec![x, y];
            let event = PlantedEvent {
                kind: "merge",
                at,
                from: vec![x, y],
                to: vec![z],
            };
            (vec![x, y], vec![z], event)
        } else {
            // x splits into y and z.
            groups[x as usize].blend = Some([y, z]);
            for part in [y, z] {
                groups[part as usize].link_to = vec![x];
            }
            let event = PlantedEvent {
                kind: "split",
                at,
                from: vec![x],
                to: vec![y, z],
            };
            (vec![x], vec![y, z], event)
        };
        for &g in &old {
            groups[g as usize].active = Some((0.0, at));
            weights[g as usize] *= at;
        }
        for &g in &new {
            groups[g as usize].active = Some((at, 1.0));
            weights[g as usize] *= 1.0 - at;
        }
        for &g in old.iter().chain(&new) {
            groups[g as usize].trajectory = Trajectory::Stable;
            groups[g as usize].event = Some(event.clone());
        }
    }
    for (g, group) in groups.iter_mut().enumerate() {
        if group.event.is_some() {
            continue;
        }
        let g = g as u32;
        match group.trajectory {
            Trajectory::Emerging => {
                group.event = Some(PlantedEvent {
                    kind: "birth",
                    at: 1.0 - EMERGING_WINDOW,
                    from: Vec::new(),
                    to: vec![g],
                });
            }
            Trajectory::Ended => {
                let at = rng.random_range(EVENT_SPAN.0..EVENT_SPAN.1);
                group.active = Some((0.0, at));
                weights[g as usize] *= at;
                group.event = Some(PlantedEvent {
                    kind: "death",
                    at,
                    from: vec![g],
                    to: Vec::new(),
                });
            }
            _ => {}
        }
    }
}

/// Owned vocabulary per group (entities, topical keywords): dealt round-robin (by global
/// rank) to groups in a random order.
fn deal_owned<R: Rng>(count: usize, vocab: &Vocab, rng: &mut R) -> (Vec<Vec<u32>>, Vec<Vec<u32>>) {
    let mut order: Vec<usize> = (0..count).collect();
    order.shuffle(rng);
    let mut entities = vec![Vec::new(); count];
    for (r, &id) in vocab.entities.iter().enumerate() {
        entities[order[r % count]].push(id);
    }
    order.shuffle(rng);
    let mut topical = vocab.group_phrases.clone();
    for (r, &id) in vocab.generic.items[vocab.generic_head..].iter().enumerate() {
        topical[order[r % count]].push(id);
    }
    (entities, topical)
}

/// A group's themes: its primary one, then two to four popular ones.
fn group_themes<R: Rng>(primary: u16, vocab: &Vocab, rng: &mut R) -> Vec<u16> {
    let mut themes = vec![primary];
    let extra = rng.random_range(2..5);
    let mut attempts = 0;
    while themes.len() < 1 + extra && attempts < 50 {
        attempts += 1;
        let t = vocab.theme_rank.sample(rng) as u16;
        if !themes.contains(&t) {
            themes.push(t);
        }
    }
    themes
}

/// Four to eight common keywords the group favours.
fn group_shared<R: Rng>(vocab: &Vocab, head_rank: &Zipf, rng: &mut R) -> Vec<u32> {
    let mut shared = Vec::new();
    let want_shared = rng.random_range(4..9);
    let mut attempts = 0;
    while shared.len() < want_shared && attempts < 100 {
        attempts += 1;
        let id = vocab.generic.items[head_rank.sample(rng)];
        if !shared.contains(&id) {
            shared.push(id);
        }
    }
    shared
}

/// The group's owned driving forces plus two to four common ones, shuffled.
fn group_forces<R: Rng>(mut forces: Vec<u32>, force_head_rank: &Zipf, rng: &mut R) -> Vec<u32> {
    let want_common = rng.random_range(2..5);
    let mut attempts = 0;
    let owned = forces.len();
    while forces.len() < owned + want_common && attempts < 100 {
        attempts += 1;
        let f = force_head_rank.sample(rng) as u32;
        if !forces.contains(&f) {
            forces.push(f);
        }
    }
    forces.shuffle(rng);
    forces
}

/// Up to two other groups that group `g` links to and bridges with most, sorted.
fn group_neighbors<R: Rng>(g: usize, count: usize, rng: &mut R) -> Vec<u32> {
    let mut neighbors = Vec::new();
    let want_neighbors = 2.min(count - 1);
    while neighbors.len() < want_neighbors {
        let h = rng.random_range(0..count) as u32;
        if h as usize != g && !neighbors.contains(&h) {
            neighbors.push(h);
        }
    }
    neighbors.sort_unstable();
    neighbors
}
