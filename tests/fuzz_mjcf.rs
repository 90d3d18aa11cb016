//! Fuzzing the MJCF reader (issue 17): random MJCF trees built from the element and attribute
//! names sinew reads, with hostile values (NaN, infinities, huge counts, empty and malformed
//! lists, dangling and repeated names), and byte-level mutations of the project's real models.
//! Whatever the input, loading returns a model or an error: never a panic, an abort or a hang.
//!
//! Bounded for CI: `SINEW_FUZZ_CASES` cases per property (default 2000; proptest shrinks a
//! failure to a small input and prints it).

use std::path::Path;

use proptest::prelude::*;

/// Attribute names sinew reads somewhere (and one it reads nowhere).
const ATTRS: &[&str] = &[
    "name", "class", "childclass", "type", "size", "pos", "quat", "euler", "axisangle", "zaxis", "xyaxes",
    "fromto", "mass", "diaginertia", "fullinertia", "axis", "range", "limited", "damping", "stiffness",
    "armature", "frictionloss", "springref", "ref", "joint", "joint1", "joint2", "tendon", "site", "geom",
    "sidesite", "body1", "body2", "geom1", "geom2", "polycoef", "gear", "ctrlrange", "ctrllimited",
    "forcerange", "lengthrange", "dyntype", "gaintype", "biastype", "dynprm", "gainprm", "biasprm",
    "timeconst", "tausmooth", "scale", "file", "meshdir", "angle", "eulerseq", "autolimits", "timestep",
    "iterations", "tolerance", "integrator", "cone", "solref", "solimp", "margin", "gap", "condim",
    "friction", "contype", "conaffinity", "springlength", "width", "nkey", "qpos", "qvel", "act", "ctrl",
    "time", "active", "noise",
];

/// Values: plausible, degenerate and hostile.
const VALUES: &[&str] = &[
    "0", "1", "-1", "2", "3", "0.5", "1e-9", "1 2", "1 2 3", "0 0 1", "1 0 0 0", "0 0 0 0", "1 2 3 4 5 6",
    "0.1 0.2 0.3 0.4 0.5", "nan", "inf", "-inf", "1e308", "-1e308", "1000000000", "4294967297", "", " ", "a",
    "b", "c", "j", "s", "main", "true", "false", "auto", "hinge", "slide", "ball", "free", "sphere",
    "capsule", "box", "cylinder", "ellipsoid", "plane", "mesh", "muscle", "none", "filter", "radian",
    "degree", "xyz", "XYZ", "implicitfast", "pyramidal", "1,2", "0x10", "1 nan 2", "abc def",
    "nonexistent.stl", "../nothing.xml", "m.xml",
];

/// An element: tag, attributes, children.
#[derive(Debug, Clone)]
struct Element {
    tag: &'static str,
    attrs: Vec<(&'static str, &'static str)>,
    children: Vec<Element>,
}

impl Element {
    fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(self.tag);
        let mut written: Vec<&str> = Vec::new();
        for (k, v) in &self.attrs {
            // XML forbids a repeated attribute; the parser's refusal of that is not what we test
            if !written.contains(k) {
                written.push(k);
                out.push_str(&format!(" {k}=\"{v}\""));
            }
        }
        out.push('>');
        for c in &self.children {
            c.write(out);
        }
        out.push_str(&format!("</{}>", self.tag));
    }
}

