//! XML escaping shared by the GraphML and GEXF writers.
//!
//! Text survives a round trip through any conforming parser: markup
//! characters become entities; carriage returns (and, in attributes, tabs and
//! newlines, which attribute-value normalisation would turn into spaces)
//! become character references; characters XML 1.0 cannot carry at all (C0
//! controls other than tab, newline and carriage return, U+FFFE, U+FFFF)
//! become U+FFFD, the replacement character.

use std::io::{self, Write};

/// Writes `text` escaped for element content.
pub(crate) fn text(w: &mut impl Write, text: &str) -> io::Result<()> {
    escape(w, text, false)
}

/// Writes `text` escaped for a double-quoted attribute value.
pub(crate) fn attribute(w: &mut impl Write, text: &str) -> io::Result<()> {
    escape(w, text, true)
}

fn escape(w: &mut impl Write, text: &str, in_attribute: bool) -> io::Result<()> {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, ch) in text.char_indices() {
        let replacement: &str = match ch {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' if in_attribute => "&quot;",
            '\r' => "&#13;",
            '\n' if in_attribute => "&#10;",
            '\t' if in_attribute => "&#9;",
            '\t' | '\n' => continue,
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => "\u{fffd}",
            _ => continue,
        };
        w.write_all(&bytes[start..i])?;
        w.write_all(replacement.as_bytes())?;
        start = i + ch.len_utf8();
    }
    w.write_all(&bytes[start..])
}

#[cfg(test)]
mod tests {
    fn escaped(s: &str, attr: bool) -> String {
        let mut out = Vec::new();
        super::escape(&mut out, s, attr).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn markup_and_whitespace_survive() {
        assert_eq!(escaped("a & <b> \"c\"", false), "a &amp; &lt;b&gt; \"c\"");
        assert_eq!(
            escaped("a & <b> \"c\"", true),
            "a &amp; &lt;b&gt; &quot;c&quot;"
        );
        assert_eq!(escaped("x\ty\nz\r", false), "x\ty\nz&#13;");
        assert_eq!(escaped("x\ty\nz\r", true), "x&#9;y&#10;z&#13;");
        assert_eq!(escaped("bell\u{7} 🚀", true), "bell\u{fffd} 🚀");
    }
}
