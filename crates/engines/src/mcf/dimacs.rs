//! The DIMACS minimum-cost-flow text format: parsing into a [`Network`] with line-numbered
//! errors, and printing a [`Solution`].
//!
//! Input, one descriptor per line, tokens separated by white space:
//! - `c …` a comment; blank lines are skipped too;
//! - `p min N M` the problem line, exactly once and before any `n` or `a` line: N nodes numbered
//!   `1..=N`, exactly M arcs;
//! - `n ID SUPPLY` a node's supply (positive: a source, negative: a demand); each node at most
//!   once, unlisted nodes have 0;
//! - `a FROM TO LOW CAP COST` an arc with `0 ≤ LOW ≤ CAP` (the DIMACS standard has no negative
//!   lower bounds, so LOW < 0 is refused); negative costs, parallel arcs and self-loops are
//!   allowed. Every number is a 64-bit signed integer.
//!
//! `n` and `a` lines may come in any order after the problem line (the standard puts nodes first;
//! accepting either costs nothing). Output: `s COST` and one `f FROM TO FLOW` line per arc with
//! nonzero flow, in input order; an infeasible instance is the single line `s infeasible`.
//!
//! Parsing is pure (`&str` in), so the CLI owns the reading and the engine stays free of I/O.

use super::{Network, NetworkError, NodeId, Solution, MAX_ARCS, MAX_NODES};
use std::collections::HashMap;
use std::fmt;
use std::num::IntErrorKind;

/// The line printed for an infeasible instance.
pub const INFEASIBLE: &str = "s infeasible";

/// A malformed input, located at a 1-based line or at the end of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number; `None` for a problem found at the end of the file.
    pub line: Option<usize>,
    pub kind: ParseErrorKind,
}

