//! The guard language: a small boolean expression over the instance's fields, the
//! transition's input and `now`.
//!
//! ```text
//! expr    := or
//! or      := and ("or" and)*
//! and     := not ("and" not)*
//! not     := "not" not | cmp
//! cmp     := operand (("==" | "!=" | "<" | "<=" | ">" | ">=") operand)?
//! operand := "(" expr ")" | "is_set" "(" path ")" | path | "now"
//!          | 'text' | "text" | number | true | false | null
//! path    := ("fields" | "input") "." name
//! ```
//! Parsed and type-checked when the definition loads; comparisons with an unset value are false
//! (except `== null` / `!= null`).

use std::cmp::Ordering;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::definition::{FieldDef, FieldType};
use crate::value::parse_datetime;

#[derive(Debug, Clone, PartialEq)]
pub struct Guard {
    pub source: String,
    pub(crate) expr: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp(Box<Expr>, Op, Box<Expr>),
    IsSet(Path),
    Path(Path),
    Now,
    Text(String),
    Number(Decimal),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Path {
    pub input: bool,
    pub name: String,
}

/// The static type of an operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Text,
    Number,
    Bool,
    Date,
    DateTime,
    Null,
}

impl Ty {
    fn of(ft: FieldType) -> Ty {
        match ft {
            FieldType::Text
            | FieldType::Region
            | FieldType::Opd
            | FieldType::Reference
            | FieldType::Enum => Ty::Text,
            FieldType::Decimal | FieldType::Integer => Ty::Number,
            FieldType::Boolean => Ty::Bool,
            FieldType::Date => Ty::Date,
            FieldType::DateTime => Ty::DateTime,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Op(Op),
    Ident(String),
    Dot,
    Str(String),
    Num(Decimal),
}

fn lex(s: &str) -> Result<(Vec<Tok>, Vec<usize>), (usize, String)> {
    let mut out = vec![];
    let mut at = vec![];
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                at.push(i);
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                at.push(i);
                out.push(Tok::RParen);
                i += 1
            }
            '.' => {
                at.push(i);
                out.push(Tok::Dot);
                i += 1
            }
            '=' | '!' | '<' | '>' => {
                let two = cs.get(i + 1) == Some(&'=');
                let op = match (c, two) {
                    ('=', true) => Op::Eq,
                    ('!', true) => Op::Ne,
                    ('<', true) => Op::Le,
                    ('>', true) => Op::Ge,
                    ('<', false) => Op::Lt,
                    ('>', false) => Op::Gt,
                    _ => return Err((i, format!("unexpected `{c}` (use `==` or `!=`)"))),
                };
                at.push(i);
                out.push(Tok::Op(op));
                i += if two { 2 } else { 1 };
            }
            '\'' | '"' => {
                let q = c;
                let mut j = i + 1;
                let mut text = String::new();
                while j < cs.len() && cs[j] != q {
                    text.push(cs[j]);
                    j += 1;
                }
                if j >= cs.len() {
                    return Err((i, "unterminated text literal".into()));
                }
                at.push(i);
                out.push(Tok::Str(text));
                i = j + 1;
            }
            c if c.is_ascii_digit()
                || (c == '-' && cs.get(i + 1).is_some_and(|d| d.is_ascii_digit())) =>
            {
                let mut j = i + 1;
                while j < cs.len()
                    && (cs[j].is_ascii_digit()
                        || (cs[j] == '.' && cs.get(j + 1).is_some_and(|d| d.is_ascii_digit())))
                {
                    j += 1;
                }
                let text: String = cs[i..j].iter().collect();
                at.push(i);
                out.push(Tok::Num(
                    Decimal::from_str(&text).map_err(|_| (i, format!("bad number `{text}`")))?,
                ));
                i = j;
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut j = i;
                while j < cs.len() && (cs[j].is_alphanumeric() || cs[j] == '_' || cs[j] == '-') {
                    j += 1;
                }
                at.push(i);
                out.push(Tok::Ident(cs[i..j].iter().collect()));
                i = j;
            }
            other => return Err((i, format!("unexpected character `{other}`"))),
        }
    }
    Ok((out, at))
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn keyword(&mut self, k: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Ident(s)) if s == k) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut l = self.and()?;
        while self.keyword("or") {
            l = Expr::Or(Box::new(l), Box::new(self.and()?));
        }
        Ok(l)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut l = self.not()?;
        while self.keyword("and") {
            l = Expr::And(Box::new(l), Box::new(self.not()?));
        }
        Ok(l)
    }
    fn not(&mut self) -> Result<Expr, String> {
        if self.keyword("not") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.cmp()
    }
    fn cmp(&mut self) -> Result<Expr, String> {
        let l = self.operand()?;
        if let Some(Tok::Op(op)) = self.peek().cloned() {
            self.pos += 1;
            let r = self.operand()?;
            return Ok(Expr::Cmp(Box::new(l), op, Box::new(r)));
        }
        Ok(l)
    }
    fn path(&mut self, root: &str) -> Result<Path, String> {
        if self.next() != Some(Tok::Dot) {
            return Err(format!("expected `.` after `{root}`"));
        }
        match self.next() {
            Some(Tok::Ident(name)) => Ok(Path {
                input: root == "input",
                name,
            }),
            _ => Err(format!("expected a name after `{root}.`")),
        }
    }
    fn operand(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::LParen) => {
                let e = self.or()?;
                if self.next() != Some(Tok::RParen) {
                    return Err("missing `)`".into());
                }
                Ok(e)
            }
            Some(Tok::Str(s)) => Ok(Expr::Text(s)),
            Some(Tok::Num(n)) => Ok(Expr::Number(n)),
            Some(Tok::Ident(id)) => match id.as_str() {
                "true" => Ok(Expr::Bool(true)),
                "false" => Ok(Expr::Bool(false)),
                "null" => Ok(Expr::Null),
                "now" => Ok(Expr::Now),
                "fields" | "input" => Ok(Expr::Path(self.path(&id)?)),
                "is_set" => {
                    if self.next() != Some(Tok::LParen) {
                        return Err("expected `(` after is_set".into());
                    }
                    let root = match self.next() {
                        Some(Tok::Ident(r)) if r == "fields" || r == "input" => r,
                        _ => return Err("is_set takes fields.NAME or input.NAME".into()),
                    };
                    let p = self.path(&root)?;
                    if self.next() != Some(Tok::RParen) {
                        return Err("missing `)` after is_set(...)".into());
                    }
                    Ok(Expr::IsSet(p))
                }
                other => Err(format!(
                    "unknown name `{other}` (use fields.NAME, input.NAME, now, is_set(...))"
                )),
            },
            Some(t) => Err(format!("unexpected {t:?}")),
            None => Err("the expression ends too early".into()),
        }
    }
}

