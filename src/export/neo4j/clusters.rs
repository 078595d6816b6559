//! The cluster files of the Neo4j folder: `nodes_Cluster.csv`, one
//! `IN_CLUSTER` file per member label and `SUB_CLUSTER_OF` between levels.

use super::{Folder, Label, NodeFile, RelationshipFile, TrendClusters};
use crate::analyze::stored::StoredAnalysis;
use crate::export::ExportError;
use crate::graph::Projection;
use std::collections::BTreeMap;

/// A row of `nodes_Cluster.csv`.
struct ClusterRow {
    projection: &'static str,
    level: usize,
    index: usize,
    size: usize,
    modularity: f64,
    name: Option<String>,
}

impl ClusterRow {
    fn id(&self) -> String {
        cluster_id(self.projection, self.level, self.index as u32)
    }
}

fn cluster_id(projection: &str, level: usize, index: u32) -> String {
    format!("{projection}/{level}/{index}")
}

/// The clusters to write and their members.
#[derive(Default)]
struct Clusters {
    rows: Vec<ClusterRow>,
    /// Per label, (node, cluster id, level) of each `IN_CLUSTER` relationship.
    members: BTreeMap<Label, Vec<(u32, String, usize)>>,
}

impl Clusters {
    /// Every level of the projection's own analysis; the level-0 clusters of
    /// the articles projection take the trend clusters' names.
    fn add_analysis(
        &mut self,
        folder: &Folder,
        analysis: &StoredAnalysis,
        trend: Option<&TrendClusters>,
    ) {
        let projection = folder.view.graph.projection;
        let own_projection = projection.name();
        for (level, l) in analysis.levels.iter().enumerate() {
            for (index, size) in l.sizes().into_iter().enumerate() {
                let name = match (projection, trend) {
                    (Projection::Articles, Some(t)) if level == 0 => t.names.get(index).cloned(),
                    _ => None,
                };
                self.rows.push(ClusterRow {
                    projection: own_projection,
                    level,
                    index,
                    size,
                    modularity: l.modularity,
                    name,
                });
            }
        }
        for i in 0..folder.node_count() {
            for (level, l) in analysis.levels.iter().enumerate() {
                let c = l.membership[i as usize];
                if c != u32::MAX {
                    self.members
                        .entry(folder.labels[i as usize])
                        .or_default()
                        .push((i, cluster_id(own_projection, level, c), level));
                }
            }
        }
    }

    /// The named trend clusters, for a projection other than `articles`.
    fn add_trend(&mut self, folder: &Folder, t: &TrendClusters, article_node: &[Option<u32>]) {
        let articles = Projection::Articles.name();
        let mut sizes = vec![0; t.names.len()];
        for c in t.cluster_of.iter().flatten() {
            if let Some(size) = sizes.get_mut(*c as usize) {
                *size += 1;
            }
        }
        for (index, (name, size)) in t.names.iter().zip(sizes).enumerate() {
            self.rows.push(ClusterRow {
                projection: articles,
                level: 0,
                index,
                size,
                modularity: t.modularity,
                name: Some(name.clone()),
            });
        }
        for (a, c) in t.cluster_of.iter().enumerate() {
            if let (Some(node), Some(c)) = (article_node.get(a).copied().flatten(), c) {
                if (*c as usize) < t.names.len() {
                    self.members
                        .entry(folder.labels[node as usize])
                        .or_default()
                        .push((node, cluster_id(articles, 0, *c), 0));
                }
            }
        }
    }
}