/// The attributes sinew reads on `tag` (in a body, a section or a default); a tendon path's
/// elements use [`path_attrs`]. Random names from all of MJCF would fail on the first element.
fn attrs_of(tag: &str) -> &'static [&'static str] {
    match tag {
        "body" => &["name", "childclass", "pos", "quat", "euler", "zaxis"],
        "frame" => &["pos", "quat", "euler", "axisangle", "childclass"],
        "joint" => &[
            "name", "type", "axis", "range", "limited", "damping", "stiffness", "armature", "pos", "class",
            "springref",
        ],
        "freejoint" => &["name"],
        "geom" => &[
            "name", "type", "size", "pos", "quat", "fromto", "mass", "contype", "conaffinity", "condim",
            "friction", "class",
        ],
        "site" => &["name", "pos", "size", "type", "class"],
        "inertial" => &["pos", "mass", "diaginertia", "fullinertia", "quat"],
        "spatial" | "fixed" | "tendon" => {
            &["name", "range", "limited", "stiffness", "damping", "springlength"]
        }
        "muscle" | "general" | "motor" => &[
            "name", "joint", "tendon", "gear", "ctrlrange", "ctrllimited", "forcerange", "lengthrange",
            "dyntype", "gaintype", "biastype", "dynprm", "gainprm", "biasprm", "timeconst", "class",
        ],
        "weld" => &["name", "body1"],
        "key" => &["name", "time", "qpos", "qvel", "act", "ctrl"],
        "touch" => &["name", "site"],
        "framelinvel" => &["name", "objtype", "objname"],
        "jointpos" => &["name", "joint"],
        "pair" => &["geom1", "geom2", "condim", "friction", "margin"],
        "exclude" => &["body1", "body2"],
        "default" => &["class"],
        "flag" => &["contact", "gravity"],
        _ => ATTRS,
    }
}

/// The attributes of `<equality>`'s elements.
fn equality_attrs(tag: &str) -> &'static [&'static str] {
    match tag {
        "joint" => &["name", "joint1", "joint2", "polycoef", "active", "solref"],
        _ => attrs_of(tag),
    }
}

/// The attributes of a tendon path's elements.
fn path_attrs(tag: &str) -> &'static [&'static str] {
    match tag {
        "site" => &["site"],
        "geom" => &["geom", "sidesite"],
        "joint" => &["joint", "coef"],
        "pulley" => &["divisor"],
        _ => ATTRS,
    }
}

/// `count` elements named from `tags`, each with up to 3 attributes from `pool(tag)` and the given
/// children.
fn elements(
    tags: &'static [&'static str],
    pool: fn(&str) -> &'static [&'static str],
    children: impl Strategy<Value = Vec<Element>> + Clone,
    count: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Element>> + Clone {
    let one =
        (prop::sample::select(tags), children).prop_flat_map(move |(tag, children)| {
            let names = prop::sample::select(pool(tag));
            prop::collection::vec((names, prop::sample::select(VALUES)), 0..4)
                .prop_map(move |attrs| Element { tag, attrs, children: children.clone() })
        });
    prop::collection::vec(one, count)
}

fn none() -> impl Strategy<Value = Vec<Element>> + Clone {
    Just(Vec::new())
}

/// A body tree: bodies and frames nested a few deep, each with joints, geoms, sites, inertials.
fn bodies() -> impl Strategy<Value = Vec<Element>> {
    let items = elements(
        &["joint", "geom", "site", "inertial", "freejoint", "camera", "bogus"],
        attrs_of,
        none(),
        0..4,
    );
    let leaf = elements(&["body"], attrs_of, items.clone(), 0..3);
    leaf.prop_recursive(4, 24, 3, move |inner| {
        (items.clone(), inner).prop_flat_map(|(own, nested)| {
            let children: Vec<Element> = own.into_iter().chain(nested).collect();
            elements(&["body", "frame"], attrs_of, Just(children), 1..3)
        })
    })
}

/// One element of `tag` around `children`, with up to 4 attributes named from `names` (the
/// sections with no attributes get an empty list).
fn section(
    tag: &'static str,
    names: &'static [&'static str],
    children: impl Strategy<Value = Vec<Element>>,
) -> impl Strategy<Value = Element> {
    let attrs = match names.is_empty() {
        true => Just(Vec::new()).boxed(),
        false => {
            prop::collection::vec((prop::sample::select(names), prop::sample::select(VALUES)), 0..=4).boxed()
        }
    };
    (attrs, children).prop_map(move |(attrs, children)| Element { tag, attrs, children })
}

/// A body with one hinge, a geom and a site, so a document has something to simulate.
fn anchor() -> Element {
    let leaf = |tag, attrs: Vec<(&'static str, &'static str)>| Element { tag, attrs, children: vec![] };
    Element {
        tag: "body",
        attrs: vec![("name", "j")],
        children: vec![
            leaf("joint", vec![("name", "j"), ("type", "hinge")]),
            leaf("geom", vec![("size", "0.1")]),
            leaf("site", vec![("name", "s")]),
        ],
    }
}

