//! The authorization matrix: every API route × every role × a record inside
//! and outside the caller's reach → the answer PRODUCT.md ("Who uses it")
//! implies, as `src/domain/access.rs` spells it out.
//!
//! [`MATRIX`] is the table. Each role runs all of its rows against a fresh
//! demo company (one app per role and database, rows in table order, with
//! unique codes so that rows do not interfere); every mismatch is collected
//! and reported at the end, so one run shows them all.
//!
//! Adding a route without adding it here fails
//! `matrix_covers_exactly_the_documented_routes` (the OpenAPI document and
//! the table must list the same routes) and `matrix_has_every_role_and_target`
//! (every route has every role, and a route about a record has an inside and
//! an outside row for every signed-in role).
//!
//! Targets: for a manager (王建国, head of 华东大区 HD) "inside" is HD-SH /
//! E0015 and "outside" is HN-GZ / E0028 in 华南大区; for the salesperson
//! (张晓明, E0015 in HD-SH) "inside" is their own record and unit and
//! "outside" is a colleague (E0016) or another region's unit (HN-GZ). The
//! roles that read everything (admin, gm, sales_admin, hr) get the same rows
//! as the manager, where "outside" only matters for writes. "own" is the
//! caller's own unit or person record: nobody but admin and hr edits their
//! own record, and a manager may not rename the unit they head.
//!
//! Targets and actuals name their subject in the body: inside is E0016 (the
//! salesperson: their own E0015), outside E0028 (the salesperson: E0016),
//! own the caller's unit. The target table's subject is HD-SH (the
//! salesperson: E0015) inside and HN-GZ outside. Months to lock and reopen
//! are fresh for every case; inside a reopen finds its month locked,
//! outside it finds none.
//!
//! Monthly submissions name a unit and a month in the path: inside HD-SH
//! (the salesperson's own unit too), outside HN-GZ, own the caller's unit,
//! and a month of its own for every case. Inside, a return or an accept
//! finds the month submitted (by 王建国, the `manager`); outside the month
//! was never submitted.
//!
//! The table's files (.xlsx, CSV) are read like the table, their text
//! cells checked like an answer. Imports of targets and actuals upload a
//! one-row list naming the same subjects as PUT targets/actuals, in a
//! month of the case's own. Metrics belong to the whole company: a
//! metric's "inside" is one that exists (`calls`), "outside" a code that
//! does not.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use mubiao::domain::access::Actor;
use mubiao::domain::period::FiscalYear;
use mubiao::domain::role::Role;
use mubiao::storage::{accounts, figures, org, plans, submissions};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_databases;
use crate::common::{Client, TestApp};

/// Who calls: no credentials, or one of the six demo logins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Who {
    Anonymous,
    Admin,
    Gm,
    Manager,
    Sales,
    SalesAdmin,
    Hr,
}

use Who::{Admin, Anonymous, Gm, Hr, Manager, Sales, SalesAdmin};

impl Who {
    const ALL: [Who; 7] = [Anonymous, Admin, Gm, Manager, Sales, SalesAdmin, Hr];

    /// The demo login; anonymous callers sign in (the one thing they may
    /// do) as `gm`.
    fn username(self) -> &'static str {
        match self {
            Anonymous | Gm => "gm",
            Admin => "admin",
            Manager => "manager",
            Sales => "sales",
            SalesAdmin => "sales_admin",
            Hr => "hr",
        }
    }

    /// The caller's own unit and person record (admin is nobody).
    fn own(self) -> Option<(Record, Record)> {
        let (unit, unit_name, no, name) = match self {
            Anonymous | Admin => return None,
            Gm => ("HQ", "华信智能科技有限公司", "E0001", "陈志远"),
            Manager => ("HD", "华东大区", "E0002", "王建国"),
            Sales => ("HD-SH", "上海一组", "E0015", "张晓明"),
            SalesAdmin => ("HQ-SO", "销售管理部", "E0005", "孙丽娟"),
            Hr => ("HQ-HR", "人力资源部", "E0007", "吴静"),
        };
        Some((Record::named(unit, unit_name), Record::named(no, name)))
    }
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Anonymous => "anonymous",
            _ => self.username(),
        })
    }
}

/// Which record a row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Target {
    /// The route is not about a record (or the caller is anonymous).
    None,
    /// A record within the caller's reach.
    Inside,
    /// A record outside it.
    Outside,
    /// The caller's own unit or person record.
    Own,
}

const NONE: Target = Target::None;
const IN: Target = Target::Inside;
const OUT: Target = Target::Outside;
const OWN: Target = Target::Own;

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Target::None => "-",
            Target::Inside => "inside",
            Target::Outside => "outside",
            Target::Own => "own",
        })
    }
}

const GET: &str = "GET";
const POST: &str = "POST";
const PUT: &str = "PUT";
const PATCH: &str = "PATCH";
const DELETE: &str = "DELETE";

/// The answer shows the target record (its code, 工号, …).
const SHOWN: bool = true;
/// The answer does not show it: in particular, never its name.
const HIDDEN: bool = false;
/// No target record.
const NA: bool = false;

/// method, path as in the OpenAPI document, caller, target, expected
/// status, whether the answer shows the target record.
type Row = (&'static str, &'static str, Who, Target, u16, bool);

