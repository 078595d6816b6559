//! Reading seed articles: files and folders in, typed [`Article`]s and per-line diagnostics out.
//!
//! The format is described in `shared/seed-format/README.md`; [`parse`] holds
//! the markdown walk. This module finds the files, decodes them (BOM, CRLF,
//! UTF-8 check) and turns every problem into a [`Diagnostic`] naming the file
//! and line — bad input never panics and never stops the rest of a collection.

mod parse;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

pub use parse::parse_article;

/// How bad a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// The file is not an article; it is skipped.
    Error,
    /// The article is kept, but something expected is missing or odd.
    Warning,
    /// Worth knowing (an unknown section kept, no source link); shown with `-v`.
    Note,
}

impl Severity {
    /// The word that starts the diagnostic line.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A problem found in one file, at one line (1-based).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Whether the file could still be read.
    pub severity: Severity,
    /// The file, as given to the reader.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    /// `error: FILE:LINE: message`, the form editors and CI logs recognise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}:{}: {}",
            self.severity.as_str(),
            self.file,
            self.line,
            self.message
        )
    }
}

/// Days since 1970-01-01 of a date (proleptic Gregorian).
pub fn day_number(d: Date) -> i64 {
    days_from_civil(i64::from(d.year), u32::from(d.month), u32::from(d.day))
}

/// The date of a day number (inverse of [`day_number`]; years clamped to 1..=9999).
pub fn date_of_day(z: i64) -> Date {
    let (year, month, day) = civil_from_days(z);
    Date {
        year: year.clamp(1, 9999) as u16,
        month: month as u8,
        day: day as u8,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = year - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian `(year, month, day)` of a day count since
/// 1970-01-01 (inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

/// A calendar date (the digest issue an article appeared in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    /// Year (from 1).
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, from 1.
    pub day: u8,
}

impl Date {
    /// Parses `YYYYMMDD`, checking that the day exists in that month.
    pub fn from_yyyymmdd(digits: &str) -> Option<Date> {
        if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: u16 = digits[0..4].parse().ok()?;
        let month: u8 = digits[4..6].parse().ok()?;
        let day: u8 = digits[6..8].parse().ok()?;
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year > 0 && (1..=days_in_month).contains(&day)).then_some(Date { year, month, day })
    }

    /// `YYYYMMDD`, the key of a digest issue.
    pub fn compact(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for Date {
    /// ISO 8601 `YYYY-MM-DD` (the lexical form of `xsd:date`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One row of the `## Signals` table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignalRow {
    /// 1-based position among the article's signal rows (part of the signal's id).
    pub row: u32,
    /// 1-based line of the row in the file.
    pub line: u32,
    /// The `Signal` column.
    pub signal: String,
    /// The `Change` column (from what to what).
    pub change: String,
    /// The `10y horizon` column.
    pub horizon: String,
    /// The `Driving force` column.
    pub driving_force: String,
    /// Columns the format does not name, as (header, value), in table order.
    pub extra: Vec<(String, String)>,
}

/// One entry of the `## Closest` list: a link to a similar article.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosestLink {
    /// The link text (the other article's title).
    pub title: String,
    /// The link target as written (usually 32 hex digits).
    pub target: String,
    /// 1-based line of the entry.
    pub line: u32,
}

/// A `##` section the format does not know, kept as its markdown text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// The heading, without `## `.
    pub heading: String,
    /// The section's markdown, as written.
    pub text: String,
    /// 1-based line of the heading.
    pub line: u32,
}

