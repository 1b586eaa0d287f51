//! Projects (项目/商机) with configurable stages and a follow-up cadence
//! per stage; daily plans (晨计划 + 晚日志) with their tasks; weekly
//! reports (周报). Dates are TEXT `YYYY-MM-DD`, weeks ISO `2026-W48`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ProjectStage {
    Table,
    Code,
    Name,
    NameEn,
    Position,
    CadenceDays,
    Active,
}

#[derive(DeriveIden)]
enum Project {
    Table,
    Id,
    Name,
    CustomerId,
    OwnerPersonId,
    Stage,
    Amount,
    Probability,
    BidOn,
    DeliveryOn,
    AcceptanceOn,
    Status,
    LastFollowupOn,
    Note,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProjectFollowup {
    Table,
    Id,
    ProjectId,
    PersonId,
    FollowedOn,
    Note,
    NextStep,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProjectOrder {
    Table,
    ProjectId,
    OrderId,
}

#[derive(DeriveIden)]
enum DailyPlan {
    Table,
    Id,
    PersonId,
    Day,
    PlannedCalls,
    PlannedVisits,
    MorningNote,
    EveningLog,
    ManagerComment,
    CommentedByUserId,
    CommentedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DailyTask {
    Table,
    Id,
    PlanId,
    Position,
    Text,
    Done,
}

#[derive(DeriveIden)]
enum WeeklyReport {
    Table,
    Id,
    PersonId,
    Week,
    Summary,
    NextWeekPlan,
    Problems,
    ManagerComment,
    CommentedByUserId,
    CommentedAt,
    SubmittedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Customer {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SalesOrder {
    Table,
    Id,
}

/// The seed's stages: weekly follow-ups in early design, fortnightly after.
const STAGES: [(&str, &str, &str, i32); 6] = [
    ("design", "前期设计", "Early design", 7),
    ("bid", "投标", "Bidding", 14),
    ("detailing", "深化设计", "Detailed design", 14),
    ("execution", "备货执行", "Procurement & execution", 14),
    ("acceptance", "验收", "Acceptance", 14),
    ("collection", "回款", "Collection", 14),
];

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ProjectStage::Table)
                .col(string_len(ProjectStage::Code, 32).primary_key())
                .col(string_len(ProjectStage::Name, 64))
                .col(string_len(ProjectStage::NameEn, 64))
                .col(integer(ProjectStage::Position))
                .col(integer(ProjectStage::CadenceDays))
                .col(boolean(ProjectStage::Active).default(true))
                .to_owned(),
        )
        .await?;
        let mut insert = Query::insert();
        insert.into_table(ProjectStage::Table).columns([
            ProjectStage::Code,
            ProjectStage::Name,
            ProjectStage::NameEn,
            ProjectStage::Position,
            ProjectStage::CadenceDays,
            ProjectStage::Active,
        ]);
        for (i, (code, name, name_en, cadence)) in STAGES.into_iter().enumerate() {
            insert.values_panic([
                code.into(),
                name.into(),
                name_en.into(),
                ((i as i32 + 1) * 10).into(),
                cadence.into(),
                true.into(),
            ]);
        }
        m.exec_stmt(insert).await?;

        m.create_table(
            Table::create()
                .table(Project::Table)
                .col(big_pk_auto(Project::Id))
                .col(string_len(Project::Name, 128))
                .col(big_integer_null(Project::CustomerId))
                .col(big_integer(Project::OwnerPersonId))
                .col(string_len(Project::Stage, 32))
                .col(big_integer(Project::Amount))
                .col(integer(Project::Probability))
                .col(string_len_null(Project::BidOn, 10))
                .col(string_len_null(Project::DeliveryOn, 10))
                .col(string_len_null(Project::AcceptanceOn, 10))
                .col(string_len(Project::Status, 16))
                .col(string_len_null(Project::LastFollowupOn, 10))
                .col(text_null(Project::Note))
                .col(timestamp_with_time_zone(Project::CreatedAt))
                .col(timestamp_with_time_zone(Project::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_project_owner",
                    (Project::Table, Project::OwnerPersonId),
                    (Person::Table, Person::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_project_customer",
                    (Project::Table, Project::CustomerId),
                    (Customer::Table, Customer::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_project_stage",
                    (Project::Table, Project::Stage),
                    (ProjectStage::Table, ProjectStage::Code),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_project_owner")
                .table(Project::Table)
                .col(Project::OwnerPersonId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_project_customer")
                .table(Project::Table)
                .col(Project::CustomerId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ProjectFollowup::Table)
                .col(big_pk_auto(ProjectFollowup::Id))
                .col(big_integer(ProjectFollowup::ProjectId))
                .col(big_integer(ProjectFollowup::PersonId))
                .col(string_len(ProjectFollowup::FollowedOn, 10))
                .col(text(ProjectFollowup::Note))
                .col(text_null(ProjectFollowup::NextStep))
                .col(timestamp_with_time_zone(ProjectFollowup::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_project_followup_project",
                    (ProjectFollowup::Table, ProjectFollowup::ProjectId),
                    (Project::Table, Project::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_project_followup_person",
                    (ProjectFollowup::Table, ProjectFollowup::PersonId),
                    (Person::Table, Person::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_project_followup_project")
                .table(ProjectFollowup::Table)
                .col(ProjectFollowup::ProjectId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ProjectOrder::Table)
                .col(big_integer(ProjectOrder::ProjectId))
                .col(big_integer(ProjectOrder::OrderId))
                .primary_key(
                    Index::create()
                        .col(ProjectOrder::ProjectId)
                        .col(ProjectOrder::OrderId),
                )
                .foreign_key(&mut fk(
                    "fk_project_order_project",
                    (ProjectOrder::Table, ProjectOrder::ProjectId),
                    (Project::Table, Project::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_project_order_order",
                    (ProjectOrder::Table, ProjectOrder::OrderId),
                    (SalesOrder::Table, SalesOrder::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_project_order_order")
                .table(ProjectOrder::Table)
                .col(ProjectOrder::OrderId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DailyPlan::Table)
                .col(big_pk_auto(DailyPlan::Id))
                .col(big_integer(DailyPlan::PersonId))
                .col(string_len(DailyPlan::Day, 10))
                .col(integer(DailyPlan::PlannedCalls).default(0))
                .col(integer(DailyPlan::PlannedVisits).default(0))
                .col(text_null(DailyPlan::MorningNote))
                .col(text_null(DailyPlan::EveningLog))
                .col(text_null(DailyPlan::ManagerComment))
                .col(big_integer_null(DailyPlan::CommentedByUserId))
                .col(timestamp_with_time_zone_null(DailyPlan::CommentedAt))
                .col(timestamp_with_time_zone(DailyPlan::CreatedAt))
                .col(timestamp_with_time_zone(DailyPlan::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_daily_plan_person",
                    (DailyPlan::Table, DailyPlan::PersonId),
                    (Person::Table, Person::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_daily_plan_person_day")
                .table(DailyPlan::Table)
                .col(DailyPlan::PersonId)
                .col(DailyPlan::Day)
                .unique()
                .to_owned(),
        )
        .await?;
        // The computed actuals read a month of every person's plans.
        m.create_index(
            Index::create()
                .name("ix_daily_plan_day")
                .table(DailyPlan::Table)
                .col(DailyPlan::Day)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DailyTask::Table)
                .col(big_pk_auto(DailyTask::Id))
                .col(big_integer(DailyTask::PlanId))
                .col(integer(DailyTask::Position))
                .col(string_len(DailyTask::Text, 256))
                .col(boolean(DailyTask::Done).default(false))
                .foreign_key(&mut fk(
                    "fk_daily_task_plan",
                    (DailyTask::Table, DailyTask::PlanId),
                    (DailyPlan::Table, DailyPlan::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_daily_task_plan")
                .table(DailyTask::Table)
                .col(DailyTask::PlanId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(WeeklyReport::Table)
                .col(big_pk_auto(WeeklyReport::Id))
                .col(big_integer(WeeklyReport::PersonId))
                .col(string_len(WeeklyReport::Week, 8))
                .col(text(WeeklyReport::Summary))
                .col(text(WeeklyReport::NextWeekPlan))
                .col(text(WeeklyReport::Problems))
                .col(text_null(WeeklyReport::ManagerComment))
                .col(big_integer_null(WeeklyReport::CommentedByUserId))
                .col(timestamp_with_time_zone_null(WeeklyReport::CommentedAt))
                .col(timestamp_with_time_zone_null(WeeklyReport::SubmittedAt))
                .col(timestamp_with_time_zone(WeeklyReport::CreatedAt))
                .col(timestamp_with_time_zone(WeeklyReport::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_weekly_report_person",
                    (WeeklyReport::Table, WeeklyReport::PersonId),
                    (Person::Table, Person::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_weekly_report_person_week")
                .table(WeeklyReport::Table)
                .col(WeeklyReport::PersonId)
                .col(WeeklyReport::Week)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            WeeklyReport::Table.into_iden(),
            DailyTask::Table.into_iden(),
            DailyPlan::Table.into_iden(),
            ProjectOrder::Table.into_iden(),
            ProjectFollowup::Table.into_iden(),
            Project::Table.into_iden(),
            ProjectStage::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
