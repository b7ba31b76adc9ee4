//! Expected authorization decisions computed from the policy itself — casbin's `policy.csv`
//! with the accounts' grants, and the roles the workflow definitions give each transition —
//! rather than written by hand. The matrix tests compare the server's answers with these, and
//! the hand-written intent with the policy (so a drifting `policy.csv` or workflow file fails
//! a test too).

use mufakat_server::authz::Permission;
use mufakat_server::services::accounts::acting_as;

use crate::helpers::TestApp;

/// What decides whether an account may do something.
#[derive(Clone, Copy)]
pub enum Rule<'a> {
    /// A casbin permission on data of region `region` (an id): granted there or above.
    Policy(Permission, &'a str),
    /// The roles the workflow definition gives `transition` out of `state`, held in `region`
    /// or above; `owner` (an account) holds the role "owner".
    Transition {
        workflow: &'a str,
        transition: &'a str,
        state: &'a str,
        region: &'a str,
        owner: Option<&'a str>,
    },
    /// Starting a case of `workflow` in `region`: the definition's `start_roles`.
    Start { workflow: &'a str, region: &'a str },
}

/// Whether the policy lets `account` do what `rule` describes.
pub async fn allows(app: &TestApp, rule: Rule<'_>, account: &str) -> bool {
    let st = &app.state;
    let user = acting_as(st, account).await.expect("account exists");
    let path = |r: &str| {
        let id: i32 = r.parse().expect("region id");
        st.region_path(id)
    };
    match rule {
        Rule::Policy(perm, region) => {
            let path = path(region).await;
            st.authz.allowed(&user, &path, perm).unwrap()
        }
        Rule::Transition {
            workflow,
            transition,
            state,
            region,
            owner,
        } => {
            let d = st.workflows.latest(workflow).expect("deployed workflow");
            let t = d
                .def
                .transition_from(transition, state)
                .unwrap_or_else(|| panic!("{workflow}: no {transition} from {state}"));
            let held = st.authz.roles_in(&user, &path(region).await);
            t.roles.iter().any(|r| held.contains(r))
                || (owner == Some(account) && t.roles.iter().any(|r| r == "owner"))
        }
        Rule::Start { workflow, region } => {
            let d = st.workflows.latest(workflow).expect("deployed workflow");
            let held = st.authz.roles_in(&user, &path(region).await);
            d.def.start_roles.iter().any(|r| held.contains(r))
        }
    }
}

/// The accounts of `all` the policy allows, checked against the intended list `intended`.
pub async fn derive<'s>(
    app: &TestApp,
    name: &str,
    rule: Rule<'_>,
    all: &[&'s str],
    intended: &[&str],
) -> Vec<&'s str> {
    let mut allowed = vec![];
    for who in all {
        if allows(app, rule, who).await {
            allowed.push(*who);
        }
    }
    let mut want: Vec<&str> = intended.to_vec();
    want.sort();
    let mut got = allowed.clone();
    got.sort();
    assert_eq!(
        got, want,
        "{name}: the policy allows {got:?}, the intended list is {want:?}"
    );
    allowed
}