/// A whole document: `<mujoco>` with the sections MJCF has, each filled with elements that belong
/// there (and now and then one that does not), so inputs reach the compiler, not only the parser.
fn document() -> impl Strategy<Value = String> {
    let path = elements(&["site", "geom", "joint", "pulley"], path_attrs, none(), 0..5);
    let world = (bodies(), elements(&["geom", "site"], attrs_of, none(), 0..2))
        .prop_map(|(b, g)| [vec![anchor()], g, b].concat());
    let sections = (
        section(
            "default",
            &["class"],
            elements(
                &["joint", "geom", "site", "muscle", "general", "tendon", "default"],
                attrs_of,
                none(),
                0..4,
            ),
        ),
        section("worldbody", &[], world),
        section("tendon", &[], elements(&["spatial", "fixed"], attrs_of, path, 0..3)),
        section("actuator", &[], elements(&["muscle", "general", "motor"], attrs_of, none(), 0..4)),
        section("equality", &[], elements(&["joint", "weld"], equality_attrs, none(), 0..3)),
        section("keyframe", &[], elements(&["key"], attrs_of, none(), 0..3)),
        section("sensor", &[], elements(&["touch", "framelinvel", "jointpos"], attrs_of, none(), 0..3)),
        section("contact", &[], elements(&["pair", "exclude"], attrs_of, none(), 0..3)),
        (
            section(
                "option",
                &["timestep", "iterations", "tolerance", "integrator", "cone", "gravity"],
                elements(&["flag"], attrs_of, none(), 0..2),
            ),
            // the compiler's settings are fuzzed through the mutated compiler_features.xml
            section("compiler", &[], none()),
            section("size", &["nkey"], none()),
        ),
    );
    // the world is always there (without it there is nothing to simulate); the rest come or not
    (sections, prop::sample::subsequence((0..10).collect::<Vec<usize>>(), 0..=10)).prop_map(
        |((d, w, t, a, e, k, s, c, (o, cp, sz)), keep)| {
            let optional = [d, t, a, e, k, s, c, o, cp, sz];
            let children = std::iter::once(w).chain(keep.into_iter().map(|i| optional[i].clone())).collect();
            let root = Element { tag: "mujoco", attrs: vec![("model", "fuzz")], children };
            let mut out = String::new();
            root.write(&mut out);
            out
        },
    )
}

/// One byte-level edit of a text: (position fraction, bytes removed, bytes inserted).
fn edits() -> impl Strategy<Value = Vec<(f64, usize, Vec<u8>)>> {
    let insert = prop::collection::vec(prop::sample::select(b"<>/=\" \nabc019.-e&;!?".to_vec()), 0..12);
    prop::collection::vec((0.0..1.0f64, 0usize..40, insert), 1..6)
}

fn mutate(text: &str, edits: &[(f64, usize, Vec<u8>)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for (at, remove, insert) in edits {
        let start = ((bytes.len() as f64) * at) as usize;
        let end = (start + remove).min(bytes.len());
        bytes.splice(start..end, insert.iter().copied());
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn cases() -> u32 {
    std::env::var("SINEW_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
}

/// Load as the CLI would; any panic fails the property (proptest catches and shrinks it).
fn load(text: &str) {
    let name = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fuzz.xml");
    if let Err(e) = sinew::mjcf::load_model_str(text, &name) {
        // an error names where it happened or what is wrong: never an empty message
        assert!(!e.to_string().trim().is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_mjcf_documents_never_panic(doc in document()) {
        load(&doc);
    }

    #[test]
    fn mutated_real_models_never_panic(which in 0usize..4, edits in edits()) {
        let assets = ["elbow_pose.xml", "cylinder_wrap.xml", "contact_scene.xml", "compiler_features.xml"];
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets").join(assets[which]);
        let text = std::fs::read_to_string(path).unwrap();
        load(&mutate(&text, &edits));
    }
}
