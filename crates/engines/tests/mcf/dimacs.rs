//! DIMACS parsing and printing: every malformed case names its line (or the end of the file),
//! comments, blank lines, CRLF line ends and a byte-order mark are accepted, and a solution prints as
//! `s COST` and `f FROM TO FLOW` lines in input order, and an instance prints back to the text
//! it was parsed from.

use super::{parse, solve};
use carebridge_engines::mcf::dimacs::{self, ParseErrorKind as K};

/// Parse `input`, expect an error at `line` (`None`: end of file), and return its kind.
fn refused(input: &str, line: Option<usize>) -> K {
    let e = match dimacs::parse(input) {
        Ok(n) => panic!("accepted a malformed input as {n:?}\n{input}"),
        Err(e) => e,
    };
    assert_eq!(e.line, line, "{e}\n{input}");
    let shown = e.to_string();
    match line {
        Some(l) => assert!(shown.starts_with(&format!("line {l}: ")), "{shown}"),
        None => assert!(shown.starts_with("end of file: "), "{shown}"),
    }
    e.kind
}

const HEAD: &str = "c header\n\np min 3 2\n";

#[test]
fn unknown_descriptor() {
    assert_eq!(refused(&format!("{HEAD}x 1 2\n"), Some(4)), K::UnknownDescriptor { token: "x".into() });
    assert_eq!(refused(&format!("{HEAD}n1 5\n"), Some(4)), K::UnknownDescriptor { token: "n1".into() });
}

#[test]
fn bad_numbers() {
    assert_eq!(
        refused(&format!("{HEAD}a 1 2 0 five 3\n"), Some(4)),
        K::NotAnInteger { field: "CAP", token: "five".into() }
    );
    assert_eq!(
        refused(&format!("{HEAD}a 1 2 0 3 1.5\n"), Some(4)),
        K::NotAnInteger { field: "COST", token: "1.5".into() }
    );
    assert_eq!(
        refused(&format!("{HEAD}n 1 9223372036854775808\n"), Some(4)),
        K::OutOfRange64 { field: "SUPPLY", token: "9223372036854775808".into() }
    );
    assert_eq!(
        refused(&format!("{HEAD}a 1 2 0 3 -9223372036854775809\n"), Some(4)),
        K::OutOfRange64 { field: "COST", token: "-9223372036854775809".into() }
    );
    assert_eq!(refused("p min x 2\n", Some(1)), K::NotAnInteger { field: "node count N", token: "x".into() });
}

#[test]
fn missing_and_extra_fields() {
    assert_eq!(refused(&format!("{HEAD}a 1 2 0 3\n"), Some(4)), K::MissingField { field: "COST" });
    assert_eq!(refused(&format!("{HEAD}a 1 2 0 3 4 5\n"), Some(4)), K::ExtraField { token: "5".into() });
    assert_eq!(refused(&format!("{HEAD}n 1\n"), Some(4)), K::MissingField { field: "SUPPLY" });
    assert_eq!(refused("p min 3\n", Some(1)), K::MissingField { field: "arc count M" });
    assert_eq!(refused("p\n", Some(1)), K::MissingField { field: "problem type" });
}

#[test]
fn node_out_of_range() {
    assert_eq!(refused(&format!("{HEAD}a 1 4 0 3 1\n"), Some(4)), K::NodeOutOfRange { field: "TO", node: 4, nodes: 3 });
    assert_eq!(
        refused(&format!("{HEAD}a 0 2 0 3 1\n"), Some(4)),
        K::NodeOutOfRange { field: "FROM", node: 0, nodes: 3 }
    );
    assert_eq!(
        refused(&format!("{HEAD}a -1 2 0 3 1\n"), Some(4)),
        K::NodeOutOfRange { field: "FROM", node: -1, nodes: 3 }
    );
    assert_eq!(refused(&format!("{HEAD}n 7 1\n"), Some(4)), K::NodeOutOfRange { field: "ID", node: 7, nodes: 3 });
}

