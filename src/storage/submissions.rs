//! Monthly submission (数据填报) of a unit's manual actuals.
//!
//! The seed's 目标管理表 is "compiled from the data each department submits
//! every month" (本表由**部根据各部门每月提交的数据填报后提交总经理). Here a
//! unit's submitter — whoever may enter that unit's actuals, typically its
//! head — submits a month; the compiling office (those who may lock months:
//! sales admins, the GM, admin) returns it with a comment or accepts it:
//!
//! ```text
//! draft ──submit──▶ submitted ──accept──▶ accepted
//!   ▲                  │  ▲                  │
//!   │               return└──submit── returned ◀──return──┘
//! ```
//!
//! While a month is submitted or accepted, actual edits of the unit and of
//! the people directly in it by the submitter's side are refused
//! ([`frozen_for`], called by [`super::figures::write`]); the compiling office
//! may still correct them, audited like every figure. Every step is audited
//! as entity `submission`, record `HD-SH 2026-03`, in its own transaction.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
    TryIntoModel,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{person, submission, unit};
use super::org::load_tree;
use super::{Db, Error, Lane, Result, audit, begin_write};
use crate::domain::access::Actor;
use crate::domain::org::{OrgTree, UnitId, UnitNode};
use crate::domain::period::Period;

/// Where a unit's month stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubmissionStatus {
    /// Not submitted yet (no row).
    Draft,
    /// Submitted, waiting for the compiling office.
    Submitted,
    /// Sent back with a comment; the submitter corrects and submits again.
    Returned,
    /// Accepted by the compiling office: what the GM sees.
    Accepted,
}

impl SubmissionStatus {
    pub fn code(self) -> &'static str {
        match self {
            SubmissionStatus::Draft => "draft",
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::Returned => "returned",
            SubmissionStatus::Accepted => "accepted",
        }
    }

    /// A stored status; anything unknown reads as a draft.
    fn parse(code: &str) -> SubmissionStatus {
        match code {
            "submitted" => SubmissionStatus::Submitted,
            "returned" => SubmissionStatus::Returned,
            "accepted" => SubmissionStatus::Accepted,
            _ => SubmissionStatus::Draft,
        }
    }

    /// Are actual edits by the submitter's side closed?
    fn frozen(self) -> bool {
        matches!(
            self,
            SubmissionStatus::Submitted | SubmissionStatus::Accepted
        )
    }
}

/// A step of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubmissionAction {
    Submit,
    Return,
    Accept,
}

impl SubmissionAction {
    pub fn code(self) -> &'static str {
        match self {
            SubmissionAction::Submit => "submit",
            SubmissionAction::Return => "return",
            SubmissionAction::Accept => "accept",
        }
    }

    pub fn parse(code: &str) -> Option<SubmissionAction> {
        match code {
            "submit" => Some(SubmissionAction::Submit),
            "return" => Some(SubmissionAction::Return),
            "accept" => Some(SubmissionAction::Accept),
            _ => None,
        }
    }
}

/// One step in a submission's history.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SubmissionStep {
    pub action: SubmissionAction,
    /// The status the step led to.
    pub status: SubmissionStatus,
    /// Username of who took the step.
    pub by: String,
    /// Their name, when they are a person of the company.
    #[serde(default)]
    pub by_name: Option<String>,
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// One unit's month: status, history and what the caller may do next.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubmissionView {
    /// Unit code, e.g. `HD-SH`.
    pub unit: String,
    pub name: String,
    /// The month, e.g. `2026-03`.
    pub period: String,
    pub status: SubmissionStatus,
    /// The comment of the latest step (a return's reason, say).
    pub comment: Option<String>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    /// Every step, oldest first.
    pub history: Vec<SubmissionStep>,
    /// The caller is the unit's submitter and the month is open to submit.
    pub may_submit: bool,
    /// The caller is the compiling office and the month can be returned.
    pub may_return: bool,
    /// The caller is the compiling office, the month is submitted, and not
    /// by the caller.
    pub may_accept: bool,
}

/// A unit's month in the list of one month.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubmissionSummary {
    pub unit: String,
    pub name: String,
    pub status: SubmissionStatus,
    pub comment: Option<String>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// `GET /api/v1/submissions?period=…`: every unit in reach, in tree order.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubmissionList {
    pub period: String,
    pub units: Vec<SubmissionSummary>,
}

/// A month's status, as the target table shows it under the month.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MonthStatus {
    pub period: String,
    pub status: SubmissionStatus,
}

/// Longest comment kept, in characters.
const MAX_COMMENT: usize = 500;

