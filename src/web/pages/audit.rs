//! Page: the audit log (`/audit`), read-only, for admin and gm.

use std::collections::BTreeSet;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Datelike, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::{Chrome, not_found_for, render};
use super::{Opt, crumbs_from_home, storage_failure};
use crate::domain::period::{FiscalYear, Period};
use crate::storage::audit::{self, AuditFilter, AuditView, PAGE_SIZE};
use crate::web::AppState;
use crate::web::auth::{Lang, PageUser, urlencode};
use crate::web::i18n::T;

/// `/audit`.
pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(audit_page))
}

/// A moment as the company reads it: `2025-03-01 09:30:00` in its time zone.
pub(super) fn local_time(at: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    at.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Record types with a name in the UI; others show their code.
const ENTITIES: &[&str] = &[
    "unit",
    "person",
    "user",
    "api_token",
    "metric",
    "figure",
    "period",
    "submission",
];

fn entity_label(t: T, entity: &str) -> String {
    match entity {
        "unit" => t.t("audit.ent.unit").into(),
        "person" => t.t("audit.ent.person").into(),
        "user" => t.t("audit.ent.user").into(),
        "api_token" => t.t("audit.ent.api_token").into(),
        "metric" => t.t("audit.ent.metric").into(),
        "figure" => t.t("audit.ent.figure").into(),
        "period" => t.t("audit.ent.period").into(),
        "submission" => t.t("audit.ent.submission").into(),
        other => other.into(),
    }
}

fn action_label(t: T, action: &str) -> String {
    match action {
        "create" => t.t("audit.act.create").into(),
        "update" => t.t("audit.act.update").into(),
        "import_create" => t.t("audit.act.import_create").into(),
        "import_update" => t.t("audit.act.import_update").into(),
        "password_change" => t.t("audit.act.password_change").into(),
        "password_reset" => t.t("audit.act.password_reset").into(),
        "revoke" => t.t("audit.act.revoke").into(),
        "demo" => t.t("audit.act.demo").into(),
        "target" => t.t("audit.act.target").into(),
        "actual" => t.t("audit.act.actual").into(),
        "lock" => t.t("audit.act.lock").into(),
        "reopen" => t.t("audit.act.reopen").into(),
        "submit" => t.t("audit.act.submit").into(),
        "return" => t.t("audit.act.return").into(),
        "accept" => t.t("audit.act.accept").into(),
        other => other.into(),
    }
}

/// The fiscal year whose target table shows `period`.
fn table_year(fiscal: FiscalYear, period: Period) -> i32 {
    let (first, _) = fiscal.span(period);
    fiscal.year_of_month(first.year(), first.month() as u8)
}

/// The target table of `subject` (`unit:HD`, `person:E0015`) in the year
/// of `period`; with `panel`, its 本月填报 panel shows that month.
fn table_link(fiscal: FiscalYear, subject: &str, period: &str, panel: bool) -> Option<String> {
    let (kind, code) = subject.split_once(':')?;
    if !matches!(kind, "unit" | "person") || code.is_empty() {
        return None;
    }
    let period: Period = period.parse().ok()?;
    let mut link = format!(
        "/table?subject={}&year={}",
        urlencode(subject),
        table_year(fiscal, period)
    );
    if panel && let Period::Month(..) = period {
        link.push_str(&format!("&month={period}"));
    }
    Some(link)
}

/// Where a record can be seen, if anywhere: a unit's or a person's page,
/// or the target table a figure or a monthly submission is in.
fn record_link(fiscal: FiscalYear, entity: &str, record: &str) -> Option<String> {
    match entity {
        "unit" => Some(format!("/org/{}", urlencode(record))),
        "person" => Some(format!("/people/{}", urlencode(record))),
        // `sales_amount person:E0015 2026-03`
        "figure" => match record.split(' ').collect::<Vec<_>>()[..] {
            [_metric, subject, period] => table_link(fiscal, subject, period, false),
            _ => None,
        },
        // `HD-SH 2026-03`
        "submission" => {
            let (unit, period) = record.split_once(' ')?;
            table_link(fiscal, &format!("unit:{unit}"), period, true)
        }
        _ => None,
    }
}

/// A JSON value for a table cell: text without quotes, null as a dash.
fn short(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "—".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// One side (before or after) of an entry.
struct Side {
    /// The fields that changed, with this side's value.
    changed: Vec<(String, String)>,
    /// The whole value, compact.
    json: String,
}

/// The keys whose values differ between two objects, in order.
fn changed_keys(before: &Value, after: &Value) -> Vec<String> {
    match (before.as_object(), after.as_object()) {
        (Some(b), Some(a)) => b
            .keys()
            .chain(a.keys())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter(|k| b.get(*k) != a.get(*k))
            .cloned()
            .collect(),
        _ => Vec::new(),
    }
}

/// Fields that tell a record apart, shown for an entry with one side only
/// (a creation), before its full JSON.
const SUMMARY_KEYS: &[&str] = &["name", "unit", "role", "parent", "username"];

/// The summary fields present in a one-sided entry, at most three.
fn summary_keys(v: &Value) -> Vec<String> {
    SUMMARY_KEYS
        .iter()
        .filter(|k| v.get(**k).is_some_and(|x| !x.is_null()))
        .take(3)
        .map(|k| (*k).to_owned())
        .collect()
}

fn side(v: Option<&Value>, keys: &[String]) -> Option<Side> {
    let v = v?;
    Some(Side {
        changed: keys.iter().map(|k| (k.clone(), short(v.get(k)))).collect(),
        json: v.to_string(),
    })
}

/// One entry as shown.
struct Row {
    at: String,
    actor: String,
    action: String,
    action_code: String,
    entity: String,
    entity_code: String,
    record: String,
    /// Where the record can be seen, if anywhere.
    link: Option<String>,
    /// Narrows the log to this record.
    filter: String,
    /// Before and after, in this order.
    sides: [Option<Side>; 2],
}

fn row(t: T, tz: chrono_tz::Tz, fiscal: FiscalYear, e: AuditView) -> Row {
    let keys = match (&e.before, &e.after) {
        (Some(b), Some(a)) => changed_keys(b, a),
        (Some(v), None) | (None, Some(v)) => summary_keys(v),
        (None, None) => Vec::new(),
    };
    let link = record_link(fiscal, &e.entity, &e.record);
    Row {
        at: local_time(e.at, tz),
        actor: e.actor,
        action: action_label(t, &e.action),
        action_code: e.action,
        entity: entity_label(t, &e.entity),
        filter: format!(
            "/audit?entity={}&record={}",
            urlencode(&e.entity),
            urlencode(&e.record)
        ),
        entity_code: e.entity,
        record: e.record,
        link,
        sides: [
            side(e.before.as_ref(), &keys),
            side(e.after.as_ref(), &keys),
        ],
    }
}

/// The filters, as the GET form sends them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AuditQuery {
    entity: String,
    record: String,
    page: String,
}

/// Pages beyond this are refused as nonsense rather than computed.
const MAX_PAGE: u64 = 1_000_000;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    rows: Vec<Row>,
    entity: String,
    record: String,
    entity_options: Vec<Opt>,
    page_label: String,
    prev: Option<String>,
    next: Option<String>,
    time_zone: String,
    filtered: bool,
}

