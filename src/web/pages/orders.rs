//! Pages: the orders list with its filters, the new-order form and the
//! import (`/orders`), and one order with its status steps, collections
//! and cancellation (`/orders/{id}`).

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Router, body::Bytes};
use axum_extra::extract::CookieJar;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;
use serde_json::Value;

use super::table::group_decimal;
use super::{Chrome, Opt, crumbs_from_home, redirect_with_notice, render, render_status};
use super::{forbidden_for, storage_failure, take_notice};
use crate::domain::access::{Actor, Reach};
use crate::domain::role::Role;
use crate::storage::entity::{customer, person};
use crate::storage::orders::{
    self as store, Cancel, CreditInput, LineInput, NewCollection, NewOrder, OrderFilter, OrderList,
    OrderPatch, OrderView, StatusStep,
};
use crate::storage::{self, org};
use crate::transfer::orders::{self as import, ImportError, OrderImportSummary};
use crate::transfer::{CellError, TransferError};
use crate::web::AppState;
use crate::web::auth::{Authenticated, Lang, PageUser, urlencode};
use crate::web::i18n::{Locale, T};

/// Line rows and salesperson rows of the new-order form.
const FORM_LINES: usize = 5;
const FORM_CREDITS: usize = 3;
/// Rows a posted order form may have: every line an order may have (an
/// order being edited shows all of its lines) and the blank rows after
/// them. Storage refuses more lines than that with a message.
const MAX_FORM_ROWS: usize = store::MAX_LINES + 2;

/// `/orders`, `/orders/import`, `/orders/{id}` and its actions. The
/// import's upload may be `upload_limit` bytes.
pub fn router(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/orders", get(list).post(create))
        .route(
            "/orders/import",
            post(import_upload.layer(DefaultBodyLimit::max(upload_limit))),
        )
        .route("/orders/{id}", get(show))
        .route("/orders/{id}/edit", get(edit).post(save_edit))
        .route("/orders/{id}/status", post(step))
        .route("/orders/{id}/cancel", post(cancel))
        .route("/orders/{id}/collections", post(collect))
        .route(
            "/orders/{id}/collections/{cid}/delete",
            post(delete_collection),
        )
}

/// The badge class of a status.
fn badge(status: &str) -> &'static str {
    match status {
        "confirmed" | "shipped" => "info",
        "invoiced" => "warn",
        "paid" => "ok",
        "cancelled" => "off",
        _ => "",
    }
}

fn status_name(t: T, status: &str) -> &'static str {
    if t.is_zh() {
        store::status_zh(status)
    } else {
        store::status_en(status)
    }
}

// ---------------------------------------------------------------- /orders

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    q: String,
    status: String,
    person: String,
    from: String,
    to: String,
    page: Option<u64>,
}

impl ListQuery {
    fn filter(&self) -> OrderFilter {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        OrderFilter {
            customer: None,
            person: some(&self.person),
            status: some(&self.status),
            from: some(&self.from),
            to: some(&self.to),
            q: some(&self.q),
            page: self.page,
            per_page: Some(50),
        }
    }

    /// The query string of these filters on another page.
    fn link(&self, page: u64) -> String {
        let mut parts = vec![format!("page={page}")];
        for (k, v) in [
            ("q", &self.q),
            ("status", &self.status),
            ("person", &self.person),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.trim().is_empty() {
                parts.push(format!("{k}={}", urlencode(v.trim())));
            }
        }
        format!("/orders?{}", parts.join("&"))
    }

    fn filtered(&self) -> bool {
        [&self.q, &self.status, &self.person, &self.from, &self.to]
            .iter()
            .any(|v| !v.trim().is_empty())
    }
}

/// One row of the list.
struct Row {
    id: i64,
    order_no: String,
    order_date: String,
    customer: String,
    people: String,
    status: String,
    status_class: &'static str,
    total: String,
    collected: String,
    negative: bool,
}

/// The new-order form as typed.
#[derive(Debug, Clone, Default)]
struct OrderForm {
    order_no: String,
    customer: String,
    order_date: String,
    note: String,
    lines: Vec<[String; 5]>,
    credits: Vec<[String; 2]>,
}