/// What is wrong with the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// A line that is not a comment and does not start with `p`, `n` or `a`.
    UnknownDescriptor { token: String },
    /// A descriptor with too few fields.
    MissingField { field: &'static str },
    /// A descriptor with a token after its last field.
    ExtraField { token: String },
    /// A field that is not a decimal integer.
    NotAnInteger { field: &'static str, token: String },
    /// A field outside the 64-bit signed range.
    OutOfRange64 { field: &'static str, token: String },
    /// A problem type other than `min`.
    NotMin { token: String },
    /// A node or arc count that is negative or above what the solver supports.
    BadCount { field: &'static str, value: i64, max: usize },
    /// A second `p` line.
    RepeatedProblem { first_line: usize },
    /// An `n` or `a` line before the `p` line (or, at the end of the file, no `p` line at all).
    MissingProblem,
    /// A node id outside `1..=N`.
    NodeOutOfRange { field: &'static str, node: i64, nodes: usize },
    /// A node given a supply twice.
    RepeatedNode { node: i64, first_line: usize },
    /// LOW < 0.
    NegativeLower { low: i64 },
    /// CAP < LOW.
    CapBelowLower { low: i64, cap: i64 },
    /// More `a` lines than the problem line declared.
    TooManyArcs { declared: usize },
    /// Fewer `a` lines than the problem line declared.
    TooFewArcs { declared: usize, found: usize },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.kind),
            None => write!(f, "end of file: {}", self.kind),
        }
    }
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownDescriptor { token } => {
                write!(f, "unknown line type `{token}` (expected `c`, `p`, `n` or `a`)")
            }
            Self::MissingField { field } => write!(f, "missing field {field}"),
            Self::ExtraField { token } => write!(f, "unexpected token `{token}` after the last field"),
            Self::NotAnInteger { field, token } => write!(f, "{field} `{token}` is not an integer"),
            Self::OutOfRange64 { field, token } => write!(f, "{field} `{token}` does not fit in 64 bits"),
            Self::NotMin { token } => write!(f, "problem type `{token}` is not supported (only `min`)"),
            Self::BadCount { field, value, max } => write!(f, "{field} {value} must be between 0 and {max}"),
            Self::RepeatedProblem { first_line } => {
                write!(f, "a second problem line (the first is on line {first_line})")
            }
            Self::MissingProblem => write!(f, "no problem line (`p min N M`) before this point"),
            Self::NodeOutOfRange { field, node, nodes } => {
                write!(f, "{field} node {node} is out of range (nodes are 1..={nodes})")
            }
            Self::RepeatedNode { node, first_line } => {
                write!(f, "node {node} is listed twice (first on line {first_line})")
            }
            Self::NegativeLower { low } => {
                write!(f, "lower bound {low} is negative (DIMACS requires 0 <= LOW)")
            }
            Self::CapBelowLower { low, cap } => write!(f, "capacity {cap} is below the lower bound {low}"),
            Self::TooManyArcs { declared } => {
                write!(f, "more arc lines than the {declared} declared on the problem line")
            }
            Self::TooFewArcs { declared, found } => {
                write!(f, "{found} arc lines, but the problem line declares {declared}")
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// The tokens of one descriptor line, read field by field.
struct Fields<'a> {
    tokens: std::str::SplitWhitespace<'a>,
}

impl<'a> Fields<'a> {
    fn word(&mut self, field: &'static str) -> Result<&'a str, ParseErrorKind> {
        self.tokens.next().ok_or(ParseErrorKind::MissingField { field })
    }

    fn int(&mut self, field: &'static str) -> Result<i64, ParseErrorKind> {
        let token = self.word(field)?;
        token.parse::<i64>().map_err(|e| match e.kind() {
            IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
                ParseErrorKind::OutOfRange64 { field, token: token.to_string() }
            }
            _ => ParseErrorKind::NotAnInteger { field, token: token.to_string() },
        })
    }

    fn end(mut self) -> Result<(), ParseErrorKind> {
        match self.tokens.next() {
            Some(token) => Err(ParseErrorKind::ExtraField { token: token.to_string() }),
            None => Ok(()),
        }
    }
}

/// The state between lines: the network once the problem line is read.
struct Problem {
    line: usize,
    network: Network,
    declared_arcs: usize,
    supplied: HashMap<usize, usize>,
}

/// Parse a DIMACS min-cost-flow instance. Arc `k` of the network (0-based) is the `k`-th `a`
/// line; node `i` (1-based in the file) is node index `i − 1`.
pub fn parse(text: &str) -> Result<Network, ParseError> {
    // A byte-order mark (as editors on Windows write) is not part of the first line.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut problem: Option<Problem> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let at = |kind| ParseError { line: Some(line), kind };
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('c') {
            continue;
        }
        let mut fields = Fields { tokens: trimmed.split_whitespace() };
        let descriptor = fields.word("descriptor").map_err(at)?;
        match descriptor {
            "p" => {
                if let Some(p) = &problem {
                    return Err(at(ParseErrorKind::RepeatedProblem { first_line: p.line }));
                }
                problem = Some(problem_line(fields, line).map_err(at)?);
            }
            "n" => {
                let p = problem.as_mut().ok_or_else(|| at(ParseErrorKind::MissingProblem))?;
                node_line(fields, line, p).map_err(at)?;
            }
            "a" => {
                let p = problem.as_mut().ok_or_else(|| at(ParseErrorKind::MissingProblem))?;
                arc_line(fields, p).map_err(at)?;
            }
            other => return Err(at(ParseErrorKind::UnknownDescriptor { token: other.to_string() })),
        }
    }
    let eof = |kind| ParseError { line: None, kind };
    let p = problem.ok_or_else(|| eof(ParseErrorKind::MissingProblem))?;
    if p.network.arc_count() != p.declared_arcs {
        return Err(eof(ParseErrorKind::TooFewArcs { declared: p.declared_arcs, found: p.network.arc_count() }));
    }
    Ok(p.network)
}

fn problem_line(mut fields: Fields<'_>, line: usize) -> Result<Problem, ParseErrorKind> {
    let kind = fields.word("problem type")?;
    if kind != "min" {
        return Err(ParseErrorKind::NotMin { token: kind.to_string() });
    }
    let count = |field, value: i64, max: usize| {
        usize::try_from(value).ok().filter(|&v| v <= max).ok_or(ParseErrorKind::BadCount { field, value, max })
    };
    let nodes = count("node count N", fields.int("node count N")?, MAX_NODES)?;
    let arcs = count("arc count M", fields.int("arc count M")?, MAX_ARCS)?;
    fields.end()?;
    let mut network = Network::new(nodes).map_err(|_| ParseErrorKind::BadCount {
        field: "node count N",
        value: nodes as i64,
        max: MAX_NODES,
    })?;
    // A bogus header must not reserve gigabytes before any arc is read.
    network.reserve_arcs(arcs.min(1 << 20));
    Ok(Problem { line, network, declared_arcs: arcs, supplied: HashMap::new() })
}

fn node(field: &'static str, id: i64, nodes: usize) -> Result<NodeId, ParseErrorKind> {
    match usize::try_from(id) {
        Ok(i) if (1..=nodes).contains(&i) => Ok(NodeId::new((i - 1) as u32)),
        _ => Err(ParseErrorKind::NodeOutOfRange { field, node: id, nodes }),
    }
}

fn node_line(mut fields: Fields<'_>, line: usize, p: &mut Problem) -> Result<(), ParseErrorKind> {
    let id = fields.int("node ID")?;
    let supply = fields.int("SUPPLY")?;
    fields.end()?;
    let v = node("ID", id, p.network.node_count())?;
    if let Some(&first_line) = p.supplied.get(&v.index()) {
        return Err(ParseErrorKind::RepeatedNode { node: id, first_line });
    }
    p.supplied.insert(v.index(), line);
    p.network.add_node_supply(v, supply).map_err(network_error)
}

fn arc_line(mut fields: Fields<'_>, p: &mut Problem) -> Result<(), ParseErrorKind> {
    let from = fields.int("FROM")?;
    let to = fields.int("TO")?;
    let low = fields.int("LOW")?;
    let cap = fields.int("CAP")?;
    let cost = fields.int("COST")?;
    fields.end()?;
    if p.network.arc_count() == p.declared_arcs {
        return Err(ParseErrorKind::TooManyArcs { declared: p.declared_arcs });
    }
    let nodes = p.network.node_count();
    let (u, v) = (node("FROM", from, nodes)?, node("TO", to, nodes)?);
    p.network.add_arc(u, v, low, cap, cost).map(|_| ()).map_err(network_error)
}

/// The builder's refusals, in the parser's words (range checks happen before, so only the bound
/// checks can reach here).
fn network_error(e: NetworkError) -> ParseErrorKind {
    match e {
        NetworkError::NegativeLower { low } => ParseErrorKind::NegativeLower { low },
        NetworkError::CapBelowLower { low, cap } => ParseErrorKind::CapBelowLower { low, cap },
        NetworkError::TooLarge { what, count, max } => {
            ParseErrorKind::BadCount { field: what, value: i64::try_from(count).unwrap_or(i64::MAX), max }
        }
        NetworkError::NodeOutOfRange { node, nodes } => {
            ParseErrorKind::NodeOutOfRange { field: "node", node: i64::try_from(node + 1).unwrap_or(i64::MAX), nodes }
        }
        // Each node's supply is read once onto 0, so it cannot accumulate past 64 bits.
        NetworkError::SupplyOverflow { node } => {
            ParseErrorKind::OutOfRange64 { field: "SUPPLY", token: format!("of node {}", node + 1) }
        }
    }
}

/// The network in DIMACS input form, written by its `Display`: `p min N M`, an `n` line per node
/// with nonzero supply, an `a` line per arc in order. [`parse`] reads it back to an equal
/// network; benchmarks use it to hand the same instance to other solvers.
#[derive(Debug, Clone, Copy)]
pub struct InstanceText<'a> {
    network: &'a Network,
}