/// A seed article as read from one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Lowercase hex id from the file name, or derived from the title when the name has none.
    pub id: String,
    /// The title from the `# __…__` heading.
    pub title: String,
    /// The date of the digest that carried the article, if given.
    pub date: Option<Date>,
    /// The digest link of the heading (`from ([date](url))`).
    pub digest_url: Option<String>,
    /// The published news item (`External link`).
    pub source_url: Option<String>,
    /// The `## Summary` text.
    pub summary: Option<String>,
    /// The `## Keywords` list, as written.
    pub keywords: Vec<String>,
    /// The `## Themes` list, as written.
    pub themes: Vec<String>,
    /// The rows of the `## Signals` table.
    pub signals: Vec<SignalRow>,
    /// The `## Closest` links.
    pub closest: Vec<ClosestLink>,
    /// Sections the format does not know, kept in order.
    pub sections: Vec<Section>,
}

/// What reading one file gave: the article (unless it had an error) and its diagnostics.
#[derive(Clone, Debug)]
pub struct FileOutcome {
    /// The article, unless the file had an error.
    pub article: Option<Article>,
    /// Errors, warnings and notes, in line order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Decodes and parses the bytes of one seed file.
///
/// `file` names the file in diagnostics; `stem` is the file name without its
/// extension, where the article id is looked for.
///
/// ```
/// let text = "# __Robots Learn to Cook__, from ([20240107](https://example.org/d).)\n\
///             \n## Keywords\n\n* robots\n* kitchens\n";
/// let read = signalgraph::read_bytes("001_aaaaaaaaaaaaaaaa.txt", "001_aaaaaaaaaaaaaaaa", text.as_bytes());
/// let article = read.article.expect("no error");
/// assert_eq!(article.id, "aaaaaaaaaaaaaaaa");
/// assert_eq!(article.title, "Robots Learn to Cook");
/// assert_eq!(article.keywords, ["robots", "kitchens"]);
/// // The other sections are missing: a warning each.
/// assert!(read.diagnostics.iter().any(|d| d.message == "missing section `## Summary`"));
/// ```
pub fn read_bytes(file: &str, stem: &str, bytes: &[u8]) -> FileOutcome {
    let error = |line: u32, message: String| FileOutcome {
        article: None,
        diagnostics: vec![Diagnostic {
            severity: Severity::Error,
            file: file.to_string(),
            line,
            message,
        }],
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = 1 + valid.iter().filter(|&&b| b == b'\n').count() as u32;
            return error(line, format!("not valid UTF-8 (byte {})", e.valid_up_to()));
        }
    };
    if text.trim().is_empty() {
        return error(1, "file is empty".to_string());
    }
    // CRLF and lone CR become LF; line numbers are unchanged by this.
    let owned;
    let text = if text.contains('\r') {
        owned = text.replace("\r\n", "\n").replace('\r', "\n");
        owned.as_str()
    } else {
        text
    };
    parse_article(file, stem, text)
}

/// Reads one seed file from disk. An unreadable file is an error diagnostic, not a failure.
pub fn read_file(path: &Path) -> FileOutcome {
    let file = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => read_bytes(&file, &file_stem(path), &bytes),
        Err(e) => FileOutcome {
            article: None,
            diagnostics: vec![Diagnostic {
                severity: Severity::Error,
                file,
                line: 1,
                message: format!("cannot read file: {e}"),
            }],
        },
    }
}

/// The file name without its extension.
pub fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Whether a path names a seed file (`*.txt` or `*.md`, case-insensitive, not README.md).
pub fn is_seed_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    (name.ends_with(".txt") || name.ends_with(".md")) && name != "readme.md"
}