impl OrderForm {
    fn blank(own_no: Option<String>) -> OrderForm {
        let mut credits = vec![[String::new(), String::new()]; FORM_CREDITS];
        if let Some(no) = own_no {
            credits[0] = [no, "100".into()];
        }
        OrderForm {
            lines: vec![Default::default(); FORM_LINES],
            credits,
            ..Default::default()
        }
    }

    /// An order as it stands, with room for two more lines and one more
    /// salesperson. Amounts are left blank: they follow quantity × unit
    /// price, which the form may change.
    fn of_order(o: &OrderView) -> OrderForm {
        let mut lines: Vec<[String; 5]> = o
            .lines
            .iter()
            .map(|l| {
                [
                    l.product.clone(),
                    l.category.clone().unwrap_or_default(),
                    l.quantity.clone(),
                    l.unit_price.clone(),
                    String::new(),
                ]
            })
            .collect();
        lines.resize(FORM_LINES.max(lines.len() + 2), Default::default());
        let mut credits: Vec<[String; 2]> = o
            .credits
            .iter()
            .map(|c| [c.employee_no.clone(), c.share.clone().unwrap_or_default()])
            .collect();
        credits.resize(FORM_CREDITS.max(credits.len() + 1), Default::default());
        OrderForm {
            order_no: o.order_no.clone(),
            customer: o.customer.clone(),
            order_date: o.order_date.clone(),
            note: o.note.clone().unwrap_or_default(),
            lines,
            credits,
        }
    }

    /// From the posted pairs: `product_0`, `quantity_0`, …, `credit_no_0`,
    /// `credit_share_0`, ….
    fn from_pairs(pairs: &[(String, String)]) -> OrderForm {
        let mut f = OrderForm::blank(None);
        for (k, v) in pairs {
            let indexed =
                |prefix: &str| k.strip_prefix(prefix).and_then(|i| i.parse::<usize>().ok());
            match k.as_str() {
                "order_no" => f.order_no = v.clone(),
                "customer" => f.customer = v.clone(),
                "order_date" => f.order_date = v.clone(),
                "note" => f.note = v.clone(),
                _ => {
                    let fields = [
                        "product_",
                        "category_",
                        "quantity_",
                        "unit_price_",
                        "amount_",
                    ];
                    for (j, p) in fields.iter().enumerate() {
                        if let Some(i) = indexed(p).filter(|i| *i < MAX_FORM_ROWS) {
                            grow(&mut f.lines, i)[j] = v.clone();
                        }
                    }
                    if let Some(i) = indexed("credit_no_").filter(|i| *i < MAX_FORM_ROWS) {
                        grow(&mut f.credits, i)[0] = v.clone();
                    }
                    if let Some(i) = indexed("credit_share_").filter(|i| *i < MAX_FORM_ROWS) {
                        grow(&mut f.credits, i)[1] = v.clone();
                    }
                }
            }
        }
        f
    }

    /// The order to create; empty line and salesperson rows are left out.
    /// Returns also, for each line and credit sent, its form row, so that
    /// errors can name the row the user sees.
    fn to_new(&self) -> (NewOrder, Vec<usize>, Vec<usize>) {
        let mut line_rows = Vec::new();
        let lines = self
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.iter().any(|c| !c.trim().is_empty()))
            .map(|(i, l)| {
                line_rows.push(i);
                LineInput {
                    product: l[0].clone(),
                    category: Some(l[1].clone()),
                    quantity: Value::String(l[2].trim().to_owned()),
                    unit_price: Value::String(l[3].trim().to_owned()),
                    amount: Some(l[4].trim().to_owned())
                        .filter(|a| !a.is_empty())
                        .map(Value::String),
                }
            })
            .collect();
        let mut credit_rows = Vec::new();
        let credits = self
            .credits
            .iter()
            .enumerate()
            .filter(|(_, c)| !c[0].trim().is_empty())
            .map(|(i, c)| {
                credit_rows.push(i);
                CreditInput {
                    employee_no: c[0]
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                    share: Some(c[1].trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .map(Value::String),
                }
            })
            .collect();
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        (
            NewOrder {
                order_no: opt(&self.order_no),
                customer_id: None,
                customer: opt(&self.customer),
                order_date: opt(&self.order_date),
                lines,
                credits,
                note: opt(&self.note),
            },
            line_rows,
            credit_rows,
        )
    }
}

