//! `carebridge solve-mcf` as a script runs it: DIMACS files written to a temporary directory (or
//! piped to standard input), the exact standard output, the exit code (0 solved, 3 infeasible,
//! 2 unusable input) and, for malformed input, the line number on standard error. The directory
//! is checked afterwards to prove the command opened no database.

mod common;

use common::{run, Output};
use std::path::Path;

/// The sample of the DIMACS format description; its optimum is 14 (see the engine's tests).
const SAMPLE: &str = "c the DIMACS sample\np min 4 5\nn 1 4\nn 4 -4\n\
                      a 1 2 0 4 2\na 1 3 0 2 2\na 2 3 0 2 1\na 2 4 0 3 3\na 3 4 0 5 1\n";

/// A temporary directory for one test.
fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("carebridge-mcf-test-").tempdir().expect("creating a temp dir")
}

/// Write `input` to `instance.min` in `dir` and run `solve-mcf` on it.
fn solve_file(dir: &Path, input: &str) -> Output {
    std::fs::write(dir.join("instance.min"), input).expect("writing the instance");
    run(dir, &["solve-mcf", "instance.min"], None)
}

fn solve(input: &str) -> Output {
    solve_file(temp_dir().path(), input)
}

/// Expect exit 2, nothing on standard output, and `line N:` (or `end of file:`) on standard error.
fn assert_malformed(input: &str, location: &str) {
    let out = solve(input).exit_code(2);
    assert_eq!(out.stdout, "", "{}", out.describe());
    assert!(out.stderr.contains(&format!("instance.min: {location}: ")), "expected `{location}:`\n{}", out.describe());
}

#[test]
fn prints_the_optimum_and_nonzero_flows_in_input_order() {
    let dir = temp_dir();
    let out = solve_file(dir.path(), SAMPLE).success();
    assert_eq!(out.stdout, "s 14\nf 1 2 2\nf 1 3 2\nf 2 3 2\nf 3 4 4\n", "{}", out.describe());
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("listing the directory")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, vec!["instance.min"], "solve-mcf must not create a database or any other file");
}

#[test]
fn negative_costs_lower_bounds_parallel_arcs_and_self_loops() {
    // 4 units from 1 to 2: 3 forced onto the lower-bounded arc (cost 10 each), 1 on the cheap
    // parallel arc, a negative cycle 2 → 3 → 2 saturated (cap 2, −1 per unit round), and a
    // self-loop at node 3 saturated: 30 + 1 − 2 − 5 = 24. The zero-flow arc prints nothing.
    let out = solve(
        "p min 3 6\nn 1 4\nn 2 -4\na 1 2 3 5 10\na 1 2 0 9 1\na 1 2 0 9 7\n\
         a 2 3 0 2 -2\na 3 2 0 5 1\na 3 3 0 5 -1\n",
    )
    .success();
    assert_eq!(out.stdout, "s 24\nf 1 2 3\nf 1 2 1\nf 2 3 2\nf 3 2 2\nf 3 3 5\n", "{}", out.describe());
}

#[test]
fn reads_standard_input_with_a_dash() {
    let dir = temp_dir();
    let out = run(dir.path(), &["solve-mcf", "-"], Some(SAMPLE)).success();
    assert!(out.stdout.starts_with("s 14\n"), "{}", out.describe());
}

#[test]
fn many_arcs_print_in_input_order() {
    // 2,000 independent unit arcs i → i + 2000 of cost i: every one carries 1.
    let k = 2000;
    let mut input = format!("p min {} {k}\n", 2 * k);
    for i in 1..=k {
        input.push_str(&format!("n {i} 1\nn {} -1\n", i + k));
    }
    for i in 1..=k {
        input.push_str(&format!("a {i} {} 0 1 {i}\n", i + k));
    }
    let out = solve(&input).success();
    let mut expected = format!("s {}\n", k * (k + 1) / 2);
    for i in 1..=k {
        expected.push_str(&format!("f {i} {} 1\n", i + k));
    }
    assert!(out.stdout == expected, "unexpected output\n{}", out.describe());
}

#[test]
fn unbalanced_supplies_print_infeasible_and_exit_3() {
    let out = solve("p min 2 1\nn 1 3\nn 2 -2\na 1 2 0 9 1\n").exit_code(3);
    assert_eq!(out.stdout, "s infeasible\n", "{}", out.describe());
    assert!(out.stderr.contains("sum to 1"), "{}", out.describe());
}

#[test]
fn unroutable_instance_prints_infeasible_and_exit_3() {
    let out = solve("p min 3 2\nn 1 3\nn 3 -3\na 1 2 0 9 1\na 2 3 0 2 1\n").exit_code(3);
    assert_eq!(out.stdout, "s infeasible\n", "{}", out.describe());
    assert!(out.stderr.contains("1 units of supply cannot be routed"), "{}", out.describe());
}

#[test]
fn malformed_input_exits_2_with_the_line_number() {
    assert_malformed("p min 2 1\nx 1 2\n", "line 2");
    assert_malformed("c\np min 2 1\na 1 2 0 five 1\n", "line 3");
    assert_malformed("p min 2 1\na 1 3 0 1 1\n", "line 2");
    assert_malformed("p min 2 1\n\na 1 2 4 3 1\n", "line 3");
    assert_malformed("p min 2 1\na 1 2 -1 3 1\n", "line 2");
    assert_malformed("c no problem line\nn 1 1\n", "line 2");
    assert_malformed("p min 2 1\np min 2 1\n", "line 2");
    assert_malformed("p max 2 1\n", "line 1");
    assert_malformed("p min 2 1\nn 1 1\nn 1 -1\n", "line 3");
    assert_malformed("p min 2 1\na 1 2 0 1 1\na 1 2 0 1 1\n", "line 3");
    assert_malformed("p min 2 2\na 1 2 0 1 1\n", "end of file");
    assert_malformed("c nothing here\n", "end of file");
}

#[test]
fn cost_beyond_64_bits_exits_2_naming_the_overflow() {
    let max = i64::MAX;
    let out = solve(&format!("p min 2 1\nn 1 {max}\nn 2 -{max}\na 1 2 0 {max} 2\n")).exit_code(2);
    assert_eq!(out.stdout, "", "{}", out.describe());
    assert!(out.stderr.contains("overflow: the optimal cost does not fit in 64 bits"), "{}", out.describe());
}

#[test]
fn unreadable_file_exits_2() {
    let dir = temp_dir();
    let out = run(dir.path(), &["solve-mcf", "missing.min"], None).exit_code(2);
    assert!(out.stderr.contains("cannot read missing.min"), "{}", out.describe());
    std::fs::write(dir.path().join("latin1.min"), b"c caf\xe9\np min 1 0\n").expect("writing");
    let out = run(dir.path(), &["solve-mcf", "latin1.min"], None).exit_code(2);
    assert!(out.stderr.contains("cannot read latin1.min"), "{}", out.describe());
}
