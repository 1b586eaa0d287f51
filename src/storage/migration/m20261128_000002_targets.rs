//! Metrics (with the default set), figures (targets and actuals with their
//! kept rollups) and period locks.

use sea_orm_migration::{prelude::*, schema::*};

use crate::domain::metric::default_metrics;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Metric {
    Table,
    Id,
    Code,
    Name,
    NameEn,
    Kind,
    Direction,
    Total,
    Numerator,
    Denominator,
    Rollup,
    Tolerance,
    Source,
    Position,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Figure {
    Table,
    Id,
    MetricId,
    SubjectKind,
    SubjectId,
    Period,
    Target,
    Floor,
    Stretch,
    Actual,
    SubTarget,
    SubActual,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PeriodLock {
    Table,
    Period,
    LockedBy,
    LockedAt,
    Reason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Metric::Table)
                .col(big_pk_auto(Metric::Id))
                .col(string_len_uniq(Metric::Code, 32))
                .col(string_len(Metric::Name, 64))
                .col(string_len(Metric::NameEn, 64))
                .col(string_len(Metric::Kind, 16))
                .col(string_len(Metric::Direction, 16))
                .col(string_len(Metric::Total, 16))
                .col(string_len_null(Metric::Numerator, 32))
                .col(string_len_null(Metric::Denominator, 32))
                .col(string_len(Metric::Rollup, 16))
                .col(big_integer(Metric::Tolerance).default(0))
                .col(string_len(Metric::Source, 32))
                .col(integer(Metric::Position).default(0))
                .col(boolean(Metric::Active).default(true))
                .col(timestamp_with_time_zone(Metric::CreatedAt))
                .col(timestamp_with_time_zone(Metric::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Figure::Table)
                .col(big_pk_auto(Figure::Id))
                .col(big_integer(Figure::MetricId))
                .col(string_len(Figure::SubjectKind, 8))
                .col(big_integer(Figure::SubjectId))
                .col(string_len(Figure::Period, 10))
                .col(big_integer_null(Figure::Target))
                .col(big_integer_null(Figure::Floor))
                .col(big_integer_null(Figure::Stretch))
                .col(big_integer_null(Figure::Actual))
                .col(big_integer_null(Figure::SubTarget))
                .col(big_integer_null(Figure::SubActual))
                .col(timestamp_with_time_zone(Figure::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_figure_metric")
                        .from(Figure::Table, Figure::MetricId)
                        .to(Metric::Table, Metric::Id),
                )
                .to_owned(),
        )
        .await?;
        // One row per key; also the index every table read uses
        // (subject first: a table is one subject's periods).
        m.create_index(
            Index::create()
                .name("ux_figure_key")
                .table(Figure::Table)
                .col(Figure::SubjectKind)
                .col(Figure::SubjectId)
                .col(Figure::Period)
                .col(Figure::MetricId)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PeriodLock::Table)
                .col(string_len(PeriodLock::Period, 10).primary_key())
                .col(string_len(PeriodLock::LockedBy, 64))
                .col(timestamp_with_time_zone(PeriodLock::LockedAt))
                .col(string_len_null(PeriodLock::Reason, 255))
                .to_owned(),
        )
        .await?;

        // The default metric set ships with every database.
        let now = chrono::Utc::now();
        let mut insert = Query::insert();
        insert.into_table(Metric::Table).columns([
            Metric::Code,
            Metric::Name,
            Metric::NameEn,
            Metric::Kind,
            Metric::Direction,
            Metric::Total,
            Metric::Rollup,
            Metric::Tolerance,
            Metric::Source,
            Metric::Position,
            Metric::Active,
            Metric::CreatedAt,
            Metric::UpdatedAt,
        ]);
        for (i, d) in default_metrics().into_iter().enumerate() {
            insert.values_panic([
                d.code.into(),
                d.name.into(),
                d.name_en.into(),
                d.kind.code().into(),
                d.direction.code().into(),
                d.total.code().into(),
                d.rollup.code().into(),
                d.tolerance.into(),
                d.source.into(),
                ((i as i32 + 1) * 10).into(),
                true.into(),
                now.into(),
                now.into(),
            ]);
        }
        m.exec_stmt(insert).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            PeriodLock::Table.into_iden(),
            Figure::Table.into_iden(),
            Metric::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