/// Row `i` of a form's rows, added (blank) when the form has fewer.
fn grow<const N: usize>(rows: &mut Vec<[String; N]>, i: usize) -> &mut [String; N] {
    if rows.len() <= i {
        rows.resize(i + 1, std::array::from_fn(|_| String::new()));
    }
    &mut rows[i]
}

/// One problem of a rejected import: where, and what.
struct Problem {
    at: String,
    message: String,
}

#[derive(Template)]
#[template(path = "orders.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    count: u64,
    sum: String,
    q: ListQuery,
    filtered: bool,
    status_options: Vec<Opt>,
    person_options: Vec<Opt>,
    prev: Option<String>,
    next: Option<String>,
    page_label: String,
    can_write: bool,
    can_import: bool,
    form: OrderForm,
    form_action: &'static str,
    form_open: bool,
    customer_names: Vec<String>,
    people: Vec<Opt>,
    today: String,
    imported: Option<OrderImportSummary>,
    import_file: String,
    import_open: bool,
    problems: Vec<Problem>,
}

/// People who can be credited, for the salesperson field's suggestions:
/// the salespeople and managers the actor sees.
async fn people_options(state: &AppState, actor: &Actor) -> Result<Vec<Opt>, storage::Error> {
    Ok(org::list_people(&state.db, actor, &Default::default())
        .await?
        .into_iter()
        .filter(|p| p.active && matches!(p.role, Role::Sales | Role::Manager))
        .map(|p| {
            Opt::new(
                &p.employee_no,
                format!("{} {} · {}", p.employee_no, p.name, p.unit_name),
            )
        })
        .collect())
}

/// Customers the actor may order for, by name (at most 2,000 for the
/// suggestions).
async fn customer_names(state: &AppState, actor: &Actor) -> Result<Vec<String>, storage::Error> {
    let mut q = customer::Entity::find()
        .select_only()
        .column(customer::Column::Name)
        .order_by_asc(customer::Column::Name)
        .limit(2000);
    match actor.customers_read() {
        Reach::All => {}
        Reach::Own(me) => q = q.filter(customer::Column::OwnerPersonId.eq(me)),
        _ => return Ok(Vec::new()),
    }
    Ok(q.into_tuple::<String>().all(&state.db).await?)
}

async fn own_employee_no(state: &AppState, actor: &Actor) -> Option<String> {
    let pid = actor.person_id?;
    person::Entity::find_by_id(pid)
        .one(&state.db)
        .await
        .ok()
        .flatten()
        .map(|p| p.employee_no)
}