/// Finds the seed files under the given files and folders, sorted and without duplicates.
///
/// Folders are walked recursively (hidden entries are skipped, symbolic links
/// to files are read, links to folders are not followed); a path named
/// directly is taken even if its extension is unusual. Paths that do not
/// exist are returned in `missing`. A path named directly that cannot be read
/// (a FIFO, a device, a looping or dangling link) and a folder that cannot be
/// listed are errors naming the cause; FIFOs and dangling links met while
/// walking are notes. Nothing is opened but folders (a FIFO would block).
pub fn discover(paths: &[PathBuf]) -> Discovered {
    let mut d = Discovered::default();
    for path in paths {
        let error = |message: String| Diagnostic {
            severity: Severity::Error,
            file: path.display().to_string(),
            line: 1,
            message,
        };
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walk(path, &mut d),
            Ok(m) if m.is_file() => d.files.push(path.clone()),
            Ok(m) => d.diagnostics.push(error(format!(
                "not a file or folder ({}); skipped",
                special_kind(&m.file_type())
            ))),
            Err(e) => match std::fs::symlink_metadata(path) {
                Ok(l) if l.file_type().is_symlink() => d.diagnostics.push(error(format!(
                    "symbolic link that cannot be followed ({e}); skipped"
                ))),
                Err(l) if l.kind() == std::io::ErrorKind::NotFound => d.missing.push(path.clone()),
                _ => d
                    .diagnostics
                    .push(error(format!("cannot read: {e}; skipped"))),
            },
        }
    }
    d.files.sort();
    d.files.dedup();
    d
}

/// The result of [`discover`].
#[derive(Debug, Default)]
pub struct Discovered {
    /// Seed files found, sorted, without duplicates.
    pub files: Vec<PathBuf>,
    /// Paths given that do not exist.
    pub missing: Vec<PathBuf>,
    /// Paths that could not be read (errors) or were passed over (notes).
    pub diagnostics: Vec<Diagnostic>,
}

/// What a file that is neither a regular file, a folder nor a link is.
fn special_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    let _ = t;
    "a special file"
}

fn walk(dir: &Path, d: &mut Discovered) {
    let diag = |severity: Severity, path: &Path, message: String| Diagnostic {
        severity,
        file: path.display().to_string(),
        line: 1,
        message,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            let message = format!("cannot read folder: {e}; skipped");
            d.diagnostics.push(diag(Severity::Error, dir, message));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let message = format!("cannot read folder: {e}; the rest of it is skipped");
                d.diagnostics.push(diag(Severity::Error, dir, message));
                return;
            }
        };
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(t) = entry.file_type() else {
            continue;
        };
        if t.is_dir() {
            walk(&path, d);
        } else if t.is_file() {
            if is_seed_file(&path) {
                d.files.push(path);
            }
        } else if t.is_symlink() {
            // Linked files are read; linked folders are not followed (no cycles).
            match std::fs::metadata(&path) {
                Ok(m) if m.is_file() && is_seed_file(&path) => d.files.push(path),
                Ok(_) => {}
                Err(e) => {
                    let message = format!("symbolic link that cannot be followed ({e}); skipped");
                    d.diagnostics.push(diag(Severity::Note, &path, message));
                }
            }
        } else {
            let message = format!("{}; skipped", special_kind(&t));
            d.diagnostics.push(diag(Severity::Note, &path, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked() {
        assert_eq!(
            Date::from_yyyymmdd("20241103").map(|d| d.to_string()),
            Some("2024-11-03".to_string())
        );
        assert!(Date::from_yyyymmdd("20240230").is_none());
        assert!(Date::from_yyyymmdd("20240229").is_some());
        assert!(Date::from_yyyymmdd("20230229").is_none());
        assert!(Date::from_yyyymmdd("2024113").is_none());
        assert!(Date::from_yyyymmdd("20241301").is_none());
    }

    #[test]
    fn bad_bytes_are_errors_with_lines() {
        let out = read_bytes("a.txt", "a", b"# T\n\nok\n\xff\xfe\n");
        assert!(out.article.is_none());
        assert_eq!(out.diagnostics[0].line, 4);
        assert!(out.diagnostics[0]
            .to_string()
            .starts_with("error: a.txt:4: not valid UTF-8"));
        let out = read_bytes("e.txt", "e", b"\xEF\xBB\xBF  \n\n");
        assert_eq!(
            out.diagnostics[0].to_string(),
            "error: e.txt:1: file is empty"
        );
        let out = read_bytes("e.txt", "e", b"");
        assert_eq!(out.diagnostics[0].message, "file is empty");
    }
}