/// Parses a month (`2026-03`) or says what was expected.
pub fn parse_month(period: &str) -> Result<Period> {
    match period.trim().parse::<Period>() {
        Ok(p @ Period::Month(..)) => Ok(p),
        _ => Err(Error::invalid(
            "period",
            format!("\"{period}\" is not a month such as 2026-03"),
            format!("\"{period}\" 不是月份，例如 2026-03"),
        )),
    }
}

/// The audit record of a unit's month: `HD-SH 2026-03`.
fn record_key(code: &str, period: Period) -> String {
    format!("{code} {period}")
}

fn history_of(row: &submission::Model) -> Vec<SubmissionStep> {
    // A damaged history is shown as none rather than failing the page.
    serde_json::from_str(&row.history).unwrap_or_default()
}

/// The unit `code` when the actor may read it; `NotFound` otherwise (the
/// two are not told apart).
fn unit_in_reach<'t>(tree: &'t OrgTree, actor: &Actor, code: &str) -> Result<&'t UnitNode> {
    tree.by_code(code.trim())
        .filter(|u| actor.units_read().covers(tree, u.id, None))
        .ok_or(Error::NotFound)
}

async fn find_row<C: ConnectionTrait>(
    conn: &C,
    unit_id: UnitId,
    period: Period,
) -> Result<Option<submission::Model>> {
    Ok(submission::Entity::find()
        .filter(submission::Column::UnitId.eq(unit_id))
        .filter(submission::Column::Period.eq(period.to_string()))
        .one(conn)
        .await?)
}

fn view_of(
    actor: &Actor,
    tree: &OrgTree,
    u: &UnitNode,
    period: Period,
    row: Option<submission::Model>,
) -> SubmissionView {
    let status = row.as_ref().map_or(SubmissionStatus::Draft, |r| {
        SubmissionStatus::parse(&r.status)
    });
    let submitter = actor.actuals_write().covers(tree, u.id, None);
    let office = actor.may_lock_periods();
    let own = row
        .as_ref()
        .and_then(|r| r.submitted_by_user_id)
        .is_some_and(|id| id == actor.user_id);
    SubmissionView {
        unit: u.code.clone(),
        name: u.name.clone(),
        period: period.to_string(),
        status,
        may_submit: submitter
            && matches!(status, SubmissionStatus::Draft | SubmissionStatus::Returned),
        may_return: office
            && matches!(
                status,
                SubmissionStatus::Submitted | SubmissionStatus::Accepted
            ),
        may_accept: office && status == SubmissionStatus::Submitted && !own,
        history: row.as_ref().map(history_of).unwrap_or_default(),
        comment: row.as_ref().and_then(|r| r.comment.clone()),
        submitted_by: row.as_ref().and_then(|r| r.submitted_by.clone()),
        submitted_at: row.as_ref().and_then(|r| r.submitted_at),
        updated_by: row.as_ref().map(|r| r.updated_by.clone()),
        updated_at: row.as_ref().map(|r| r.updated_at),
    }
}

/// One unit's month, with its history; `NotFound` for a unit outside the
/// actor's read reach.
pub async fn get(db: &Db, actor: &Actor, unit_code: &str, period: &str) -> Result<SubmissionView> {
    let (tree, _) = load_tree(db).await?;
    let u = unit_in_reach(&tree, actor, unit_code)?;
    let period = parse_month(period)?;
    let row = find_row(db, u.id, period).await?;
    Ok(view_of(actor, &tree, u, period, row))
}

/// Every active unit in the actor's read reach with its status for one
/// month, in tree order; units never submitted are drafts.
pub async fn list(db: &Db, actor: &Actor, period: &str) -> Result<SubmissionList> {
    let period = parse_month(period)?;
    let (tree, _) = load_tree(db).await?;
    let rows: std::collections::HashMap<UnitId, submission::Model> = submission::Entity::find()
        .filter(submission::Column::Period.eq(period.to_string()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.unit_id, r))
        .collect();
    let reach = actor.units_read();
    let mut units = Vec::new();
    for root in tree.roots() {
        for (_, u) in tree.walk(root) {
            if !u.active || !reach.covers(&tree, u.id, None) {
                continue;
            }
            let row = rows.get(&u.id);
            units.push(SubmissionSummary {
                unit: u.code.clone(),
                name: u.name.clone(),
                status: row.map_or(SubmissionStatus::Draft, |r| {
                    SubmissionStatus::parse(&r.status)
                }),
                comment: row.and_then(|r| r.comment.clone()),
                submitted_by: row.and_then(|r| r.submitted_by.clone()),
                submitted_at: row.and_then(|r| r.submitted_at),
                updated_at: row.map(|r| r.updated_at),
            });
        }
    }
    Ok(SubmissionList {
        period: period.to_string(),
        units,
    })
}