async fn list_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    q: ListQuery,
) -> Result<ListPage, storage::Error> {
    let t = T(locale);
    let actor = a.actor();
    let mut c = Chrome::new(state, a, locale, "orders", t.t("orders.title")).await;
    crumbs_from_home(&mut c);
    c.crumbs.push((t.t("orders.title").into(), String::new()));
    let list: OrderList = match store::list(&state.db, actor, &q.filter()).await {
        Ok(l) => l,
        Err(e @ storage::Error::Invalid(_)) => {
            c.add_error(&e);
            store::list(&state.db, actor, &OrderFilter::default()).await?
        }
        Err(e) => return Err(e),
    };
    let rows = list
        .orders
        .iter()
        .map(|o| Row {
            id: o.id,
            order_no: o.order_no.clone(),
            order_date: o.order_date.clone(),
            customer: o.customer.clone(),
            people: o
                .credits
                .iter()
                .map(|c| {
                    if o.credits.len() > 1 {
                        format!("{} {}%", c.name, c.share.as_deref().unwrap_or(""))
                    } else {
                        c.name.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join("、"),
            status_class: badge(&o.status),
            status: status_name(t, &o.status).to_owned(),
            total: group_decimal(&o.total),
            collected: group_decimal(&o.collected),
            negative: o.total_fen < 0,
        })
        .collect();
    let pages = list.count.div_ceil(list.per_page).max(1);
    let mut status_options = vec![Opt::new("", t.t("common.all"))];
    status_options.extend(
        store::STEPS
            .iter()
            .chain(std::iter::once(&store::CANCELLED))
            .map(|s| Opt::new(*s, status_name(t, s))),
    );
    let people = people_options(state, actor).await?;
    let can_write = actor.orders_write() != Reach::Nothing;
    let own = own_employee_no(state, actor).await;
    Ok(ListPage {
        c,
        rows,
        count: list.count,
        sum: group_decimal(&list.total),
        filtered: q.filtered(),
        status_options,
        person_options: people
            .iter()
            .map(|o| Opt::new(&o.value, &o.label))
            .collect(),
        prev: (list.page > 1).then(|| q.link(list.page - 1)),
        next: (list.page < pages).then(|| q.link(list.page + 1)),
        page_label: format!("{} / {pages}", list.page.min(pages)),
        q,
        can_write,
        can_import: actor.may_import_orders(),
        form: OrderForm::blank(own.filter(|_| actor.role == Role::Sales)),
        form_action: "/orders",
        form_open: false,
        customer_names: if can_write {
            customer_names(state, actor).await?
        } else {
            Vec::new()
        },
        people,
        today: store::today(state.settings.time_zone).to_string(),
        imported: None,
        import_file: String::new(),
        import_open: false,
        problems: Vec::new(),
    })
}

async fn list(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Query(q): Query<ListQuery>,
) -> Response {
    let (jar, notice) = take_notice(jar, T(locale));
    match list_page(&state, &a, locale, q).await {
        Ok(mut page) => {
            page.c.notice = notice;
            (jar, render(&page)).into_response()
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// The UI label of a field of the order form.
fn order_field_label(t: T, field: &str, lines: &[usize], credits: &[usize]) -> String {
    let row = |prefix: &str, rows: &[usize]| -> Option<(usize, String)> {
        let rest = field.strip_prefix(prefix)?;
        let (i, sub) = rest.split_once(']')?;
        let i: usize = i.parse().ok()?;
        Some((
            rows.get(i).copied().unwrap_or(i) + 1,
            sub.trim_start_matches('.').to_owned(),
        ))
    };
    if let Some((n, sub)) = row("lines[", lines) {
        let name = match sub.as_str() {
            "product" => t.t("orders.product"),
            "category" => t.t("orders.category"),
            "quantity" => t.t("orders.quantity"),
            "unit_price" => t.t("orders.unit_price"),
            _ => t.t("orders.amount"),
        };
        return format!("{} {n} · {name}", t.t("orders.line"));
    }
    if let Some((n, sub)) = row("credits[", credits) {
        let name = if sub == "share" {
            t.t("orders.share")
        } else {
            t.t("orders.salesperson")
        };
        return format!("{} {n} · {name}", t.t("orders.salesperson"));
    }
    match field {
        "order_no" => t.t("orders.order_no"),
        "customer" | "customer_id" => t.t("orders.customer"),
        "order_date" => t.t("orders.order_date"),
        "lines" => t.t("orders.lines"),
        "credits" => t.t("orders.credits"),
        "note" => t.t("orders.note"),
        "amount" => t.t("orders.amount"),
        "collected_on" | "date" => t.t("orders.date"),
        "reason" => t.t("orders.reason"),
        "status" => t.t("common.status"),
        _ => t.t("common.errors"),
    }
    .to_owned()
}

fn field_errors(t: T, e: &storage::Error, lines: &[usize], credits: &[usize]) -> Vec<String> {
    match e {
        storage::Error::Invalid(fields) => fields
            .iter()
            .map(|f| {
                format!(
                    "{}: {}",
                    order_field_label(t, &f.field, lines, credits),
                    t.pick(&f.message_zh, &f.message)
                )
            })
            .collect(),
        storage::Error::Forbidden => vec![t.t("orders.not_yours").to_owned()],
        _ => Vec::new(),
    }
}

/// `POST /orders`: the new-order form.
async fn create(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let t = T(locale);
    let actor = a.actor();
    if actor.orders_write() == Reach::Nothing {
        return forbidden_for(&state, &a, locale).await;
    }
    let form = OrderForm::from_pairs(&pairs);
    let (new, line_rows, credit_rows) = form.to_new();
    match store::create(
        &state.db,
        &state.structure,
        actor,
        &new,
        state.settings.time_zone,
    )
    .await
    {
        Ok(order) => redirect_with_notice(jar, &format!("/orders/{}", order.id), "common.saved"),
        Err(e @ (storage::Error::Invalid(_) | storage::Error::Forbidden)) => {
            match list_page(&state, &a, locale, ListQuery::default()).await {
                Ok(mut page) => {
                    page.c.errors = field_errors(t, &e, &line_rows, &credit_rows);
                    page.form = form;
                    page.form_open = true;
                    let status = if matches!(e, storage::Error::Forbidden) {
                        StatusCode::FORBIDDEN
                    } else {
                        StatusCode::UNPROCESSABLE_ENTITY
                    };
                    render_status(status, &page)
                }
                Err(e) => storage_failure(&state, &a, locale, e).await,
            }
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// Reads the first file of a multipart form: (file name, bytes).
async fn read_upload(mut form: Multipart) -> Result<(String, Bytes), StatusCode> {
    while let Some(field) = form.next_field().await.map_err(|e| e.status())? {
        let name = field.file_name().unwrap_or_default().trim().to_owned();
        if name.is_empty() {
            continue;
        }
        let bytes = field.bytes().await.map_err(|e| e.status())?;
        return Ok((name, bytes));
    }
    Err(StatusCode::UNPROCESSABLE_ENTITY)
}

/// `POST /orders/import` (multipart, field `file`): all or nothing; on
/// errors, every cell to fix.
async fn import_upload(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let t = T(locale);
    let actor = a.actor();
    if !actor.may_import_orders() {
        return forbidden_for(&state, &a, locale).await;
    }
    let mut page = match list_page(&state, &a, locale, ListQuery::default()).await {
        Ok(p) => p,
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    page.import_open = true;
    let upload = match form {
        Ok(form) => read_upload(form).await,
        Err(e) => Err(e.status()),
    };
    let (name, bytes) = match upload {
        Ok(u) => u,
        Err(status) => {
            let msg = match status {
                StatusCode::PAYLOAD_TOO_LARGE => {
                    let mb = state.settings.max_upload_bytes.div_ceil(1024 * 1024);
                    format!("{} ({mb} MB)", t.t("import.too_large"))
                }
                StatusCode::UNPROCESSABLE_ENTITY => t.t("import.no_file").to_owned(),
                _ => t.t("import.bad_upload").to_owned(),
            };
            page.c.errors.push(msg);
            let status = if status.is_client_error() {
                status
            } else {
                StatusCode::BAD_REQUEST
            };
            return render_status(status, &page);
        }
    };
    page.import_file = name.clone();
    match import::import_file(
        &state.db,
        Some(actor),
        &name,
        bytes.to_vec(),
        state.settings.time_zone,
        import::no_progress(),
    )
    .await
    {
        Ok(summary) => {
            // The list again, now with the new orders.
            match list_page(&state, &a, locale, ListQuery::default()).await {
                Ok(mut fresh) => {
                    fresh.imported = Some(summary);
                    fresh.import_file = name;
                    fresh.import_open = true;
                    render(&fresh)
                }
                Err(e) => storage_failure(&state, &a, locale, e).await,
            }
        }
        Err(ImportError::File(TransferError::File {
            message,
            message_zh,
        })) => {
            page.c.errors.push(t.pick(&message_zh, &message).to_owned());
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(ImportError::File(TransferError::Cells(cells))) => {
            page.problems = cells
                .iter()
                .map(|e: &CellError| Problem {
                    at: e.location(),
                    message: t.pick(&e.message_zh, &e.message).to_owned(),
                })
                .collect();
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(ImportError::Storage(e)) => storage_failure(&state, &a, locale, e).await,
    }
}

// ---------------------------------------------------------------- /orders/{id}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    c: Chrome,
    o: OrderView,
    status: String,
    status_class: &'static str,
    /// (name, date, done) per step.
    steps: Vec<(String, String, bool)>,
    next_steps: Vec<Opt>,
    negative: bool,
    today: String,
    collect_amount: String,
}

async fn order_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    id: i64,
) -> Result<OrderPage, storage::Error> {
    let t = T(locale);
    let o = store::get(&state.db, a.actor(), id).await?;
    let mut c = Chrome::new(state, a, locale, "orders", o.order_no.clone()).await;
    crumbs_from_home(&mut c);
    c.crumbs
        .push((t.t("orders.title").into(), "/orders".into()));
    c.crumbs.push((o.order_no.clone(), String::new()));
    let current = store::STEPS
        .iter()
        .position(|s| *s == o.status)
        .unwrap_or(store::STEPS.len());
    let next_steps = store::STEPS
        .iter()
        .enumerate()
        .filter(|(i, _)| *i > current && o.status != store::CANCELLED)
        .map(|(_, s)| Opt::new(*s, status_name(t, s)))
        .collect();
    let steps = o
        .steps
        .iter()
        .map(|s| {
            (
                status_name(t, &s.status).to_owned(),
                s.date.clone().unwrap_or_default(),
                s.done,
            )
        })
        .collect();
    let outstanding = o.total_fen - o.collected_fen;
    let collect_amount = if outstanding != 0 {
        o.outstanding.clone()
    } else {
        String::new()
    };
    // Shown with thousands separators; the API keeps plain decimals.
    let mut o = o;
    for amount in [&mut o.total, &mut o.collected, &mut o.outstanding] {
        *amount = group_decimal(amount);
    }
    for l in &mut o.lines {
        l.unit_price = group_decimal(&l.unit_price);
        l.amount = group_decimal(&l.amount);
    }
    for c in &mut o.credits {
        c.amount = group_decimal(&c.amount);
    }
    for k in &mut o.collections {
        k.amount = group_decimal(&k.amount);
        for c in &mut k.credits {
            c.amount = group_decimal(&c.amount);
        }
    }
    Ok(OrderPage {
        c,
        status: status_name(t, &o.status).to_owned(),
        status_class: badge(&o.status),
        steps,
        next_steps,
        negative: o.total_fen < 0,
        today: store::today(state.settings.time_zone).to_string(),
        collect_amount,
        o,
    })
}

async fn show(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(id): Path<String>,
    jar: CookieJar,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return super::not_found_for(&state, &a, locale).await;
    };
    let (jar, notice) = take_notice(jar, T(locale));
    match order_page(&state, &a, locale, id).await {
        Ok(mut page) => {
            page.c.notice = notice;
            (jar, render(&page)).into_response()
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// After an action on an order: back to it, or the order page with the
/// action's errors.
async fn after_action(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    jar: CookieJar,
    id: i64,
    result: Result<impl Sized, storage::Error>,
) -> Response {
    let t = T(locale);
    match result {
        Ok(_) => redirect_with_notice(jar, &format!("/orders/{id}"), "common.saved"),
        Err(e @ storage::Error::Invalid(_)) => match order_page(state, a, locale, id).await {
            Ok(mut page) => {
                page.c.errors = field_errors(t, &e, &[], &[]);
                render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
            Err(e) => storage_failure(state, a, locale, e).await,
        },
        Err(e) => storage_failure(state, a, locale, e).await,
    }
}

#[derive(Template)]
#[template(path = "order_edit.html")]
struct EditPage {
    c: Chrome,
    id: i64,
    form: OrderForm,
    form_action: String,
    customer_names: Vec<String>,
    people: Vec<Opt>,
    today: String,
}

/// The edit form of an order the actor may change; `None` when they may
/// only read it.
async fn edit_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    id: i64,
) -> Result<Option<EditPage>, storage::Error> {
    let t = T(locale);
    let o = store::get(&state.db, a.actor(), id).await?;
    if !o.can_write || o.status == store::CANCELLED {
        return Ok(None);
    }
    let mut c = Chrome::new(state, a, locale, "orders", t.t("orders.edit").to_owned()).await;
    crumbs_from_home(&mut c);
    c.crumbs
        .push((t.t("orders.title").into(), "/orders".into()));
    c.crumbs.push((o.order_no.clone(), format!("/orders/{id}")));
    c.crumbs.push((t.t("orders.edit").into(), String::new()));
    Ok(Some(EditPage {
        c,
        id,
        form: OrderForm::of_order(&o),
        form_action: format!("/orders/{id}/edit"),
        customer_names: customer_names(state, a.actor()).await?,
        people: people_options(state, a.actor()).await?,
        today: store::today(state.settings.time_zone).to_string(),
    }))
}

/// `GET /orders/{id}/edit`.
async fn edit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return super::not_found_for(&state, &a, locale).await;
    };
    match edit_page(&state, &a, locale, id).await {
        Ok(Some(page)) => render(&page),
        Ok(None) => forbidden_for(&state, &a, locale).await,
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// `POST /orders/{id}/edit`: lines and salespeople replace the order's
/// own; the computed figures follow in the same transaction.
async fn save_edit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let t = T(locale);
    let Some(id) = parse_id(&id) else {
        return super::not_found_for(&state, &a, locale).await;
    };
    let form = OrderForm::from_pairs(&pairs);
    let (new, line_rows, credit_rows) = form.to_new();
    let patch = OrderPatch {
        order_no: new.order_no,
        customer_id: None,
        customer: new.customer,
        order_date: new.order_date,
        lines: Some(new.lines),
        credits: Some(new.credits),
        note: Some(new.note.unwrap_or_default()),
    };
    match store::update(&state.db, a.actor(), id, &patch, state.settings.time_zone).await {
        Ok(_) => redirect_with_notice(jar, &format!("/orders/{id}"), "common.saved"),
        Err(e @ storage::Error::Invalid(_)) => match edit_page(&state, &a, locale, id).await {
            Ok(Some(mut page)) => {
                page.c.errors = field_errors(t, &e, &line_rows, &credit_rows);
                page.form = form;
                render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
            Ok(None) => forbidden_for(&state, &a, locale).await,
            Err(e) => storage_failure(&state, &a, locale, e).await,
        },
        Err(storage::Error::Forbidden) => forbidden_for(&state, &a, locale).await,
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

fn parse_id(id: &str) -> Option<i64> {
    id.parse().ok()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StepForm {
    status: String,
    date: String,
}

async fn step(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(f): Form<StepForm>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return super::not_found_for(&state, &a, locale).await;
    };
    let req = StatusStep {
        status: f.status,
        date: Some(f.date).filter(|d| !d.trim().is_empty()),
    };
    let r = store::set_status(&state.db, a.actor(), id, &req, state.settings.time_zone).await;
    after_action(&state, &a, locale, jar, id, r).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CancelForm {
    reason: String,
    date: String,
}

async fn cancel(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(f): Form<CancelForm>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return super::not_found_for(&state, &a, locale).await;
    };
    let req = Cancel {
        reason: f.reason,
        date: Some(f.date).filter(|d| !d.trim().is_empty()),
    };
    let r = store::cancel(&state.db, a.actor(), id, &req, state.settings.time_zone).await;
    after_action(&state, &a, locale, jar, id, r).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CollectForm {
    amount: String,
    collected_on: String,
    note: String,
}

async fn collect(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(f): Form<CollectForm>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return super::not_found_for(&state, &a, locale).await;
    };
    let req = NewCollection {
        amount: Value::String(f.amount.trim().to_owned()),
        collected_on: Some(f.collected_on).filter(|d| !d.trim().is_empty()),
        note: Some(f.note).filter(|d| !d.trim().is_empty()),
    };
    let r = store::add_collection(&state.db, a.actor(), id, &req, state.settings.time_zone).await;
    after_action(&state, &a, locale, jar, id, r).await
}

async fn delete_collection(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path((id, cid)): Path<(String, String)>,
    jar: CookieJar,
) -> Response {
    let (Some(id), Some(cid)) = (parse_id(&id), parse_id(&cid)) else {
        return super::not_found_for(&state, &a, locale).await;
    };
    let r = store::delete_collection(&state.db, a.actor(), id, cid).await;
    after_action(&state, &a, locale, jar, id, r).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_keeps_only_filled_rows_and_knows_their_numbers() {
        let pairs: Vec<(String, String)> = [
            ("customer", "华为"),
            ("product_0", "轿车"),
            ("quantity_0", "2"),
            ("unit_price_0", "100"),
            ("product_2", "配件"),
            ("quantity_2", "1"),
            ("unit_price_2", "5"),
            ("credit_no_1", "E0015 张晓明"),
            ("credit_share_1", "100"),
            ("product_1002", "ignored: beyond MAX_FORM_ROWS"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let f = OrderForm::from_pairs(&pairs);
        let (new, lines, credits) = f.to_new();
        assert_eq!(new.lines.len(), 2);
        assert_eq!(lines, [0, 2]);
        assert_eq!(credits, [1]);
        assert_eq!(new.credits[0].employee_no, "E0015");
        let t = T(Locale::En);
        assert_eq!(
            order_field_label(t, "lines[1].quantity", &lines, &credits),
            "Line 3 · Quantity"
        );
    }
}
