//! Metric set-up (指标设置): every signed-in user reads the metrics; admin
//! adds and changes them. Each change is checked as a whole (every bad field
//! named at once) and audited in its own transaction.
//!
//! Metric changes take the figures lane: `figures::write` reads the
//! definitions inside it, so a kind cannot change under a batch of figures
//! being written, and a new rollup rule is applied to the kept rollups in
//! the same transaction.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect, Set,
};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};

use super::entity::{figure, metric};
use super::figures::{MetricRow, load_metrics, recompute_rollups};
use super::org::load_tree;
use super::{Db, Error, FieldError, Lane, Result, audit, begin_write};
use crate::domain::access::Actor;
use crate::domain::computed::Source;
use crate::domain::metric::{
    Direction, Kind, Rollup, Total, format_value, parse_value, to_decimal,
};
use crate::domain::org::validate_name;

/// Where an actual may come from: `manual` (typed or imported) or one of
/// the computed sources of [`crate::domain::computed::Source`].
pub fn sources() -> Vec<&'static str> {
    std::iter::once("manual")
        .chain(Source::ALL.iter().map(|s| s.code()))
        .collect()
}

const KINDS: [&str; 5] = ["amount", "count", "percent", "ratio", "score"];
const DIRECTIONS: [&str; 2] = ["higher", "lower"];
const TOTALS: [&str; 4] = ["sum", "average", "last", "ratio"];
const ROLLUPS: [&str; 3] = ["sum", "average", "none"];

/// A metric as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MetricView {
    /// E.g. `sales_amount`.
    pub code: String,
    /// Chinese name, e.g. 销售额.
    pub name: String,
    pub name_en: String,
    pub kind: Kind,
    pub direction: Direction,
    /// How months add up to the year (平均/合计).
    pub total: Total,
    /// For `total` = `ratio`: the metric codes divided.
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    /// How units add up from their children.
    pub rollup: Rollup,
    /// Within this much of the target counts as level (yellow), in the
    /// metric's unit with its decimals: `"0.50"` for half a point of a
    /// percent; `"0"` means exact equality.
    #[schema(example = "0.50")]
    pub tolerance: String,
    /// Where the actual comes from: `manual` (entered here).
    pub source: String,
    /// Inactive metrics keep their figures but leave the table.
    pub active: bool,
}

/// Views a stored metric.
pub fn view_of(m: &MetricRow) -> MetricView {
    let d = &m.def;
    MetricView {
        code: d.code.clone(),
        name: d.name.clone(),
        name_en: d.name_en.clone(),
        kind: d.kind,
        direction: d.direction,
        total: d.total,
        numerator: d.numerator.clone(),
        denominator: d.denominator.clone(),
        rollup: d.rollup,
        tolerance: format_value(d.kind, d.tolerance),
        source: d.source.clone(),
        active: m.active,
    }
}

/// `POST /api/v1/metrics`. Fields are read as text and checked here, so
/// that a wrong value is named precisely (`kind: unknown "money"; expected
/// one of …`) together with every other wrong field.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMetric {
    /// 1–32 lowercase letters, digits or `_`; unique.
    #[schema(required = true, example = "gross_profit")]
    pub code: Option<String>,
    /// Chinese name, 1–64 characters.
    #[schema(required = true, example = "毛利额")]
    pub name: Option<String>,
    /// English name; defaults to the Chinese name.
    pub name_en: Option<String>,
    #[schema(required = true, value_type = Kind)]
    pub kind: Option<String>,
    #[schema(required = true, value_type = Direction)]
    pub direction: Option<String>,
    #[schema(required = true, value_type = Total)]
    pub total: Option<String>,
    /// Required when `total` is `ratio`: an existing metric's code, not
    /// this metric's.
    pub numerator: Option<String>,
    /// Required when `total` is `ratio`, like `numerator`.
    pub denominator: Option<String>,
    #[schema(required = true, value_type = Rollup)]
    pub rollup: Option<String>,
    /// A decimal string or number in the metric's unit (`"0.5"` for a
    /// percent), not negative; default 0 (exact equality).
    #[schema(value_type = Option<String>, example = "0.5")]
    pub tolerance: Option<Value>,
    /// `manual` (the default).
    #[schema(example = "manual")]
    pub source: Option<String>,
    /// Default true.
    pub active: Option<bool>,
}