/// Takes one step of the workflow for a unit's month, audited in the same
/// transaction. Reach first (404), then role (403), then the transition
/// (422).
pub async fn act(
    db: &Db,
    actor: &Actor,
    unit_code: &str,
    period: &str,
    action: SubmissionAction,
    comment: Option<&str>,
) -> Result<SubmissionView> {
    // The figures lane: a step and an actual edit of the same month never
    // interleave, so an edit cannot slip in after a submit.
    let txn = begin_write(db, Lane::Figures).await?;
    let (tree, _) = load_tree(&txn).await?;
    let u = unit_in_reach(&tree, actor, unit_code)?;
    let allowed = match action {
        SubmissionAction::Submit => actor.actuals_write().covers(&tree, u.id, None),
        SubmissionAction::Return | SubmissionAction::Accept => actor.may_lock_periods(),
    };
    if !allowed {
        return Err(Error::Forbidden);
    }
    let period = parse_month(period)?;
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT) {
        return Err(Error::invalid(
            "comment",
            format!("at most {MAX_COMMENT} characters"),
            format!("最多 {MAX_COMMENT} 个字"),
        ));
    }
    if action == SubmissionAction::Return && comment.is_none() {
        return Err(Error::invalid(
            "comment",
            "say what needs correcting: a return needs a comment",
            "请填写退回原因，说明需要修改的内容",
        ));
    }
    let row = find_row(&txn, u.id, period).await?;
    let before = row.as_ref().map_or(SubmissionStatus::Draft, |r| {
        SubmissionStatus::parse(&r.status)
    });
    let key = record_key(&u.code, period);
    let refuse = |en: &str, zh: &str| {
        Err(Error::invalid(
            "status",
            format!("{key}: {en}"),
            format!("{key}：{zh}"),
        ))
    };
    use SubmissionAction as A;
    use SubmissionStatus as S;
    let after = match (action, before) {
        (A::Submit, S::Draft | S::Returned) => S::Submitted,
        (A::Submit, S::Submitted) => {
            return refuse("already submitted, waiting for review", "已提交，等待审核");
        }
        (A::Submit, S::Accepted) => {
            return refuse(
                "already accepted; the compiling office must return it first",
                "已接受；需由汇总部门退回后才能重新提交",
            );
        }
        (A::Return, S::Submitted | S::Accepted) => S::Returned,
        (A::Return, S::Draft) => {
            return refuse(
                "not submitted yet; there is nothing to return",
                "尚未提交，无法退回",
            );
        }
        (A::Return, S::Returned) => return refuse("already returned", "已退回"),
        (A::Accept, S::Submitted) => {
            if row
                .as_ref()
                .and_then(|r| r.submitted_by_user_id)
                .is_some_and(|id| id == actor.user_id)
            {
                return refuse(
                    "you submitted it yourself; someone else in the compiling office must accept it",
                    "本人提交的数据不能由本人接受，请由汇总部门其他人员审核",
                );
            }
            S::Accepted
        }
        (A::Accept, S::Draft) => {
            return refuse(
                "not submitted yet; only a submitted month can be accepted",
                "尚未提交，不能接受",
            );
        }
        (A::Accept, S::Returned) => {
            return refuse(
                "returned to the submitter; it can be accepted once submitted again",
                "已退回，需重新提交后才能接受",
            );
        }
        (A::Accept, S::Accepted) => return refuse("already accepted", "已接受"),
    };
    let now = Utc::now();
    let by_name = match actor.person_id {
        Some(id) => person::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .map(|p| p.name),
        None => None,
    };
    let mut history = row.as_ref().map(history_of).unwrap_or_default();
    history.push(SubmissionStep {
        action,
        status: after,
        by: actor.username.clone(),
        by_name,
        at: now,
        comment: comment.map(str::to_owned),
    });
    let history_json = serde_json::to_string(&history)
        .map_err(|e| Error::Db(sea_orm::DbErr::Custom(e.to_string())))?;
    let before_json = row
        .as_ref()
        .map(|r| json!({"status": r.status, "comment": r.comment}));
    let mut am = match row {
        Some(r) => r.into_active_model(),
        None => submission::ActiveModel {
            unit_id: Set(u.id),
            period: Set(period.to_string()),
            submitted_by_user_id: Set(None),
            submitted_by: Set(None),
            submitted_at: Set(None),
            ..Default::default()
        },
    };
    am.status = Set(after.code().to_owned());
    am.comment = Set(comment.map(str::to_owned));
    am.updated_by = Set(actor.username.clone());
    am.updated_at = Set(now);
    am.history = Set(history_json);
    if action == SubmissionAction::Submit {
        am.submitted_by_user_id = Set(Some(actor.user_id));
        am.submitted_by = Set(Some(actor.username.clone()));
        am.submitted_at = Set(Some(now));
    }
    let saved: submission::Model = am.save(&txn).await?.try_into_model()?;
    audit::record(
        &txn,
        Some(actor),
        action.code(),
        "submission",
        &key,
        before_json,
        Some(json!({"status": after.code(), "comment": comment})),
    )
    .await?;
    let view = view_of(actor, &tree, u, period, Some(saved));
    txn.commit().await?;
    Ok(view)
}

