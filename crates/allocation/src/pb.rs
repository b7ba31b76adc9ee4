//! Reading and writing Pabulib `.pb` files (<https://pabulib.org/format>).
//!
//! A `.pb` file is UTF-8 text with `;`-separated fields and three sections, `META`, `PROJECTS`
//! and `VOTES`, each followed by a header row. Fields may be quoted CSV-style (`"a ""b"" c"`).
//! Numbers (budget, costs, points) are read exactly as rationals: `308298.85` is
//! `30829885/100`, never a float.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::number::{format_number, parse_number, Rational};

/// What can go wrong reading a `.pb` file. Syntax errors name the 1-based line and column
/// (column = character position where the offending field starts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PbError {
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("cannot read {path}: {message}")]
    Io { path: String, message: String },
}

impl PbError {
    fn at(line: usize, column: usize, message: impl Into<String>) -> Self {
        PbError::Syntax {
            line,
            column,
            message: message.into(),
        }
    }
}

/// How voters expressed their preferences (`vote_type` in `META`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VoteType {
    Approval,
    Cumulative,
    Scoring,
    Ordinal,
    #[serde(rename = "choose-1")]
    Choose1,
}

impl VoteType {
    pub fn as_str(self) -> &'static str {
        match self {
            VoteType::Approval => "approval",
            VoteType::Cumulative => "cumulative",
            VoteType::Scoring => "scoring",
            VoteType::Ordinal => "ordinal",
            VoteType::Choose1 => "choose-1",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "approval" => VoteType::Approval,
            "cumulative" => VoteType::Cumulative,
            "scoring" => VoteType::Scoring,
            "ordinal" => VoteType::Ordinal,
            "choose-1" => VoteType::Choose1,
            _ => return None,
        })
    }
    /// Whether the `VOTES` section carries a `points` column with one number per voted project.
    pub fn has_points(self) -> bool {
        matches!(self, VoteType::Cumulative | VoteType::Scoring)
    }
}

/// One project (a row of `PROJECTS`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: String,
    pub cost: Rational,
    /// Values of [`Election::project_columns`], in the same order (raw text).
    pub extra: Vec<String>,
}

/// One ballot (a row of `VOTES`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub voter_id: String,
    /// Project ids in the order written in the file (for ordinal ballots: the ranking).
    pub projects: Vec<String>,
    /// One number per entry of `projects` for cumulative/scoring ballots; empty otherwise.
    pub points: Vec<Rational>,
    /// Values of [`Election::vote_columns`], in the same order (raw text).
    pub extra: Vec<String>,
}

/// A whole participatory-budgeting election as described by a `.pb` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Election {
    /// `META` entries in file order, except `budget` and `vote_type` (typed fields below).
    pub meta: Vec<(String, String)>,
    pub budget: Rational,
    pub vote_type: VoteType,
    /// Names of the `PROJECTS` columns other than `project_id` and `cost`.
    pub project_columns: Vec<String>,
    pub projects: Vec<Project>,
    /// Names of the `VOTES` columns other than `voter_id`, `vote` and `points`.
    pub vote_columns: Vec<String>,
    pub votes: Vec<Vote>,
}

impl Election {
    /// Value of a `META` key (other than `budget`/`vote_type`, which are typed fields).
    pub fn meta_value(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn project(&self, id: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.id == id)
    }

    /// Reads and parses a `.pb` file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Election, PbError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| PbError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        parse(&text)
    }

    /// Serialises to `.pb` text (see [`write`]).
    pub fn to_pb_string(&self) -> String {
        write(self)
    }
}

// ---------------------------------------------------------------------------------------------
// Tokenising: `;`-separated rows with CSV quoting, tracking line and column of every field.

#[derive(Debug)]
struct Field {
    text: String,
    column: usize,
}

#[derive(Debug)]
struct Row {
    line: usize,
    fields: Vec<Field>,
}

impl Row {
    fn get(&self, i: usize) -> Option<&str> {
        self.fields.get(i).map(|f| f.text.trim())
    }
    fn column(&self, i: usize) -> usize {
        self.fields
            .get(i)
            .map(|f| f.column)
            .or_else(|| {
                self.fields
                    .last()
                    .map(|f| f.column + f.text.chars().count() + 1)
            })
            .unwrap_or(1)
    }
    fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.text.trim().is_empty())
    }
}