/// Tells "field absent" (`None`) from "field set to null" (`Some(None)`).
fn double_option<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// `PATCH /api/v1/metrics/{code}`: only the fields present change.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricPatch {
    /// The code cannot change; when present it must be the current one.
    pub code: Option<String>,
    pub name: Option<String>,
    pub name_en: Option<String>,
    /// Refused once the metric has targets or actuals.
    #[schema(value_type = Option<Kind>)]
    pub kind: Option<String>,
    #[schema(value_type = Option<Direction>)]
    pub direction: Option<String>,
    /// Leaving `ratio` clears `numerator` and `denominator`.
    #[schema(value_type = Option<Total>)]
    pub total: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub numerator: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub denominator: Option<Option<String>>,
    /// A new rule recomputes the units' kept rollups of this metric.
    #[schema(value_type = Option<Rollup>)]
    pub rollup: Option<String>,
    /// In the metric's unit; `null` resets it to 0.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "0.5")]
    pub tolerance: Option<Option<Value>>,
    pub source: Option<String>,
    pub active: Option<bool>,
}

/// Every metric, in table order (inactive ones too, marked).
pub async fn list(db: &Db) -> Result<Vec<MetricView>> {
    Ok(load_metrics(db).await?.iter().map(view_of).collect())
}

/// Checks a metric code: 1–32 lowercase letters, digits or `_`.
pub fn validate_metric_code(code: &str) -> std::result::Result<&str, FieldError> {
    let code = code.trim();
    if code.is_empty() || code.len() > 32 {
        return Err(FieldError::new(
            "code",
            "1 to 32 characters",
            "1 到 32 个字符",
        ));
    }
    if !code
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(FieldError::new(
            "code",
            format!("\"{code}\": lowercase letters, digits or '_' only, e.g. gross_profit"),
            format!("\"{code}\"：只能包含小写字母、数字或 '_'，例如 gross_profit"),
        ));
    }
    Ok(code)
}