#[test]
fn bounds() {
    assert_eq!(refused(&format!("{HEAD}a 1 2 4 3 1\n"), Some(4)), K::CapBelowLower { low: 4, cap: 3 });
    assert_eq!(refused(&format!("{HEAD}a 1 2 -1 3 1\n"), Some(4)), K::NegativeLower { low: -1 });
    let e = dimacs::parse(&format!("{HEAD}a 1 2 -1 3 1\n")).map(|_| ()).expect_err("negative LOW");
    assert_eq!(e.to_string(), "line 4: lower bound -1 is negative (DIMACS requires 0 <= LOW)");
}

#[test]
fn problem_line_missing_repeated_or_wrong() {
    assert_eq!(refused("c no problem yet\nn 1 3\n", Some(2)), K::MissingProblem);
    assert_eq!(refused("a 1 2 0 1 1\n", Some(1)), K::MissingProblem);
    assert_eq!(refused("c only comments\n\n", None), K::MissingProblem);
    assert_eq!(refused("", None), K::MissingProblem);
    assert_eq!(refused("p min 2 0\nc\np min 2 0\n", Some(3)), K::RepeatedProblem { first_line: 1 });
    assert_eq!(refused("p max 2 0\n", Some(1)), K::NotMin { token: "max".into() });
    assert_eq!(
        refused("p min -1 0\n", Some(1)),
        K::BadCount { field: "node count N", value: -1, max: i32::MAX as usize }
    );
    assert_eq!(
        refused("p min 2 -3\n", Some(1)),
        K::BadCount { field: "arc count M", value: -3, max: i32::MAX as usize }
    );
    assert_eq!(
        refused("p min 4294967296 0\n", Some(1)),
        K::BadCount { field: "node count N", value: 1 << 32, max: i32::MAX as usize }
    );
}

#[test]
fn repeated_node() {
    assert_eq!(refused(&format!("{HEAD}n 2 1\nc\nn 2 -1\n"), Some(6)), K::RepeatedNode { node: 2, first_line: 4 });
}

#[test]
fn arc_count_must_match() {
    let too_many = format!("{HEAD}a 1 2 0 1 1\na 2 3 0 1 1\na 3 1 0 1 1\n");
    assert_eq!(refused(&too_many, Some(6)), K::TooManyArcs { declared: 2 });
    let too_few = format!("{HEAD}a 1 2 0 1 1\nc the end\n");
    assert_eq!(refused(&too_few, None), K::TooFewArcs { declared: 2, found: 1 });
}

#[test]
fn comments_blank_lines_crlf_and_any_order_are_accepted() {
    let network =
        parse("\u{feff}c a comment\r\n\r\n   \r\np min 3 2\r\na 1 2 0 5 1\r\nn 1 2\r\n  c indented comment\r\na 2 3 0 5 1\r\nn 3 -2\r\n");
    assert_eq!((network.node_count(), network.arc_count()), (3, 2));
    assert_eq!(network.supplies(), &[2, 0, -2]);
    assert_eq!(solve(&network).expect("feasible").cost, 4);
}

#[test]
fn solution_prints_nonzero_flows_in_input_order() {
    let network = parse("p min 3 4\nn 1 3\nn 3 -3\na 2 3 0 9 1\na 1 3 0 1 5\na 1 2 0 9 1\na 3 3 0 4 -1\n");
    let solution = solve(&network).expect("feasible");
    assert_eq!(dimacs::solution_text(&network, &solution).to_string(), "s 2\nf 2 3 3\nf 1 2 3\nf 3 3 4\n");
    assert_eq!(dimacs::INFEASIBLE, "s infeasible");
}

#[test]
fn an_instance_prints_and_parses_back_unchanged() {
    let input = "p min 4 5\nn 1 4\nn 4 -4\na 1 2 0 4 2\na 1 3 1 2 -2\na 2 3 0 2 1\na 2 4 0 3 3\na 4 4 0 5 -1\n";
    let network = parse(input);
    let printed = dimacs::instance_text(&network).to_string();
    assert_eq!(printed, input);
    let again = parse(&printed);
    assert_eq!((again.supplies(), again.arcs()), (network.supplies(), network.arcs()));
}