/// Splits text into rows of fields. Quoting follows Python's `csv` module (which pabutools
/// uses): a field starting with `"` is quoted, `""` inside it is a literal quote, a quoted field
/// may span lines, and characters after the closing quote are kept literally.
fn tokenize(text: &str) -> Result<Vec<Row>, PbError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut rows = Vec::new();
    let mut li = 0;
    while li < lines.len() {
        let start_line = li + 1;
        let mut fields = Vec::new();
        let mut chars: Vec<char> = lines[li].chars().collect();
        let mut pos = 0;
        loop {
            // Start of a field at `pos`.
            let column = pos + 1;
            let mut text = String::new();
            if chars.get(pos) == Some(&'"') {
                pos += 1;
                loop {
                    match chars.get(pos) {
                        Some('"') if chars.get(pos + 1) == Some(&'"') => {
                            text.push('"');
                            pos += 2;
                        }
                        Some('"') => {
                            pos += 1;
                            break;
                        }
                        Some(&c) => {
                            text.push(c);
                            pos += 1;
                        }
                        None => {
                            // Quoted field continues on the next line.
                            li += 1;
                            if li >= lines.len() {
                                return Err(PbError::at(
                                    start_line,
                                    column,
                                    "quoted field is never closed (missing '\"')",
                                ));
                            }
                            text.push('\n');
                            chars = lines[li].chars().collect();
                            pos = 0;
                        }
                    }
                }
            }
            while let Some(&c) = chars.get(pos) {
                if c == ';' {
                    break;
                }
                text.push(c);
                pos += 1;
            }
            fields.push(Field { text, column });
            if chars.get(pos) == Some(&';') {
                pos += 1;
            } else {
                break;
            }
        }
        rows.push(Row {
            line: start_line,
            fields,
        });
        li += 1;
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// Parsing.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Section {
    Meta,
    Projects,
    Votes,
}

