//! A bound on a query's size after fragment expansion, checked before any other work.
//!
//! Depth and complexity do not bound the work of a query whose fragments spread each other:
//! `fragment F0 on QueryRoot { ...F1 ...F1 }`, `F1 { ...F2 ...F2 }` … doubles the work per
//! level, and async-graphql's own checks (recursion depth, depth, complexity) walk every
//! expansion, so a 1.7 KB request asks for 2^40 visits before any limit answers. This check
//! counts the fields a document selects once its fragments are expanded, computing each
//! fragment's count once (memoised, saturating, cycle-safe), so its cost is linear in the size
//! of the text. It runs as a schema extension at `prepare_request`, before parsing's own
//! checks and validation, for every transport (HTTP and the WebSocket).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Request, ServerError, ServerResult};

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
        // A document that does not parse is left to the schema, which reports the error. One
        // that does is kept in the request, so it is parsed once.
        if let Ok(doc) = request.parsed_query() {
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
    fn cycles_and_unknown_fragments_do_not_loop() {
        assert_eq!(
            fields("{ ...A } fragment A on QueryRoot { __typename ...B } fragment B on QueryRoot { ...A }"),
            1
        );
        assert_eq!(fields("{ ...Missing __typename }"), 1);
    }

    /// The WebSocket endpoint runs requests as streams: the same extension refuses them there.
    #[tokio::test]
    async fn the_schema_refuses_a_bomb_on_every_transport() {
        use futures_util::StreamExt;
        let schema = crate::graphql::build_schema(None, 16, 1000, 2000);
        let resp = schema.execute(bomb(40)).await;
        assert!(resp.errors[0].message.contains(TOO_MANY_FIELDS), "{resp:?}");
        let mut stream = schema.execute_stream(bomb(40));
        let first = stream.next().await.unwrap();
        assert!(
            first.errors[0].message.contains(TOO_MANY_FIELDS),
            "{first:?}"
        );
        // Within the limit it runs.
        let ok = schema.execute(bomb(8)).await;
        assert!(ok.errors.is_empty(), "{ok:?}");
    }
}