impl Folder<'_> {
    /// Clusters: every level of the projection's own analysis, and the trend
    /// clusters (named) when the projection is another one.
    pub(super) fn write_clusters(
        &mut self,
        trend: Option<&TrendClusters>,
        article_node: &[Option<u32>],
    ) -> Result<(), ExportError> {
        let projection = self.view.graph.projection;
        let mut clusters = Clusters::default();
        if let Some(analysis) = &self.view.analysis {
            clusters.add_analysis(self, analysis, trend);
        }
        if let Some(t) = trend.filter(|_| projection != Projection::Articles) {
            clusters.add_trend(self, t, article_node);
        }
        if !clusters.rows.is_empty() {
            self.write_cluster_nodes(&clusters.rows)?;
        }
        self.write_memberships(&mut clusters.members)?;
        self.write_sub_clusters()
    }

    fn write_cluster_nodes(&mut self, clusters: &[ClusterRow]) -> Result<(), ExportError> {
        let name = self.file_name("nodes_Cluster.csv".to_string());
        let properties = vec![
            ("projection".to_string(), "projection".to_string(), None),
            ("level:long".to_string(), "level".to_string(), Some("long")),
            ("index:long".to_string(), "index".to_string(), Some("long")),
            ("size:long".to_string(), "size".to_string(), Some("long")),
            (
                "modularity:double".to_string(),
                "modularity".to_string(),
                Some("double"),
            ),
            ("name".to_string(), "name".to_string(), None),
        ];
        self.write_csv(&name, |w| {
            let mut header = vec!["id:ID(Cluster)".to_string(), ":LABEL".to_string()];
            header.extend(properties.iter().map(|p| p.0.clone()));
            w.write_record(&header)?;
            for c in clusters {
                w.write_record([
                    c.id(),
                    "Cluster".to_string(),
                    c.projection.to_string(),
                    c.level.to_string(),
                    c.index.to_string(),
                    c.size.to_string(),
                    format!("{:?}", c.modularity),
                    c.name.clone().unwrap_or_default(),
                ])?;
            }
            Ok(())
        })?;
        self.node_files.push(NodeFile {
            label: "Cluster".into(),
            name,
            properties,
        });
        Ok(())
    }

    /// One `rels_IN_CLUSTER_<label>_Cluster.csv` per label with members.
    fn write_memberships(
        &mut self,
        members: &mut BTreeMap<Label, Vec<(u32, String, usize)>>,
    ) -> Result<(), ExportError> {
        for (label, rows) in members {
            // Each node with its clusters, own projection's levels first.
            rows.sort_by_key(|&(node, _, _)| node);
            let label = label.name();
            let name = self.file_name(format!("rels_IN_CLUSTER_{label}_Cluster.csv"));
            self.write_csv(&name, |w| {
                w.write_record([
                    format!(":START_ID({label})"),
                    ":END_ID(Cluster)".to_string(),
                    ":TYPE".to_string(),
                    "level:long".to_string(),
                ])?;
                for (node, cluster, level) in rows.iter() {
                    w.write_record([
                        self.keys[*node as usize].as_str(),
                        cluster,
                        "IN_CLUSTER",
                        &level.to_string(),
                    ])?;
                }
                Ok(())
            })?;
            self.relationship_files.push(RelationshipFile {
                kind: "IN_CLUSTER".into(),
                start: label.into(),
                end: "Cluster".into(),
                name,
                properties: vec![("level:long".to_string(), "level".to_string(), Some("long"))],
            });
        }
        Ok(())
    }

    /// `SUB_CLUSTER_OF` from each cluster to its parent one level up, when
    /// the analysis has more than one level.
    fn write_sub_clusters(&mut self) -> Result<(), ExportError> {
        let Some(analysis) = self.view.analysis.as_ref().filter(|a| a.levels.len() > 1) else {
            return Ok(());
        };
        let own_projection = self.view.graph.projection.name();
        let name = self.file_name("rels_SUB_CLUSTER_OF_Cluster_Cluster.csv".to_string());
        self.write_csv(&name, |w| {
            w.write_record([":START_ID(Cluster)", ":END_ID(Cluster)", ":TYPE"])?;
            for (level, l) in analysis.levels.iter().enumerate().skip(1) {
                for (index, &parent) in l.parents.iter().enumerate() {
                    w.write_record([
                        cluster_id(own_projection, level, index as u32),
                        cluster_id(own_projection, level - 1, parent),
                        "SUB_CLUSTER_OF".to_string(),
                    ])?;
                }
            }
            Ok(())
        })?;
        self.relationship_files.push(RelationshipFile {
            kind: "SUB_CLUSTER_OF".into(),
            start: "Cluster".into(),
            end: "Cluster".into(),
            name,
            properties: Vec::new(),
        });
        Ok(())
    }
}