/// The matrix. Derived from `src/domain/access.rs` and the handlers:
/// records outside the caller's read reach answer 404 (they do not exist
/// for the caller), records the caller reads but may not change answer 403;
/// a unit outside one's reach named in a request body is an unknown unit
/// (422), like a unit that does not exist.
#[rustfmt::skip]
const MATRIX: &[Row] = &[
    // Signing in is public; a signed-in user may sign in again.
    (POST, "/api/v1/login", Anonymous, NONE, 200, NA),
    (POST, "/api/v1/login", Admin, NONE, 200, NA),
    (POST, "/api/v1/login", Gm, NONE, 200, NA),
    (POST, "/api/v1/login", Manager, NONE, 200, NA),
    (POST, "/api/v1/login", Sales, NONE, 200, NA),
    (POST, "/api/v1/login", SalesAdmin, NONE, 200, NA),
    (POST, "/api/v1/login", Hr, NONE, 200, NA),

    (POST, "/api/v1/logout", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/logout", Admin, NONE, 204, NA),
    (POST, "/api/v1/logout", Gm, NONE, 204, NA),
    (POST, "/api/v1/logout", Manager, NONE, 204, NA),
    (POST, "/api/v1/logout", Sales, NONE, 204, NA),
    (POST, "/api/v1/logout", SalesAdmin, NONE, 204, NA),
    (POST, "/api/v1/logout", Hr, NONE, 204, NA),

    (GET, "/api/v1/me", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/me", Admin, NONE, 200, NA),
    (GET, "/api/v1/me", Gm, NONE, 200, NA),
    (GET, "/api/v1/me", Manager, NONE, 200, NA),
    (GET, "/api/v1/me", Sales, NONE, 200, NA),
    (GET, "/api/v1/me", SalesAdmin, NONE, 200, NA),
    (GET, "/api/v1/me", Hr, NONE, 200, NA),

    // Everyone changes their own password (giving the current one).
    (PUT, "/api/v1/me/password", Anonymous, NONE, 401, NA),
    (PUT, "/api/v1/me/password", Admin, NONE, 204, NA),
    (PUT, "/api/v1/me/password", Gm, NONE, 204, NA),
    (PUT, "/api/v1/me/password", Manager, NONE, 204, NA),
    (PUT, "/api/v1/me/password", Sales, NONE, 204, NA),
    (PUT, "/api/v1/me/password", SalesAdmin, NONE, 204, NA),
    (PUT, "/api/v1/me/password", Hr, NONE, 204, NA),

    // Only admin resets others' passwords; for everyone else the route
    // does not exist. Inside: `sales` (E0015); outside: an account of E0028.
    (PUT, "/api/v1/users/{username}/password", Anonymous, NONE, 401, NA),
    (PUT, "/api/v1/users/{username}/password", Admin, IN, 204, HIDDEN),
    (PUT, "/api/v1/users/{username}/password", Admin, OUT, 204, HIDDEN),
    (PUT, "/api/v1/users/{username}/password", Gm, IN, 404, HIDDEN),
    (PUT, "/api/v1/users/{username}/password", Gm, OUT, 404, HIDDEN),
    (PUT, "/api/v1/users/{username}/password", Manager, IN, 404, HIDDEN),
    (PUT, "/api/v1/users/{username}/password", Manager, OUT, 404, HIDDEN),
    (PUT, "/api/v1/users/{username}/password", Sales, IN, 404, HIDDEN),
    (PUT, "/api/v1/users/{username}/password", Sales, OUT, 404, HIDDEN),
    (PUT, "/api/v1/users/{username}/password", SalesAdmin, IN, 404, HIDDEN),
    (PUT, "/api/v1/users/{username}/password", SalesAdmin, OUT, 404, HIDDEN),
    (PUT, "/api/v1/users/{username}/password", Hr, IN, 404, HIDDEN),
    (PUT, "/api/v1/users/{username}/password", Hr, OUT, 404, HIDDEN),

    // The unit list shows exactly the units in reach.
    (GET, "/api/v1/units", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/units", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/units", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/units", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/units", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/units", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/units", Manager, OUT, 200, HIDDEN),
    (GET, "/api/v1/units", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/units", Sales, OUT, 200, HIDDEN),
    (GET, "/api/v1/units", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/units", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/units", Hr, IN, 200, SHOWN),
    (GET, "/api/v1/units", Hr, OUT, 200, SHOWN),

    // A new unit under a parent inside / outside the caller's reach.
    (POST, "/api/v1/units", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/units", Admin, IN, 201, SHOWN),
    (POST, "/api/v1/units", Admin, OUT, 201, SHOWN),
    (POST, "/api/v1/units", Gm, IN, 403, HIDDEN),
    (POST, "/api/v1/units", Gm, OUT, 403, HIDDEN),
    (POST, "/api/v1/units", Manager, IN, 201, SHOWN),
    (POST, "/api/v1/units", Manager, OUT, 422, HIDDEN),
    (POST, "/api/v1/units", Sales, IN, 403, HIDDEN),
    (POST, "/api/v1/units", Sales, OUT, 422, HIDDEN),
    (POST, "/api/v1/units", SalesAdmin, IN, 403, HIDDEN),
    (POST, "/api/v1/units", SalesAdmin, OUT, 403, HIDDEN),
    (POST, "/api/v1/units", Hr, IN, 403, HIDDEN),
    (POST, "/api/v1/units", Hr, OUT, 403, HIDDEN),

    (GET, "/api/v1/units/{code}", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/units/{code}", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/units/{code}", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/units/{code}", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/units/{code}", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/units/{code}", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/units/{code}", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/units/{code}", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/units/{code}", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/units/{code}", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/units/{code}", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/units/{code}", Hr, IN, 200, SHOWN),
    (GET, "/api/v1/units/{code}", Hr, OUT, 200, SHOWN),

    // Renaming: admin anywhere, a manager below the unit they head.
    (PATCH, "/api/v1/units/{code}", Anonymous, NONE, 401, NA),
    (PATCH, "/api/v1/units/{code}", Admin, IN, 200, SHOWN),
    (PATCH, "/api/v1/units/{code}", Admin, OUT, 200, SHOWN),
    (PATCH, "/api/v1/units/{code}", Gm, IN, 403, HIDDEN),
    (PATCH, "/api/v1/units/{code}", Gm, OUT, 403, HIDDEN),
    (PATCH, "/api/v1/units/{code}", Gm, OWN, 403, HIDDEN),
    (PATCH, "/api/v1/units/{code}", Manager, IN, 200, SHOWN),
    (PATCH, "/api/v1/units/{code}", Manager, OUT, 404, HIDDEN),
    (PATCH, "/api/v1/units/{code}", Manager, OWN, 403, HIDDEN),
    (PATCH, "/api/v1/units/{code}", Sales, IN, 403, HIDDEN),
    (PATCH, "/api/v1/units/{code}", Sales, OUT, 404, HIDDEN),
    (PATCH, "/api/v1/units/{code}", Sales, OWN, 403, HIDDEN),
    (PATCH, "/api/v1/units/{code}", SalesAdmin, IN, 403, HIDDEN),
    (PATCH, "/api/v1/units/{code}", SalesAdmin, OUT, 403, HIDDEN),
    (PATCH, "/api/v1/units/{code}", SalesAdmin, OWN, 403, HIDDEN),
    (PATCH, "/api/v1/units/{code}", Hr, IN, 403, HIDDEN),
    (PATCH, "/api/v1/units/{code}", Hr, OUT, 403, HIDDEN),
    (PATCH, "/api/v1/units/{code}", Hr, OWN, 403, HIDDEN),

    // The people list shows exactly the people in reach.
    (GET, "/api/v1/people", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/people", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/people", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/people", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/people", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/people", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/people", Manager, OUT, 200, HIDDEN),
    (GET, "/api/v1/people", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/people", Sales, OUT, 200, HIDDEN),
    (GET, "/api/v1/people", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/people", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/people", Hr, IN, 200, SHOWN),
    (GET, "/api/v1/people", Hr, OUT, 200, SHOWN),

    // A new salesperson in a unit inside / outside the caller's reach.
    (POST, "/api/v1/people", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/people", Admin, IN, 201, SHOWN),
    (POST, "/api/v1/people", Admin, OUT, 201, SHOWN),
    (POST, "/api/v1/people", Gm, IN, 403, HIDDEN),
    (POST, "/api/v1/people", Gm, OUT, 403, HIDDEN),
    (POST, "/api/v1/people", Manager, IN, 201, SHOWN),
    (POST, "/api/v1/people", Manager, OUT, 422, HIDDEN),
    (POST, "/api/v1/people", Sales, IN, 403, HIDDEN),
    (POST, "/api/v1/people", Sales, OUT, 403, HIDDEN),
    (POST, "/api/v1/people", SalesAdmin, IN, 403, HIDDEN),
    (POST, "/api/v1/people", SalesAdmin, OUT, 403, HIDDEN),
    (POST, "/api/v1/people", Hr, IN, 201, SHOWN),
    (POST, "/api/v1/people", Hr, OUT, 201, SHOWN),

    (GET, "/api/v1/people/{employee_no}", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/people/{employee_no}", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/people/{employee_no}", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/people/{employee_no}", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/people/{employee_no}", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/people/{employee_no}", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/people/{employee_no}", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/people/{employee_no}", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/people/{employee_no}", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/people/{employee_no}", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/people/{employee_no}", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/people/{employee_no}", Hr, IN, 200, SHOWN),
    (GET, "/api/v1/people/{employee_no}", Hr, OUT, 200, SHOWN),

    // Changing a person: admin and hr anywhere (their own record too), a
    // manager in their subtree except themselves.
    (PATCH, "/api/v1/people/{employee_no}", Anonymous, NONE, 401, NA),
    (PATCH, "/api/v1/people/{employee_no}", Admin, IN, 200, SHOWN),
    (PATCH, "/api/v1/people/{employee_no}", Admin, OUT, 200, SHOWN),
    (PATCH, "/api/v1/people/{employee_no}", Gm, IN, 403, HIDDEN),
    (PATCH, "/api/v1/people/{employee_no}", Gm, OUT, 403, HIDDEN),
    (PATCH, "/api/v1/people/{employee_no}", Gm, OWN, 403, HIDDEN),
    (PATCH, "/api/v1/people/{employee_no}", Manager, IN, 200, SHOWN),
    (PATCH, "/api/v1/people/{employee_no}", Manager, OUT, 404, HIDDEN),
    (PATCH, "/api/v1/people/{employee_no}", Manager, OWN, 403, HIDDEN),
    (PATCH, "/api/v1/people/{employee_no}", Sales, IN, 403, HIDDEN),
    (PATCH, "/api/v1/people/{employee_no}", Sales, OUT, 404, HIDDEN),
    (PATCH, "/api/v1/people/{employee_no}", Sales, OWN, 403, HIDDEN),
    (PATCH, "/api/v1/people/{employee_no}", SalesAdmin, IN, 403, HIDDEN),
    (PATCH, "/api/v1/people/{employee_no}", SalesAdmin, OUT, 403, HIDDEN),
    (PATCH, "/api/v1/people/{employee_no}", SalesAdmin, OWN, 403, HIDDEN),
    (PATCH, "/api/v1/people/{employee_no}", Hr, IN, 200, SHOWN),
    (PATCH, "/api/v1/people/{employee_no}", Hr, OUT, 200, SHOWN),
    (PATCH, "/api/v1/people/{employee_no}", Hr, OWN, 200, SHOWN),

    // A one-row import into a unit inside / outside the caller's reach;
    // the answer is counts only.
    (POST, "/api/v1/import/people", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/import/people", Admin, IN, 200, HIDDEN),
    (POST, "/api/v1/import/people", Admin, OUT, 200, HIDDEN),
    (POST, "/api/v1/import/people", Gm, IN, 403, HIDDEN),
    (POST, "/api/v1/import/people", Gm, OUT, 403, HIDDEN),
    (POST, "/api/v1/import/people", Manager, IN, 200, HIDDEN),
    (POST, "/api/v1/import/people", Manager, OUT, 422, HIDDEN),
    (POST, "/api/v1/import/people", Sales, IN, 403, HIDDEN),
    (POST, "/api/v1/import/people", Sales, OUT, 403, HIDDEN),
    (POST, "/api/v1/import/people", SalesAdmin, IN, 403, HIDDEN),
    (POST, "/api/v1/import/people", SalesAdmin, OUT, 403, HIDDEN),
    (POST, "/api/v1/import/people", Hr, IN, 200, HIDDEN),
    (POST, "/api/v1/import/people", Hr, OUT, 200, HIDDEN),

    // Targets: admin and gm anywhere (published at once), a manager in
    // their own subtree, their own unit included (inside: E0016 in HD-SH;
    // own: their unit) — as a draft of their unit's plan, published once
    // approved. A subject outside one's read reach is unknown (422);
    // without any target reach the answer is 403 before the body is looked
    // at. The answer is counts and plan versions only.
    (PUT, "/api/v1/targets", Anonymous, NONE, 401, NA),
    (PUT, "/api/v1/targets", Admin, IN, 200, HIDDEN),
    (PUT, "/api/v1/targets", Admin, OUT, 200, HIDDEN),
    (PUT, "/api/v1/targets", Gm, IN, 200, HIDDEN),
    (PUT, "/api/v1/targets", Gm, OUT, 200, HIDDEN),
    (PUT, "/api/v1/targets", Gm, OWN, 200, HIDDEN),
    (PUT, "/api/v1/targets", Manager, IN, 200, HIDDEN),
    (PUT, "/api/v1/targets", Manager, OUT, 422, HIDDEN),
    (PUT, "/api/v1/targets", Manager, OWN, 200, HIDDEN),
    (PUT, "/api/v1/targets", Sales, IN, 403, HIDDEN),
    (PUT, "/api/v1/targets", Sales, OUT, 403, HIDDEN),
    (PUT, "/api/v1/targets", Sales, OWN, 403, HIDDEN),
    (PUT, "/api/v1/targets", SalesAdmin, IN, 403, HIDDEN),
    (PUT, "/api/v1/targets", SalesAdmin, OUT, 403, HIDDEN),
    (PUT, "/api/v1/targets", SalesAdmin, OWN, 403, HIDDEN),
    (PUT, "/api/v1/targets", Hr, IN, 403, HIDDEN),
    (PUT, "/api/v1/targets", Hr, OUT, 403, HIDDEN),
    (PUT, "/api/v1/targets", Hr, OWN, 403, HIDDEN),

    // Actuals: admin, gm and sales_admin anywhere, a manager in their
    // subtree, their own unit included.
    (PUT, "/api/v1/actuals", Anonymous, NONE, 401, NA),
    (PUT, "/api/v1/actuals", Admin, IN, 200, HIDDEN),
    (PUT, "/api/v1/actuals", Admin, OUT, 200, HIDDEN),
    (PUT, "/api/v1/actuals", Gm, IN, 200, HIDDEN),
    (PUT, "/api/v1/actuals", Gm, OUT, 200, HIDDEN),
    (PUT, "/api/v1/actuals", Gm, OWN, 200, HIDDEN),
    (PUT, "/api/v1/actuals", Manager, IN, 200, HIDDEN),
    (PUT, "/api/v1/actuals", Manager, OUT, 422, HIDDEN),
    (PUT, "/api/v1/actuals", Manager, OWN, 200, HIDDEN),
    (PUT, "/api/v1/actuals", Sales, IN, 403, HIDDEN),
    (PUT, "/api/v1/actuals", Sales, OUT, 403, HIDDEN),
    (PUT, "/api/v1/actuals", Sales, OWN, 403, HIDDEN),
    (PUT, "/api/v1/actuals", SalesAdmin, IN, 200, HIDDEN),
    (PUT, "/api/v1/actuals", SalesAdmin, OUT, 200, HIDDEN),
    (PUT, "/api/v1/actuals", SalesAdmin, OWN, 200, HIDDEN),
    (PUT, "/api/v1/actuals", Hr, IN, 403, HIDDEN),
    (PUT, "/api/v1/actuals", Hr, OUT, 403, HIDDEN),
    (PUT, "/api/v1/actuals", Hr, OWN, 403, HIDDEN),

    // The target table follows the read reach of units and people:
    // inside HD-SH (the salesperson: their own E0015), outside HN-GZ.
    (GET, "/api/v1/table", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/table", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/table", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/table", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/table", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/table", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/table", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/table", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/table", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/table", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/table", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/table", Hr, IN, 200, SHOWN),
    (GET, "/api/v1/table", Hr, OUT, 200, SHOWN),

    // The records behind a computed figure follow the table's reach.
    (GET, "/api/v1/table/sources", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/table/sources", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/table/sources", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/table/sources", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/table/sources", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/table/sources", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/table/sources", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/table/sources", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/table/sources", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/table/sources", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/table/sources", SalesAdmin, OUT, 200, SHOWN),
    // HR reads every table but no customer's orders behind it.
    (GET, "/api/v1/table/sources", Hr, IN, 404, HIDDEN),
    (GET, "/api/v1/table/sources", Hr, OUT, 404, HIDDEN),

    // The target table as files follows the same reach; outside, the
    // answer is 404 and never names the subject.
    (GET, "/api/v1/table.xlsx", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/table.xlsx", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/table.xlsx", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/table.xlsx", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/table.xlsx", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/table.xlsx", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/table.xlsx", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/table.xlsx", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/table.xlsx", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/table.xlsx", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/table.xlsx", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/table.xlsx", Hr, IN, 200, SHOWN),
    (GET, "/api/v1/table.xlsx", Hr, OUT, 200, SHOWN),

    (GET, "/api/v1/table.csv", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/table.csv", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/table.csv", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/table.csv", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/table.csv", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/table.csv", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/table.csv", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/table.csv", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/table.csv", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/table.csv", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/table.csv", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/table.csv", Hr, IN, 200, SHOWN),
    (GET, "/api/v1/table.csv", Hr, OUT, 200, SHOWN),

    // Importing targets and actuals from a file (a one-row list, in a
    // month of its own) follows PUT /api/v1/targets and /api/v1/actuals:
    // without any write reach for the measure the answer is 403 before
    // the file is read; a subject outside one's read reach is unknown
    // (422). The answer is counts only.
    (POST, "/api/v1/import/targets", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/import/targets", Admin, IN, 200, HIDDEN),
    (POST, "/api/v1/import/targets", Admin, OUT, 200, HIDDEN),
    (POST, "/api/v1/import/targets", Gm, IN, 200, HIDDEN),
    (POST, "/api/v1/import/targets", Gm, OUT, 200, HIDDEN),
    (POST, "/api/v1/import/targets", Gm, OWN, 200, HIDDEN),
    (POST, "/api/v1/import/targets", Manager, IN, 200, HIDDEN),
    (POST, "/api/v1/import/targets", Manager, OUT, 422, HIDDEN),
    (POST, "/api/v1/import/targets", Manager, OWN, 200, HIDDEN),
    (POST, "/api/v1/import/targets", Sales, IN, 403, HIDDEN),
    (POST, "/api/v1/import/targets", Sales, OUT, 403, HIDDEN),
    (POST, "/api/v1/import/targets", Sales, OWN, 403, HIDDEN),
    (POST, "/api/v1/import/targets", SalesAdmin, IN, 403, HIDDEN),
    (POST, "/api/v1/import/targets", SalesAdmin, OUT, 403, HIDDEN),
    (POST, "/api/v1/import/targets", SalesAdmin, OWN, 403, HIDDEN),
    (POST, "/api/v1/import/targets", Hr, IN, 403, HIDDEN),
    (POST, "/api/v1/import/targets", Hr, OUT, 403, HIDDEN),
    (POST, "/api/v1/import/targets", Hr, OWN, 403, HIDDEN),

    (POST, "/api/v1/import/actuals", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/import/actuals", Admin, IN, 200, HIDDEN),
    (POST, "/api/v1/import/actuals", Admin, OUT, 200, HIDDEN),
    (POST, "/api/v1/import/actuals", Gm, IN, 200, HIDDEN),
    (POST, "/api/v1/import/actuals", Gm, OUT, 200, HIDDEN),
    (POST, "/api/v1/import/actuals", Gm, OWN, 200, HIDDEN),
    (POST, "/api/v1/import/actuals", Manager, IN, 200, HIDDEN),
    (POST, "/api/v1/import/actuals", Manager, OUT, 422, HIDDEN),
    (POST, "/api/v1/import/actuals", Manager, OWN, 200, HIDDEN),
    (POST, "/api/v1/import/actuals", Sales, IN, 403, HIDDEN),
    (POST, "/api/v1/import/actuals", Sales, OUT, 403, HIDDEN),
    (POST, "/api/v1/import/actuals", Sales, OWN, 403, HIDDEN),
    (POST, "/api/v1/import/actuals", SalesAdmin, IN, 200, HIDDEN),
    (POST, "/api/v1/import/actuals", SalesAdmin, OUT, 200, HIDDEN),
    (POST, "/api/v1/import/actuals", SalesAdmin, OWN, 200, HIDDEN),
    (POST, "/api/v1/import/actuals", Hr, IN, 403, HIDDEN),
    (POST, "/api/v1/import/actuals", Hr, OUT, 403, HIDDEN),
    (POST, "/api/v1/import/actuals", Hr, OWN, 403, HIDDEN),

    // Splitting a target (目标分解) and the growth helper follow PUT
    // /api/v1/targets: the subject in the body (`from.subject`, `subject`)
    // is inside / outside / own as there; a manager's split is a draft of
    // their plan, so their own unit is allowed. The answer names the parts.
    (POST, "/api/v1/targets/split", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/targets/split", Admin, IN, 200, SHOWN),
    (POST, "/api/v1/targets/split", Admin, OUT, 200, SHOWN),
    (POST, "/api/v1/targets/split", Gm, IN, 200, SHOWN),
    (POST, "/api/v1/targets/split", Gm, OUT, 200, SHOWN),
    (POST, "/api/v1/targets/split", Gm, OWN, 200, SHOWN),
    (POST, "/api/v1/targets/split", Manager, IN, 200, SHOWN),
    (POST, "/api/v1/targets/split", Manager, OUT, 422, HIDDEN),
    (POST, "/api/v1/targets/split", Manager, OWN, 200, SHOWN),
    (POST, "/api/v1/targets/split", Sales, IN, 403, HIDDEN),
    (POST, "/api/v1/targets/split", Sales, OUT, 403, HIDDEN),
    (POST, "/api/v1/targets/split", Sales, OWN, 403, HIDDEN),
    (POST, "/api/v1/targets/split", SalesAdmin, IN, 403, HIDDEN),
    (POST, "/api/v1/targets/split", SalesAdmin, OUT, 403, HIDDEN),
    (POST, "/api/v1/targets/split", SalesAdmin, OWN, 403, HIDDEN),
    (POST, "/api/v1/targets/split", Hr, IN, 403, HIDDEN),
    (POST, "/api/v1/targets/split", Hr, OUT, 403, HIDDEN),
    (POST, "/api/v1/targets/split", Hr, OWN, 403, HIDDEN),

    (POST, "/api/v1/targets/growth", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/targets/growth", Admin, IN, 200, SHOWN),
    (POST, "/api/v1/targets/growth", Admin, OUT, 200, SHOWN),
    (POST, "/api/v1/targets/growth", Gm, IN, 200, SHOWN),
    (POST, "/api/v1/targets/growth", Gm, OUT, 200, SHOWN),
    (POST, "/api/v1/targets/growth", Gm, OWN, 200, SHOWN),
    (POST, "/api/v1/targets/growth", Manager, IN, 200, SHOWN),
    (POST, "/api/v1/targets/growth", Manager, OUT, 422, HIDDEN),
    (POST, "/api/v1/targets/growth", Manager, OWN, 200, SHOWN),
    (POST, "/api/v1/targets/growth", Sales, IN, 403, HIDDEN),
    (POST, "/api/v1/targets/growth", Sales, OUT, 403, HIDDEN),
    (POST, "/api/v1/targets/growth", Sales, OWN, 403, HIDDEN),
    (POST, "/api/v1/targets/growth", SalesAdmin, IN, 403, HIDDEN),
    (POST, "/api/v1/targets/growth", SalesAdmin, OUT, 403, HIDDEN),
    (POST, "/api/v1/targets/growth", SalesAdmin, OWN, 403, HIDDEN),
    (POST, "/api/v1/targets/growth", Hr, IN, 403, HIDDEN),
    (POST, "/api/v1/targets/growth", Hr, OUT, 403, HIDDEN),
    (POST, "/api/v1/targets/growth", Hr, OWN, 403, HIDDEN),

    // Targets by customer or product category (a breakdown inside a
    // subject's own target, written directly, no plan version): set like
    // targets — a manager in their subtree, their own unit included — and
    // read like the target table. The write's answer is counts only.
    (PUT, "/api/v1/targets/dimensions", Anonymous, NONE, 401, NA),
    (PUT, "/api/v1/targets/dimensions", Admin, IN, 200, HIDDEN),
    (PUT, "/api/v1/targets/dimensions", Admin, OUT, 200, HIDDEN),
    (PUT, "/api/v1/targets/dimensions", Gm, IN, 200, HIDDEN),
    (PUT, "/api/v1/targets/dimensions", Gm, OUT, 200, HIDDEN),
    (PUT, "/api/v1/targets/dimensions", Gm, OWN, 200, HIDDEN),
    (PUT, "/api/v1/targets/dimensions", Manager, IN, 200, HIDDEN),
    (PUT, "/api/v1/targets/dimensions", Manager, OUT, 422, HIDDEN),
    // A unit's own target, and so its breakdown, is set from above.
    (PUT, "/api/v1/targets/dimensions", Manager, OWN, 403, HIDDEN),
    (PUT, "/api/v1/targets/dimensions", Sales, IN, 403, HIDDEN),
    (PUT, "/api/v1/targets/dimensions", Sales, OUT, 403, HIDDEN),
    (PUT, "/api/v1/targets/dimensions", Sales, OWN, 403, HIDDEN),
    (PUT, "/api/v1/targets/dimensions", SalesAdmin, IN, 403, HIDDEN),
    (PUT, "/api/v1/targets/dimensions", SalesAdmin, OUT, 403, HIDDEN),
    (PUT, "/api/v1/targets/dimensions", SalesAdmin, OWN, 403, HIDDEN),
    (PUT, "/api/v1/targets/dimensions", Hr, IN, 403, HIDDEN),
    (PUT, "/api/v1/targets/dimensions", Hr, OUT, 403, HIDDEN),
    (PUT, "/api/v1/targets/dimensions", Hr, OWN, 403, HIDDEN),

    (GET, "/api/v1/targets/dimensions", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/targets/dimensions", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/targets/dimensions", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/targets/dimensions", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/targets/dimensions", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/targets/dimensions", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/targets/dimensions", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/targets/dimensions", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/targets/dimensions", Sales, OUT, 404, HIDDEN),
    // A salesperson sees their own figures, not their team's.
    (GET, "/api/v1/targets/dimensions", Sales, OWN, 404, HIDDEN),
    (GET, "/api/v1/targets/dimensions", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/targets/dimensions", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/targets/dimensions", Hr, IN, 200, SHOWN),
    (GET, "/api/v1/targets/dimensions", Hr, OUT, 200, SHOWN),

    // Seasonal distributions: read by whoever sets targets, written by the
    // GM and admin (a fresh code for every case).
    (GET, "/api/v1/distributions", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/distributions", Admin, NONE, 200, NA),
    (GET, "/api/v1/distributions", Gm, NONE, 200, NA),
    (GET, "/api/v1/distributions", Manager, NONE, 200, NA),
    (GET, "/api/v1/distributions", Sales, NONE, 403, NA),
    (GET, "/api/v1/distributions", SalesAdmin, NONE, 403, NA),
    (GET, "/api/v1/distributions", Hr, NONE, 403, NA),

    (PUT, "/api/v1/distributions/{code}", Anonymous, NONE, 401, NA),
    (PUT, "/api/v1/distributions/{code}", Admin, NONE, 200, NA),
    (PUT, "/api/v1/distributions/{code}", Gm, NONE, 200, NA),
    (PUT, "/api/v1/distributions/{code}", Manager, NONE, 403, NA),
    (PUT, "/api/v1/distributions/{code}", Sales, NONE, 403, NA),
    (PUT, "/api/v1/distributions/{code}", SalesAdmin, NONE, 403, NA),
    (PUT, "/api/v1/distributions/{code}", Hr, NONE, 403, NA),

    // Plans (目标分解方案) of a year of its own for every case: inside is
    // HD-SH's plan, drafted by its head 徐海涛; outside HN-GZ's, by its
    // head; own the manager's HD plan, drafted by 王建国 himself. Plans are
    // read by admin and gm everywhere and by a manager in their subtree;
    // for everyone else they do not exist (the list is empty, a plan 404).
    (GET, "/api/v1/plans", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/plans", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/plans", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/plans", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/plans", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/plans", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/plans", Manager, OUT, 200, HIDDEN),
    (GET, "/api/v1/plans", Sales, IN, 200, HIDDEN),
    (GET, "/api/v1/plans", Sales, OUT, 200, HIDDEN),
    (GET, "/api/v1/plans", SalesAdmin, IN, 200, HIDDEN),
    (GET, "/api/v1/plans", SalesAdmin, OUT, 200, HIDDEN),
    (GET, "/api/v1/plans", Hr, IN, 200, HIDDEN),
    (GET, "/api/v1/plans", Hr, OUT, 200, HIDDEN),

    (GET, "/api/v1/plans/{plan}", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/plans/{plan}", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/plans/{plan}", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/plans/{plan}", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/plans/{plan}", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/plans/{plan}", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/plans/{plan}", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/plans/{plan}", Manager, OWN, 200, SHOWN),
    (GET, "/api/v1/plans/{plan}", Sales, IN, 404, HIDDEN),
    (GET, "/api/v1/plans/{plan}", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/plans/{plan}", SalesAdmin, IN, 404, HIDDEN),
    (GET, "/api/v1/plans/{plan}", SalesAdmin, OUT, 404, HIDDEN),
    (GET, "/api/v1/plans/{plan}", Hr, IN, 404, HIDDEN),
    (GET, "/api/v1/plans/{plan}", Hr, OUT, 404, HIDDEN),

    // What changed from before the plan (0) to its draft (1).
    (GET, "/api/v1/plans/{plan}/compare", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/plans/{plan}/compare", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/plans/{plan}/compare", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/plans/{plan}/compare", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/plans/{plan}/compare", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/plans/{plan}/compare", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/plans/{plan}/compare", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/plans/{plan}/compare", Manager, OWN, 200, SHOWN),
    (GET, "/api/v1/plans/{plan}/compare", Sales, IN, 404, HIDDEN),
    (GET, "/api/v1/plans/{plan}/compare", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/plans/{plan}/compare", SalesAdmin, IN, 404, HIDDEN),
    (GET, "/api/v1/plans/{plan}/compare", SalesAdmin, OUT, 404, HIDDEN),
    (GET, "/api/v1/plans/{plan}/compare", Hr, IN, 404, HIDDEN),
    (GET, "/api/v1/plans/{plan}/compare", Hr, OUT, 404, HIDDEN),

    // Submitting a draft: only the plan unit's own manager (the GM's
    // changes are never drafts).
    (POST, "/api/v1/plans/{plan}/versions/{version}/submit", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/plans/{plan}/versions/{version}/submit", Admin, IN, 403, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/submit", Admin, OUT, 403, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/submit", Gm, IN, 403, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/submit", Gm, OUT, 403, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/submit", Manager, IN, 403, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/submit", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/submit", Manager, OWN, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/submit", Sales, IN, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/submit", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/submit", SalesAdmin, IN, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/submit", SalesAdmin, OUT, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/submit", Hr, IN, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/submit", Hr, OUT, 404, HIDDEN),

    // Approving and returning a submitted version: the next manager up,
    // the GM or admin — never its author.
    (POST, "/api/v1/plans/{plan}/versions/{version}/approve", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/plans/{plan}/versions/{version}/approve", Admin, IN, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/approve", Admin, OUT, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/approve", Gm, IN, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/approve", Gm, OUT, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/approve", Manager, IN, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/approve", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/approve", Manager, OWN, 403, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/approve", Sales, IN, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/approve", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/approve", SalesAdmin, IN, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/approve", SalesAdmin, OUT, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/approve", Hr, IN, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/approve", Hr, OUT, 404, HIDDEN),

    (POST, "/api/v1/plans/{plan}/versions/{version}/return", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/plans/{plan}/versions/{version}/return", Admin, IN, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/return", Admin, OUT, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/return", Gm, IN, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/return", Gm, OUT, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/return", Manager, IN, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/return", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/return", Manager, OWN, 403, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/return", Sales, IN, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/return", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/return", SalesAdmin, IN, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/return", SalesAdmin, OUT, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/return", Hr, IN, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/return", Hr, OUT, 404, HIDDEN),

    // Publishing a version approved by the GM: whoever may approve it, and
    // the plan unit's own manager.
    (POST, "/api/v1/plans/{plan}/versions/{version}/publish", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/plans/{plan}/versions/{version}/publish", Admin, IN, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/publish", Admin, OUT, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/publish", Gm, IN, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/publish", Gm, OUT, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/publish", Manager, IN, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/publish", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/publish", Manager, OWN, 200, SHOWN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/publish", Sales, IN, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/publish", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/publish", SalesAdmin, IN, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/publish", SalesAdmin, OUT, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/publish", Hr, IN, 404, HIDDEN),
    (POST, "/api/v1/plans/{plan}/versions/{version}/publish", Hr, OUT, 404, HIDDEN),

    // Locking a month: admin, gm and sales_admin. Every case has a month
    // of its own.
    (POST, "/api/v1/periods/{period}/lock", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/periods/{period}/lock", Admin, NONE, 204, NA),
    (POST, "/api/v1/periods/{period}/lock", Gm, NONE, 204, NA),
    (POST, "/api/v1/periods/{period}/lock", Manager, NONE, 403, NA),
    (POST, "/api/v1/periods/{period}/lock", Sales, NONE, 403, NA),
    (POST, "/api/v1/periods/{period}/lock", SalesAdmin, NONE, 204, NA),
    (POST, "/api/v1/periods/{period}/lock", Hr, NONE, 403, NA),

    // Reopening, with a reason: inside is a month locked just before,
    // outside a month that is not locked (there is no lock to lift: 404,
    // after the 403 of those who may not reopen at all).
    (POST, "/api/v1/periods/{period}/reopen", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/periods/{period}/reopen", Admin, IN, 204, HIDDEN),
    (POST, "/api/v1/periods/{period}/reopen", Admin, OUT, 404, HIDDEN),
    (POST, "/api/v1/periods/{period}/reopen", Gm, IN, 204, HIDDEN),
    (POST, "/api/v1/periods/{period}/reopen", Gm, OUT, 404, HIDDEN),
    (POST, "/api/v1/periods/{period}/reopen", Manager, IN, 403, HIDDEN),
    (POST, "/api/v1/periods/{period}/reopen", Manager, OUT, 403, HIDDEN),
    (POST, "/api/v1/periods/{period}/reopen", Sales, IN, 403, HIDDEN),
    (POST, "/api/v1/periods/{period}/reopen", Sales, OUT, 403, HIDDEN),
    (POST, "/api/v1/periods/{period}/reopen", SalesAdmin, IN, 204, HIDDEN),
    (POST, "/api/v1/periods/{period}/reopen", SalesAdmin, OUT, 404, HIDDEN),
    (POST, "/api/v1/periods/{period}/reopen", Hr, IN, 403, HIDDEN),
    (POST, "/api/v1/periods/{period}/reopen", Hr, OUT, 403, HIDDEN),

    // Monthly submissions: the list shows the units one reads.
    (GET, "/api/v1/submissions", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/submissions", Admin, NONE, 200, NA),
    (GET, "/api/v1/submissions", Gm, NONE, 200, NA),
    (GET, "/api/v1/submissions", Manager, NONE, 200, NA),
    (GET, "/api/v1/submissions", Sales, NONE, 200, NA),
    (GET, "/api/v1/submissions", SalesAdmin, NONE, 200, NA),
    (GET, "/api/v1/submissions", Hr, NONE, 200, NA),

    // One unit's month follows the read reach of units.
    (GET, "/api/v1/submissions/{unit}/{period}", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/submissions/{unit}/{period}", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/submissions/{unit}/{period}", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/submissions/{unit}/{period}", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/submissions/{unit}/{period}", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/submissions/{unit}/{period}", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/submissions/{unit}/{period}", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/submissions/{unit}/{period}", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/submissions/{unit}/{period}", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/submissions/{unit}/{period}", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/submissions/{unit}/{period}", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/submissions/{unit}/{period}", Hr, IN, 200, SHOWN),
    (GET, "/api/v1/submissions/{unit}/{period}", Hr, OUT, 200, SHOWN),

    // Submitting: whoever may enter the unit's actuals (a manager in their
    // own subtree, their own unit included).
    (POST, "/api/v1/submissions/{unit}/{period}/submit", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", Admin, IN, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", Admin, OUT, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", Gm, IN, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", Gm, OUT, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", Gm, OWN, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", Manager, IN, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", Manager, OWN, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", Sales, IN, 403, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", Sales, OWN, 403, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", SalesAdmin, IN, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", SalesAdmin, OUT, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", SalesAdmin, OWN, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", Hr, IN, 403, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", Hr, OUT, 403, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/submit", Hr, OWN, 403, HIDDEN),

    // Returning and accepting: the compiling office (admin, gm,
    // sales_admin). Outside, nothing was submitted: nothing to return or
    // accept (422), after the 404 and 403 of those who cannot.
    (POST, "/api/v1/submissions/{unit}/{period}/return", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/submissions/{unit}/{period}/return", Admin, IN, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/return", Admin, OUT, 422, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/return", Gm, IN, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/return", Gm, OUT, 422, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/return", Manager, IN, 403, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/return", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/return", Sales, IN, 403, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/return", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/return", SalesAdmin, IN, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/return", SalesAdmin, OUT, 422, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/return", Hr, IN, 403, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/return", Hr, OUT, 403, HIDDEN),

    (POST, "/api/v1/submissions/{unit}/{period}/accept", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/submissions/{unit}/{period}/accept", Admin, IN, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/accept", Admin, OUT, 422, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/accept", Gm, IN, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/accept", Gm, OUT, 422, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/accept", Manager, IN, 403, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/accept", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/accept", Sales, IN, 403, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/accept", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/accept", SalesAdmin, IN, 200, SHOWN),
    (POST, "/api/v1/submissions/{unit}/{period}/accept", SalesAdmin, OUT, 422, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/accept", Hr, IN, 403, HIDDEN),
    (POST, "/api/v1/submissions/{unit}/{period}/accept", Hr, OUT, 403, HIDDEN),

    // Metric set-up: everyone signed in reads the metrics; only admin
    // adds them (a code of its own for every case).
    (GET, "/api/v1/metrics", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/metrics", Admin, NONE, 200, NA),
    (GET, "/api/v1/metrics", Gm, NONE, 200, NA),
    (GET, "/api/v1/metrics", Manager, NONE, 200, NA),
    (GET, "/api/v1/metrics", Sales, NONE, 200, NA),
    (GET, "/api/v1/metrics", SalesAdmin, NONE, 200, NA),
    (GET, "/api/v1/metrics", Hr, NONE, 200, NA),

    (POST, "/api/v1/metrics", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/metrics", Admin, NONE, 201, NA),
    (POST, "/api/v1/metrics", Gm, NONE, 403, NA),
    (POST, "/api/v1/metrics", Manager, NONE, 403, NA),
    (POST, "/api/v1/metrics", Sales, NONE, 403, NA),
    (POST, "/api/v1/metrics", SalesAdmin, NONE, 403, NA),
    (POST, "/api/v1/metrics", Hr, NONE, 403, NA),

    // Changing a metric: admin only. Metrics belong to the whole company,
    // so inside is a metric that exists (calls) and outside a code that
    // does not (404, after the 403 of everyone else).
    (PATCH, "/api/v1/metrics/{code}", Anonymous, NONE, 401, NA),
    (PATCH, "/api/v1/metrics/{code}", Admin, IN, 200, SHOWN),
    (PATCH, "/api/v1/metrics/{code}", Admin, OUT, 404, HIDDEN),
    (PATCH, "/api/v1/metrics/{code}", Gm, IN, 403, HIDDEN),
    (PATCH, "/api/v1/metrics/{code}", Gm, OUT, 403, HIDDEN),
    (PATCH, "/api/v1/metrics/{code}", Manager, IN, 403, HIDDEN),
    (PATCH, "/api/v1/metrics/{code}", Manager, OUT, 403, HIDDEN),
    (PATCH, "/api/v1/metrics/{code}", Sales, IN, 403, HIDDEN),
    (PATCH, "/api/v1/metrics/{code}", Sales, OUT, 403, HIDDEN),
    (PATCH, "/api/v1/metrics/{code}", SalesAdmin, IN, 403, HIDDEN),
    (PATCH, "/api/v1/metrics/{code}", SalesAdmin, OUT, 403, HIDDEN),
    (PATCH, "/api/v1/metrics/{code}", Hr, IN, 403, HIDDEN),
    (PATCH, "/api/v1/metrics/{code}", Hr, OUT, 403, HIDDEN),

    // Personal API tokens: one's own only.
    (GET, "/api/v1/tokens", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/tokens", Admin, NONE, 200, NA),
    (GET, "/api/v1/tokens", Gm, NONE, 200, NA),
    (GET, "/api/v1/tokens", Manager, NONE, 200, NA),
    (GET, "/api/v1/tokens", Sales, NONE, 200, NA),
    (GET, "/api/v1/tokens", SalesAdmin, NONE, 200, NA),
    (GET, "/api/v1/tokens", Hr, NONE, 200, NA),

    (POST, "/api/v1/tokens", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/tokens", Admin, NONE, 201, NA),
    (POST, "/api/v1/tokens", Gm, NONE, 201, NA),
    (POST, "/api/v1/tokens", Manager, NONE, 201, NA),
    (POST, "/api/v1/tokens", Sales, NONE, 201, NA),
    (POST, "/api/v1/tokens", SalesAdmin, NONE, 201, NA),
    (POST, "/api/v1/tokens", Hr, NONE, 201, NA),

    // Inside: the caller's own token; outside: someone else's.
    (DELETE, "/api/v1/tokens/{id}", Anonymous, NONE, 401, NA),
    (DELETE, "/api/v1/tokens/{id}", Admin, IN, 204, HIDDEN),
    (DELETE, "/api/v1/tokens/{id}", Admin, OUT, 404, HIDDEN),
    (DELETE, "/api/v1/tokens/{id}", Gm, IN, 204, HIDDEN),
    (DELETE, "/api/v1/tokens/{id}", Gm, OUT, 404, HIDDEN),
    (DELETE, "/api/v1/tokens/{id}", Manager, IN, 204, HIDDEN),
    (DELETE, "/api/v1/tokens/{id}", Manager, OUT, 404, HIDDEN),
    (DELETE, "/api/v1/tokens/{id}", Sales, IN, 204, HIDDEN),
    (DELETE, "/api/v1/tokens/{id}", Sales, OUT, 404, HIDDEN),
    (DELETE, "/api/v1/tokens/{id}", SalesAdmin, IN, 204, HIDDEN),
    (DELETE, "/api/v1/tokens/{id}", SalesAdmin, OUT, 404, HIDDEN),
    (DELETE, "/api/v1/tokens/{id}", Hr, IN, 204, HIDDEN),
    (DELETE, "/api/v1/tokens/{id}", Hr, OUT, 404, HIDDEN),

    // The audit log: admin and gm; for everyone else it does not exist.
    (GET, "/api/v1/audit", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/audit", Admin, NONE, 200, NA),
    (GET, "/api/v1/audit", Gm, NONE, 200, NA),
    (GET, "/api/v1/audit", Manager, NONE, 404, NA),
    (GET, "/api/v1/audit", Sales, NONE, 404, NA),
    (GET, "/api/v1/audit", SalesAdmin, NONE, 404, NA),
    (GET, "/api/v1/audit", Hr, NONE, 404, NA),

    // The API description is public.
    (GET, "/api/v1/openapi.json", Anonymous, NONE, 200, NA),
    (GET, "/api/v1/openapi.json", Admin, NONE, 200, NA),
    (GET, "/api/v1/openapi.json", Gm, NONE, 200, NA),
    (GET, "/api/v1/openapi.json", Manager, NONE, 200, NA),
    (GET, "/api/v1/openapi.json", Sales, NONE, 200, NA),
    (GET, "/api/v1/openapi.json", SalesAdmin, NONE, 200, NA),
    (GET, "/api/v1/openapi.json", Hr, NONE, 200, NA),

    // Customers (客户档案): read by whoever reaches the owner's unit (a customer of
    // its own per case, owned by E0015 inside and E0028 outside — E0016 for
    // the salesperson); changed by admin, sales admins, the manager of the
    // owner and the owner; the GM only reads, HR reaches none. Lists and
    // reminders answer everyone signed in.
    (GET, "/api/v1/customers", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/customers", Admin, NONE, 200, NA),
    (GET, "/api/v1/customers", Gm, NONE, 200, NA),
    (GET, "/api/v1/customers", Manager, NONE, 200, NA),
    (GET, "/api/v1/customers", Sales, NONE, 200, NA),
    (GET, "/api/v1/customers", SalesAdmin, NONE, 200, NA),
    (GET, "/api/v1/customers", Hr, NONE, 200, NA),

    // A new customer without an owner named: the salesperson's or manager's own.
    (POST, "/api/v1/customers", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/customers", Admin, NONE, 201, NA),
    (POST, "/api/v1/customers", Gm, NONE, 403, NA),
    (POST, "/api/v1/customers", Manager, NONE, 201, NA),
    (POST, "/api/v1/customers", Sales, NONE, 201, NA),
    (POST, "/api/v1/customers", SalesAdmin, NONE, 201, NA),
    (POST, "/api/v1/customers", Hr, NONE, 403, NA),

    (GET, "/api/v1/customers/{id}", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/customers/{id}", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/customers/{id}", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/customers/{id}", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/customers/{id}", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/customers/{id}", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/customers/{id}", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/customers/{id}", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/customers/{id}", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/customers/{id}", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/customers/{id}", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/customers/{id}", Hr, IN, 404, HIDDEN),
    (GET, "/api/v1/customers/{id}", Hr, OUT, 404, HIDDEN),

    (PATCH, "/api/v1/customers/{id}", Anonymous, NONE, 401, NA),
    (PATCH, "/api/v1/customers/{id}", Admin, IN, 200, SHOWN),
    (PATCH, "/api/v1/customers/{id}", Admin, OUT, 200, SHOWN),
    (PATCH, "/api/v1/customers/{id}", Gm, IN, 403, HIDDEN),
    (PATCH, "/api/v1/customers/{id}", Gm, OUT, 403, HIDDEN),
    (PATCH, "/api/v1/customers/{id}", Manager, IN, 200, SHOWN),
    (PATCH, "/api/v1/customers/{id}", Manager, OUT, 404, HIDDEN),
    (PATCH, "/api/v1/customers/{id}", Sales, IN, 200, SHOWN),
    (PATCH, "/api/v1/customers/{id}", Sales, OUT, 404, HIDDEN),
    (PATCH, "/api/v1/customers/{id}", SalesAdmin, IN, 200, SHOWN),
    (PATCH, "/api/v1/customers/{id}", SalesAdmin, OUT, 200, SHOWN),
    (PATCH, "/api/v1/customers/{id}", Hr, IN, 404, HIDDEN),
    (PATCH, "/api/v1/customers/{id}", Hr, OUT, 404, HIDDEN),

    (POST, "/api/v1/customers/{id}/contacts", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/customers/{id}/contacts", Admin, IN, 201, SHOWN),
    (POST, "/api/v1/customers/{id}/contacts", Admin, OUT, 201, SHOWN),
    (POST, "/api/v1/customers/{id}/contacts", Gm, IN, 403, HIDDEN),
    (POST, "/api/v1/customers/{id}/contacts", Gm, OUT, 403, HIDDEN),
    (POST, "/api/v1/customers/{id}/contacts", Manager, IN, 201, SHOWN),
    (POST, "/api/v1/customers/{id}/contacts", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/customers/{id}/contacts", Sales, IN, 201, SHOWN),
    (POST, "/api/v1/customers/{id}/contacts", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/customers/{id}/contacts", SalesAdmin, IN, 201, SHOWN),
    (POST, "/api/v1/customers/{id}/contacts", SalesAdmin, OUT, 201, SHOWN),
    (POST, "/api/v1/customers/{id}/contacts", Hr, IN, 404, HIDDEN),
    (POST, "/api/v1/customers/{id}/contacts", Hr, OUT, 404, HIDDEN),

    (PATCH, "/api/v1/customers/{id}/contacts/{contact}", Anonymous, NONE, 401, NA),
    (PATCH, "/api/v1/customers/{id}/contacts/{contact}", Admin, IN, 200, SHOWN),
    (PATCH, "/api/v1/customers/{id}/contacts/{contact}", Admin, OUT, 200, SHOWN),
    (PATCH, "/api/v1/customers/{id}/contacts/{contact}", Gm, IN, 403, HIDDEN),
    (PATCH, "/api/v1/customers/{id}/contacts/{contact}", Gm, OUT, 403, HIDDEN),
    (PATCH, "/api/v1/customers/{id}/contacts/{contact}", Manager, IN, 200, SHOWN),
    (PATCH, "/api/v1/customers/{id}/contacts/{contact}", Manager, OUT, 404, HIDDEN),
    (PATCH, "/api/v1/customers/{id}/contacts/{contact}", Sales, IN, 200, SHOWN),
    (PATCH, "/api/v1/customers/{id}/contacts/{contact}", Sales, OUT, 404, HIDDEN),
    (PATCH, "/api/v1/customers/{id}/contacts/{contact}", SalesAdmin, IN, 200, SHOWN),
    (PATCH, "/api/v1/customers/{id}/contacts/{contact}", SalesAdmin, OUT, 200, SHOWN),
    (PATCH, "/api/v1/customers/{id}/contacts/{contact}", Hr, IN, 404, HIDDEN),
    (PATCH, "/api/v1/customers/{id}/contacts/{contact}", Hr, OUT, 404, HIDDEN),

    (DELETE, "/api/v1/customers/{id}/contacts/{contact}", Anonymous, NONE, 401, NA),
    (DELETE, "/api/v1/customers/{id}/contacts/{contact}", Admin, IN, 204, HIDDEN),
    (DELETE, "/api/v1/customers/{id}/contacts/{contact}", Admin, OUT, 204, HIDDEN),
    (DELETE, "/api/v1/customers/{id}/contacts/{contact}", Gm, IN, 403, HIDDEN),
    (DELETE, "/api/v1/customers/{id}/contacts/{contact}", Gm, OUT, 403, HIDDEN),
    (DELETE, "/api/v1/customers/{id}/contacts/{contact}", Manager, IN, 204, HIDDEN),
    (DELETE, "/api/v1/customers/{id}/contacts/{contact}", Manager, OUT, 404, HIDDEN),
    (DELETE, "/api/v1/customers/{id}/contacts/{contact}", Sales, IN, 204, HIDDEN),
    (DELETE, "/api/v1/customers/{id}/contacts/{contact}", Sales, OUT, 404, HIDDEN),
    (DELETE, "/api/v1/customers/{id}/contacts/{contact}", SalesAdmin, IN, 204, HIDDEN),
    (DELETE, "/api/v1/customers/{id}/contacts/{contact}", SalesAdmin, OUT, 204, HIDDEN),
    (DELETE, "/api/v1/customers/{id}/contacts/{contact}", Hr, IN, 404, HIDDEN),
    (DELETE, "/api/v1/customers/{id}/contacts/{contact}", Hr, OUT, 404, HIDDEN),

    // Follow-up records: a fresh customer has none, so the list shows no record.
    (GET, "/api/v1/customers/{id}/notes", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/customers/{id}/notes", Admin, IN, 200, HIDDEN),
    (GET, "/api/v1/customers/{id}/notes", Admin, OUT, 200, HIDDEN),
    (GET, "/api/v1/customers/{id}/notes", Gm, IN, 200, HIDDEN),
    (GET, "/api/v1/customers/{id}/notes", Gm, OUT, 200, HIDDEN),
    (GET, "/api/v1/customers/{id}/notes", Manager, IN, 200, HIDDEN),
    (GET, "/api/v1/customers/{id}/notes", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/customers/{id}/notes", Sales, IN, 200, HIDDEN),
    (GET, "/api/v1/customers/{id}/notes", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/customers/{id}/notes", SalesAdmin, IN, 200, HIDDEN),
    (GET, "/api/v1/customers/{id}/notes", SalesAdmin, OUT, 200, HIDDEN),
    (GET, "/api/v1/customers/{id}/notes", Hr, IN, 404, HIDDEN),
    (GET, "/api/v1/customers/{id}/notes", Hr, OUT, 404, HIDDEN),

    // A follow-up record is signed by the caller's person: admin has none.
    (POST, "/api/v1/customers/{id}/notes", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/customers/{id}/notes", Admin, IN, 403, HIDDEN),
    (POST, "/api/v1/customers/{id}/notes", Admin, OUT, 403, HIDDEN),
    (POST, "/api/v1/customers/{id}/notes", Gm, IN, 403, HIDDEN),
    (POST, "/api/v1/customers/{id}/notes", Gm, OUT, 403, HIDDEN),
    (POST, "/api/v1/customers/{id}/notes", Manager, IN, 201, SHOWN),
    (POST, "/api/v1/customers/{id}/notes", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/customers/{id}/notes", Sales, IN, 201, SHOWN),
    (POST, "/api/v1/customers/{id}/notes", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/customers/{id}/notes", SalesAdmin, IN, 201, SHOWN),
    (POST, "/api/v1/customers/{id}/notes", SalesAdmin, OUT, 201, SHOWN),
    (POST, "/api/v1/customers/{id}/notes", Hr, IN, 404, HIDDEN),
    (POST, "/api/v1/customers/{id}/notes", Hr, OUT, 404, HIDDEN),

    (GET, "/api/v1/reminders", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/reminders", Admin, NONE, 200, NA),
    (GET, "/api/v1/reminders", Gm, NONE, 200, NA),
    (GET, "/api/v1/reminders", Manager, NONE, 200, NA),
    (GET, "/api/v1/reminders", Sales, NONE, 200, NA),
    (GET, "/api/v1/reminders", SalesAdmin, NONE, 200, NA),
    (GET, "/api/v1/reminders", Hr, NONE, 200, NA),

    // Activities: read like work records (an activity of its own per case, of
    // E0015 inside and E0028 outside — E0016 for the salesperson); written by
    // their own person only, and by admin (who names the person).
    (GET, "/api/v1/activities", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/activities", Admin, NONE, 200, NA),
    (GET, "/api/v1/activities", Gm, NONE, 200, NA),
    (GET, "/api/v1/activities", Manager, NONE, 200, NA),
    (GET, "/api/v1/activities", Sales, NONE, 200, NA),
    (GET, "/api/v1/activities", SalesAdmin, NONE, 200, NA),
    (GET, "/api/v1/activities", Hr, NONE, 200, NA),

    (POST, "/api/v1/activities", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/activities", Admin, NONE, 201, NA),
    (POST, "/api/v1/activities", Gm, NONE, 201, NA),
    (POST, "/api/v1/activities", Manager, NONE, 201, NA),
    (POST, "/api/v1/activities", Sales, NONE, 201, NA),
    (POST, "/api/v1/activities", SalesAdmin, NONE, 201, NA),
    (POST, "/api/v1/activities", Hr, NONE, 201, NA),

    (GET, "/api/v1/activities/{id}", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/activities/{id}", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/activities/{id}", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/activities/{id}", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/activities/{id}", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/activities/{id}", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/activities/{id}", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/activities/{id}", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/activities/{id}", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/activities/{id}", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/activities/{id}", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/activities/{id}", Hr, IN, 404, HIDDEN),
    (GET, "/api/v1/activities/{id}", Hr, OUT, 404, HIDDEN),

    (PATCH, "/api/v1/activities/{id}", Anonymous, NONE, 401, NA),
    (PATCH, "/api/v1/activities/{id}", Admin, IN, 200, SHOWN),
    (PATCH, "/api/v1/activities/{id}", Admin, OUT, 200, SHOWN),
    (PATCH, "/api/v1/activities/{id}", Gm, IN, 403, HIDDEN),
    (PATCH, "/api/v1/activities/{id}", Gm, OUT, 403, HIDDEN),
    (PATCH, "/api/v1/activities/{id}", Manager, IN, 403, HIDDEN),
    (PATCH, "/api/v1/activities/{id}", Manager, OUT, 404, HIDDEN),
    (PATCH, "/api/v1/activities/{id}", Sales, IN, 200, SHOWN),
    (PATCH, "/api/v1/activities/{id}", Sales, OUT, 404, HIDDEN),
    (PATCH, "/api/v1/activities/{id}", SalesAdmin, IN, 403, HIDDEN),
    (PATCH, "/api/v1/activities/{id}", SalesAdmin, OUT, 403, HIDDEN),
    (PATCH, "/api/v1/activities/{id}", Hr, IN, 404, HIDDEN),
    (PATCH, "/api/v1/activities/{id}", Hr, OUT, 404, HIDDEN),

    (DELETE, "/api/v1/activities/{id}", Anonymous, NONE, 401, NA),
    (DELETE, "/api/v1/activities/{id}", Admin, IN, 204, HIDDEN),
    (DELETE, "/api/v1/activities/{id}", Admin, OUT, 204, HIDDEN),
    (DELETE, "/api/v1/activities/{id}", Gm, IN, 403, HIDDEN),
    (DELETE, "/api/v1/activities/{id}", Gm, OUT, 403, HIDDEN),
    (DELETE, "/api/v1/activities/{id}", Manager, IN, 403, HIDDEN),
    (DELETE, "/api/v1/activities/{id}", Manager, OUT, 404, HIDDEN),
    (DELETE, "/api/v1/activities/{id}", Sales, IN, 204, HIDDEN),
    (DELETE, "/api/v1/activities/{id}", Sales, OUT, 404, HIDDEN),
    (DELETE, "/api/v1/activities/{id}", SalesAdmin, IN, 403, HIDDEN),
    (DELETE, "/api/v1/activities/{id}", SalesAdmin, OUT, 403, HIDDEN),
    (DELETE, "/api/v1/activities/{id}", Hr, IN, 404, HIDDEN),
    (DELETE, "/api/v1/activities/{id}", Hr, OUT, 404, HIDDEN),

    // Orders (订单) and collections: read by whoever reaches a credited
    // salesperson (an order of its own per case, credited to E0015 inside
    // and E0028 outside — E0016 for the salesperson); entered by sales
    // admins and admin, and by a salesperson for themselves. Imports: the
    // compiling office and admin.
    (GET, "/api/v1/orders", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/orders", Admin, NONE, 200, NA),
    (GET, "/api/v1/orders", Gm, NONE, 200, NA),
    (GET, "/api/v1/orders", Manager, NONE, 200, NA),
    (GET, "/api/v1/orders", Sales, NONE, 200, NA),
    (GET, "/api/v1/orders", SalesAdmin, NONE, 200, NA),
    (GET, "/api/v1/orders", Hr, NONE, 200, NA),

    (POST, "/api/v1/orders", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/orders", Admin, NONE, 201, NA),
    (POST, "/api/v1/orders", Gm, NONE, 403, NA),
    (POST, "/api/v1/orders", Manager, NONE, 403, NA),
    (POST, "/api/v1/orders", Sales, NONE, 201, NA),
    (POST, "/api/v1/orders", SalesAdmin, NONE, 201, NA),
    (POST, "/api/v1/orders", Hr, NONE, 403, NA),

    (GET, "/api/v1/orders/{id}", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/orders/{id}", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/orders/{id}", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/orders/{id}", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/orders/{id}", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/orders/{id}", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/orders/{id}", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/orders/{id}", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/orders/{id}", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/orders/{id}", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/orders/{id}", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/orders/{id}", Hr, IN, 404, HIDDEN),
    (GET, "/api/v1/orders/{id}", Hr, OUT, 404, HIDDEN),

    (PATCH, "/api/v1/orders/{id}", Anonymous, NONE, 401, NA),
    (PATCH, "/api/v1/orders/{id}", Admin, IN, 200, SHOWN),
    (PATCH, "/api/v1/orders/{id}", Admin, OUT, 200, SHOWN),
    (PATCH, "/api/v1/orders/{id}", Gm, IN, 403, HIDDEN),
    (PATCH, "/api/v1/orders/{id}", Gm, OUT, 403, HIDDEN),
    (PATCH, "/api/v1/orders/{id}", Manager, IN, 403, HIDDEN),
    (PATCH, "/api/v1/orders/{id}", Manager, OUT, 404, HIDDEN),
    (PATCH, "/api/v1/orders/{id}", Sales, IN, 200, SHOWN),
    (PATCH, "/api/v1/orders/{id}", Sales, OUT, 404, HIDDEN),
    (PATCH, "/api/v1/orders/{id}", SalesAdmin, IN, 200, SHOWN),
    (PATCH, "/api/v1/orders/{id}", SalesAdmin, OUT, 200, SHOWN),
    (PATCH, "/api/v1/orders/{id}", Hr, IN, 404, HIDDEN),
    (PATCH, "/api/v1/orders/{id}", Hr, OUT, 404, HIDDEN),

    (POST, "/api/v1/orders/{id}/status", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/orders/{id}/status", Admin, IN, 200, SHOWN),
    (POST, "/api/v1/orders/{id}/status", Admin, OUT, 200, SHOWN),
    (POST, "/api/v1/orders/{id}/status", Gm, IN, 403, HIDDEN),
    (POST, "/api/v1/orders/{id}/status", Gm, OUT, 403, HIDDEN),
    (POST, "/api/v1/orders/{id}/status", Manager, IN, 403, HIDDEN),
    (POST, "/api/v1/orders/{id}/status", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/orders/{id}/status", Sales, IN, 200, SHOWN),
    (POST, "/api/v1/orders/{id}/status", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/orders/{id}/status", SalesAdmin, IN, 200, SHOWN),
    (POST, "/api/v1/orders/{id}/status", SalesAdmin, OUT, 200, SHOWN),
    (POST, "/api/v1/orders/{id}/status", Hr, IN, 404, HIDDEN),
    (POST, "/api/v1/orders/{id}/status", Hr, OUT, 404, HIDDEN),

    (POST, "/api/v1/orders/{id}/cancel", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/orders/{id}/cancel", Admin, IN, 200, SHOWN),
    (POST, "/api/v1/orders/{id}/cancel", Admin, OUT, 200, SHOWN),
    (POST, "/api/v1/orders/{id}/cancel", Gm, IN, 403, HIDDEN),
    (POST, "/api/v1/orders/{id}/cancel", Gm, OUT, 403, HIDDEN),
    (POST, "/api/v1/orders/{id}/cancel", Manager, IN, 403, HIDDEN),
    (POST, "/api/v1/orders/{id}/cancel", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/orders/{id}/cancel", Sales, IN, 200, SHOWN),
    (POST, "/api/v1/orders/{id}/cancel", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/orders/{id}/cancel", SalesAdmin, IN, 200, SHOWN),
    (POST, "/api/v1/orders/{id}/cancel", SalesAdmin, OUT, 200, SHOWN),
    (POST, "/api/v1/orders/{id}/cancel", Hr, IN, 404, HIDDEN),
    (POST, "/api/v1/orders/{id}/cancel", Hr, OUT, 404, HIDDEN),

    (POST, "/api/v1/orders/{id}/collections", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/orders/{id}/collections", Admin, IN, 201, SHOWN),
    (POST, "/api/v1/orders/{id}/collections", Admin, OUT, 201, SHOWN),
    (POST, "/api/v1/orders/{id}/collections", Gm, IN, 403, HIDDEN),
    (POST, "/api/v1/orders/{id}/collections", Gm, OUT, 403, HIDDEN),
    (POST, "/api/v1/orders/{id}/collections", Manager, IN, 403, HIDDEN),
    (POST, "/api/v1/orders/{id}/collections", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/orders/{id}/collections", Sales, IN, 201, SHOWN),
    (POST, "/api/v1/orders/{id}/collections", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/orders/{id}/collections", SalesAdmin, IN, 201, SHOWN),
    (POST, "/api/v1/orders/{id}/collections", SalesAdmin, OUT, 201, SHOWN),
    (POST, "/api/v1/orders/{id}/collections", Hr, IN, 404, HIDDEN),
    (POST, "/api/v1/orders/{id}/collections", Hr, OUT, 404, HIDDEN),

    (DELETE, "/api/v1/orders/{id}/collections/{collection_id}", Anonymous, NONE, 401, NA),
    (DELETE, "/api/v1/orders/{id}/collections/{collection_id}", Admin, IN, 200, SHOWN),
    (DELETE, "/api/v1/orders/{id}/collections/{collection_id}", Admin, OUT, 200, SHOWN),
    (DELETE, "/api/v1/orders/{id}/collections/{collection_id}", Gm, IN, 403, HIDDEN),
    (DELETE, "/api/v1/orders/{id}/collections/{collection_id}", Gm, OUT, 403, HIDDEN),
    (DELETE, "/api/v1/orders/{id}/collections/{collection_id}", Manager, IN, 403, HIDDEN),
    (DELETE, "/api/v1/orders/{id}/collections/{collection_id}", Manager, OUT, 404, HIDDEN),
    (DELETE, "/api/v1/orders/{id}/collections/{collection_id}", Sales, IN, 200, SHOWN),
    (DELETE, "/api/v1/orders/{id}/collections/{collection_id}", Sales, OUT, 404, HIDDEN),
    (DELETE, "/api/v1/orders/{id}/collections/{collection_id}", SalesAdmin, IN, 200, SHOWN),
    (DELETE, "/api/v1/orders/{id}/collections/{collection_id}", SalesAdmin, OUT, 200, SHOWN),
    (DELETE, "/api/v1/orders/{id}/collections/{collection_id}", Hr, IN, 404, HIDDEN),
    (DELETE, "/api/v1/orders/{id}/collections/{collection_id}", Hr, OUT, 404, HIDDEN),

    (POST, "/api/v1/import/orders", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/import/orders", Admin, NONE, 200, NA),
    (POST, "/api/v1/import/orders", Gm, NONE, 403, NA),
    (POST, "/api/v1/import/orders", Manager, NONE, 403, NA),
    (POST, "/api/v1/import/orders", Sales, NONE, 403, NA),
    (POST, "/api/v1/import/orders", SalesAdmin, NONE, 200, NA),
    (POST, "/api/v1/import/orders", Hr, NONE, 403, NA),

    // Projects (项目/商机): the stage set-up is read by everyone signed in and
    // changed by admin only (set-up, like metrics).
    (GET, "/api/v1/project-stages", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/project-stages", Admin, NONE, 200, NA),
    (GET, "/api/v1/project-stages", Gm, NONE, 200, NA),
    (GET, "/api/v1/project-stages", Manager, NONE, 200, NA),
    (GET, "/api/v1/project-stages", Sales, NONE, 200, NA),
    (GET, "/api/v1/project-stages", SalesAdmin, NONE, 200, NA),
    (GET, "/api/v1/project-stages", Hr, NONE, 200, NA),

    (PUT, "/api/v1/project-stages", Anonymous, NONE, 401, NA),
    (PUT, "/api/v1/project-stages", Admin, NONE, 200, NA),
    (PUT, "/api/v1/project-stages", Gm, NONE, 403, NA),
    (PUT, "/api/v1/project-stages", Manager, NONE, 403, NA),
    (PUT, "/api/v1/project-stages", Sales, NONE, 403, NA),
    (PUT, "/api/v1/project-stages", SalesAdmin, NONE, 403, NA),
    (PUT, "/api/v1/project-stages", Hr, NONE, 403, NA),

    // Lists answer everyone signed in, filtered by the reach of customers.
    (GET, "/api/v1/projects", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/projects", Admin, NONE, 200, NA),
    (GET, "/api/v1/projects", Gm, NONE, 200, NA),
    (GET, "/api/v1/projects", Manager, NONE, 200, NA),
    (GET, "/api/v1/projects", Sales, NONE, 200, NA),
    (GET, "/api/v1/projects", SalesAdmin, NONE, 200, NA),
    (GET, "/api/v1/projects", Hr, NONE, 200, NA),

    (GET, "/api/v1/projects/overdue", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/projects/overdue", Admin, NONE, 200, NA),
    (GET, "/api/v1/projects/overdue", Gm, NONE, 200, NA),
    (GET, "/api/v1/projects/overdue", Manager, NONE, 200, NA),
    (GET, "/api/v1/projects/overdue", Sales, NONE, 200, NA),
    (GET, "/api/v1/projects/overdue", SalesAdmin, NONE, 200, NA),
    (GET, "/api/v1/projects/overdue", Hr, NONE, 200, NA),

    // A new project owned by the record (E0015 inside; E0028 outside, the
    // salesperson's colleague E0016): an owner outside one's reach is unknown.
    (POST, "/api/v1/projects", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/projects", Admin, IN, 201, SHOWN),
    (POST, "/api/v1/projects", Admin, OUT, 201, SHOWN),
    (POST, "/api/v1/projects", Gm, IN, 403, HIDDEN),
    (POST, "/api/v1/projects", Gm, OUT, 403, HIDDEN),
    (POST, "/api/v1/projects", Manager, IN, 201, SHOWN),
    (POST, "/api/v1/projects", Manager, OUT, 422, HIDDEN),
    (POST, "/api/v1/projects", Sales, IN, 201, SHOWN),
    (POST, "/api/v1/projects", Sales, OUT, 422, HIDDEN),
    (POST, "/api/v1/projects", SalesAdmin, IN, 201, SHOWN),
    (POST, "/api/v1/projects", SalesAdmin, OUT, 201, SHOWN),
    (POST, "/api/v1/projects", Hr, IN, 403, HIDDEN),
    (POST, "/api/v1/projects", Hr, OUT, 403, HIDDEN),

    // A project of its own for every case, owned by E0015 inside and E0028
    // outside (the salesperson: E0016); reached like its owner's customers.
    (GET, "/api/v1/projects/{id}", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/projects/{id}", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/projects/{id}", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/projects/{id}", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/projects/{id}", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/projects/{id}", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/projects/{id}", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/projects/{id}", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/projects/{id}", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/projects/{id}", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/projects/{id}", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/projects/{id}", Hr, IN, 404, HIDDEN),
    (GET, "/api/v1/projects/{id}", Hr, OUT, 404, HIDDEN),

    (PATCH, "/api/v1/projects/{id}", Anonymous, NONE, 401, NA),
    (PATCH, "/api/v1/projects/{id}", Admin, IN, 200, SHOWN),
    (PATCH, "/api/v1/projects/{id}", Admin, OUT, 200, SHOWN),
    (PATCH, "/api/v1/projects/{id}", Gm, IN, 403, HIDDEN),
    (PATCH, "/api/v1/projects/{id}", Gm, OUT, 403, HIDDEN),
    (PATCH, "/api/v1/projects/{id}", Manager, IN, 200, SHOWN),
    (PATCH, "/api/v1/projects/{id}", Manager, OUT, 404, HIDDEN),
    (PATCH, "/api/v1/projects/{id}", Sales, IN, 200, SHOWN),
    (PATCH, "/api/v1/projects/{id}", Sales, OUT, 404, HIDDEN),
    (PATCH, "/api/v1/projects/{id}", SalesAdmin, IN, 200, SHOWN),
    (PATCH, "/api/v1/projects/{id}", SalesAdmin, OUT, 200, SHOWN),
    (PATCH, "/api/v1/projects/{id}", Hr, IN, 404, HIDDEN),
    (PATCH, "/api/v1/projects/{id}", Hr, OUT, 404, HIDDEN),

    (DELETE, "/api/v1/projects/{id}", Anonymous, NONE, 401, NA),
    (DELETE, "/api/v1/projects/{id}", Admin, IN, 204, HIDDEN),
    (DELETE, "/api/v1/projects/{id}", Admin, OUT, 204, HIDDEN),
    (DELETE, "/api/v1/projects/{id}", Gm, IN, 403, HIDDEN),
    (DELETE, "/api/v1/projects/{id}", Gm, OUT, 403, HIDDEN),
    (DELETE, "/api/v1/projects/{id}", Manager, IN, 204, HIDDEN),
    (DELETE, "/api/v1/projects/{id}", Manager, OUT, 404, HIDDEN),
    (DELETE, "/api/v1/projects/{id}", Sales, IN, 204, HIDDEN),
    (DELETE, "/api/v1/projects/{id}", Sales, OUT, 404, HIDDEN),
    (DELETE, "/api/v1/projects/{id}", SalesAdmin, IN, 204, HIDDEN),
    (DELETE, "/api/v1/projects/{id}", SalesAdmin, OUT, 204, HIDDEN),
    (DELETE, "/api/v1/projects/{id}", Hr, IN, 404, HIDDEN),
    (DELETE, "/api/v1/projects/{id}", Hr, OUT, 404, HIDDEN),

    (POST, "/api/v1/projects/{id}/followups", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/projects/{id}/followups", Admin, IN, 201, SHOWN),
    (POST, "/api/v1/projects/{id}/followups", Admin, OUT, 201, SHOWN),
    (POST, "/api/v1/projects/{id}/followups", Gm, IN, 403, HIDDEN),
    (POST, "/api/v1/projects/{id}/followups", Gm, OUT, 403, HIDDEN),
    (POST, "/api/v1/projects/{id}/followups", Manager, IN, 201, SHOWN),
    (POST, "/api/v1/projects/{id}/followups", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/projects/{id}/followups", Sales, IN, 201, SHOWN),
    (POST, "/api/v1/projects/{id}/followups", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/projects/{id}/followups", SalesAdmin, IN, 201, SHOWN),
    (POST, "/api/v1/projects/{id}/followups", SalesAdmin, OUT, 201, SHOWN),
    (POST, "/api/v1/projects/{id}/followups", Hr, IN, 404, HIDDEN),
    (POST, "/api/v1/projects/{id}/followups", Hr, OUT, 404, HIDDEN),

    // The project is won and an order of its owner entered; unlinking finds
    // it linked.
    (POST, "/api/v1/projects/{id}/orders", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/projects/{id}/orders", Admin, IN, 200, SHOWN),
    (POST, "/api/v1/projects/{id}/orders", Admin, OUT, 200, SHOWN),
    (POST, "/api/v1/projects/{id}/orders", Gm, IN, 403, HIDDEN),
    (POST, "/api/v1/projects/{id}/orders", Gm, OUT, 403, HIDDEN),
    (POST, "/api/v1/projects/{id}/orders", Manager, IN, 200, SHOWN),
    (POST, "/api/v1/projects/{id}/orders", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/projects/{id}/orders", Sales, IN, 200, SHOWN),
    (POST, "/api/v1/projects/{id}/orders", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/projects/{id}/orders", SalesAdmin, IN, 200, SHOWN),
    (POST, "/api/v1/projects/{id}/orders", SalesAdmin, OUT, 200, SHOWN),
    (POST, "/api/v1/projects/{id}/orders", Hr, IN, 404, HIDDEN),
    (POST, "/api/v1/projects/{id}/orders", Hr, OUT, 404, HIDDEN),

    (DELETE, "/api/v1/projects/{id}/orders/{order_no}", Anonymous, NONE, 401, NA),
    (DELETE, "/api/v1/projects/{id}/orders/{order_no}", Admin, IN, 200, SHOWN),
    (DELETE, "/api/v1/projects/{id}/orders/{order_no}", Admin, OUT, 200, SHOWN),
    (DELETE, "/api/v1/projects/{id}/orders/{order_no}", Gm, IN, 403, HIDDEN),
    (DELETE, "/api/v1/projects/{id}/orders/{order_no}", Gm, OUT, 403, HIDDEN),
    (DELETE, "/api/v1/projects/{id}/orders/{order_no}", Manager, IN, 200, SHOWN),
    (DELETE, "/api/v1/projects/{id}/orders/{order_no}", Manager, OUT, 404, HIDDEN),
    (DELETE, "/api/v1/projects/{id}/orders/{order_no}", Sales, IN, 200, SHOWN),
    (DELETE, "/api/v1/projects/{id}/orders/{order_no}", Sales, OUT, 404, HIDDEN),
    (DELETE, "/api/v1/projects/{id}/orders/{order_no}", SalesAdmin, IN, 200, SHOWN),
    (DELETE, "/api/v1/projects/{id}/orders/{order_no}", SalesAdmin, OUT, 200, SHOWN),
    (DELETE, "/api/v1/projects/{id}/orders/{order_no}", Hr, IN, 404, HIDDEN),
    (DELETE, "/api/v1/projects/{id}/orders/{order_no}", Hr, OUT, 404, HIDDEN),

    // Daily plans and weekly reports of the record (E0015 inside, the
    // salesperson's own; E0028 outside, the salesperson's colleague E0016), on a day
    // and week of their own: read by work_read, written by their author (admin
    // anyone's), commented by their managers and the GM, never by the author.
    (GET, "/api/v1/daily-plans", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/daily-plans", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/daily-plans", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/daily-plans", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/daily-plans", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/daily-plans", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/daily-plans", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/daily-plans", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/daily-plans", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/daily-plans", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/daily-plans", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/daily-plans", Hr, IN, 404, HIDDEN),
    (GET, "/api/v1/daily-plans", Hr, OUT, 404, HIDDEN),

    (GET, "/api/v1/daily-plans/{person}/{day}", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/daily-plans/{person}/{day}", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/daily-plans/{person}/{day}", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/daily-plans/{person}/{day}", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/daily-plans/{person}/{day}", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/daily-plans/{person}/{day}", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/daily-plans/{person}/{day}", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/daily-plans/{person}/{day}", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/daily-plans/{person}/{day}", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/daily-plans/{person}/{day}", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/daily-plans/{person}/{day}", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/daily-plans/{person}/{day}", Hr, IN, 404, HIDDEN),
    (GET, "/api/v1/daily-plans/{person}/{day}", Hr, OUT, 404, HIDDEN),

    (PUT, "/api/v1/daily-plans/{person}/{day}", Anonymous, NONE, 401, NA),
    (PUT, "/api/v1/daily-plans/{person}/{day}", Admin, IN, 200, SHOWN),
    (PUT, "/api/v1/daily-plans/{person}/{day}", Admin, OUT, 200, SHOWN),
    (PUT, "/api/v1/daily-plans/{person}/{day}", Gm, IN, 403, HIDDEN),
    (PUT, "/api/v1/daily-plans/{person}/{day}", Gm, OUT, 403, HIDDEN),
    (PUT, "/api/v1/daily-plans/{person}/{day}", Manager, IN, 403, HIDDEN),
    (PUT, "/api/v1/daily-plans/{person}/{day}", Manager, OUT, 404, HIDDEN),
    (PUT, "/api/v1/daily-plans/{person}/{day}", Manager, OWN, 200, SHOWN),
    (PUT, "/api/v1/daily-plans/{person}/{day}", Sales, IN, 200, SHOWN),
    (PUT, "/api/v1/daily-plans/{person}/{day}", Sales, OUT, 404, HIDDEN),
    (PUT, "/api/v1/daily-plans/{person}/{day}", SalesAdmin, IN, 403, HIDDEN),
    (PUT, "/api/v1/daily-plans/{person}/{day}", SalesAdmin, OUT, 403, HIDDEN),
    (PUT, "/api/v1/daily-plans/{person}/{day}", Hr, IN, 404, HIDDEN),
    (PUT, "/api/v1/daily-plans/{person}/{day}", Hr, OUT, 404, HIDDEN),

    (POST, "/api/v1/daily-plans/{person}/{day}/comment", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/daily-plans/{person}/{day}/comment", Admin, IN, 403, HIDDEN),
    (POST, "/api/v1/daily-plans/{person}/{day}/comment", Admin, OUT, 403, HIDDEN),
    (POST, "/api/v1/daily-plans/{person}/{day}/comment", Gm, IN, 200, SHOWN),
    (POST, "/api/v1/daily-plans/{person}/{day}/comment", Gm, OUT, 200, SHOWN),
    (POST, "/api/v1/daily-plans/{person}/{day}/comment", Manager, IN, 200, SHOWN),
    (POST, "/api/v1/daily-plans/{person}/{day}/comment", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/daily-plans/{person}/{day}/comment", Manager, OWN, 403, HIDDEN),
    (POST, "/api/v1/daily-plans/{person}/{day}/comment", Sales, IN, 403, HIDDEN),
    (POST, "/api/v1/daily-plans/{person}/{day}/comment", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/daily-plans/{person}/{day}/comment", SalesAdmin, IN, 403, HIDDEN),
    (POST, "/api/v1/daily-plans/{person}/{day}/comment", SalesAdmin, OUT, 403, HIDDEN),
    (POST, "/api/v1/daily-plans/{person}/{day}/comment", Hr, IN, 404, HIDDEN),
    (POST, "/api/v1/daily-plans/{person}/{day}/comment", Hr, OUT, 404, HIDDEN),

    (GET, "/api/v1/weekly-reports", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/weekly-reports", Admin, NONE, 200, NA),
    (GET, "/api/v1/weekly-reports", Gm, NONE, 200, NA),
    (GET, "/api/v1/weekly-reports", Manager, NONE, 200, NA),
    (GET, "/api/v1/weekly-reports", Sales, NONE, 200, NA),
    (GET, "/api/v1/weekly-reports", SalesAdmin, NONE, 200, NA),
    (GET, "/api/v1/weekly-reports", Hr, NONE, 200, NA),

    (GET, "/api/v1/weekly-reports/{person}/{week}", Anonymous, NONE, 401, NA),
    (GET, "/api/v1/weekly-reports/{person}/{week}", Admin, IN, 200, SHOWN),
    (GET, "/api/v1/weekly-reports/{person}/{week}", Admin, OUT, 200, SHOWN),
    (GET, "/api/v1/weekly-reports/{person}/{week}", Gm, IN, 200, SHOWN),
    (GET, "/api/v1/weekly-reports/{person}/{week}", Gm, OUT, 200, SHOWN),
    (GET, "/api/v1/weekly-reports/{person}/{week}", Manager, IN, 200, SHOWN),
    (GET, "/api/v1/weekly-reports/{person}/{week}", Manager, OUT, 404, HIDDEN),
    (GET, "/api/v1/weekly-reports/{person}/{week}", Sales, IN, 200, SHOWN),
    (GET, "/api/v1/weekly-reports/{person}/{week}", Sales, OUT, 404, HIDDEN),
    (GET, "/api/v1/weekly-reports/{person}/{week}", SalesAdmin, IN, 200, SHOWN),
    (GET, "/api/v1/weekly-reports/{person}/{week}", SalesAdmin, OUT, 200, SHOWN),
    (GET, "/api/v1/weekly-reports/{person}/{week}", Hr, IN, 404, HIDDEN),
    (GET, "/api/v1/weekly-reports/{person}/{week}", Hr, OUT, 404, HIDDEN),

    (PUT, "/api/v1/weekly-reports/{person}/{week}", Anonymous, NONE, 401, NA),
    (PUT, "/api/v1/weekly-reports/{person}/{week}", Admin, IN, 200, SHOWN),
    (PUT, "/api/v1/weekly-reports/{person}/{week}", Admin, OUT, 200, SHOWN),
    (PUT, "/api/v1/weekly-reports/{person}/{week}", Gm, IN, 403, HIDDEN),
    (PUT, "/api/v1/weekly-reports/{person}/{week}", Gm, OUT, 403, HIDDEN),
    (PUT, "/api/v1/weekly-reports/{person}/{week}", Manager, IN, 403, HIDDEN),
    (PUT, "/api/v1/weekly-reports/{person}/{week}", Manager, OUT, 404, HIDDEN),
    (PUT, "/api/v1/weekly-reports/{person}/{week}", Manager, OWN, 200, SHOWN),
    (PUT, "/api/v1/weekly-reports/{person}/{week}", Sales, IN, 200, SHOWN),
    (PUT, "/api/v1/weekly-reports/{person}/{week}", Sales, OUT, 404, HIDDEN),
    (PUT, "/api/v1/weekly-reports/{person}/{week}", SalesAdmin, IN, 403, HIDDEN),
    (PUT, "/api/v1/weekly-reports/{person}/{week}", SalesAdmin, OUT, 403, HIDDEN),
    (PUT, "/api/v1/weekly-reports/{person}/{week}", Hr, IN, 404, HIDDEN),
    (PUT, "/api/v1/weekly-reports/{person}/{week}", Hr, OUT, 404, HIDDEN),

    (POST, "/api/v1/weekly-reports/{person}/{week}/comment", Anonymous, NONE, 401, NA),
    (POST, "/api/v1/weekly-reports/{person}/{week}/comment", Admin, IN, 403, HIDDEN),
    (POST, "/api/v1/weekly-reports/{person}/{week}/comment", Admin, OUT, 403, HIDDEN),
    (POST, "/api/v1/weekly-reports/{person}/{week}/comment", Gm, IN, 200, SHOWN),
    (POST, "/api/v1/weekly-reports/{person}/{week}/comment", Gm, OUT, 200, SHOWN),
    (POST, "/api/v1/weekly-reports/{person}/{week}/comment", Manager, IN, 200, SHOWN),
    (POST, "/api/v1/weekly-reports/{person}/{week}/comment", Manager, OUT, 404, HIDDEN),
    (POST, "/api/v1/weekly-reports/{person}/{week}/comment", Manager, OWN, 403, HIDDEN),
    (POST, "/api/v1/weekly-reports/{person}/{week}/comment", Sales, IN, 403, HIDDEN),
    (POST, "/api/v1/weekly-reports/{person}/{week}/comment", Sales, OUT, 404, HIDDEN),
    (POST, "/api/v1/weekly-reports/{person}/{week}/comment", SalesAdmin, IN, 403, HIDDEN),
    (POST, "/api/v1/weekly-reports/{person}/{week}/comment", SalesAdmin, OUT, 403, HIDDEN),
    (POST, "/api/v1/weekly-reports/{person}/{week}/comment", Hr, IN, 404, HIDDEN),
    (POST, "/api/v1/weekly-reports/{person}/{week}/comment", Hr, OUT, 404, HIDDEN),
];

/// What a route's target record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unit,
    Person,
    User,
    Token,
    /// A subject of targets and actuals (`person:E0016`), in the body.
    Figure,
    /// The subject of a target table, in the query.
    Table,
    /// A month (`2040-01`), one of its own for every case.
    Month,
    /// A unit's month (`HD-SH` in the path, with a month of its own).
    Submission,
    /// A metric's code in the path.
    Metric,
    /// A unit's plan of a year of its own for every case (its id in the
    /// path, or the year in the query of the list).
    Plan,
    /// An order of its own for every case, credited to the record's
    /// salesperson, with one collection (its id in the path).
    Order,
    /// A customer of its own for every case, owned by the record's
    /// salesperson (its id in the path), with one contact.
    Customer,
    /// An activity of its own for every case, of the record's salesperson.
    Activity,
    /// A project of its own for every case, owned by the record's
    /// salesperson (its id in the path); for the order routes won, with an
    /// order of its owner (linked, to unlink).
    Project,
    /// A person's daily plan or weekly report (`{person}` in the path), on
    /// a day and in a week of its own; commented ones are saved (and the
    /// report submitted) first.
    Work,
    /// A person's plan against done (`?person=` in the query).
    WorkRange,
    Nothing,
}

fn kind(method: &str, path: &str) -> Kind {
    match (method, path) {
        (_, "/api/v1/units" | "/api/v1/units/{code}")
        | (POST, "/api/v1/people" | "/api/v1/import/people") => Kind::Unit,
        (_, "/api/v1/people" | "/api/v1/people/{employee_no}") => Kind::Person,
        (_, "/api/v1/users/{username}/password") => Kind::User,
        (_, "/api/v1/tokens/{id}") => Kind::Token,
        (
            _,
            "/api/v1/targets"
            | "/api/v1/actuals"
            | "/api/v1/import/targets"
            | "/api/v1/import/actuals"
            | "/api/v1/targets/split"
            | "/api/v1/targets/growth",
        )
        | (PUT, "/api/v1/targets/dimensions") => Kind::Figure,
        (GET, "/api/v1/targets/dimensions") => Kind::Table,
        (
            _,
            "/api/v1/plans"
            | "/api/v1/plans/{plan}"
            | "/api/v1/plans/{plan}/compare"
            | "/api/v1/plans/{plan}/versions/{version}/submit"
            | "/api/v1/plans/{plan}/versions/{version}/approve"
            | "/api/v1/plans/{plan}/versions/{version}/return"
            | "/api/v1/plans/{plan}/versions/{version}/publish",
        ) => Kind::Plan,
        (
            _,
            "/api/v1/table" | "/api/v1/table.xlsx" | "/api/v1/table.csv" | "/api/v1/table/sources",
        ) => Kind::Table,
        (_, "/api/v1/metrics/{code}") => Kind::Metric,
        (_, "/api/v1/periods/{period}/lock" | "/api/v1/periods/{period}/reopen") => Kind::Month,
        (
            _,
            "/api/v1/submissions/{unit}/{period}"
            | "/api/v1/submissions/{unit}/{period}/submit"
            | "/api/v1/submissions/{unit}/{period}/return"
            | "/api/v1/submissions/{unit}/{period}/accept",
        ) => Kind::Submission,
        (
            _,
            "/api/v1/orders/{id}"
            | "/api/v1/orders/{id}/status"
            | "/api/v1/orders/{id}/cancel"
            | "/api/v1/orders/{id}/collections"
            | "/api/v1/orders/{id}/collections/{collection_id}",
        ) => Kind::Order,
        (
            _,
            "/api/v1/customers/{id}"
            | "/api/v1/customers/{id}/contacts"
            | "/api/v1/customers/{id}/contacts/{contact}"
            | "/api/v1/customers/{id}/notes",
        ) => Kind::Customer,
        (_, "/api/v1/activities/{id}") => Kind::Activity,
        (POST, "/api/v1/projects") => Kind::Person,
        (
            _,
            "/api/v1/projects/{id}"
            | "/api/v1/projects/{id}/followups"
            | "/api/v1/projects/{id}/orders"
            | "/api/v1/projects/{id}/orders/{order_no}",
        ) => Kind::Project,
        (
            _,
            "/api/v1/daily-plans/{person}/{day}"
            | "/api/v1/daily-plans/{person}/{day}/comment"
            | "/api/v1/weekly-reports/{person}/{week}"
            | "/api/v1/weekly-reports/{person}/{week}/comment",
        ) => Kind::Work,
        (GET, "/api/v1/daily-plans") => Kind::WorkRange,
        _ => Kind::Nothing,
    }
}

/// A record as it shows in answers: its key, and a name that must never
/// show when the record is hidden.
#[derive(Debug, Clone)]
struct Record {
    key: String,
    name: Option<&'static str>,
}

impl Record {
    fn named(key: &str, name: &'static str) -> Record {
        Record {
            key: key.to_owned(),
            name: Some(name),
        }
    }

    fn key(key: impl Into<String>) -> Record {
        Record {
            key: key.into(),
            name: None,
        }
    }
}

/// The account given to E0028 (华南 · 广州组) so that there is a user
/// outside every manager's and salesperson's reach.
const OUTSIDE_USER: &str = "hn_sales";
const OUTSIDE_USER_PASSWORD: &str = "hn-sales-2024";

/// Accounts for the heads of HD-SH (徐海涛, E0008) and HN-GZ (E0011), who
/// draft their teams' plans.
const TEAM_HEADS: [(&str, &str, &str); 2] = [
    ("HD-SH", "E0008", "az_head_hd_sh"),
    ("HN-GZ", "E0011", "az_head_hn_gz"),
];

/// Who drafts a unit's plan in the matrix.
fn plan_author(unit: &str) -> Result<&'static str, String> {
    if unit == "HD" {
        return Ok("manager");
    }
    TEAM_HEADS
        .iter()
        .find(|(u, _, _)| *u == unit)
        .map(|(_, _, username)| *username)
        .ok_or_else(|| format!("nobody drafts {unit}'s plan"))
}

/// One role's run over its rows of the matrix, on its own app.
struct Run {
    app: TestApp,
    who: Who,
    /// Signed in as `who`; unused for anonymous, who gets a fresh client
    /// for every row.
    client: Client,
    /// The current password of `who` (it changes in one row).
    password: String,
    own_token: i64,
    other_token: i64,
    /// Makes the codes of created records unique.
    seq: u32,
    cases: usize,
    failures: Vec<String>,
}

enum Body {
    Empty,
    Json(Value),
    Csv(String),
}

impl Run {
    async fn start(app: TestApp, who: Who) -> Run {
        let db = app.db();
        let e0028 = org::person_id_by_employee_no(db, "E0028")
            .await
            .expect("look up E0028");
        assert!(e0028.is_some(), "demo has E0028");
        let outside = accounts::create_user(
            db,
            None,
            OUTSIDE_USER,
            OUTSIDE_USER_PASSWORD,
            Role::Sales,
            e0028,
        )
        .await
        .expect("account for E0028");
        for (_, no, username) in TEAM_HEADS {
            let person = org::person_id_by_employee_no(db, no)
                .await
                .expect("look up a team head");
            assert!(person.is_some(), "demo has {no}");
            accounts::create_user(
                db,
                None,
                username,
                OUTSIDE_USER_PASSWORD,
                Role::Manager,
                person,
            )
            .await
            .expect("account for a team head");
        }
        let (_, other) = accounts::create_token(db, None, outside.id, "华南报表脚本")
            .await
            .expect("token of another user");
        let own_token = match who {
            Anonymous => other.id,
            _ => {
                let me = accounts::find_user(db, who.username())
                    .await
                    .expect("find user")
                    .expect("demo user exists");
                accounts::create_token(db, None, me.id, "矩阵测试")
                    .await
                    .expect("own token")
                    .1
                    .id
            }
        };
        let client = match who {
            Anonymous => app.anonymous(),
            _ => app.demo(who.username()).await,
        };
        Run {
            app,
            who,
            client,
            password: mubiao::demo::DEMO_PASSWORD.to_owned(),
            own_token,
            other_token: other.id,
            seq: 0,
            cases: 0,
            failures: Vec::new(),
        }
    }

    /// Locks `month` directly in storage, as admin, so that the row's
    /// caller (whose session and password the matrix changes) is not
    /// needed for it.
    async fn lock(&self, month: &str) -> Result<(), String> {
        let db = self.app.db();
        let admin = accounts::find_user(db, "admin")
            .await
            .map_err(|e| e.to_string())?
            .ok_or("no admin account")?;
        let actor = Actor {
            user_id: admin.id,
            username: admin.username,
            role: Role::Admin,
            person_id: None,
            unit_id: None,
        };
        figures::lock_period(db, &actor, month, Some("矩阵测试：先锁定"))
            .await
            .map_err(|e| e.to_string())
    }

    /// Enters an order of ¥100.00 dated today, credited to `employee_no`
    /// alone, with a collection of ¥10.00 if `collected`, directly in
    /// storage as admin; returns the ids of both (0 without collection).
    async fn order(&self, employee_no: &str, collected: bool) -> Result<(i64, i64), String> {
        use mubiao::storage::orders::{self, CreditInput, LineInput, NewCollection, NewOrder};
        let db = self.app.db();
        let admin = self.actor("admin", "HQ").await?;
        let tz = chrono_tz::Asia::Shanghai;
        let new = NewOrder {
            order_no: Some(format!("AZ-{}-{}", self.who, self.cases)),
            customer: Some(format!("矩阵测试客户{}", self.cases)),
            lines: vec![LineInput {
                product: "矩阵测试产品".into(),
                category: None,
                quantity: json!("1"),
                unit_price: json!("100.00"),
                amount: None,
            }],
            credits: vec![CreditInput {
                employee_no: employee_no.into(),
                share: None,
            }],
            ..Default::default()
        };
        let id = orders::create(db, &Default::default(), &admin, &new, tz)
            .await
            .map_err(|e| e.to_string())?
            .id;
        if !collected {
            return Ok((id, 0));
        }
        let k = NewCollection {
            amount: json!("10.00"),
            collected_on: None,
            note: None,
        };
        let collection = orders::add_collection(db, &admin, id, &k, tz)
            .await
            .map_err(|e| e.to_string())?;
        Ok((id, collection))
    }

    /// A customer (with one contact) or an activity of `employee_no`,
    /// made directly in storage as admin; returns its id and the
    /// contact's (0 for an activity).
    async fn sales_record(&self, kind: Kind, employee_no: &str) -> Result<(i64, i64), String> {
        use mubiao::storage::{activities, customers};
        let db = self.app.db();
        let admin = self.actor("admin", "HQ").await?;
        if kind == Kind::Activity {
            let new = activities::NewActivity {
                kind: "visit".into(),
                person: Some(employee_no.into()),
                occurred_on: Some("2026-11-03".into()),
                ..Default::default()
            };
            let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 3).ok_or("date")?;
            let a = activities::create(db, &admin, &new, today)
                .await
                .map_err(|e| e.to_string())?;
            return Ok((a.id, 0));
        }
        let new = customers::NewCustomer {
            name: format!("矩阵客户-{}-{}", self.who, self.cases),
            owner: Some(employee_no.into()),
            ..Default::default()
        };
        let c = customers::create(db, &admin, &new)
            .await
            .map_err(|e| e.to_string())?;
        let contact = customers::NewContact {
            name: "矩阵联系人".into(),
            ..Default::default()
        };
        let k = customers::add_contact(db, &admin, c.id, &contact)
            .await
            .map_err(|e| e.to_string())?;
        Ok((c.id, k.id))
    }

    /// A project of `employee_no`, made directly in storage as admin; for
    /// the order routes won, with an order of its owner entered (and, to
    /// unlink, linked). Returns its id.
    async fn project(&self, template: &str, employee_no: &str) -> Result<i64, String> {
        use mubiao::storage::projects::{self, NewProject, ProjectPatch, Today};
        let db = self.app.db();
        let admin = self.actor("admin", "HQ").await?;
        let today = Today::now(chrono_tz::Asia::Shanghai);
        let new = NewProject {
            name: format!("矩阵项目-{}-{}", self.who, self.cases),
            owner: Some(employee_no.into()),
            ..Default::default()
        };
        let id = projects::create(db, &admin, &new, &today)
            .await
            .map_err(|e| e.to_string())?
            .project
            .id;
        if template.contains("/orders") {
            self.order(employee_no, false).await?;
            let won = ProjectPatch {
                status: Some("won".into()),
                ..Default::default()
            };
            projects::update(db, &admin, id, &won, &today)
                .await
                .map_err(|e| e.to_string())?;
            if template.ends_with("{order_no}") {
                let no = format!("AZ-{}-{}", self.who, self.cases);
                projects::link_order(db, &admin, id, &no, &today)
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(id)
    }

    /// The day and the ISO week of this case, of its own like
    /// [`Run::month`], years from the demo's records.
    fn work_period(&self) -> (String, String) {
        let day = chrono::NaiveDate::from_ymd_opt(2031, 1, 1)
            .map(|d| d + chrono::Duration::days(self.cases as i64))
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let week = format!("{}-W{:02}", 2031 + self.cases / 50, self.cases % 50 + 1);
        (day, week)
    }

    /// The daily plan (or the submitted weekly report) a comment row
    /// comments on, saved directly in storage as admin.
    async fn work_record(
        &self,
        template: &str,
        employee_no: &str,
        day: &str,
        week: &str,
    ) -> Result<(), String> {
        use mubiao::storage::work::{self, DailyPlanInput, WeeklyReportInput};
        let db = self.app.db();
        let admin = self.actor("admin", "HQ").await?;
        if template.starts_with("/api/v1/daily-plans/") {
            let plan = DailyPlanInput {
                planned_calls: Some(30),
                ..Default::default()
            };
            work::put_plan(db, &admin, employee_no, day, &plan)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        } else {
            let report = WeeklyReportInput {
                summary: Some("矩阵测试周报".into()),
                submit: Some(true),
                ..Default::default()
            };
            work::put_report(db, &admin, employee_no, week, &report)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    }

    /// Submits `unit`'s `month` directly in storage, as 王建国 (the
    /// `manager`, head of HD), so that the compiling office may return or
    /// accept it (a submitter never accepts their own submission).
    async fn submit(&self, unit: &str, month: &str) -> Result<(), String> {
        let db = self.app.db();
        let manager = accounts::find_user(db, "manager")
            .await
            .map_err(|e| e.to_string())?
            .ok_or("no manager account")?;
        let (tree, _) = org::load_tree(db).await.map_err(|e| e.to_string())?;
        let actor = Actor {
            user_id: manager.id,
            username: manager.username,
            role: Role::Manager,
            person_id: manager.person_id,
            unit_id: tree.by_code("HD").map(|u| u.id),
        };
        submissions::act(
            db,
            &actor,
            unit,
            month,
            submissions::SubmissionAction::Submit,
            Some("矩阵测试：先提交"),
        )
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
    }

    /// The record a row is about.
    fn record(&self, kind: Kind, target: Target) -> Option<Record> {
        // Anonymous rows have no target; their paths still need values.
        let target = if target == Target::None {
            Target::Inside
        } else {
            target
        };
        Some(match (kind, target) {
            (Kind::Nothing, _) | (_, Target::None) => return None,
            (Kind::Unit, Target::Inside) => Record::named("HD-SH", "上海一组"),
            (Kind::Unit, Target::Outside) => Record::named("HN-GZ", "广州组"),
            (Kind::Person, Target::Inside) => Record::named("E0015", "张晓明"),
            (Kind::Person, Target::Outside) if self.who == Sales => {
                Record::named("E0016", "罗佳怡")
            }
            (Kind::Person, Target::Outside) => Record::named("E0028", "曹俊"),
            (Kind::Unit, Target::Own) => self.who.own()?.0,
            (Kind::Person, Target::Own) => self.who.own()?.1,
            (Kind::User, Target::Inside) => Record::key("sales"),
            (Kind::User, Target::Outside) => Record::key(OUTSIDE_USER),
            (Kind::Token, Target::Inside) => Record::key(self.own_token.to_string()),
            (Kind::Token, Target::Outside) => Record::key(self.other_token.to_string()),
            (Kind::User | Kind::Token, Target::Own) => return None,
            (Kind::Figure, Target::Inside) if self.who == Sales => {
                Record::named("person:E0015", "张晓明")
            }
            (Kind::Figure, Target::Inside) => Record::named("person:E0016", "罗佳怡"),
            (Kind::Figure, Target::Outside) if self.who == Sales => {
                Record::named("person:E0016", "罗佳怡")
            }
            (Kind::Figure, Target::Outside) => Record::named("person:E0028", "曹俊"),
            (Kind::Figure | Kind::Table, Target::Own) => {
                let unit = self.who.own()?.0;
                Record {
                    key: format!("unit:{}", unit.key),
                    name: unit.name,
                }
            }
            (Kind::Table, Target::Inside) if self.who == Sales => {
                Record::named("person:E0015", "张晓明")
            }
            (Kind::Table, Target::Inside) => Record::named("unit:HD-SH", "上海一组"),
            (Kind::Table, Target::Outside) => Record::named("unit:HN-GZ", "广州组"),
            (Kind::Submission, Target::Inside) => Record::named("HD-SH", "上海一组"),
            (Kind::Submission, Target::Outside) => Record::named("HN-GZ", "广州组"),
            (Kind::Submission, Target::Own) => self.who.own()?.0,
            (Kind::Metric, Target::Inside) => Record::named("calls", "电话量"),
            (Kind::Metric, Target::Outside) => Record::key("az_no_such_metric"),
            (Kind::Metric, Target::Own) => return None,
            (Kind::Month, _) => Record::key(self.month()),
            (Kind::Plan, Target::Inside) => Record::named("HD-SH", "上海一组"),
            (Kind::Plan, Target::Outside) => Record::named("HN-GZ", "广州组"),
            (Kind::Plan, Target::Own) => self.who.own()?.0,
            (Kind::Customer | Kind::Activity, Target::Inside) => Record::key("E0015"),
            (Kind::Customer | Kind::Activity, Target::Outside) if self.who == Sales => {
                Record::key("E0016")
            }
            (Kind::Customer | Kind::Activity, Target::Outside) => Record::key("E0028"),
            (Kind::Customer | Kind::Activity, Target::Own) => return None,
            (Kind::Order, Target::Inside) => Record::key("E0015"),
            (Kind::Order, Target::Outside) if self.who == Sales => Record::key("E0016"),
            (Kind::Order, Target::Outside) => Record::key("E0028"),
            (Kind::Order, Target::Own) => return None,
            (Kind::Project | Kind::Work | Kind::WorkRange, Target::Inside) => {
                Record::named("E0015", "张晓明")
            }
            (Kind::Project | Kind::Work | Kind::WorkRange, Target::Outside)
                if self.who == Sales =>
            {
                Record::named("E0016", "罗佳怡")
            }
            (Kind::Project | Kind::Work | Kind::WorkRange, Target::Outside) => {
                Record::named("E0028", "曹俊")
            }
            (Kind::Work, Target::Own) => self.who.own()?.1,
            (Kind::Project | Kind::WorkRange, Target::Own) => return None,
        })
    }

    /// The month of this case: `cases` counts this run's rows, so every
    /// case gets a month of its own, far from the months other rows write.
    fn month(&self) -> String {
        format!("{}-{:02}", 2040 + self.cases / 12, self.cases % 12 + 1)
    }

    /// The year of this case's plan, of its own like [`Run::month`].
    fn year(&self) -> i32 {
        2100 + self.cases as i32
    }

    /// The actor behind a login, in `unit`.
    async fn actor(&self, username: &str, unit: &str) -> Result<Actor, String> {
        let db = self.app.db();
        let user = accounts::find_user(db, username)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no account {username}"))?;
        let (tree, _) = org::load_tree(db).await.map_err(|e| e.to_string())?;
        Ok(Actor {
            user_id: user.id,
            username: user.username,
            role: user
                .role
                .parse()
                .map_err(|_| format!("the role of {username}"))?,
            person_id: user.person_id,
            unit_id: tree.by_code(unit).map(|u| u.id),
        })
    }

    /// A plan of `unit` for this case's year whose version 1 — a visits
    /// target of the unit itself, drafted by the unit's head — has gone as
    /// far as `stage` (submitted by its author, approved by the GM).
    async fn plan(&self, unit: &str, stage: plans::Step) -> Result<i64, String> {
        let db = self.app.db();
        let author = self.actor(plan_author(unit)?, unit).await?;
        let item = figures::FigureInput {
            metric: "visits".into(),
            subject: format!("unit:{unit}"),
            period: format!("{}-03", self.year()),
            value: json!("20"),
            floor: None,
            stretch: None,
        };
        let summary = figures::write(
            db,
            &author,
            FiscalYear::default(),
            figures::Measure::Target,
            &[item],
        )
        .await
        .map_err(|e| format!("draft: {e}"))?;
        let plan = summary
            .pending
            .first()
            .ok_or("the draft made no plan version")?
            .plan;
        if matches!(
            stage,
            plans::Step::Approve | plans::Step::Return | plans::Step::Publish
        ) {
            plans::step(db, &author, plan, 1, plans::Step::Submit, None)
                .await
                .map_err(|e| format!("submit: {e}"))?;
        }
        if stage == plans::Step::Publish {
            let gm = self.actor("gm", "HQ").await?;
            plans::step(
                db,
                &gm,
                plan,
                1,
                plans::Step::Approve,
                Some("矩阵测试：同意"),
            )
            .await
            .map_err(|e| format!("approve: {e}"))?;
        }
        Ok(plan)
    }

    /// A valid body for the route, so that the answer is about
    /// authorization, not validation.
    fn body(&mut self, method: &str, path: &str, record: Option<&Record>) -> Option<Body> {
        self.seq += 1;
        let fresh = format!("AZ{:03}", self.seq);
        let at = record.map_or("HD-SH", |r| r.key.as_str());
        Some(match (method, path) {
            (GET | DELETE, _) | (POST, "/api/v1/logout") => Body::Empty,
            (POST, "/api/v1/login") => Body::Json(json!({
                "username": self.who.username(),
                "password": self.password,
            })),
            (PUT, "/api/v1/me/password") => Body::Json(json!({
                "old_password": self.password,
                "new_password": format!("matrix-{fresh}-pass"),
            })),
            (PUT, "/api/v1/users/{username}/password") => {
                Body::Json(json!({"new_password": "reset-by-admin-2024"}))
            }
            (POST, "/api/v1/units") => {
                Body::Json(json!({"code": fresh, "name": "测试组", "parent": at}))
            }
            (PATCH, "/api/v1/units/{code}") => Body::Json(json!({"name": "改名"})),
            (POST, "/api/v1/people") => Body::Json(json!({
                "employee_no": fresh,
                "name": "测试员",
                "unit": at,
                "role": "sales",
            })),
            (PATCH, "/api/v1/people/{employee_no}") => Body::Json(json!({"phone": "13900000000"})),
            (POST, "/api/v1/import/people") => Body::Csv(format!(
                "工号,姓名,部门编码,角色\n{fresh},测试员,{at},sales\n"
            )),
            (POST, "/api/v1/import/targets" | "/api/v1/import/actuals") => Body::Csv(format!(
                "主体,指标,期间,值\n{at},complaints,{},20\n",
                self.month()
            )),
            (POST, "/api/v1/metrics") => Body::Json(json!({
                "code": fresh.to_lowercase(),
                "name": "矩阵测试指标",
                "kind": "count",
                "direction": "higher",
                "total": "sum",
                "rollup": "sum",
            })),
            (PATCH, "/api/v1/metrics/{code}") => Body::Json(json!({"name_en": "Calls (matrix)"})),
            (POST, "/api/v1/tokens") => Body::Json(json!({"name": "矩阵测试"})),
            (PUT, "/api/v1/targets" | "/api/v1/actuals") => Body::Json(json!([
                {"metric": "complaints", "subject": at, "period": "2026-03", "value": "20"},
            ])),
            (POST, "/api/v1/periods/{period}/lock") => {
                Body::Json(json!({"reason": "矩阵测试结账"}))
            }
            (POST, "/api/v1/periods/{period}/reopen") => {
                Body::Json(json!({"reason": "矩阵测试补录"}))
            }
            (
                POST,
                "/api/v1/submissions/{unit}/{period}/submit"
                | "/api/v1/submissions/{unit}/{period}/accept",
            ) => Body::Json(json!({"comment": "矩阵测试"})),
            (POST, "/api/v1/submissions/{unit}/{period}/return") => {
                Body::Json(json!({"comment": "矩阵测试：请补充"}))
            }
            (POST, "/api/v1/targets/split") => Body::Json(json!({
                "metric": "visits",
                "from": {"subject": at, "period": self.year().to_string()},
                "to": "quarters",
                "method": "equal",
                "value": "40",
                "preview": false,
            })),
            (PUT, "/api/v1/targets/dimensions") => Body::Json(json!([{
                "metric": "sales_amount",
                "subject": at,
                "period": "2026-03",
                "dimension": "category",
                "member": "轿车",
                "value": "10",
            }])),
            (POST, "/api/v1/targets/growth") => Body::Json(json!({
                "metric": "visits",
                "subject": at,
                "year": 2026,
                "growth": "10",
                "preview": false,
            })),
            (PUT, "/api/v1/distributions/{code}") => Body::Json(json!({
                "name": "矩阵测试分布",
                "percents": ["10", "10", "10", "10", "10", "10", "5", "5", "5", "5", "10", "10"],
            })),
            (POST, "/api/v1/plans/{plan}/versions/{version}/return") => {
                Body::Json(json!({"comment": "矩阵测试：请修改"}))
            }
            (POST, "/api/v1/orders") => Body::Json(json!({
                "order_no": format!("AZ-{}-{fresh}", self.who),
                "customer": format!("矩阵测试客户{fresh}"),
                "lines": [{"product": "矩阵测试产品", "quantity": "2", "unit_price": "50"}],
                "credits": [{"employee_no": if self.who == Sales { "E0015" } else { "E0016" }}],
            })),
            (PATCH, "/api/v1/orders/{id}") => Body::Json(json!({"note": "矩阵测试"})),
            (POST, "/api/v1/orders/{id}/status") => Body::Json(json!({"status": "confirmed"})),
            (POST, "/api/v1/orders/{id}/cancel") => Body::Json(json!({"reason": "矩阵测试"})),
            (POST, "/api/v1/orders/{id}/collections") => Body::Json(json!({"amount": "1.00"})),
            (POST, "/api/v1/import/orders") => Body::Csv(format!(
                "订单号,客户,销售工号,下单日期,产品,数量,单价\nAZ-{}-{fresh},矩阵测试客户{fresh},E0016,2026-03-05,矩阵测试产品,1,10\n",
                self.who
            )),
            (POST, "/api/v1/customers") => {
                Body::Json(json!({"name": format!("矩阵客户-{}-{fresh}", self.who)}))
            }
            (PATCH, "/api/v1/customers/{id}") => Body::Json(json!({"notes": "矩阵测试"})),
            (POST, "/api/v1/customers/{id}/contacts") => Body::Json(json!({"name": "矩阵联系人"})),
            (PATCH, "/api/v1/customers/{id}/contacts/{contact}") => {
                Body::Json(json!({"title": "经理"}))
            }
            (POST, "/api/v1/customers/{id}/notes") => {
                Body::Json(json!({"kind": "note", "content": "矩阵测试"}))
            }
            (POST, "/api/v1/activities") if self.who == Admin => {
                Body::Json(json!({"kind": "call", "person": "E0016"}))
            }
            (POST, "/api/v1/activities") => Body::Json(json!({"kind": "call"})),
            (PATCH, "/api/v1/activities/{id}") => Body::Json(json!({"outcome": "矩阵测试"})),
            (PUT, "/api/v1/project-stages") => Body::Json(json!([
                {"code": "design", "name": "前期设计", "name_en": "Early design", "cadence_days": 7},
                {"code": "bid", "name": "投标", "name_en": "Bidding", "cadence_days": 14},
                {"code": "detailing", "name": "深化设计", "name_en": "Detailed design", "cadence_days": 14},
                {"code": "execution", "name": "备货执行", "name_en": "Procurement & execution", "cadence_days": 14},
                {"code": "acceptance", "name": "验收", "name_en": "Acceptance", "cadence_days": 14},
                {"code": "collection", "name": "回款", "name_en": "Collection", "cadence_days": 14},
            ])),
            (POST, "/api/v1/projects") => Body::Json(json!({
                "name": format!("矩阵项目{fresh}"),
                "owner": record.map_or("E0015", |r| r.key.as_str()),
                "amount": "100000",
            })),
            (PATCH, "/api/v1/projects/{id}") => Body::Json(json!({"probability": 55})),
            (POST, "/api/v1/projects/{id}/followups") => {
                Body::Json(json!({"note": "矩阵测试跟进"}))
            }
            (POST, "/api/v1/projects/{id}/orders") => {
                Body::Json(json!({"order_no": format!("AZ-{}-{}", self.who, self.cases)}))
            }
            (PUT, "/api/v1/daily-plans/{person}/{day}") => {
                Body::Json(json!({"planned_calls": 25, "tasks": [{"text": "矩阵测试"}]}))
            }
            (PUT, "/api/v1/weekly-reports/{person}/{week}") => {
                Body::Json(json!({"summary": "矩阵测试", "submit": true}))
            }
            (POST, "/api/v1/daily-plans/{person}/{day}/comment")
            | (POST, "/api/v1/weekly-reports/{person}/{week}/comment") => {
                Body::Json(json!({"comment": "矩阵测试点评"}))
            }
            (POST, _) if path.starts_with("/api/v1/plans/") => {
                Body::Json(json!({"comment": "矩阵测试"}))
            }
            _ => return None,
        })
    }

    async fn check(&mut self, row: &Row) {
        let &(method, template, who, target, expected, shown) = row;
        self.cases += 1;
        let label = format!("{who} {method} {template} ({target})");
        let kind = kind(method, template);
        let mut record = self.record(kind, target);
        let mut path = template.to_owned();
        // An order of its own, credited to the record's salesperson.
        if kind == Kind::Order
            && let Some(no) = record.as_ref().map(|r| r.key.clone())
        {
            match self.order(&no, template.ends_with("{collection_id}")).await {
                Ok((order, collection)) => {
                    path = path.replace("{collection_id}", &collection.to_string());
                    record = Some(Record::key(order.to_string()));
                }
                Err(e) => {
                    self.failures.push(format!(
                        "{label}: could not enter an order for {no} first: {e}"
                    ));
                    return;
                }
            }
        }
        // A customer or an activity of its own, of the record's salesperson.
        if matches!(kind, Kind::Customer | Kind::Activity)
            && let Some(no) = record.as_ref().map(|r| r.key.clone())
        {
            match self.sales_record(kind, &no).await {
                Ok((id, contact)) => {
                    path = path.replace("{contact}", &contact.to_string());
                    record = Some(Record::key(id.to_string()));
                }
                Err(e) => {
                    self.failures.push(format!(
                        "{label}: could not make a record of {no} first: {e}"
                    ));
                    return;
                }
            }
        }
        // A project of its own, owned by the record's salesperson.
        if kind == Kind::Project
            && let Some(no) = record.as_ref().map(|r| r.key.clone())
        {
            match self.project(template, &no).await {
                Ok(id) => {
                    path = path.replace("{order_no}", &format!("AZ-{}-{}", who, self.cases));
                    record = Some(Record::key(id.to_string()));
                }
                Err(e) => {
                    self.failures.push(format!(
                        "{label}: could not make a project of {no} first: {e}"
                    ));
                    return;
                }
            }
        }
        // A day and a week of their own; what a comment needs, saved first.
        if matches!(kind, Kind::Work | Kind::WorkRange)
            && let Some(no) = record.as_ref().map(|r| r.key.clone())
        {
            let (day, week) = self.work_period();
            path = path
                .replace("{person}", &no)
                .replace("{day}", &day)
                .replace("{week}", &week);
            if kind == Kind::WorkRange {
                path = format!("{path}?person={no}&week={week}");
            }
            if template.ends_with("/comment")
                && let Err(e) = self.work_record(template, &no, &day, &week).await
            {
                self.failures
                    .push(format!("{label}: could not save {no}'s work first: {e}"));
                return;
            }
        }
        if let Some(r) = &record {
            // A unit's month: the record's unit, and a month of its own.
            if kind == Kind::Submission {
                let month = self.month();
                path = path.replace("{unit}", &r.key).replace("{period}", &month);
                // Inside (and for anonymous callers) a return or an accept
                // finds the month submitted; outside it was never submitted.
                if matches!(
                    template,
                    "/api/v1/submissions/{unit}/{period}/return"
                        | "/api/v1/submissions/{unit}/{period}/accept"
                ) && target != Target::Outside
                    && let Err(e) = self.submit(&r.key, &month).await
                {
                    self.failures.push(format!(
                        "{label}: could not submit {} {month} first: {e}",
                        r.key
                    ));
                    return;
                }
            }
            for param in ["{code}", "{employee_no}", "{username}", "{id}", "{period}"] {
                path = path.replace(param, &r.key);
            }
            if template == "/api/v1/table/sources" {
                path = format!(
                    "{path}?subject={}&metric=sales_amount&period=2026-03",
                    r.key
                );
            } else if kind == Kind::Table {
                path = format!("{path}?subject={}&year=2026", r.key);
                if template == "/api/v1/targets/dimensions" {
                    path = format!("{path}&metric=sales_amount&dimension=category");
                }
            }
            // A plan of its own year, as far along as the step needs.
            if kind == Kind::Plan {
                let stage = match template {
                    "/api/v1/plans/{plan}/versions/{version}/approve" => plans::Step::Approve,
                    "/api/v1/plans/{plan}/versions/{version}/return" => plans::Step::Return,
                    "/api/v1/plans/{plan}/versions/{version}/publish" => plans::Step::Publish,
                    _ => plans::Step::Submit,
                };
                match self.plan(&r.key, stage).await {
                    Ok(plan) => {
                        path = path
                            .replace("{plan}", &plan.to_string())
                            .replace("{version}", "1");
                    }
                    Err(e) => {
                        self.failures.push(format!(
                            "{label}: could not make {}'s plan first: {e}",
                            r.key
                        ));
                        return;
                    }
                }
                if template == "/api/v1/plans" {
                    path = format!("{path}?year={}", self.year());
                }
                if template == "/api/v1/plans/{plan}/compare" {
                    path = format!("{path}?from=0&to=1");
                }
            }
            // Inside (and for anonymous callers) a reopen finds its month
            // locked; outside the month was never locked.
            if template == "/api/v1/periods/{period}/reopen"
                && target != Target::Outside
                && let Err(e) = self.lock(&r.key).await
            {
                self.failures
                    .push(format!("{label}: could not lock {} first: {e}", r.key));
                return;
            }
        }
        // A distribution of its own.
        path = path.replace("{code}", &format!("az_{}", self.cases));
        let Some(body) = self.body(method, template, record.as_ref()) else {
            self.failures.push(format!(
                "{label}: no request body for this route; add one to Run::body"
            ));
            return;
        };
        let client = match who {
            Anonymous => self.app.anonymous(),
            _ => self.client.clone(),
        };
        let new_password = match &body {
            Body::Json(b) => b["new_password"].as_str().map(str::to_owned),
            _ => None,
        };
        let (status, answer, text) = match body {
            // A file download: its content, read as text.
            Body::Empty if template.ends_with(".xlsx") || template.ends_with(".csv") => {
                download(&client, &path).await
            }
            Body::Csv(csv) => {
                // people.csv, targets.csv, actuals.csv
                let file = format!("{}.csv", template.rsplit('/').next().unwrap_or("upload"));
                let (status, answer) = client.upload(&path, &file, csv.into_bytes()).await;
                let text = answer.to_string();
                (status, answer, text)
            }
            Body::Json(b) => {
                let m = Method::from_bytes(method.as_bytes()).expect("method");
                let (status, answer) = client.send(m, &path, Some(b)).await;
                let text = answer.to_string();
                (status, answer, text)
            }
            Body::Empty => {
                let m = Method::from_bytes(method.as_bytes()).expect("method");
                let (status, answer) = client.send(m, &path, None).await;
                let text = answer.to_string();
                (status, answer, text)
            }
        };
        if status.as_u16() != expected {
            self.failures.push(format!(
                "{label}: expected {expected}, got {status}: {}",
                short(&text)
            ));
        }
        if let Some(r) = record.as_ref().filter(|_| target != Target::None) {
            if shown && !text.contains(&r.key) {
                self.failures.push(format!(
                    "{label}: the answer does not show {}: {}",
                    r.key,
                    short(&text)
                ));
            }
            if let Some(name) = r.name.filter(|n| !shown && text.contains(n)) {
                self.failures.push(format!(
                    "{label}: the answer shows {name} ({}) although it must not: {}",
                    r.key,
                    short(&text)
                ));
            }
            // A unit or subject named in the body is reported back by its
            // code.
            if status == StatusCode::UNPROCESSABLE_ENTITY
                && matches!(kind, Kind::Unit | Kind::Figure)
                && !text.contains(&r.key)
            {
                self.failures.push(format!(
                    "{label}: the error does not name {}: {}",
                    r.key,
                    short(&text)
                ));
            }
        }
        if who == Anonymous {
            return;
        }
        // Keep the session usable for the rows that follow.
        match (method, template, status.as_u16()) {
            (GET, "/api/v1/me", 200) if answer["username"] != who.username() => {
                self.failures.push(format!(
                    "{label}: /me answers for someone else: {}",
                    short(&text)
                ));
            }
            (POST, "/api/v1/login", 200) => {
                self.client.csrf = answer["csrf_token"].as_str().map(str::to_owned);
            }
            (POST, "/api/v1/logout", 204) => {
                self.client = self.app.login(who.username(), &self.password).await;
            }
            (PUT, "/api/v1/me/password", 204) => {
                self.password = new_password.expect("new password");
            }
            _ => {}
        }
    }
}

/// Downloads a file: the status, the JSON answer of an error (`Null` for
/// a file), and the text a caller reads, which is every text cell of an
/// .xlsx, the text of a CSV, or the JSON of an error.
async fn download(client: &Client, path: &str) -> (StatusCode, Value, String) {
    let resp = client
        .request(Method::GET, path)
        .send()
        .await
        .expect("request");
    let status = resp.status();
    let xlsx = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("spreadsheetml"));
    let bytes = resp.bytes().await.expect("body").to_vec();
    if !status.is_success() {
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let text = answer.to_string();
        return (status, answer, text);
    }
    let text = if xlsx {
        xlsx_text(&bytes).unwrap_or_else(|e| format!("not a readable .xlsx: {e}"))
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    };
    (status, Value::Null, text)
}

/// Every text cell of every sheet of an .xlsx, one a line.
fn xlsx_text(bytes: &[u8]) -> Result<String, String> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|e: calamine::XlsxError| e.to_string())?;
    let mut text = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| e.to_string())?;
        text.extend(range.used_cells().filter_map(|(_, _, d)| match d {
            Data::String(t) => Some(t.clone()),
            _ => None,
        }));
    }
    Ok(text.join("\n"))
}

/// An answer in a failure message: long lists cut short.
fn short(text: &str) -> String {
    const MAX: usize = 600;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}… ({} bytes)", &text[..i], text.len()),
        None => text.to_owned(),
    }
}

/// Runs every row of `who` on `app`; fails with every mismatch at once.
async fn check_role(app: TestApp, who: Who) {
    let mut run = Run::start(app, who).await;
    for row in MATRIX.iter().filter(|r| r.2 == who) {
        run.check(row).await;
    }
    assert!(run.cases > 0, "no rows for {who}");
    assert!(
        run.failures.is_empty(),
        "{} of {} rows for {who} failed:\n{}",
        run.failures.len(),
        run.cases,
        run.failures.join("\n")
    );
}

both_databases! {
    async fn anonymous_callers_may_only_sign_in_and_read_the_api_description(app) {
        check_role(app, Anonymous).await;
    }

    async fn admin_rows_of_the_matrix(app) {
        check_role(app, Admin).await;
    }

    async fn gm_rows_of_the_matrix(app) {
        check_role(app, Gm).await;
    }

    async fn manager_rows_of_the_matrix(app) {
        check_role(app, Manager).await;
    }

    async fn sales_rows_of_the_matrix(app) {
        check_role(app, Sales).await;
    }

    async fn sales_admin_rows_of_the_matrix(app) {
        check_role(app, SalesAdmin).await;
    }

    async fn hr_rows_of_the_matrix(app) {
        check_role(app, Hr).await;
    }

    async fn matrix_covers_exactly_the_documented_routes(app) {
        let (status, doc) = app.anonymous().get("/api/v1/openapi.json").await;
        assert_eq!(status, StatusCode::OK, "{doc}");
        let paths = doc["paths"].as_object().expect("paths in the OpenAPI document");
        let documented: BTreeSet<(String, String)> = paths
            .iter()
            .flat_map(|(path, item)| {
                ["get", "post", "put", "patch", "delete", "head", "options", "trace"]
                    .into_iter()
                    .filter(|m| item.get(*m).is_some())
                    .map(|m| (m.to_uppercase(), path.clone()))
            })
            .collect();
        let in_matrix: BTreeSet<(String, String)> = MATRIX
            .iter()
            .map(|r| (r.0.to_owned(), r.1.to_owned()))
            .collect();
        let missing: Vec<String> = documented
            .difference(&in_matrix)
            .map(|(m, p)| format!("{m} {p}"))
            .collect();
        let stale: Vec<String> = in_matrix
            .difference(&documented)
            .map(|(m, p)| format!("{m} {p}"))
            .collect();
        assert!(
            missing.is_empty() && stale.is_empty(),
            "routes without rows in the authorization matrix: {missing:?}; \
             rows for routes the API does not have: {stale:?}"
        );
    }
}

/// Every route has every role; a route about a record has an inside and an
/// outside row for every signed-in role; anonymous callers have one row
/// per route; no row appears twice.
#[test]
fn matrix_has_every_role_and_target() {
    let mut routes: BTreeMap<(&str, &str), BTreeMap<Who, Vec<Target>>> = BTreeMap::new();
    for &(method, path, who, target, status, shown) in MATRIX {
        routes
            .entry((method, path))
            .or_default()
            .entry(who)
            .or_default()
            .push(target);
        assert!(
            !shown || (200..300).contains(&status),
            "{who} {method} {path} ({target}): a record can only show in a success"
        );
        assert!(
            target != Target::Own || who.own().is_some(),
            "{who} {method} {path}: {who} has no own record"
        );
    }
    let mut problems = Vec::new();
    for ((method, path), by_who) in &routes {
        let about_a_record = by_who
            .values()
            .flatten()
            .any(|t| matches!(t, Target::Inside | Target::Outside));
        if about_a_record && kind(method, path) == Kind::Nothing {
            problems.push(format!(
                "{method} {path}: has inside/outside rows but no record kind in kind()"
            ));
        }
        for who in Who::ALL {
            let mut targets = by_who.get(&who).cloned().unwrap_or_default();
            targets.sort();
            let expected: &[Target] = match who {
                Anonymous => &[NONE],
                _ if about_a_record && targets.contains(&OWN) => &[IN, OUT, OWN],
                _ if about_a_record => &[IN, OUT],
                _ => &[NONE],
            };
            if targets != expected {
                problems.push(format!(
                    "{method} {path}: {who} has rows for {targets:?}, expected {expected:?}"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the matrix is incomplete:\n{}",
        problems.join("\n")
    );
}