/// Collects the field errors of one request.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, field: &str, en: impl Into<String>, zh: impl Into<String>) {
        self.0.push(FieldError::new(field, en, zh));
    }

    /// A required field is missing; `allowed` lists its values, if any.
    fn required(&mut self, field: &str, allowed: &[&str]) {
        if allowed.is_empty() {
            self.push(field, "required", "必填");
        } else {
            self.push(
                field,
                format!("required: one of {}", allowed.join(", ")),
                format!("必填，应为 {} 之一", allowed.join("、")),
            );
        }
    }

    /// Parses one of the code enums, naming the allowed values when wrong.
    fn choice<T: std::str::FromStr>(
        &mut self,
        field: &str,
        value: &str,
        allowed: &[&str],
    ) -> Option<T> {
        let value = value.trim();
        match value.parse::<T>() {
            Ok(v) => Some(v),
            Err(_) => {
                self.push(
                    field,
                    format!(
                        "unknown {field} \"{value}\"; expected one of {}",
                        allowed.join(", ")
                    ),
                    format!(
                        "未知的 {field} \"{value}\"，应为 {} 之一",
                        allowed.join("、")
                    ),
                );
                None
            }
        }
    }

    /// A source, which must give figures of the metric's kind (sales are
    /// amounts, calls a count).
    fn source(&mut self, value: &str, kind: Option<Kind>) -> Option<String> {
        let value = value.trim();
        let sources = sources();
        if !sources.contains(&value) {
            self.push(
                "source",
                format!(
                    "unknown source \"{value}\"; expected one of {}",
                    sources.join(", ")
                ),
                format!("未知的来源 \"{value}\"，应为 {} 之一", sources.join("、")),
            );
            return None;
        }
        match (Source::of(value), kind) {
            (Some(s), Some(kind)) if s.kind() != kind => {
                self.push(
                    "source",
                    format!("the source {value} gives {} figures, not {kind}", s.kind()),
                    format!("来源 {value} 给出的是 {} 类型的数值，不是 {kind}", s.kind()),
                );
                None
            }
            _ => Some(value.to_owned()),
        }
    }

    fn name(&mut self, field: &str, value: &str) -> Option<String> {
        match validate_name(value) {
            Ok(n) => Some(n.to_owned()),
            Err(e) => {
                self.0.push(FieldError::expected(field, e));
                None
            }
        }
    }

    /// A tolerance in minor units of `kind`: not negative; null is 0.
    fn tolerance(&mut self, kind: Kind, value: &Value) -> Option<i64> {
        let text = match value {
            Value::Null => return Some(0),
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => {
                self.push(
                    "tolerance",
                    "must be a decimal string or a number, e.g. \"0.5\"",
                    "应为数字或数字字符串，例如 \"0.5\"",
                );
                return None;
            }
        };
        match parse_value(kind, &text) {
            Ok(v) if v < 0 => {
                self.push(
                    "tolerance",
                    format!("\"{text}\" must not be negative"),
                    format!("\"{text}\" 不能为负数"),
                );
                None
            }
            Ok(v) => Some(v),
            Err(e) => {
                self.push(
                    "tolerance",
                    format!(
                        "\"{text}\" {} (a {kind} keeps {} decimals)",
                        e.en,
                        kind.scale()
                    ),
                    format!(
                        "\"{text}\" {}（{kind} 类型保留 {} 位小数）",
                        e.zh,
                        kind.scale()
                    ),
                );
                None
            }
        }
    }

    /// `numerator` and `denominator` against `total`: both required for a
    /// ratio, existing and not the metric itself; absent otherwise.
    fn parts(
        &mut self,
        total: Total,
        code: &str,
        numerator: Option<&str>,
        denominator: Option<&str>,
        metrics: &[MetricRow],
    ) {
        for (field, value) in [("numerator", numerator), ("denominator", denominator)] {
            match (total, value.map(str::trim)) {
                (Total::Ratio, None | Some("")) => self.push(
                    field,
                    "required when total is \"ratio\": the code of an existing metric",
                    "total 为 \"ratio\" 时必填：填写一个已有指标的编码",
                ),
                (Total::Ratio, Some(c)) if c == code => self.push(
                    field,
                    format!("\"{c}\" is this metric itself; name another metric"),
                    format!("\"{c}\" 是本指标自身，请填写其他指标"),
                ),
                (Total::Ratio, Some(c)) if !metrics.iter().any(|m| m.def.code == c) => self.push(
                    field,
                    format!("no metric with code \"{c}\""),
                    format!("没有编码为 \"{c}\" 的指标"),
                ),
                (Total::Ratio, Some(_)) | (_, None) => {}
                (_, Some(_)) => self.push(
                    field,
                    format!("only used when total is \"ratio\", not \"{total}\""),
                    format!("仅当 total 为 \"ratio\" 时使用，当前为 \"{total}\""),
                ),
            }
        }
    }

    fn done(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}

