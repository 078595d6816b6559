//! What a push sends, deletes and leaves alone: the store's graphs against what the endpoint was last told.

use super::graphs::LocalGraph;
use std::collections::{BTreeMap, HashSet};

/// The work of one push.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Indexes into the local graphs of those to send, in IRI order.
    pub send: Vec<usize>,
    /// IRIs of graphs the endpoint holds (as far as the state says) that the store no longer has.
    pub delete: Vec<String>,
    /// How many local graphs the endpoint already holds as they are.
    pub unchanged: usize,
}

/// Plans a push: a local graph is sent when the state has no hash for it or
/// another one (`full`: always); a graph of the state that is not local is
/// deleted (with `full` too: `full` resends, it does not forget).
pub fn plan(local: &[LocalGraph], state: &BTreeMap<String, String>, full: bool) -> Plan {
    let mut out = Plan::default();
    for (i, graph) in local.iter().enumerate() {
        if !full && state.get(&graph.iri) == Some(&graph.hash) {
            out.unchanged += 1;
        } else {
            out.send.push(i);
        }
    }
    let present: HashSet<&str> = local.iter().map(|g| g.iri.as_str()).collect();
    out.delete = state
        .keys()
        .filter(|iri| !present.contains(iri.as_str()))
        .cloned()
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::push::state::PENDING;

    fn graph(iri: &str, hash: &str) -> LocalGraph {
        LocalGraph {
            iri: iri.into(),
            hash: hash.into(),
            triples: 3,
            blank_nodes: false,
        }
    }

    #[test]
    fn sends_changed_and_new_deletes_gone_keeps_same() {
        let local = [
            graph("a", "1"),
            graph("b", "2"),
            graph("c", "3"),
            graph("d", "4"),
        ];
        let state: BTreeMap<String, String> = [("a", "1"), ("b", "9"), ("d", PENDING), ("e", "5")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let p = plan(&local, &state, false);
        // b changed, c is new, d was pending (a send that never got its answer).
        assert_eq!(p.send, vec![1, 2, 3]);
        assert_eq!(p.delete, vec!["e".to_string()]);
        assert_eq!(p.unchanged, 1);

        let full = plan(&local, &state, true);
        assert_eq!(full.send, vec![0, 1, 2, 3]);
        assert_eq!(full.delete, vec!["e".to_string()]);
        assert_eq!(full.unchanged, 0);
    }

    #[test]
    fn nothing_to_do_when_state_matches() {
        let local = [graph("a", "1"), graph("b", "2")];
        let state = local
            .iter()
            .map(|g| (g.iri.clone(), g.hash.clone()))
            .collect();
        assert_eq!(
            plan(&local, &state, false),
            Plan {
                send: vec![],
                delete: vec![],
                unchanged: 2
            }
        );
        let first = plan(&local, &BTreeMap::new(), false);
        assert_eq!((first.send.len(), first.delete.len()), (2, 0));
    }
}