/// Parses `.pb` text. Every problem is reported with its line and column.
///
/// Leniencies (each documented in `docs/allocation.md`): a `META` section without its
/// `key;value` header row is accepted; spaces around ids in the `vote` column are ignored;
/// duplicate project ids within one ballot are kept as written (rules treat a ballot as a set).
pub fn parse(text: &str) -> Result<Election, PbError> {
    let rows = tokenize(text)?;
    let mut section: Option<Section> = None;
    let mut expect_header = false;
    let mut meta: Vec<(String, String)> = Vec::new();
    let mut budget: Option<(Rational, usize)> = None;
    let mut vote_type: Option<VoteType> = None;
    let mut meta_line = 1;
    let mut seen = [false; 3];

    let mut project_cols: Option<ProjectCols> = None;
    let mut projects: Vec<Project> = Vec::new();
    let mut project_index: HashMap<String, usize> = HashMap::new();
    let mut vote_cols: Option<VoteCols> = None;
    let mut votes: Vec<Vote> = Vec::new();

    for row in &rows {
        if row.is_blank() {
            continue;
        }
        let first = row.get(0).unwrap_or("");
        let marker = match first.to_ascii_lowercase().as_str() {
            "meta" => Some(Section::Meta),
            "projects" => Some(Section::Projects),
            "votes" => Some(Section::Votes),
            _ => None,
        };
        if let Some(s) = marker {
            if row.fields.len() == 1 || row.fields[1..].iter().all(|f| f.text.trim().is_empty()) {
                let idx = s as usize;
                if seen[idx] {
                    return Err(PbError::at(
                        row.line,
                        1,
                        format!("section {} appears twice", first.to_uppercase()),
                    ));
                }
                seen[idx] = true;
                if s == Section::Meta {
                    meta_line = row.line;
                }
                if s != Section::Meta && !seen[Section::Meta as usize] {
                    return Err(PbError::at(row.line, 1, "the META section must come first"));
                }
                if s == Section::Votes && !seen[Section::Projects as usize] {
                    return Err(PbError::at(
                        row.line,
                        1,
                        "the PROJECTS section must come before VOTES",
                    ));
                }
                if s != Section::Meta && vote_type.is_none() {
                    return Err(PbError::at(meta_line, 1, "META has no vote_type entry"));
                }
                section = Some(s);
                expect_header = true;
                continue;
            }
        }
        let Some(sec) = section else {
            return Err(PbError::at(
                row.line,
                1,
                format!("expected a section marker (META, PROJECTS or VOTES), found {first:?}"),
            ));
        };
        if expect_header {
            expect_header = false;
            match sec {
                Section::Meta => {
                    let is_header = first.eq_ignore_ascii_case("key")
                        && row.get(1).is_some_and(|v| v.eq_ignore_ascii_case("value"));
                    if is_header {
                        continue;
                    }
                    // Some published files omit the `key;value` header: treat the row as data.
                }
                Section::Projects => {
                    project_cols = Some(ProjectCols::from_header(row)?);
                    continue;
                }
                Section::Votes => {
                    vote_cols = Some(VoteCols::from_header(
                        row,
                        vote_type.expect("checked above"),
                    )?);
                    continue;
                }
            }
        }
        match sec {
            Section::Meta => {
                let key = first.to_string();
                // An unquoted value containing ';' is split by the tokenizer: join it back.
                let value = row.fields[1..]
                    .iter()
                    .map(|f| f.text.as_str())
                    .collect::<Vec<_>>()
                    .join(";")
                    .trim()
                    .to_string();
                if key.is_empty() {
                    return Err(PbError::at(row.line, 1, "empty META key"));
                }
                if meta.iter().any(|(k, _)| *k == key)
                    || (key == "budget" && budget.is_some())
                    || (key == "vote_type" && vote_type.is_some())
                {
                    return Err(PbError::at(
                        row.line,
                        1,
                        format!("META key {key:?} appears twice"),
                    ));
                }
                match key.as_str() {
                    "budget" => {
                        let b = parse_number(&value).map_err(|m| {
                            PbError::at(row.line, row.column(1), format!("invalid budget: {m}"))
                        })?;
                        if b < num_traits::Zero::zero() {
                            return Err(PbError::at(
                                row.line,
                                row.column(1),
                                "the budget must not be negative",
                            ));
                        }
                        budget = Some((Rational(b), row.line));
                    }
                    "vote_type" => {
                        vote_type = Some(VoteType::parse(&value).ok_or_else(|| {
                            PbError::at(row.line, row.column(1), format!("unknown vote_type {value:?} (expected approval, cumulative, scoring, ordinal or choose-1)"))
                        })?);
                    }
                    _ => meta.push((key, value)),
                }
            }
            Section::Projects => {
                let cols = project_cols.as_ref().expect("header parsed");
                let p = cols.parse_row(row)?;
                if project_index.insert(p.id.clone(), projects.len()).is_some() {
                    return Err(PbError::at(
                        row.line,
                        row.column(0),
                        format!("project id {:?} appears twice", p.id),
                    ));
                }
                projects.push(p);
            }
            Section::Votes => {
                let cols = vote_cols.as_ref().expect("header parsed");
                votes.push(cols.parse_row(row, &project_index, votes.len())?);
            }
        }
    }
    if !seen[Section::Meta as usize] {
        return Err(PbError::at(1, 1, "no META section"));
    }
    let Some((budget, _)) = budget else {
        return Err(PbError::at(meta_line, 1, "META has no budget entry"));
    };
    let Some(vote_type) = vote_type else {
        return Err(PbError::at(meta_line, 1, "META has no vote_type entry"));
    };
    if !seen[Section::Projects as usize] {
        return Err(PbError::at(rows.len().max(1), 1, "no PROJECTS section"));
    }
    if !seen[Section::Votes as usize] {
        return Err(PbError::at(rows.len().max(1), 1, "no VOTES section"));
    }
    Ok(Election {
        meta,
        budget,
        vote_type,
        project_columns: project_cols.map(|c| c.extra_names).unwrap_or_default(),
        projects,
        vote_columns: vote_cols.map(|c| c.extra_names).unwrap_or_default(),
        votes,
    })
}

fn header_names(row: &Row) -> Result<Vec<String>, PbError> {
    let names: Vec<String> = row
        .fields
        .iter()
        .map(|f| f.text.trim().to_string())
        .collect();
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(PbError::at(
                row.line,
                row.column(i),
                "empty column name in header row",
            ));
        }
        if names[..i].contains(n) {
            return Err(PbError::at(
                row.line,
                row.column(i),
                format!("column {n:?} appears twice in the header"),
            ));
        }
    }
    Ok(names)
}

struct ProjectCols {
    width: usize,
    cost: usize,
    /// (column index, name) of every other column.
    extra: Vec<usize>,
    extra_names: Vec<String>,
}