fn page_link(entity: &str, record: &str, page: u64) -> String {
    let mut q = Vec::new();
    if !entity.is_empty() {
        q.push(format!("entity={}", urlencode(entity)));
    }
    if !record.is_empty() {
        q.push(format!("record={}", urlencode(record)));
    }
    q.push(format!("page={page}"));
    format!("/audit?{}", q.join("&"))
}

async fn audit_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Query(q): Query<AuditQuery>,
) -> Response {
    let t = T(locale);
    let actor = a.actor();
    // The log is not shown to exist for those who may not read it.
    if !actor.may_read_audit() {
        return not_found_for(&state, &a, locale).await;
    }
    let entity = q.entity.trim().to_owned();
    let record = q.record.trim().to_owned();
    let page = q
        .page
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|p| *p >= 1)
        .unwrap_or(1)
        .min(MAX_PAGE);
    let filter = AuditFilter {
        entity: Some(entity.clone()).filter(|s| !s.is_empty()),
        record: Some(record.clone()).filter(|s| !s.is_empty()),
        page: Some(page),
    };
    let entries = match audit::list(&state.db, actor, &filter).await {
        Ok(e) => e,
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let tz = state.settings.time_zone;
    let full_page = entries.len() as u64 >= PAGE_SIZE;
    let fiscal = state.settings.fiscal_year;
    let rows: Vec<Row> = entries.into_iter().map(|e| row(t, tz, fiscal, e)).collect();
    let mut entity_options: Vec<Opt> = ENTITIES
        .iter()
        .map(|e| Opt::new(*e, entity_label(t, e)))
        .collect();
    if !entity.is_empty() && !ENTITIES.contains(&entity.as_str()) {
        entity_options.push(Opt::new(&entity, &entity));
    }
    let mut c = Chrome::new(&state, &a, locale, "audit", t.t("audit.title")).await;
    crumbs_from_home(&mut c);
    c.crumbs.push((t.t("audit.title").into(), String::new()));
    let page_view = AuditPage {
        c,
        rows,
        entity_options,
        prev: (page > 1).then(|| page_link(&entity, &record, page - 1)),
        next: (full_page && page < MAX_PAGE).then(|| page_link(&entity, &record, page + 1)),
        filtered: !entity.is_empty() || !record.is_empty(),
        entity,
        record,
        page_label: match locale {
            crate::web::i18n::Locale::Zh => format!("第 {page} 页"),
            crate::web::i18n::Locale::En => format!("Page {page}"),
        },
        time_zone: tz.name().to_owned(),
    };
    render(&page_view)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_changed_fields_are_listed() {
        let b = json!({"name": "华东大区", "code": "HD", "head": null});
        let a = json!({"name": "华东区", "code": "HD", "head": "E0002"});
        assert_eq!(changed_keys(&b, &a), ["head", "name"]);
        let s = side(Some(&b), &changed_keys(&b, &a)).map(|s| s.changed);
        assert_eq!(
            s,
            Some(vec![
                ("head".to_owned(), "—".to_owned()),
                ("name".to_owned(), "华东大区".to_owned())
            ])
        );
    }

    #[test]
    fn a_creation_is_summed_up_by_its_name() {
        let v = json!({"code": "HD", "name": "华东大区", "parent": "HQ", "head": null});
        assert_eq!(summary_keys(&v), ["name", "parent"]);
    }

    #[test]
    fn times_are_shown_in_the_company_zone() {
        let at = DateTime::parse_from_rfc3339("2025-03-01T01:30:00Z")
            .map(|d| d.with_timezone(&Utc))
            .expect("valid");
        assert_eq!(
            local_time(at, chrono_tz::Asia::Shanghai),
            "2025-03-01 09:30:00"
        );
    }

    #[test]
    fn every_record_type_and_action_has_a_label() {
        use crate::web::i18n::Locale;
        let actions = [
            "create",
            "update",
            "import_create",
            "import_update",
            "password_change",
            "password_reset",
            "revoke",
            "demo",
            "target",
            "actual",
            "lock",
            "reopen",
            "submit",
            "return",
            "accept",
        ];
        for locale in [Locale::Zh, Locale::En] {
            let t = T(locale);
            for e in ENTITIES {
                let label = entity_label(t, e);
                assert!(!label.starts_with("audit."), "{e}: {label}");
                assert_ne!(label, *e, "{e} has no {locale:?} label");
            }
            for a in actions {
                let label = action_label(t, a);
                assert!(!label.starts_with("audit."), "{a}: {label}");
                assert_ne!(label, a, "{a} has no {locale:?} label");
            }
        }
        assert_eq!(entity_label(T(Locale::Zh), "submission"), "月度填报");
        assert_eq!(action_label(T(Locale::En), "reopen"), "Reopened");
    }

    #[test]
    fn figures_and_submissions_link_to_their_table() {
        let jan = FiscalYear::default();
        assert_eq!(
            record_link(jan, "figure", "sales_amount person:E0015 2026-03").as_deref(),
            Some("/table?subject=person%3AE0015&year=2026")
        );
        assert_eq!(
            record_link(jan, "figure", "visits unit:HD-SH 2026").as_deref(),
            Some("/table?subject=unit%3AHD-SH&year=2026")
        );
        assert_eq!(
            record_link(jan, "submission", "HD-SH 2026-03").as_deref(),
            Some("/table?subject=unit%3AHD-SH&year=2026&month=2026-03")
        );
        // A fiscal year starting in April: March belongs to the year before.
        let april = FiscalYear::starting_in(4).expect("valid");
        assert_eq!(
            record_link(april, "figure", "calls person:E0016 2026-03").as_deref(),
            Some("/table?subject=person%3AE0016&year=2025")
        );
        assert_eq!(record_link(jan, "unit", "HD").as_deref(), Some("/org/HD"));
        for (entity, record) in [
            ("figure", "sales_amount E0015 2026-03"),
            ("figure", "sales_amount person:E0015 March"),
            ("figure", "sales_amount"),
            ("submission", "HD-SH"),
            ("period", "2026-03"),
            ("metric", "sales_amount"),
        ] {
            assert_eq!(record_link(jan, entity, record), None, "{entity} {record}");
        }
    }

    #[test]
    fn page_links_keep_the_filters() {
        assert_eq!(
            page_link("unit", "HD 1", 2),
            "/audit?entity=unit&record=HD%201&page=2"
        );
        assert_eq!(page_link("", "", 3), "/audit?page=3");
    }
}