impl Guard {
    /// Parses and type-checks. `field_type` resolves `fields.X` / `input.X` (bool = input).
    #[cfg(test)]
    pub(crate) fn parse(
        source: &str,
        field_type: &dyn Fn(bool, &str) -> Option<FieldDef>,
    ) -> Result<Guard, String> {
        Self::parse_located(source, field_type).map_err(|(_, m)| m)
    }

    /// Like `parse`, with the error's position: a character index into `source`.
    pub(crate) fn parse_located(
        source: &str,
        field_type: &dyn Fn(bool, &str) -> Option<FieldDef>,
    ) -> Result<Guard, (usize, String)> {
        let (toks, at) = lex(source)?;
        let end = source.chars().count();
        let mut p = Parser { toks, pos: 0 };
        let expr = p
            .or()
            .map_err(|m| (at.get(p.pos.saturating_sub(1)).copied().unwrap_or(end), m))?;
        if p.pos < p.toks.len() {
            return Err((
                at[p.pos],
                format!("unexpected {:?} after the expression", p.toks[p.pos]),
            ));
        }
        let t = type_of(&expr, field_type).map_err(|m| (locate(source, &m), m))?;
        if t != Ty::Bool {
            return Err((
                0,
                "a guard must be a condition (true or false), e.g. fields.amount > 0".into(),
            ));
        }
        Ok(Guard {
            source: source.to_owned(),
            expr,
        })
    }

    pub fn eval(
        &self,
        fields: &serde_json::Map<String, Value>,
        input: &serde_json::Map<String, Value>,
        now: DateTime<Utc>,
    ) -> bool {
        truthy(&eval(&self.expr, fields, input, now))
    }
}

/// Where a type error's subject is in the source: the name or literal it quotes.
fn locate(source: &str, msg: &str) -> usize {
    let quoted = |open: char, close: char| {
        msg.split_once(open)
            .and_then(|(_, r)| r.split_once(close))
            .map(|(q, _)| q.to_owned())
    };
    let candidates = [
        quoted('`', '`').map(|n| {
            if msg.contains("no input") {
                format!("input.{n}")
            } else {
                format!("fields.{n}")
            }
        }),
        quoted('\'', '\'').map(|l| format!("'{l}'")),
    ];
    for c in candidates.into_iter().flatten() {
        if let Some(b) = source.find(&c) {
            return source[..b].chars().count();
        }
    }
    0
}