impl ProjectCols {
    fn from_header(row: &Row) -> Result<Self, PbError> {
        let names = header_names(row)?;
        if names[0] != "project_id" {
            return Err(PbError::at(
                row.line,
                1,
                format!(
                    "the PROJECTS header must start with project_id, found {:?}",
                    names[0]
                ),
            ));
        }
        let cost = names
            .iter()
            .position(|n| n == "cost")
            .ok_or_else(|| PbError::at(row.line, 1, "the PROJECTS header has no cost column"))?;
        let extra: Vec<usize> = (1..names.len()).filter(|&i| i != cost).collect();
        Ok(ProjectCols {
            width: names.len(),
            cost,
            extra_names: extra.iter().map(|&i| names[i].clone()).collect(),
            extra,
        })
    }

    fn parse_row(&self, row: &Row) -> Result<Project, PbError> {
        if row.fields.len() > self.width {
            return Err(PbError::at(
                row.line,
                row.column(self.width),
                format!(
                    "too many fields: the PROJECTS header has {} columns",
                    self.width
                ),
            ));
        }
        let id = row.get(0).unwrap_or("").to_string();
        if id.is_empty() {
            return Err(PbError::at(row.line, 1, "empty project_id"));
        }
        let cost_text = row.get(self.cost).ok_or_else(|| {
            PbError::at(
                row.line,
                row.column(self.cost),
                format!("project {id:?} has no cost"),
            )
        })?;
        let cost = parse_number(cost_text).map_err(|m| {
            PbError::at(
                row.line,
                row.column(self.cost),
                format!("invalid cost of project {id:?}: {m}"),
            )
        })?;
        if cost < num_traits::Zero::zero() {
            return Err(PbError::at(
                row.line,
                row.column(self.cost),
                format!("project {id:?} has a negative cost"),
            ));
        }
        Ok(Project {
            id,
            cost: Rational(cost),
            extra: self
                .extra
                .iter()
                .map(|&i| row.get(i).unwrap_or("").to_string())
                .collect(),
        })
    }
}

struct VoteCols {
    width: usize,
    voter_id: Option<usize>,
    vote: usize,
    points: Option<usize>,
    extra: Vec<usize>,
    extra_names: Vec<String>,
}

impl VoteCols {
    fn from_header(row: &Row, vote_type: VoteType) -> Result<Self, PbError> {
        let names = header_names(row)?;
        let find = |n: &str| names.iter().position(|x| x == n);
        let vote = find("vote")
            .ok_or_else(|| PbError::at(row.line, 1, "the VOTES header has no vote column"))?;
        let voter_id = find("voter_id");
        let points = if vote_type.has_points() {
            Some(find("points").ok_or_else(|| {
                PbError::at(
                    row.line,
                    1,
                    format!(
                        "vote_type {} needs a points column in VOTES",
                        vote_type.as_str()
                    ),
                )
            })?)
        } else {
            None
        };
        let extra: Vec<usize> = (0..names.len())
            .filter(|&i| Some(i) != voter_id && i != vote && Some(i) != points)
            .collect();
        Ok(VoteCols {
            width: names.len(),
            voter_id,
            vote,
            points,
            extra_names: extra.iter().map(|&i| names[i].clone()).collect(),
            extra,
        })
    }

