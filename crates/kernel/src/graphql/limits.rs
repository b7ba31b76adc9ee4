//! Checks of a request made once, before any other work, for every transport (HTTP and the
//! WebSocket): a bound on the query's size after fragment expansion, and the strings it
//! carries (arguments and variables).
//!
//! Depth and complexity do not bound the work of a query whose fragments spread each other:
//! `fragment F0 on QueryRoot { ...F1 ...F1 }`, `F1 { ...F2 ...F2 }` … doubles the work per
//! level, and async-graphql's own checks (recursion depth, depth, complexity) walk every
//! expansion, so a 1.7 KB request asks for 2^40 visits before any limit answers. This check
//! counts the fields a document selects once its fragments are expanded, computing each
//! fragment's count once (memoised, saturating, cycle-safe), so its cost is linear in the size
//! of the text. It runs as a schema extension at `prepare_request`, before parsing's own
//! checks and validation.
//!
//! Strings: PostgreSQL cannot store a NUL character in text (the insert failed as an internal
//! error, HTTP 500), and no field of ours needs one or a string longer than
//! [`MAX_STRING_BYTES`]; one check here refuses both as `VALIDATION`, naming the argument, for
//! every string of every operation, so that no resolver has to remember it.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Request, ServerError, ServerResult};
use async_graphql_value::{ConstValue, Value};
use mufakat_core::{AppError, FieldError};

/// The longest string accepted anywhere in a request (each field has its own, smaller limit
/// where it matters).
pub const MAX_STRING_BYTES: usize = 64 * 1024;

/// Fields `doc`'s operations select with every fragment expanded, saturating at `u64::MAX`.
/// A fragment that spreads itself (directly or not) counts as empty here; validation reports
/// the cycle.
pub fn expanded_fields(doc: &ExecutableDocument) -> u64 {
    let mut memo: HashMap<&str, Count> = HashMap::new();
    doc.operations
        .iter()
        .map(|(_, op)| count_set(doc, &op.node.selection_set.node, &mut memo))
        .fold(0u64, u64::saturating_add)
}

#[derive(Clone, Copy)]
enum Count {
    InProgress,
    Done(u64),
}

fn count_set<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    memo: &mut HashMap<&'a str, Count>,
) -> u64 {
    let mut total = 0u64;
    for item in &set.items {
        let n = match &item.node {
            Selection::Field(f) => {
                1u64.saturating_add(count_set(doc, &f.node.selection_set.node, memo))
            }
            Selection::InlineFragment(f) => count_set(doc, &f.node.selection_set.node, memo),
            Selection::FragmentSpread(s) => {
                let name = s.node.fragment_name.node.as_str();
                match memo.get(name) {
                    Some(Count::Done(n)) => *n,
                    Some(Count::InProgress) => 0,
                    None => match doc.fragments.get(&s.node.fragment_name.node) {
                        None => 0,
                        Some(fragment) => {
                            memo.insert(name, Count::InProgress);
                            let n = count_set(doc, &fragment.node.selection_set.node, memo);
                            memo.insert(name, Count::Done(n));
                            n
                        }
                    },
                }
            }
        };
        total = total.saturating_add(n);
    }
    total
}

/// The message [`crate::graphql::errors`] recognises (it gives the code `QUERY_TOO_LARGE`).
pub const TOO_MANY_FIELDS: &str = "too many fields";

/// The schema extension refusing documents over `max` expanded fields.
pub struct FieldBudget {
    pub max: u64,
}

impl ExtensionFactory for FieldBudget {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(FieldBudgetExtension { max: self.max })
    }
}

struct FieldBudgetExtension {
    max: u64,
}

#[async_trait::async_trait]
impl Extension for FieldBudgetExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        // Variables first: they need no parsing.
        for (name, value) in request.variables.iter() {
            if let Some(e) = bad_const_string(value) {
                return Err(string_error(name.as_str(), e));
            }
        }
        // A document that does not parse is left to the schema, which reports the error. One
        // that does is kept in the request, so it is parsed once.
        if let Ok(doc) = request.parsed_query() {
            if let Some((name, e)) = bad_document_string(doc) {
                return Err(string_error(&name, e));
            }
            let n = expanded_fields(doc);
            if n > self.max {
                return Err(ServerError::new(
                    format!(
                        "The query selects {TOO_MANY_FIELDS} once its fragments are expanded: \
                         {} (at most {})",
                        if n == u64::MAX {
                            "more than 2^64".to_owned()
                        } else {
                            n.to_string()
                        },
                        self.max
                    ),
                    None,
                ));
            }
        }
        next.run(ctx, request).await
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BadString {
    Nul,
    TooLong,
}

fn bad_str(s: &str) -> Option<BadString> {
    if s.len() > MAX_STRING_BYTES {
        Some(BadString::TooLong)
    } else if s.contains('\0') {
        Some(BadString::Nul)
    } else {
        None
    }
}

fn bad_const_string(v: &ConstValue) -> Option<BadString> {
    match v {
        ConstValue::String(s) => bad_str(s),
        ConstValue::Enum(n) => bad_str(n.as_str()),
        ConstValue::List(items) => items.iter().find_map(bad_const_string),
        ConstValue::Object(map) => map
            .iter()
            .find_map(|(k, v)| bad_str(k.as_str()).or_else(|| bad_const_string(v))),
        _ => None,
    }
}

