//! The report as one self-contained HTML page: inline CSS and SVG, no script, no requests.
//!
//! Readable on a laptop and a phone (fluid layout, tables scroll sideways on
//! narrow screens), printable (print styles drop the navigation and keep
//! clusters on one page where they fit). Every label is escaped and only
//! `http`/`https` source links become links.

use super::svg::{self, color, escape};
use super::text::{lede, rank_of, safe_url, status_counts};
use super::trajectory::Status;
use super::{html_cluster, html_time};
use super::{ArticleRef, ClusterReport, Report};
use std::fmt::Write as _;
use std::io::{self, Write};

/// Clusters with a section of their own (the rest are listed in a table).
pub const DETAILED: usize = 50;
/// Rows of the "other clusters" table.
const OTHER_ROWS: usize = 2000;

const STYLE: &str = r#"
:root{--fg:#1b1b1b;--muted:#5f6368;--line:#dadce0;--soft:#f5f6f8;--accent:#1a5bb8}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:#fff}
header,nav,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem}
h1{font-size:1.9rem;line-height:1.2;margin:.2rem 0 .4rem}
h2{font-size:1.4rem;margin:2.2rem 0 .6rem;padding-top:.5rem;border-top:2px solid var(--line)}
h3{font-size:1.2rem;line-height:1.3;margin:0 0 .3rem}
h4{font-size:1rem;margin:1rem 0 .3rem}
p{margin:.4rem 0}
a{color:var(--accent);overflow-wrap:break-word}
td.name{min-width:11rem}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.3rem 1rem;padding:.5rem 0;margin:0;border-bottom:1px solid var(--line)}
.lede{font-size:1.05rem;color:var(--muted)}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.5rem;margin:1rem 0}
.facts div{background:var(--soft);border-radius:.4rem;padding:.45rem .7rem}
.facts dt{font-size:.8rem;color:var(--muted)}
.facts dd{margin:0;font-size:1.2rem;font-weight:600}
.scroll{overflow-x:auto}
.scroll>table{min-width:44rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid var(--line)}
th{font-weight:600;background:var(--soft)}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.swatch{display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:.35em;vertical-align:-.05em}
.status{display:inline-block;padding:0 .5em;border-radius:1em;font-size:.85em;font-weight:600;white-space:nowrap}
.status-emerging{background:#fde2e6;color:#8c1530}
.status-growing{background:#ddf3e4;color:#11602d}
.status-stable{background:#e3ecf9;color:#1c4587}
.status-declining{background:#fdf0d5;color:#7a4a00}
.status-dormant{background:#ede7f6;color:#4a2c7a}
.status-unknown{background:#ececec;color:#444}
.cluster{border:1px solid var(--line);border-radius:.6rem;padding:1rem;margin:1rem 0}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:0 1.5rem}
.cols ul,.cluster ol,.cluster ul{padding-left:1.2rem;margin:.2rem 0}
svg.map{width:100%;max-width:46rem;height:auto;display:block;margin:0 auto;border:1px solid var(--line);border-radius:.5rem}
svg.spark{width:6.5rem;height:1.6rem;display:block}
svg.timeline{width:100%;height:3.5rem;display:block}
svg.qchart{display:block;width:100%;height:auto;margin:.3rem 0}
.brief{margin:.6rem 0;padding:.2rem 0 .2rem .9rem;border-left:3px solid var(--line)}
.brief p{margin:.3rem 0}
.cite{font-size:.85rem;color:var(--muted)}
.legend{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.15rem 1rem;list-style:none;padding:0;margin:.6rem 0;font-size:.85rem}
figure.chart{margin:.6rem 0}
svg.chart{display:block;width:100%;height:auto;border:1px solid var(--line);border-radius:.5rem}
svg.alluvial,svg.bursts{min-width:44rem}
svg.strategic{max-width:50rem;min-width:30rem;margin:0 auto}
svg.strip{display:block;width:100%;max-width:48rem;height:auto}
.axis{display:flex;justify-content:space-between;font-size:.8rem;color:var(--muted)}
.note{background:#fff8e1;border-left:4px solid #e0a800;padding:.45rem .8rem;margin:.5rem 0}
.muted{color:var(--muted)}
.small{font-size:.85rem}
code{font-size:.85em;overflow-wrap:anywhere}
.heat td{text-align:center;font-variant-numeric:tabular-nums;min-width:2.6rem}
.heat td.force{text-align:left;min-width:12rem}
footer{margin-top:2rem;padding-bottom:2rem;color:var(--muted);font-size:.85rem}
@media (max-width:40rem){body{font-size:15px}h1{font-size:1.5rem}.cluster{padding:.7rem}th,td{padding:.3rem .35rem}}
@media print{nav{display:none}body{font-size:10.5pt}a{color:inherit;text-decoration:none}.cluster{break-inside:avoid}h2,h3{break-after:avoid}.scroll{overflow:visible}svg.map{max-width:32rem}}
"#;

/// Writes `report` as HTML.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut s = String::with_capacity(1 << 16);
    page(report, &mut s);
    out.write_all(s.as_bytes())
}

fn page(r: &Report, s: &mut String) {
    let c = &r.collection;
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Trend clusters: {} articles, {} clusters</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        c.articles, r.analysis.clusters
    );
    let _ = write!(
        s,
        "<header>\n<h1>Trend clusters</h1>\n<p class=\"lede\">{}</p>\n</header>\n",
        escape(&lede(r))
    );
    s.push_str("<nav><ul><li><a href=\"#changes\">What changed</a></li><li><a href=\"#overview\">At a glance</a></li><li><a href=\"#lineage\">Over time</a></li><li><a href=\"#bursts\">Bursts</a></li><li><a href=\"#strategic\">Strategic diagram</a></li><li><a href=\"#map\">Cluster map</a></li><li><a href=\"#forces\">Driving forces</a></li><li><a href=\"#clusters\">Clusters</a></li><li><a href=\"#weak-signals\">Weak signals</a></li><li><a href=\"#gaps\">Gaps</a></li><li><a href=\"#method\">Method</a></li></ul></nav>\n<main>\n");
    html_time::what_changed(r, s);
    overview(r, s);
    html_time::lineage(r, s);
    html_time::bursts(r, s);
    html_time::strategic(r, s);
    map(r, s);
    forces(r, s);
    clusters(r, s);
    html_cluster::weak_signals(r, s);
    gaps(r, s);
    method(r, s);
    let _ = write!(
        s,
        "</main>\n<footer>Made by signalgraph {} from the store's graph and analyses ({}).</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&r.format)
    );
}

pub(super) fn status_badge(status: Status) -> String {
    format!(
        "<span class=\"status status-{0}\">{1} {0}</span>",
        status.name(),
        status.symbol()
    )
}

pub(super) fn swatch(cluster: u32) -> String {
    format!(
        "<span class=\"swatch\" style=\"background:{}\"></span>",
        color(Some(cluster))
    )
}

/// An article as cited: its title (a link to the news item when safe) and
/// date; its id is in the tooltip.
pub(super) fn article_link(a: &ArticleRef) -> String {
    let title = escape(&a.title);
    let tip = format!("article {}", escape(&a.id));
    let head = match a.source_url.as_deref().and_then(safe_url) {
        Some(url) => format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\" title=\"{tip}\">{title}</a>",
            escape(url)
        ),
        None => format!("<span title=\"{tip}\">{title}</span>"),
    };
    let date = a.date.as_deref().unwrap_or("undated");
    format!("{head} <span class=\"muted small\">{date}</span>")
}

fn fact(s: &mut String, name: &str, value: &str) {
    let _ = write!(
        s,
        "<div><dt>{}</dt><dd>{}</dd></div>",
        escape(name),
        escape(value)
    );
}

fn overview(r: &Report, s: &mut String) {
    s.push_str("<section id=\"overview\">\n<h2>At a glance</h2>\n");
    facts(r, s);
    for note in &r.notes {
        let _ = writeln!(s, "<p class=\"note\">{}</p>", escape(note));
    }
    if !r.timeline.quarters.is_empty() {
        s.push_str("<h4>Articles per quarter</h4>\n");
        s.push_str(&svg::quarter_chart(
            &r.timeline.articles,
            &r.timeline.quarters,
            "#5f6368",
            "Articles per quarter in the whole collection",
        ));
    }
    let counts = status_counts(r);
    if !counts.is_empty() {
        let _ = writeln!(s, "<p>{counts}.</p>");
    }
    cluster_table(r, s);
    s.push_str("</section>\n");
}

/// The collection's key figures, as a definition list.
fn facts(r: &Report, s: &mut String) {
    let c = &r.collection;
    s.push_str("<dl class=\"facts\">");
    fact(s, "articles", &c.articles.to_string());
    fact(s, "signals", &c.signals.to_string());
    fact(s, "clusters", &r.analysis.clusters.to_string());
    fact(
        s,
        "modularity",
        &r.analysis
            .modularity
            .map_or("undefined".into(), |q| format!("{q:.3}")),
    );
    fact(s, "themes", &c.themes.to_string());
    fact(s, "keywords", &c.keywords.to_string());
    fact(s, "driving forces", &c.driving_forces.to_string());
    fact(s, "sources", &c.sources.to_string());
    fact(s, "first date", c.first_date.as_deref().unwrap_or("none"));
    fact(s, "last date", c.last_date.as_deref().unwrap_or("none"));
    fact(s, "undated articles", &c.undated_articles.to_string());
    fact(s, "stub articles", &c.stub_articles.to_string());
    s.push_str("</dl>\n");
}

/// The largest clusters (at most [`OTHER_ROWS`]), one row each, linking to their sections.
fn cluster_table(r: &Report, s: &mut String) {
    s.push_str("<h4>Clusters, largest first</h4>\n<div class=\"scroll\"><table>\n<thead><tr><th class=\"num\">#</th><th>Cluster</th><th>Status</th><th class=\"num\">Articles</th><th class=\"num\">Signals</th><th>Dates</th><th>Per quarter</th><th>Main driving force</th></tr></thead>\n<tbody>\n");
    for k in r.clusters.iter().take(OTHER_ROWS) {
        let dates = match (&k.first_date, &k.last_date) {
            (Some(a), Some(b)) => format!("{a} – {b}"),
            _ => "undated".to_string(),
        };
        let force = k.driving_forces.first().map_or(String::new(), |f| {
            format!("{} ({})", escape(&f.label), f.count)
        });
        let spark = if r.timeline.quarters.is_empty() {
            String::new()
        } else {
            svg::bars(
                &k.quarters,
                &r.timeline.quarters,
                &color(Some(k.cluster)),
                "spark",
                &format!("Articles per quarter in cluster {}", k.rank),
            )
        };
        let _ = writeln!(
            s,
            "<tr><td class=\"num\">{}</td><td class=\"name\">{}<a href=\"#cluster-{}\">{}</a></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"small\">{dates}</td><td>{spark}</td><td class=\"small\">{force}</td></tr>",
            k.rank,
            swatch(k.cluster),
            k.cluster,
            escape(&k.name),
            status_badge(k.status),
            k.articles,
            k.signals
        );
    }
    s.push_str("</tbody></table></div>\n");
    if r.clusters.len() > OTHER_ROWS {
        let _ = writeln!(
            s,
            "<p class=\"muted\">{} more clusters are listed in the JSON report.</p>",
            r.clusters.len() - OTHER_ROWS
        );
    }
}

fn map(r: &Report, s: &mut String) {
    s.push_str("<section id=\"map\">\n<h2>Cluster map</h2>\n");
    if r.map.points.is_empty() {
        s.push_str("<p class=\"note\">No articles to draw.</p>\n</section>\n");
        return;
    }
    let sampled = if r.map.points.len() < r.map.articles {
        format!(
            " An even sample of {} of the {} articles is drawn.",
            r.map.points.len(),
            r.map.articles
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        s,
        "<p class=\"muted\">Articles placed by their links (ForceAtlas2 on the articles projection, seed 42) and coloured by cluster (the {} largest have colours of their own, the rest are grey); labels sit by their cluster's centre where they cover no article, and the legend names every colour.{sampled}</p>",
        svg::PALETTE.len()
    );
    s.push_str(&svg::map(&r.map, &r.clusters));
    s.push_str(&svg::legend(&r.clusters));
    s.push_str("\n</section>\n");
}

fn forces(r: &Report, s: &mut String) {
    let o = &r.driving_forces;
    s.push_str("<section id=\"forces\">\n<h2>Driving forces × clusters</h2>\n");
    if o.forces.is_empty() || o.clusters.is_empty() {
        s.push_str("<p class=\"note\">No signal names a driving force.</p>\n</section>\n");
        return;
    }
    s.push_str("<p class=\"muted\">Signals per driving force (rows) in the largest clusters (columns); the shade is the share of the cluster's signals.</p>\n<div class=\"scroll\"><table class=\"heat\">\n<thead><tr><th>Driving force</th>");
    for &k in &o.clusters {
        let rank = rank_of(r, k);
        let name = r
            .clusters
            .iter()
            .find(|c| c.cluster == k)
            .map_or(String::new(), |c| c.name.clone());
        let _ = write!(
            s,
            "<th class=\"num\" title=\"{}\"><a href=\"#cluster-{k}\">{}{rank}</a></th>",
            escape(&name),
            swatch(k)
        );
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for (row, force) in o.forces.iter().enumerate() {
        let _ = write!(s, "<tr><td class=\"force\">{}</td>", escape(force));
        for (col, &count) in o.signals[row].iter().enumerate() {
            let total = o.cluster_signals[col].max(1);
            let share = f64::from(count) / f64::from(total);
            let alpha = (share * 2.5).min(1.0);
            let text = if alpha > 0.55 { "#ffffff" } else { "#1b1b1b" };
            if count == 0 {
                s.push_str("<td class=\"muted\">·</td>");
            } else {
                let _ = write!(
                    s,
                    "<td style=\"background:rgba(26,91,184,{alpha:.2});color:{text}\" title=\"{count} of {total} signals\">{count}</td>"
                );
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></div>\n<p class=\"small muted\">");
    let legend: Vec<String> = o
        .clusters
        .iter()
        .filter_map(|&k| r.clusters.iter().find(|c| c.cluster == k))
        .map(|c| format!("{}: {}", c.rank, escape(&c.name)))
        .collect();
    s.push_str(&legend.join(" · "));
    s.push_str("</p>\n</section>\n");
}

fn is_detailed(k: &ClusterReport) -> bool {
    k.rank <= DETAILED && (k.articles >= 3 || k.rank <= 10)
}

fn clusters(r: &Report, s: &mut String) {
    s.push_str("<section id=\"clusters\">\n<h2>Clusters</h2>\n");
    if r.clusters.is_empty() {
        s.push_str("<p class=\"note\">The analysis has no clusters.</p>\n");
    }
    for k in r.clusters.iter().filter(|k| is_detailed(k)) {
        html_cluster::cluster(r, k, s);
    }
    let others: Vec<&ClusterReport> = r.clusters.iter().filter(|k| !is_detailed(k)).collect();
    if !others.is_empty() {
        let _ = writeln!(
            s,
            "<h3>Smaller clusters</h3>\n<p class=\"muted\">{} clusters, each with its largest concepts and its articles.</p>\n<div class=\"scroll\"><table>\n<thead><tr><th class=\"num\">#</th><th>Cluster</th><th>Status</th><th class=\"num\">Articles</th><th>Articles (newest first)</th></tr></thead>\n<tbody>",
            others.len()
        );
        for k in others.iter().take(OTHER_ROWS) {
            let titles: Vec<String> = k.newest_articles.iter().take(3).map(article_link).collect();
            let more = if k.articles > 3 {
                format!(" and {} more", k.articles - 3)
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "<tr id=\"cluster-{}\"><td class=\"num\">{}</td><td>{}{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"small\">{}{more}</td></tr>",
                k.cluster,
                k.rank,
                swatch(k.cluster),
                escape(&k.name),
                status_badge(k.status),
                k.articles,
                titles.join("<br>")
            );
        }
        s.push_str("</tbody></table></div>\n");
    }
    s.push_str("</section>\n");
}

fn gaps(r: &Report, s: &mut String) {
    s.push_str("<section id=\"gaps\">\n<h2>Structural gaps</h2>\n<p class=\"muted\">Cluster pairs with alike concepts (cosine similarity of their c-TF-IDF profiles in the top tenth of all pairs, and at least 0.05) but fewer than one direct link per ten articles of the smaller: the same topics, discussed apart.</p>\n");
    if r.gaps.is_empty() {
        s.push_str("<p class=\"note\">None found.</p>\n</section>\n");
        return;
    }
    s.push_str("<div class=\"scroll\"><table>\n<thead><tr><th>Clusters</th><th class=\"num\">Similarity</th><th class=\"num\">Links</th><th>Shared concepts</th><th>Articles</th></tr></thead>\n<tbody>\n");
    for g in &r.gaps {
        let names: Vec<String> = g
            .clusters
            .iter()
            .zip(&g.names)
            .map(|(&k, name)| {
                format!(
                    "{}<a href=\"#cluster-{k}\">{}. {}</a>",
                    swatch(k),
                    rank_of(r, k),
                    escape(name)
                )
            })
            .collect();
        let concepts: Vec<String> = g.shared_concepts.iter().map(|c| escape(c)).collect();
        let articles: Vec<String> = g.articles.iter().map(article_link).collect();
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"num small muted\">{:.2}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            names.join("<br>"),
            g.similarity,
            g.links,
            concepts.join(", "),
            articles.join("<br>")
        );
    }
    s.push_str("</tbody></table></div>\n</section>\n");
}

fn method(r: &Report, s: &mut String) {
    let signal_source = if r.analysis.signal_measures == "full" {
        "Signal PageRank and betweenness come from the analysis of the full projection."
    } else {
        "Signals carry their article's PageRank and betweenness (the full projection was not analysed)."
    };
    let _ = writeln!(
        s,
        "<section id=\"method\">\n<h2>How this report is made</h2>\n<p>Clusters are the level-0 clusters stored by <code>signalgraph analyze</code> for the articles projection ({} of {} articles clustered). Names are each cluster's three most distinctive concepts by c-TF-IDF. Central signals are ranked by PageRank; bridging articles by betweenness, bridging signals by the crossing links their driving force lies on, then betweenness. {}</p>\n<p><strong>Status rule.</strong> {}</p>\n<p><strong>Weak signals.</strong> {}</p>\n<p><strong>Briefs.</strong> {}</p>\n</section>",
        r.analysis.clustered_articles,
        r.collection.articles,
        escape(signal_source),
        escape(&r.status_rule.text),
        escape(super::text::WEAK_RULE),
        escape(super::text::BRIEF_RULE)
    );
}

/// `1 article`, `2 articles`.
pub(super) fn counted(n: impl std::fmt::Display, noun: &str) -> String {
    if n.to_string() == "1" {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
