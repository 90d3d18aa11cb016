//! Bad input: every case is a one-line error naming file:line and the offending thing, exit code 2
//! from the CLI, and never a panic.

mod common;

use std::process::Command;

/// (fixture file, line of the offending element, text the message must contain)
const CASES: &[(&str, u32, &str)] = &[
    ("malformed.xml", 5, "malformed XML"),
    ("missing_include.xml", 2, "does_not_exist.xml"),
    ("missing_mesh.xml", 3, "ghost.stl"),
    ("bad_number.xml", 4, "bad number \"1O\""),
    ("unknown_joint_type.xml", 4, "\"twist\""),
    ("unknown_geom_type.xml", 5, "\"blob\""),
    ("missing_site.xml", 12, "missing site 'nowhere'"),
    ("missing_tendon.xml", 9, "missing tendon 'no_such_tendon'"),
    ("unsupported_element.xml", 6, "<composite>"),
    ("weld.xml", 9, "weld"),
    ("plugin_child.xml", 6, "<plugin> inside <geom>"),
];

fn path(name: &str) -> std::path::PathBuf {
    common::root().join("tests/fixtures/bad").join(name)
}

#[test]
fn library_reports_file_line_and_name() {
    for (file, line, needle) in CASES {
        let p = path(file);
        let result = std::panic::catch_unwind(|| sinew::mjcf::load_model(&p));
        let err = match result {
            Err(_) => panic!("{file}: the compiler panicked"),
            Ok(Ok(_)) => panic!("{file}: loaded without error"),
            Ok(Err(e)) => e.to_string(),
        };
        let loc = format!("{}:{line}", p.display());
        assert!(err.contains(&loc), "{file}: error does not name {loc}: {err}");
        assert!(err.contains(needle), "{file}: error does not mention {needle}: {err}");
        assert!(!err.contains('\n'), "{file}: error is not one line: {err}");
    }
}

#[test]
fn empty_model_is_an_error() {
    let err = sinew::mjcf::load_model(&path("empty.xml")).expect_err("empty model must not load");
    assert!(err.to_string().contains("no degrees of freedom"), "{err}");
}

#[test]
fn cli_exits_2_with_one_line() {
    let exe = env!("CARGO_BIN_EXE_sinew");
    for (file, _, needle) in CASES.iter().chain([("empty.xml", 1, "no degrees of freedom")].iter()) {
        let out = Command::new(exe).args(["info", path(file).to_str().unwrap()]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: exit {:?}, stderr {stderr}", out.status.code());
        assert!(stderr.contains(needle), "{file}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{file}: not one line: {stderr}");
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
    }
}

#[test]
fn unknown_model_name_says_how_to_fetch() {
    let exe = env!("CARGO_BIN_EXE_sinew");
    let out = Command::new(exe)
        .args(["info", "myolegs"])
        .env("SINEW_MODELS", common::root().join("tests/fixtures/bad/no_models_here"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("tools/fetch-models"), "{stderr}");
}

#[test]
fn models_load_from_strings_too() {
    let ok = "<mujoco><worldbody><body><freejoint/><geom size=\"0.1\"/></body></worldbody></mujoco>";
    let m = sinew::mjcf::load_model_str(ok, std::path::Path::new("inline.xml")).unwrap();
    assert_eq!((m.nq, m.nv, m.nbody), (7, 6, 2));
    let err =
        sinew::mjcf::load_model_str("<mujoco><worldbody>", std::path::Path::new("inline.xml")).unwrap_err();
    assert!(err.to_string().starts_with("inline.xml:1: malformed XML"), "{err}");
}
