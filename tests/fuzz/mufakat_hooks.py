"""Schemathesis hooks for Mufakat's GraphQL API (loaded with SCHEMATHESIS_HOOKS=mufakat_hooks).

- Strategies for the custom scalars (Decimal, DateTime, NaiveDate, JSON).
- One check replaces schemathesis' default "any `errors` entry is a failure": Mufakat answers bad
  input with coded errors (VALIDATION, FORBIDDEN, ...) by design. What must never happen is a
  crash: an HTTP 5xx, an error without a `code`, or the code INTERNAL.
"""
import schemathesis
from hypothesis import strategies as st
from hypothesis_graphql import nodes

schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(min_value=-(10**15), max_value=10**15, places=2, allow_nan=False, allow_infinity=False).map(str),
        st.sampled_from(["0", "1e3", "-0.001", "12345678901234567890", "abc", ""]),
    ).map(nodes.String),
)
schemathesis.graphql.scalar(
    "DateTime",
    st.one_of(st.datetimes().map(lambda d: d.isoformat() + "Z"), st.sampled_from(["", "kemarin", "2026-13-40T99:00:00Z"])).map(nodes.String),
)
schemathesis.graphql.scalar(
    "NaiveDate",
    st.one_of(
        st.dates().map(lambda d: d.isoformat()),
        st.sampled_from(["", "besok", "2026-02-30", "+262142-12-31", "9999-12-31", "0001-01-01"]),
    ).map(nodes.String),
)
schemathesis.graphql.scalar("JSON", st.sampled_from(["{}", '{"a":1}', "[]", "null"]).map(nodes.String))


@schemathesis.check
def no_crash(ctx, response, case):
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:300]}")
    try:
        body = response.json()
    except Exception:
        raise AssertionError(f"not JSON: {response.text[:200]}")
    for err in body.get("errors") or []:
        code = (err.get("extensions") or {}).get("code")
        if not code:
            raise AssertionError(f"error without a code: {err}")
        if code == "INTERNAL":
            raise AssertionError(f"internal error: {err}")