fn bad_value_string(v: &Value) -> Option<BadString> {
    match v {
        Value::String(s) => bad_str(s),
        Value::List(items) => items.iter().find_map(bad_value_string),
        Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| bad_str(k.as_str()).or_else(|| bad_value_string(v))),
        _ => None,
    }
}

/// The first argument (by name) whose value holds a bad string, in the operations and the
/// fragments as written (each once: nothing is expanded).
fn bad_document_string(doc: &ExecutableDocument) -> Option<(String, BadString)> {
    fn in_set(set: &SelectionSet) -> Option<(String, BadString)> {
        for item in &set.items {
            let found = match &item.node {
                Selection::Field(f) => f
                    .node
                    .arguments
                    .iter()
                    .chain(
                        f.node
                            .directives
                            .iter()
                            .flat_map(|d| d.node.arguments.iter()),
                    )
                    .find_map(|(n, v)| bad_value_string(&v.node).map(|e| (n.node.to_string(), e)))
                    .or_else(|| in_set(&f.node.selection_set.node)),
                Selection::InlineFragment(f) => in_set(&f.node.selection_set.node),
                Selection::FragmentSpread(_) => None,
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
    doc.operations
        .iter()
        .find_map(|(_, op)| {
            op.node
                .variable_definitions
                .iter()
                .find_map(|d| {
                    d.node.default_value.as_ref().and_then(|v| {
                        bad_const_string(&v.node).map(|e| (d.node.name.node.to_string(), e))
                    })
                })
                .or_else(|| in_set(&op.node.selection_set.node))
        })
        .or_else(|| {
            doc.fragments
                .values()
                .find_map(|f| in_set(&f.node.selection_set.node))
        })
}

/// A `VALIDATION` error naming the argument or variable.
fn string_error(name: &str, e: BadString) -> ServerError {
    let field = match e {
        BadString::Nul => FieldError::new(
            name,
            "characters",
            "Teks tidak boleh berisi karakter NUL (\\0).",
            "Text must not contain the NUL character (\\0).",
        ),
        BadString::TooLong => FieldError::new(
            name,
            "max_length",
            format!("Teks terlalu panjang: paling banyak {MAX_STRING_BYTES} byte."),
            format!("The text is too long: at most {MAX_STRING_BYTES} bytes."),
        ),
    };
    let app = AppError::Validation(vec![field]);
    ServerError {
        message: app.to_string(),
        source: Some(Arc::new(app)),
        locations: vec![],
        path: vec![],
        extensions: None,
    }
}

/// `{ ...F0 }` where each of `levels` fragments spreads the next twice: 2^`levels` fields
/// (for tests, and to reproduce the attack).
pub fn bomb(levels: usize) -> String {
    let mut q = String::from("query { ...F0 }\n");
    for i in 0..levels {
        q.push_str(&format!(
            "fragment F{i} on QueryRoot {{ ...F{n} ...F{n} }}\n",
            n = i + 1
        ));
    }
    q.push_str(&format!(
        "fragment F{levels} on QueryRoot {{ __typename }}\n"
    ));
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(q: &str) -> u64 {
        expanded_fields(&async_graphql::parser::parse_query(q).unwrap())
    }

    #[test]
    fn fields_are_counted_with_fragments_expanded() {
        assert_eq!(fields("{ regions { id name } }"), 3);
        assert_eq!(
            fields("{ a: regions { ...R } b: regions { ...R } } fragment R on Region { id name }"),
            6
        );
        assert_eq!(fields("{ ... on QueryRoot { __typename } }"), 1);
        assert_eq!(
            fields("query A { __typename } query B { regions { id } }"),
            3
        );
    }

    #[test]
    fn a_fragment_bomb_is_counted_without_expanding_it() {
        assert_eq!(fields(&bomb(10)), 1 << 10);
        assert_eq!(fields(&bomb(40)), 1 << 40);
        // Past 2^64 the count saturates rather than overflowing.
        assert_eq!(fields(&bomb(70)), u64::MAX);
    }

    #[test]
    fn nul_characters_and_huge_strings_are_found_wherever_they_are() {
        let doc = |q: &str| async_graphql::parser::parse_query(q).unwrap();
        assert_eq!(bad_document_string(&doc("{ regions { name } }")), None);
        assert_eq!(
            bad_document_string(&doc(
                r#"{ a: login(username: "x\u0000", password: "p") { token } }"#
            )),
            Some(("username".into(), BadString::Nul))
        );
        assert_eq!(
            bad_document_string(&doc(
                r#"{ ...F } fragment F on QueryRoot { proposals(filter: { category: "a\u0000" }) { nodes { id } } }"#
            )),
            Some(("filter".into(), BadString::Nul))
        );
        let long = format!(
            r#"{{ regions(code: "{}") {{ name }} }}"#,
            "x".repeat(MAX_STRING_BYTES + 1)
        );
        assert_eq!(
            bad_document_string(&doc(&long)),
            Some(("code".into(), BadString::TooLong))
        );
        let v: ConstValue =
            serde_json::from_value(serde_json::json!({ "a": ["ok", { "b": "\u{0}" }] })).unwrap();
        assert_eq!(bad_const_string(&v), Some(BadString::Nul));
    }

    #[test]
    fn cycles_and_unknown_fragments_do_not_loop() {
        assert_eq!(
            fields("{ ...A } fragment A on QueryRoot { __typename ...B } fragment B on QueryRoot { ...A }"),
            1
        );
        assert_eq!(fields("{ ...Missing __typename }"), 1);
    }
}