    fn parse_row(
        &self,
        row: &Row,
        projects: &HashMap<String, usize>,
        index: usize,
    ) -> Result<Vote, PbError> {
        if row.fields.len() > self.width {
            return Err(PbError::at(
                row.line,
                row.column(self.width),
                format!(
                    "too many fields: the VOTES header has {} columns",
                    self.width
                ),
            ));
        }
        let voter_id = match self.voter_id {
            Some(i) => row.get(i).unwrap_or("").to_string(),
            None => (index + 1).to_string(),
        };
        if voter_id.is_empty() {
            return Err(PbError::at(
                row.line,
                row.column(self.voter_id.unwrap_or(0)),
                "empty voter_id",
            ));
        }
        let vote_text = row.get(self.vote).unwrap_or("");
        let vote_col = row.column(self.vote);
        let list = |text: &str| -> Vec<String> {
            if text.is_empty() || text.eq_ignore_ascii_case("none") {
                Vec::new()
            } else {
                text.split(',').map(|s| s.trim().to_string()).collect()
            }
        };
        let ids = list(vote_text);
        for id in &ids {
            if id.is_empty() {
                return Err(PbError::at(
                    row.line,
                    vote_col,
                    format!("voter {voter_id:?}: empty project id in vote {vote_text:?}"),
                ));
            }
            if !projects.contains_key(id) {
                return Err(PbError::at(
                    row.line,
                    vote_col,
                    format!("voter {voter_id:?} votes for unknown project {id:?}"),
                ));
            }
        }
        let mut points = Vec::new();
        if let Some(pi) = self.points {
            let points_text = row.get(pi).unwrap_or("");
            let pcol = row.column(pi);
            for p in list(points_text) {
                let v = parse_number(&p).map_err(|m| {
                    PbError::at(
                        row.line,
                        pcol,
                        format!("voter {voter_id:?}: invalid points: {m}"),
                    )
                })?;
                points.push(Rational(v));
            }
            if points.len() != ids.len() {
                return Err(PbError::at(
                    row.line,
                    pcol,
                    format!(
                        "voter {voter_id:?} lists {} projects but {} points",
                        ids.len(),
                        points.len()
                    ),
                ));
            }
        }
        Ok(Vote {
            voter_id,
            projects: ids,
            points,
            extra: self
                .extra
                .iter()
                .map(|&i| row.get(i).unwrap_or("").to_string())
                .collect(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Writing.

/// Quotes a field when needed so that [`parse`] (and Python's `csv`) read it back verbatim.
fn quote(s: &str) -> String {
    let needs = s.contains([';', '"', '\n', '\r']) || s.trim() != s;
    if needs {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn push_row<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    let mut first = true;
    for f in fields {
        if !first {
            out.push(';');
        }
        first = false;
        out.push_str(&quote(f));
    }
    out.push('\n');
}

/// Writes an election as `.pb` text. `budget` and `vote_type` are written right after
/// `num_votes` (or first, if there is no `num_votes`); numbers are written exactly (integers,
/// terminating decimals, otherwise `a/b`). `parse(&write(e)) == e` for every parsed election.
pub fn write(e: &Election) -> String {
    let mut out = String::from("META\nkey;value\n");
    let budget = format_number(&e.budget);
    let typed = [
        ("budget", budget.as_str()),
        ("vote_type", e.vote_type.as_str()),
    ];
    let anchor = e.meta.iter().position(|(k, _)| k == "num_votes");
    if anchor.is_none() {
        for (k, v) in typed {
            push_row(&mut out, [k, v]);
        }
    }
    for (i, (k, v)) in e.meta.iter().enumerate() {
        push_row(&mut out, [k.as_str(), v.as_str()]);
        if Some(i) == anchor {
            for (k, v) in typed {
                push_row(&mut out, [k, v]);
            }
        }
    }
    out.push_str("PROJECTS\n");
    push_row(
        &mut out,
        ["project_id", "cost"]
            .into_iter()
            .chain(e.project_columns.iter().map(String::as_str)),
    );
    for p in &e.projects {
        let cost = format_number(&p.cost);
        push_row(
            &mut out,
            [p.id.as_str(), cost.as_str()]
                .into_iter()
                .chain(p.extra.iter().map(String::as_str)),
        );
    }
    out.push_str("VOTES\n");
    let with_points = e.vote_type.has_points();
    let mut header = vec!["voter_id", "vote"];
    if with_points {
        header.push("points");
    }
    push_row(
        &mut out,
        header
            .into_iter()
            .chain(e.vote_columns.iter().map(String::as_str)),
    );
    for v in &e.votes {
        let vote = v.projects.join(",");
        let mut points = String::new();
        for (i, p) in v.points.iter().enumerate() {
            if i > 0 {
                points.push(',');
            }
            let _ = write!(points, "{}", format_number(p));
        }
        let mut fields = vec![v.voter_id.as_str(), vote.as_str()];
        if with_points {
            fields.push(points.as_str());
        }
        push_row(
            &mut out,
            fields.into_iter().chain(v.extra.iter().map(String::as_str)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "META\nkey;value\ndescription;Test\nnum_projects;3\nnum_votes;3\nbudget;100.50\nvote_type;cumulative\nPROJECTS\nproject_id;cost;votes;name\n1;50;2;\"Park; \"\"green\"\"\"\n2;60.25;2;Road\n10;10;1;Lamp\nVOTES\nvoter_id;vote;points;age\nv1;1,2;5,5;30\nv2;2;10;\nv3;1,10;3,7;41\n";

    fn syntax(e: PbError) -> (usize, usize, String) {
        match e {
            PbError::Syntax {
                line,
                column,
                message,
            } => (line, column, message),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn parses_sample() {
        let e = parse(SAMPLE).unwrap();
        assert_eq!(e.vote_type, VoteType::Cumulative);
        assert_eq!(e.budget.to_string(), "100.5");
        assert_eq!(e.projects.len(), 3);
        assert_eq!(e.projects[0].extra, vec!["2", "Park; \"green\""]);
        assert_eq!(e.projects[1].cost.to_string(), "60.25");
        assert_eq!(e.votes[2].projects, vec!["1", "10"]);
        assert_eq!(e.votes[2].points[1].to_string(), "7");
        assert_eq!(e.vote_columns, vec!["age"]);
        assert_eq!(e.meta_value("description"), Some("Test"));
    }

    #[test]
    fn round_trip() {
        let e = parse(SAMPLE).unwrap();
        let text = write(&e);
        let again = parse(&text).unwrap();
        assert_eq!(e, again);
        assert_eq!(write(&again), text);
    }

    #[test]
    fn all_vote_types_parse() {
        for (vt, votes) in [
            ("approval", "voter_id;vote\n1;a,b\n2;\n"),
            ("choose-1", "voter_id;vote\n1;a\n2;b\n"),
            ("ordinal", "voter_id;vote\n1;b,a\n"),
            ("scoring", "voter_id;vote;points\n1;a,b;3,-1\n"),
            ("cumulative", "voter_id;vote;points\n1;a,b;1,2\n"),
        ] {
            let text = format!("META\nkey;value\nbudget;10\nvote_type;{vt}\nPROJECTS\nproject_id;cost\na;5\nb;6\nVOTES\n{votes}");
            let e = parse(&text).unwrap_or_else(|err| panic!("{vt}: {err}"));
            assert_eq!(e.vote_type.as_str(), vt);
            assert_eq!(parse(&write(&e)).unwrap(), e);
        }
    }

    #[test]
    fn errors_name_line_and_column() {
        let bad_cost = "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;12x\nVOTES\nvoter_id;vote\n";
        let (l, c, m) = syntax(parse(bad_cost).unwrap_err());
        assert_eq!((l, c), (7, 3));
        assert!(m.contains("invalid cost"), "{m}");

        let unknown = "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;1\nVOTES\nvoter_id;vote\n7;a,zz\n";
        let (l, c, m) = syntax(parse(unknown).unwrap_err());
        assert_eq!((l, c), (10, 3));
        assert!(m.contains("unknown project \"zz\""), "{m}");

        let points = "META\nkey;value\nbudget;10\nvote_type;cumulative\nPROJECTS\nproject_id;cost\na;1\nb;1\nVOTES\nvoter_id;vote;points\n7;a,b;3\n";
        let (l, c, m) = syntax(parse(points).unwrap_err());
        assert_eq!((l, c), (11, 7));
        assert!(m.contains("2 projects but 1 points"), "{m}");

        let no_budget = "META\nkey;value\nvote_type;approval\nPROJECTS\nproject_id;cost\n";
        let (l, _, m) = syntax(parse(no_budget).unwrap_err());
        assert_eq!(l, 1);
        assert!(m.contains("budget"), "{m}");

        let unterminated = "META\nkey;value\nbudget;\"10\n";
        let (l, c, _) = syntax(parse(unterminated).unwrap_err());
        assert_eq!((l, c), (3, 8));

        let dup = "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;1\na;2\nVOTES\nvoter_id;vote\n";
        let (l, _, m) = syntax(parse(dup).unwrap_err());
        assert_eq!(l, 8);
        assert!(m.contains("twice"));
    }

    #[test]
    fn meta_without_header_row_and_bom() {
        let text = "\u{feff}META\ndescription;x\nbudget;5\nvote_type;approval\nPROJECTS\nproject_id;cost\na;1\nVOTES\nvoter_id;vote\n1;a\n";
        let e = parse(text).unwrap();
        assert_eq!(e.meta_value("description"), Some("x"));
    }

    #[test]
    fn quoted_field_spanning_lines() {
        let text = "META\nkey;value\nbudget;5\nvote_type;approval\nPROJECTS\nproject_id;cost;name\na;1;\"two\nlines\"\nVOTES\nvoter_id;vote\n1;a\n";
        let e = parse(text).unwrap();
        assert_eq!(e.projects[0].extra[0], "two\nlines");
        assert_eq!(parse(&write(&e)).unwrap(), e);
    }
}
