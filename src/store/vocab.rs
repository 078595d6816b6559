//! The vocabulary the store writes: namespaces and term IRIs, in one place.
//!
//! `ontology/signalgraph.ttl` declares every term used here; a test checks it.

/// The namespace IRIs, written once: the constants below and the term IRIs
/// in [`term`] are all built from this macro.
macro_rules! ns {
    (SG) => {
        "https://w3id.org/signalgraph/ontology#"
    };
    (DCTERMS) => {
        "http://purl.org/dc/terms/"
    };
    (SKOS) => {
        "http://www.w3.org/2004/02/skos/core#"
    };
    (SCHEMA) => {
        "https://schema.org/"
    };
    (PROV) => {
        "http://www.w3.org/ns/prov#"
    };
    (RDF) => {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    };
    (RDFS) => {
        "http://www.w3.org/2000/01/rdf-schema#"
    };
    (XSD) => {
        "http://www.w3.org/2001/XMLSchema#"
    };
    (OWL) => {
        "http://www.w3.org/2002/07/owl#"
    };
}

/// The signalgraph ontology namespace (`sg:`).
pub const SG: &str = ns!(SG);
/// The ontology's own IRI, also the name of the graph that holds it.
pub const ONTOLOGY: &str = "https://w3id.org/signalgraph/ontology";
/// The base IRI data is minted under unless the user sets `--base-iri`.
pub const DEFAULT_BASE_IRI: &str = "https://w3id.org/signalgraph/id/";
/// The ontology, as shipped in `ontology/signalgraph.ttl`.
pub const ONTOLOGY_TURTLE: &str = include_str!("../../ontology/signalgraph.ttl");

/// Dublin Core terms.
pub const DCTERMS: &str = ns!(DCTERMS);
/// SKOS.
pub const SKOS: &str = ns!(SKOS);
/// schema.org.
pub const SCHEMA: &str = ns!(SCHEMA);
/// PROV-O.
pub const PROV: &str = ns!(PROV);
/// RDF.
pub const RDF: &str = ns!(RDF);
/// RDF Schema.
pub const RDFS: &str = ns!(RDFS);
/// XML Schema datatypes.
pub const XSD: &str = ns!(XSD);
/// OWL.
pub const OWL: &str = ns!(OWL);

/// Prefixes for Turtle output and for queries that use them.
pub const PREFIXES: [(&str, &str); 9] = [
    ("sg", SG),
    ("dcterms", DCTERMS),
    ("skos", SKOS),
    ("schema", SCHEMA),
    ("prov", PROV),
    ("rdf", RDF),
    ("rdfs", RDFS),
    ("xsd", XSD),
    ("owl", OWL),
];

/// Every term the data uses, by role. The strings are the full IRIs.
pub mod term {
    macro_rules! terms {
        ($($name:ident = $ns:ident + $local:literal;)*) => {
            $(
                #[doc = concat!("`", ns!($ns), $local, "`")]
                pub const $name: &str = concat!(ns!($ns), $local);
            )*
        };
    }
    terms! {
        RDF_TYPE = RDF + "type";
        RDF_VALUE = RDF + "value";
        RDFS_LABEL = RDFS + "label";
        NEWS_ARTICLE = SCHEMA + "NewsArticle";
        IS_PART_OF = SCHEMA + "isPartOf";
        PUBLISHER = SCHEMA + "publisher";
        URL = SCHEMA + "url";
        IDENTIFIER = DCTERMS + "identifier";
        TITLE = DCTERMS + "title";
        DATE = DCTERMS + "date";
        SOURCE = DCTERMS + "source";
        ABSTRACT = DCTERMS + "abstract";
        CONCEPT = SKOS + "Concept";
        CONCEPT_SCHEME = SKOS + "ConceptScheme";
        IN_SCHEME = SKOS + "inScheme";
        PREF_LABEL = SKOS + "prefLabel";
        ALT_LABEL = SKOS + "altLabel";
        EXACT_MATCH = SKOS + "exactMatch";
        BROADER = SKOS + "broader";
        EDITORIAL_NOTE = SKOS + "editorialNote";
        ALIGNMENT_RULE = SG + "alignmentRule";
        WAS_DERIVED_FROM = PROV + "wasDerivedFrom";
        SIGNAL = SG + "Signal";
        THEME = SG + "Theme";
        KEYWORD = SG + "Keyword";
        DRIVING_FORCE = SG + "DrivingForce";
        SOURCE_CLASS = SG + "Source";
        DIGEST = SG + "Digest";
        STUB_ARTICLE = SG + "StubArticle";
        SEED_FILE = SG + "SeedFile";
        SECTION = SG + "Section";
        CELL = SG + "Cell";
        HAS_THEME = SG + "hasTheme";
        HAS_KEYWORD = SG + "hasKeyword";
        HAS_SIGNAL = SG + "hasSignal";
        CLOSEST_TO = SG + "closestTo";
        HAS_SECTION = SG + "hasSection";
        HAS_CELL = SG + "hasCell";
        ROW = SG + "row";
        CHANGE = SG + "change";
        CHANGE_FROM = SG + "changeFrom";
        CHANGE_TO = SG + "changeTo";
        HORIZON = SG + "horizon";
        DRIVEN_BY = SG + "drivenBy";
        COLUMN = SG + "column";
        POSITION = SG + "position";
        NORMALIZED_LABEL = SG + "normalizedLabel";
        FILE_PATH = SG + "filePath";
        CONTENT_HASH = SG + "contentHash";
        BYTE_SIZE = SG + "byteSize";
        CLUSTER = SG + "Cluster";
        MEMBER_OF = SG + "memberOf";
        SUB_CLUSTER_OF = SG + "subClusterOf";
        LEVEL = SG + "level";
        CLUSTER_SIZE = SG + "clusterSize";
        MODULARITY = SG + "modularity";
        PROJECTION = SG + "projection";
        PAGE_RANK = SG + "pageRank";
        BETWEENNESS = SG + "betweenness";
        CLOSENESS = SG + "closeness";
        HARMONIC_CLOSENESS = SG + "harmonicCloseness";
        EIGENVECTOR = SG + "eigenvector";
        DEGREE = SG + "degree";
        WEIGHTED_DEGREE = SG + "weightedDegree";
        CORE_NUMBER = SG + "coreNumber";
        TREND = SG + "Trend";
        TIME_WINDOW = SG + "TimeWindow";
        LINEAGE_EVENT = SG + "LineageEvent";
        BIRTH = SG + "Birth";
        DEATH = SG + "Death";
        MERGE = SG + "Merge";
        SPLIT = SG + "Split";
        BURST = SG + "Burst";
        TREND_ID = SG + "trendId";
        HAS_MEMBER = SG + "hasMember";
        OF_TREND = SG + "ofTrend";
        FIRST_WINDOW = SG + "firstWindow";
        LAST_WINDOW = SG + "lastWindow";
        ACTIVITY = SG + "activity";
        QUADRANT = SG + "quadrant";
        CENTRALITY = SG + "centrality";
        DENSITY = SG + "density";
        START = SG + "start";
        END = SG + "end";
        WINDOW_KIND = SG + "windowKind";
        IN_WINDOW = SG + "inWindow";
        FROM_TREND = SG + "fromTrend";
        TO_TREND = SG + "toTrend";
        EVIDENCE = SG + "evidence";
        BURST_OF = SG + "burstOf";
        BURST_WEIGHT = SG + "burstWeight";
        BURSTING_NOW = SG + "burstingNow";
    }
}
