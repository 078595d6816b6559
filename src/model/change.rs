//! Splitting a signal's `Change` cell into where it comes from and where it goes.

/// Splits `X to Y` (also `From X to Y`, `Shift from X to Y`, `X → Y`, `X -> Y`)
/// into `(X, Y)`. The first ` to ` after an optional `from` is the split point;
/// both sides must be non-empty. Returns `None` when the text does not read
/// as a change from something to something.
pub fn split_change(change: &str) -> Option<(String, String)> {
    let text = change.trim();
    let lower = text.to_lowercase();
    // Byte offsets in `lower` only match `text` when lowercasing kept lengths.
    if lower.len() != text.len() {
        return split_on_arrow(text);
    }
    let from_start = if lower.starts_with("from ") {
        5
    } else {
        lower.find(" from ").map_or(0, |i| i + 6)
    };
    if let Some(at) = lower[from_start..].find(" to ") {
        let from = text[from_start..from_start + at].trim();
        let to = text[from_start + at + 4..].trim();
        if !from.is_empty() && !to.is_empty() {
            return Some((from.to_string(), to.to_string()));
        }
    }
    split_on_arrow(text)
}

fn split_on_arrow(text: &str) -> Option<(String, String)> {
    ["→", "->"].iter().find_map(|arrow| {
        let (from, to) = text.split_once(arrow)?;
        let (from, to) = (from.trim(), to.trim());
        let from = from
            .strip_prefix("From ")
            .or_else(|| from.strip_prefix("from "))
            .unwrap_or(from);
        (!from.is_empty() && !to.is_empty()).then(|| (from.to_string(), to.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::split_change;

    fn split(s: &str) -> Option<(&'static str, &'static str)> {
        split_change(s).map(|(a, b)| (&*a.leak(), &*b.leak()))
    }

    #[test]
    fn splits_the_usual_phrasings() {
        assert_eq!(
            split("Human jobs to AI automation"),
            Some(("Human jobs", "AI automation"))
        );
        assert_eq!(
            split("Transition from humans to AI"),
            Some(("humans", "AI"))
        );
        assert_eq!(
            split("From traditional methods to AI"),
            Some(("traditional methods", "AI"))
        );
        assert_eq!(
            split("Losses to potential profits"),
            Some(("Losses", "potential profits"))
        );
        assert_eq!(split("Manual → automated"), Some(("Manual", "automated")));
        assert_eq!(
            split("From manual -> automated"),
            Some(("manual", "automated"))
        );
        assert_eq!(split("Profitability through automation"), None);
        assert_eq!(split(" to nowhere"), None);
        assert_eq!(split(""), None);
    }
}