fn trimmed(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Adds a metric (admin) at the end of the table.
pub async fn create(db: &Db, actor: &Actor, new: &NewMetric) -> Result<MetricView> {
    if !actor.may_manage_metrics() {
        return Err(Error::Forbidden);
    }
    // Lanes in their fixed order (org, then figures), so that a metric
    // change and a move of people cannot wait on each other.
    let txn = begin_write(db, Lane::Org).await?;
    super::lock_lane(&txn, Lane::Figures).await?;
    let metrics = load_metrics(&txn).await?;
    let mut errors = Errors::default();

    let code = match new.code.as_deref() {
        None => {
            errors.required("code", &[]);
            None
        }
        Some(c) => match validate_metric_code(c) {
            Ok(c) if metrics.iter().any(|m| m.def.code == c) => {
                errors.push(
                    "code",
                    format!("metric code \"{c}\" is already used"),
                    format!("指标编码 \"{c}\" 已存在"),
                );
                None
            }
            Ok(c) => Some(c.to_owned()),
            Err(e) => {
                errors.0.push(e);
                None
            }
        },
    };
    let name = match new.name.as_deref() {
        None => {
            errors.required("name", &[]);
            None
        }
        Some(n) => errors.name("name", n),
    };
    let name_en = match trimmed(new.name_en.as_deref()) {
        Some(n) => errors.name("name_en", &n),
        None => name.clone(),
    };
    let kind: Option<Kind> = match new.kind.as_deref() {
        None => {
            errors.required("kind", &KINDS);
            None
        }
        Some(k) => errors.choice("kind", k, &KINDS),
    };
    let direction: Option<Direction> = match new.direction.as_deref() {
        None => {
            errors.required("direction", &DIRECTIONS);
            None
        }
        Some(d) => errors.choice("direction", d, &DIRECTIONS),
    };
    let total: Option<Total> = match new.total.as_deref() {
        None => {
            errors.required("total", &TOTALS);
            None
        }
        Some(t) => errors.choice("total", t, &TOTALS),
    };
    if let Some(total) = total {
        errors.parts(
            total,
            code.as_deref().unwrap_or_default(),
            new.numerator.as_deref(),
            new.denominator.as_deref(),
            &metrics,
        );
    }
    let rollup: Option<Rollup> = match new.rollup.as_deref() {
        None => {
            errors.required("rollup", &ROLLUPS);
            None
        }
        Some(r) => errors.choice("rollup", r, &ROLLUPS),
    };
    let tolerance = match (kind, &new.tolerance) {
        (_, None) => Some(0),
        (Some(kind), Some(v)) => errors.tolerance(kind, v),
        // The unit is unknown until the kind is right; that is reported.
        (None, Some(_)) => None,
    };
    let source = errors.source(new.source.as_deref().unwrap_or("manual"), kind);
    let (
        Some(code),
        Some(name),
        Some(name_en),
        Some(kind),
        Some(direction),
        Some(total),
        Some(rollup),
        Some(tolerance),
        Some(source),
    ) = (
        code, name, name_en, kind, direction, total, rollup, tolerance, source,
    )
    else {
        errors.done()?;
        return Err(Error::invalid("body", "invalid metric", "指标无效"));
    };
    errors.done()?;

    let ratio = total == Total::Ratio;
    let now = Utc::now();
    let position = metrics.iter().map(|m| m.position).max().unwrap_or(0) + 1;
    let created = metric::ActiveModel {
        code: Set(code.clone()),
        name: Set(name),
        name_en: Set(name_en),
        kind: Set(kind.code().to_owned()),
        direction: Set(direction.code().to_owned()),
        total: Set(total.code().to_owned()),
        numerator: Set(trimmed(new.numerator.as_deref()).filter(|_| ratio)),
        denominator: Set(trimmed(new.denominator.as_deref()).filter(|_| ratio)),
        rollup: Set(rollup.code().to_owned()),
        tolerance: Set(tolerance),
        source: Set(source),
        position: Set(position),
        active: Set(new.active.unwrap_or(true)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if Source::of(&created.source).is_some() && created.active {
        // A new computed metric starts with every month's figure.
        super::lock_lane(&txn, Lane::Figures).await?;
        super::computed::recompute_all_in(&txn, None).await?;
    }
    let view = find_view(&txn, &code).await?;
    audit::record(
        &txn,
        Some(actor),
        "create",
        "metric",
        &code,
        None,
        Some(json!(view)),
    )
    .await?;
    txn.commit().await?;
    Ok(view)
}

async fn find_view<C: ConnectionTrait>(conn: &C, code: &str) -> Result<MetricView> {
    load_metrics(conn)
        .await?
        .iter()
        .find(|m| m.def.code == code)
        .map(view_of)
        .ok_or(Error::NotFound)
}

/// Does the metric hold any target, tier or actual?
async fn has_figures<C: ConnectionTrait>(conn: &C, metric_id: i64) -> Result<bool> {
    Ok(figure::Entity::find()
        .filter(figure::Column::MetricId.eq(metric_id))
        .filter(
            Condition::any()
                .add(figure::Column::Target.is_not_null())
                .add(figure::Column::Floor.is_not_null())
                .add(figure::Column::Stretch.is_not_null())
                .add(figure::Column::Actual.is_not_null()),
        )
        .one(conn)
        .await?
        .is_some())
}

/// Changes a metric (admin); only the fields present change.
pub async fn update(db: &Db, actor: &Actor, code: &str, patch: &MetricPatch) -> Result<MetricView> {
    if !actor.may_manage_metrics() {
        return Err(Error::Forbidden);
    }
    // Lanes in their fixed order (org, then figures), so that a metric
    // change and a move of people cannot wait on each other.
    let txn = begin_write(db, Lane::Org).await?;
    super::lock_lane(&txn, Lane::Figures).await?;
    let metrics = load_metrics(&txn).await?;
    let current = metrics
        .iter()
        .find(|m| m.def.code == code)
        .ok_or(Error::NotFound)?;
    let before = view_of(current);
    let old = &current.def;
    let mut errors = Errors::default();

    if let Some(c) = patch.code.as_deref().map(str::trim)
        && c != old.code
    {
        errors.push(
            "code",
            format!(
                "the code cannot change (from \"{}\" to \"{c}\"): figures, imports and other metrics refer to it; add a new metric instead",
                old.code
            ),
            format!(
                "指标编码不能修改（\"{}\" → \"{c}\"）：数据、导入文件和其他指标都引用它，请新建指标",
                old.code
            ),
        );
    }
    let name = match patch.name.as_deref() {
        Some(n) => errors.name("name", n),
        None => Some(old.name.clone()),
    };
    let name_en = match patch.name_en.as_deref() {
        Some(n) if n.trim().is_empty() => name.clone(),
        Some(n) => errors.name("name_en", n),
        None => Some(old.name_en.clone()),
    };
    let kind = match patch.kind.as_deref() {
        Some(k) => errors.choice::<Kind>("kind", k, &KINDS),
        None => Some(old.kind),
    };
    if let Some(kind) = kind.filter(|k| *k != old.kind)
        && has_figures(&txn, current.id).await?
    {
        errors.push(
            "kind",
            format!(
                "{} already has targets or actuals, kept in the units of a {}; as a {kind} their stored values would change meaning. Add a new metric instead",
                old.code, old.kind
            ),
            format!(
                "{} 已有目标或实际数据（按 {} 类型存储），改为 {kind} 会改变已存数值的含义；请新建指标",
                old.name, old.kind
            ),
        );
    }
    let direction = match patch.direction.as_deref() {
        Some(d) => errors.choice::<Direction>("direction", d, &DIRECTIONS),
        None => Some(old.direction),
    };
    let total = match patch.total.as_deref() {
        Some(t) => errors.choice::<Total>("total", t, &TOTALS),
        None => Some(old.total),
    };
    // The parts as they will be: given, else kept while the total stays a
    // ratio, else cleared.
    let part = |given: &Option<Option<String>>, kept: &Option<String>| -> Option<String> {
        match given {
            Some(v) => trimmed(v.as_deref()),
            None if total == Some(Total::Ratio) => kept.clone(),
            None => None,
        }
    };
    let numerator = part(&patch.numerator, &old.numerator);
    let denominator = part(&patch.denominator, &old.denominator);
    if let Some(total) = total {
        errors.parts(
            total,
            &old.code,
            numerator.as_deref(),
            denominator.as_deref(),
            &metrics,
        );
    }
    let rollup = match patch.rollup.as_deref() {
        Some(r) => errors.choice::<Rollup>("rollup", r, &ROLLUPS),
        None => Some(old.rollup),
    };
    let tolerance = match (kind, &patch.tolerance) {
        (Some(kind), Some(v)) => errors.tolerance(kind, v.as_ref().unwrap_or(&Value::Null)),
        (Some(kind), None) if kind != old.kind => {
            // The same amount in the new kind's minor units.
            let d = to_decimal(old.kind, old.tolerance).normalize();
            match parse_value(kind, &d.to_string()) {
                Ok(v) => Some(v),
                Err(_) => {
                    errors.push(
                        "tolerance",
                        format!("the tolerance {d} does not fit a {kind} ({} decimals); give a new tolerance", kind.scale()),
                        format!("容差 {d} 不适用于 {kind} 类型（{} 位小数），请一并填写新的容差", kind.scale()),
                    );
                    None
                }
            }
        }
        (Some(_), None) => Some(old.tolerance),
        (None, _) => None,
    };
    let source = match patch.source.as_deref() {
        Some(s) => errors.source(s, kind),
        None if kind.is_some_and(|k| Source::of(&old.source).is_some_and(|s| s.kind() != k)) => {
            errors.source(&old.source, kind)
        }
        None => Some(old.source.clone()),
    };
    let (
        Some(name),
        Some(name_en),
        Some(kind),
        Some(direction),
        Some(total),
        Some(rollup),
        Some(tolerance),
        Some(source),
    ) = (
        name, name_en, kind, direction, total, rollup, tolerance, source,
    )
    else {
        errors.done()?;
        return Err(Error::invalid("body", "invalid metric", "指标无效"));
    };
    errors.done()?;

    let model = metric::Entity::find_by_id(current.id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound)?;
    let updated = metric::Model {
        name,
        name_en,
        kind: kind.code().to_owned(),
        direction: direction.code().to_owned(),
        total: total.code().to_owned(),
        numerator,
        denominator,
        rollup: rollup.code().to_owned(),
        tolerance,
        source,
        active: patch.active.unwrap_or(model.active),
        ..model.clone()
    };
    if updated == model {
        // Nothing to change, nothing to audit.
        txn.commit().await?;
        return Ok(before);
    }
    let switched_to_computed =
        updated.source != old.source && Source::of(&updated.source).is_some();
    // A computed rate wrote every unit's own figure; typed again, units
    // show their people's rollup as before.
    let rate_typed_again = updated.source != old.source
        && Source::of(&updated.source).is_none()
        && Source::of(&old.source).is_some_and(Source::is_rate);
    let mut am = model.into_active_model();
    am.name = Set(updated.name);
    am.name_en = Set(updated.name_en);
    am.kind = Set(updated.kind);
    am.direction = Set(updated.direction);
    am.total = Set(updated.total);
    am.numerator = Set(updated.numerator);
    am.denominator = Set(updated.denominator);
    am.rollup = Set(updated.rollup);
    am.tolerance = Set(updated.tolerance);
    am.source = Set(updated.source);
    am.active = Set(updated.active);
    am.updated_at = Set(Utc::now());
    am.update(&txn).await?;
    if rollup != old.rollup {
        refresh_rollups(&txn, current.id).await?;
    }
    if rate_typed_again {
        super::lock_lane(&txn, Lane::Figures).await?;
        txn.execute_raw(super::statement(
            txn.get_database_backend(),
            "UPDATE figure SET actual = NULL WHERE metric_id = ? AND subject_kind = 'unit'",
            vec![current.id.into()],
        ))
        .await?;
        refresh_rollups(&txn, current.id).await?;
    }
    if switched_to_computed {
        // Switched to a computed source: its actuals come from the records
        // from now on, for every month, replacing what was typed.
        super::lock_lane(&txn, Lane::Figures).await?;
        super::computed::recompute_all_in(&txn, None).await?;
    }
    let after = find_view(&txn, code).await?;
    audit::record(
        &txn,
        Some(actor),
        "update",
        "metric",
        code,
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Recomputes every unit's kept rollup of one metric, for every period it
/// has figures in, by the metric's (new) rule.
async fn refresh_rollups<C: ConnectionTrait>(conn: &C, metric_id: i64) -> Result<()> {
    let periods: Vec<String> = figure::Entity::find()
        .select_only()
        .column(figure::Column::Period)
        .distinct()
        .filter(figure::Column::MetricId.eq(metric_id))
        .into_tuple()
        .all(conn)
        .await?;
    if periods.is_empty() {
        return Ok(());
    }
    let (tree, units) = load_tree(conn).await?;
    let metrics = load_metrics(conn).await?;
    let pairs: BTreeSet<(i64, String)> = periods.into_iter().map(|p| (metric_id, p)).collect();
    let touched: BTreeMap<i64, BTreeSet<(i64, String)>> =
        units.iter().map(|u| (u.id, pairs.clone())).collect();
    recompute_rollups(conn, &tree, &metrics, &touched).await
}