/// Is an actual of `unit_id` (the unit itself, or a person in it) for
/// `period` closed because its month is submitted or accepted? `Some((en,
/// zh))` says why. The compiling office is never closed out: it may still
/// correct (and every correction is audited by the figures write). Only
/// months and days belong to a monthly submission.
pub async fn frozen_for<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    unit_id: UnitId,
    period: Period,
) -> Result<Option<(String, String)>> {
    if actor.may_lock_periods() {
        return Ok(None);
    }
    let month = match period {
        Period::Month(..) => period,
        Period::Day(d) => Period::month_of(d),
        _ => return Ok(None),
    };
    let Some(row) = find_row(conn, unit_id, month).await? else {
        return Ok(None);
    };
    let status = SubmissionStatus::parse(&row.status);
    if !status.frozen() {
        return Ok(None);
    }
    let code = unit::Entity::find_by_id(unit_id)
        .one(conn)
        .await?
        .map_or_else(|| unit_id.to_string(), |u| u.code);
    let key = record_key(&code, month);
    Ok(Some(if status == SubmissionStatus::Accepted {
        (
            format!("{key} is accepted; the compiling office must return it before it changes"),
            format!("{key} 已接受；需由汇总部门退回后才能修改"),
        )
    } else {
        (
            format!(
                "{key} is submitted, waiting for review; the compiling office must return it before it changes"
            ),
            format!("{key} 已提交，等待审核；需由汇总部门退回后才能修改"),
        )
    }))
}

/// The status of each of `months` for one unit (drafts included), for the
/// target table.
pub async fn month_statuses<C: ConnectionTrait>(
    conn: &C,
    unit_id: UnitId,
    months: &[String],
) -> Result<Vec<MonthStatus>> {
    let rows: std::collections::HashMap<String, SubmissionStatus> = submission::Entity::find()
        .filter(submission::Column::UnitId.eq(unit_id))
        .filter(submission::Column::Period.is_in(months.iter().cloned()))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.period.clone(), SubmissionStatus::parse(&r.status)))
        .collect();
    Ok(months
        .iter()
        .map(|p| MonthStatus {
            period: p.clone(),
            status: rows.get(p).copied().unwrap_or(SubmissionStatus::Draft),
        })
        .collect())
}

/// The (unit, month) pairs among these whose submission is accepted.
pub async fn accepted<C: ConnectionTrait>(
    conn: &C,
    units: &[UnitId],
    months: &[String],
) -> Result<std::collections::HashSet<(UnitId, String)>> {
    let mut out = std::collections::HashSet::new();
    for chunk in units.chunks(500) {
        for r in submission::Entity::find()
            .filter(submission::Column::UnitId.is_in(chunk.iter().copied()))
            .filter(submission::Column::Period.is_in(months.iter().cloned()))
            .filter(submission::Column::Status.eq(SubmissionStatus::Accepted.code()))
            .all(conn)
            .await?
        {
            out.insert((r.unit_id, r.period));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_back_and_unknown_is_draft() {
        for s in [
            SubmissionStatus::Draft,
            SubmissionStatus::Submitted,
            SubmissionStatus::Returned,
            SubmissionStatus::Accepted,
        ] {
            assert_eq!(SubmissionStatus::parse(s.code()), s);
        }
        assert_eq!(SubmissionStatus::parse("x"), SubmissionStatus::Draft);
        assert!(SubmissionStatus::Submitted.frozen() && SubmissionStatus::Accepted.frozen());
        assert!(!SubmissionStatus::Returned.frozen() && !SubmissionStatus::Draft.frozen());
    }

    #[test]
    fn only_months_are_submitted() {
        assert!(parse_month("2026-03").is_ok());
        assert!(parse_month("2026").is_err());
        assert!(parse_month("2026-03-15").is_err());
        assert_eq!(record_key("HD", Period::Month(2026, 3)), "HD 2026-03");
    }

    #[test]
    fn a_damaged_history_reads_as_none() {
        let row = submission::Model {
            id: 1,
            unit_id: 1,
            period: "2026-03".into(),
            status: "submitted".into(),
            comment: None,
            submitted_by_user_id: None,
            submitted_by: None,
            submitted_at: None,
            updated_by: "x".into(),
            updated_at: Utc::now(),
            history: "not json".into(),
        };
        assert!(history_of(&row).is_empty());
    }
}