fn type_of(e: &Expr, ft: &dyn Fn(bool, &str) -> Option<FieldDef>) -> Result<Ty, String> {
    Ok(match e {
        Expr::Or(a, b) | Expr::And(a, b) => {
            for x in [a, b] {
                if type_of(x, ft)? != Ty::Bool {
                    return Err("`and`/`or` join conditions, not values".into());
                }
            }
            Ty::Bool
        }
        Expr::Not(a) => {
            if type_of(a, ft)? != Ty::Bool {
                return Err("`not` needs a condition".into());
            }
            Ty::Bool
        }
        Expr::IsSet(p) => {
            resolve(p, ft)?;
            Ty::Bool
        }
        Expr::Path(p) => Ty::of(resolve(p, ft)?.ty),
        Expr::Now => Ty::DateTime,
        Expr::Text(_) => Ty::Text,
        Expr::Number(_) => Ty::Number,
        Expr::Bool(_) => Ty::Bool,
        Expr::Null => Ty::Null,
        Expr::Cmp(a, op, b) => {
            let (ta, tb) = (type_of(a, ft)?, type_of(b, ft)?);
            // A text literal against an enum must be one of its values; against a date, a date.
            for (x, y) in [(a, b), (b, a)] {
                if let (Expr::Path(p), Expr::Text(lit)) = (&**x, &**y) {
                    let d = resolve(p, ft)?;
                    if d.ty == FieldType::Enum && !d.values.contains(lit) {
                        return Err(format!(
                            "'{lit}' is not a value of `{}` (values: {})",
                            p.name,
                            d.values.join(", ")
                        ));
                    }
                    if matches!(d.ty, FieldType::Date | FieldType::DateTime)
                        && parse_datetime(&Value::String(lit.clone())).is_none()
                    {
                        return Err(format!(
                            "'{lit}' is not a date (YYYY-MM-DD) or RFC 3339 time"
                        ));
                    }
                }
            }
            let compatible = ta == tb
                || ta == Ty::Null
                || tb == Ty::Null
                || matches!(
                    (ta, tb),
                    (Ty::Date, Ty::DateTime)
                        | (Ty::DateTime, Ty::Date)
                        | (Ty::Date, Ty::Text)
                        | (Ty::Text, Ty::Date)
                );
            if !compatible {
                return Err(format!("cannot compare {ta:?} with {tb:?}").to_lowercase());
            }
            let ordered = !matches!(op, Op::Eq | Op::Ne);
            if ordered && (matches!(ta, Ty::Bool | Ty::Null) || matches!(tb, Ty::Bool | Ty::Null)) {
                return Err("`<`, `<=`, `>`, `>=` compare numbers, texts, dates or times".into());
            }
            Ty::Bool
        }
    })
}

fn resolve(p: &Path, ft: &dyn Fn(bool, &str) -> Option<FieldDef>) -> Result<FieldDef, String> {
    ft(p.input, &p.name).ok_or_else(|| {
        if p.input {
            format!("this transition has no input `{}`", p.name)
        } else {
            format!("unknown field `{}`", p.name)
        }
    })
}

fn eval(
    e: &Expr,
    f: &serde_json::Map<String, Value>,
    i: &serde_json::Map<String, Value>,
    now: DateTime<Utc>,
) -> Value {
    match e {
        Expr::Or(a, b) => Value::Bool(truthy(&eval(a, f, i, now)) || truthy(&eval(b, f, i, now))),
        Expr::And(a, b) => Value::Bool(truthy(&eval(a, f, i, now)) && truthy(&eval(b, f, i, now))),
        Expr::Not(a) => Value::Bool(!truthy(&eval(a, f, i, now))),
        Expr::IsSet(p) => Value::Bool(!lookup(p, f, i).is_null()),
        Expr::Path(p) => lookup(p, f, i),
        Expr::Now => Value::String(crate::value::format_datetime(now)),
        Expr::Text(s) => Value::String(s.clone()),
        Expr::Number(n) => Value::String(n.to_string()),
        Expr::Bool(b) => Value::Bool(*b),
        Expr::Null => Value::Null,
        Expr::Cmp(a, op, b) => {
            let (va, vb) = (eval(a, f, i, now), eval(b, f, i, now));
            let is_num = |x: &Expr| matches!(x, Expr::Number(_)) || matches!(x, Expr::Path(_));
            Value::Bool(compare(&va, *op, &vb, is_num(a) || is_num(b)))
        }
    }
}