/// See [`InstanceText`].
pub fn instance_text(network: &Network) -> InstanceText<'_> {
    InstanceText { network }
}

impl fmt::Display for InstanceText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "p min {} {}", self.network.node_count(), self.network.arc_count())?;
        for (v, &supply) in self.network.supplies().iter().enumerate() {
            if supply != 0 {
                writeln!(f, "n {} {supply}", v + 1)?;
            }
        }
        for a in self.network.arcs() {
            writeln!(f, "a {} {} {} {} {}", a.from.index() + 1, a.to.index() + 1, a.low, a.cap, a.cost)?;
        }
        Ok(())
    }
}

/// The solution in DIMACS output form, written by its `Display`: `s COST`, then
/// `f FROM TO FLOW` for each arc with nonzero flow, in input order, each line ending in `\n`.
/// Streaming through `Display` lets the caller write a million lines into a buffered writer
/// without building one string.
#[derive(Debug, Clone, Copy)]
pub struct SolutionText<'a> {
    network: &'a Network,
    solution: &'a Solution,
}

/// See [`SolutionText`].
pub fn solution_text<'a>(network: &'a Network, solution: &'a Solution) -> SolutionText<'a> {
    SolutionText { network, solution }
}

impl fmt::Display for SolutionText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "s {}", self.solution.cost)?;
        for (arc, &flow) in self.network.arcs().iter().zip(&self.solution.flows) {
            if flow != 0 {
                writeln!(f, "f {} {} {flow}", arc.from.index() + 1, arc.to.index() + 1)?;
            }
        }
        Ok(())
    }
}
