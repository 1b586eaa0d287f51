//! Target decomposition (目标分解): plans of a year and scope, their
//! versions with approval, the items each version sets, and the company's
//! own seasonal distributions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
    Year,
    UnitId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PlanVersion {
    Table,
    Id,
    PlanId,
    Number,
    Status,
    Reason,
    AuthorUserId,
    Author,
    CreatedAt,
    SubmittedAt,
    DecidedByUserId,
    DecidedBy,
    DecidedAt,
    Comment,
    PublishedAt,
}

#[derive(DeriveIden)]
enum PlanItem {
    Table,
    Id,
    VersionId,
    MetricId,
    SubjectKind,
    SubjectId,
    Period,
    Value,
    Before,
}

#[derive(DeriveIden)]
enum Distribution {
    Table,
    Code,
    Name,
    NameEn,
    Percents,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DimensionFigure {
    Table,
    Id,
    MetricId,
    SubjectKind,
    SubjectId,
    Period,
    Dimension,
    Member,
    Target,
    Actual,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrgUnit {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Metric {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Plan::Table)
                .col(big_pk_auto(Plan::Id))
                .col(integer(Plan::Year))
                .col(big_integer(Plan::UnitId))
                .col(timestamp_with_time_zone(Plan::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_plan_unit")
                        .from(Plan::Table, Plan::UnitId)
                        .to(OrgUnit::Table, OrgUnit::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_plan_year_unit")
                .table(Plan::Table)
                .col(Plan::Year)
                .col(Plan::UnitId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PlanVersion::Table)
                .col(big_pk_auto(PlanVersion::Id))
                .col(big_integer(PlanVersion::PlanId))
                .col(integer(PlanVersion::Number))
                .col(string_len(PlanVersion::Status, 16))
                .col(text_null(PlanVersion::Reason))
                .col(big_integer_null(PlanVersion::AuthorUserId))
                .col(string_len(PlanVersion::Author, 64))
                .col(timestamp_with_time_zone(PlanVersion::CreatedAt))
                .col(timestamp_with_time_zone_null(PlanVersion::SubmittedAt))
                .col(big_integer_null(PlanVersion::DecidedByUserId))
                .col(string_len_null(PlanVersion::DecidedBy, 64))
                .col(timestamp_with_time_zone_null(PlanVersion::DecidedAt))
                .col(text_null(PlanVersion::Comment))
                .col(timestamp_with_time_zone_null(PlanVersion::PublishedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_plan_version_plan")
                        .from(PlanVersion::Table, PlanVersion::PlanId)
                        .to(Plan::Table, Plan::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_plan_version_number")
                .table(PlanVersion::Table)
                .col(PlanVersion::PlanId)
                .col(PlanVersion::Number)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PlanItem::Table)
                .col(big_pk_auto(PlanItem::Id))
                .col(big_integer(PlanItem::VersionId))
                .col(big_integer(PlanItem::MetricId))
                .col(string_len(PlanItem::SubjectKind, 8))
                .col(big_integer(PlanItem::SubjectId))
                .col(string_len(PlanItem::Period, 10))
                .col(big_integer_null(PlanItem::Value))
                .col(big_integer_null(PlanItem::Before))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_plan_item_version")
                        .from(PlanItem::Table, PlanItem::VersionId)
                        .to(PlanVersion::Table, PlanVersion::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_plan_item_metric")
                        .from(PlanItem::Table, PlanItem::MetricId)
                        .to(Metric::Table, Metric::Id),
                )
                .to_owned(),
        )
        .await?;
        // One value per key and version; also how a version's items are
        // read and a draft's item replaced.
        m.create_index(
            Index::create()
                .name("ux_plan_item_key")
                .table(PlanItem::Table)
                .col(PlanItem::VersionId)
                .col(PlanItem::SubjectKind)
                .col(PlanItem::SubjectId)
                .col(PlanItem::Period)
                .col(PlanItem::MetricId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Distribution::Table)
                .col(string_len(Distribution::Code, 32).primary_key())
                .col(string_len(Distribution::Name, 64))
                .col(string_len(Distribution::NameEn, 64))
                .col(text(Distribution::Percents))
                .col(string_len(Distribution::UpdatedBy, 64))
                .col(timestamp_with_time_zone(Distribution::UpdatedAt))
                .to_owned(),
        )
        .await?;
        // Targets (and, from the sales process, actuals) broken down by
        // customer or product category within a subject's target.
        m.create_table(
            Table::create()
                .table(DimensionFigure::Table)
                .col(big_pk_auto(DimensionFigure::Id))
                .col(big_integer(DimensionFigure::MetricId))
                .col(string_len(DimensionFigure::SubjectKind, 8))
                .col(big_integer(DimensionFigure::SubjectId))
                .col(string_len(DimensionFigure::Period, 10))
                .col(string_len(DimensionFigure::Dimension, 16))
                .col(string_len(DimensionFigure::Member, 128))
                .col(big_integer_null(DimensionFigure::Target))
                .col(big_integer_null(DimensionFigure::Actual))
                .col(timestamp_with_time_zone(DimensionFigure::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_dimension_figure_metric")
                        .from(DimensionFigure::Table, DimensionFigure::MetricId)
                        .to(Metric::Table, Metric::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_dimension_figure_key")
                .table(DimensionFigure::Table)
                .col(DimensionFigure::SubjectKind)
                .col(DimensionFigure::SubjectId)
                .col(DimensionFigure::Period)
                .col(DimensionFigure::MetricId)
                .col(DimensionFigure::Dimension)
                .col(DimensionFigure::Member)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            DimensionFigure::Table.into_iden(),
            PlanItem::Table.into_iden(),
            PlanVersion::Table.into_iden(),
            Plan::Table.into_iden(),
            Distribution::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