fn lookup(
    p: &Path,
    f: &serde_json::Map<String, Value>,
    i: &serde_json::Map<String, Value>,
) -> Value {
    (if p.input { i } else { f })
        .get(&p.name)
        .cloned()
        .unwrap_or(Value::Null)
}

fn truthy(v: &Value) -> bool {
    matches!(v, Value::Bool(true))
}

fn compare(a: &Value, op: Op, b: &Value, _numeric_hint: bool) -> bool {
    if a.is_null() || b.is_null() {
        return match op {
            Op::Eq => a.is_null() && b.is_null(),
            Op::Ne => a.is_null() != b.is_null(),
            _ => false,
        };
    }
    let ord = ordering(a, b);
    match (op, ord) {
        (Op::Eq, o) => o == Some(Ordering::Equal),
        (Op::Ne, o) => o != Some(Ordering::Equal),
        (_, None) => false,
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
    }
}

fn ordering(a: &Value, b: &Value) -> Option<Ordering> {
    let num = |v: &Value| match v {
        Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
        Value::String(s) => Decimal::from_str(s).ok(),
        _ => None,
    };
    if let (Value::Bool(x), Value::Bool(y)) = (a, b) {
        return Some(x.cmp(y));
    }
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return Some(x.cmp(&y));
    }
    if let (Some(x), Some(y)) = (parse_datetime(a), parse_datetime(b)) {
        return Some(x.cmp(&y));
    }
    match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn types(input: bool, name: &str) -> Option<FieldDef> {
        let ty = match (input, name) {
            (false, "amount") => FieldType::Decimal,
            (false, "category") => FieldType::Enum,
            (false, "deadline") => FieldType::DateTime,
            (false, "opened") => FieldType::Date,
            (true, "approved") => FieldType::Boolean,
            (true, "reason") => FieldType::Text,
            _ => return None,
        };
        Some(FieldDef {
            ty,
            required: false,
            max_length: None,
            values: vec!["jalan".into(), "drainase".into()],
            title: String::new(),
            internal: false,
        })
    }

    fn g(s: &str) -> Guard {
        Guard::parse(s, &types).unwrap()
    }

    #[test]
    fn evaluates_conditions() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap();
        let f = json!({ "amount": "1500000.5", "category": "jalan", "deadline": "2026-11-20T00:00:00Z" });
        let f = f.as_object().unwrap();
        let i = json!({ "approved": true }).as_object().unwrap().clone();
        assert!(g("fields.amount > 1000000 and fields.category == 'jalan'").eval(f, &i, now));
        assert!(!g("fields.amount <= 1000000").eval(f, &i, now));
        assert!(g("fields.deadline < now").eval(f, &i, now));
        assert!(g("input.approved == true and not is_set(input.reason)").eval(f, &i, now));
        assert!(g("(fields.amount > 2000000) or input.approved").eval(f, &i, now));
        assert!(!g("input.reason != null").eval(f, &i, now));
        assert!(
            g("fields.category != 'drainase' and fields.amount == 1500000.50").eval(f, &i, now)
        );
        // Unset values: ordering comparisons are false, == null is true.
        assert!(!g("fields.opened < '2030-01-01'").eval(f, &i, now));
        assert!(g("fields.opened == null and not is_set(fields.opened)").eval(f, &i, now));
        // Exact decimals: 0.1 + 0.2 style rounding cannot bite.
        let f2 = json!({ "amount": "0.30000000000000000001" });
        assert!(g("fields.amount > 0.3").eval(f2.as_object().unwrap(), &i, now));
    }

    #[test]
    fn rejects_type_errors_and_unknown_names() {
        for (bad, why) in [
            ("fields.amount > 'banyak'", "cannot compare"),
            ("fields.nope == 1", "unknown field"),
            ("input.missing == 1", "no input"),
            ("fields.amount", "must be a condition"),
            ("fields.amount > ", "ends too early"),
            ("fields.amount = 3", "=="),
            ("input.approved > true", "compare numbers"),
            ("fields.category == 'jalann'", "not a value of `category`"),
            ("fields.opened > '24/11/2026'", "not a date"),
            ("fields.amount > 1 and", "ends too early"),
            ("is_set(amount)", "is_set takes"),
        ] {
            let e = Guard::parse(bad, &types).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
