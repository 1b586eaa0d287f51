//! Computed actuals: the default metrics that the sales process feeds
//! take their actuals from it, and rates keep, per subject and month, the
//! numerator and denominator they are computed from so that every unit's
//! rate is the ratio of its sums (never an average of averages).

use sea_orm_migration::{prelude::*, schema::*};

use crate::domain::computed::DEFAULT_SOURCES;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ComputedPart {
    Table,
    SubjectKind,
    SubjectId,
    Period,
    Source,
    Num,
    Den,
}

#[derive(DeriveIden)]
enum Metric {
    Table,
    Code,
    Source,
    Total,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ComputedPart::Table)
                .col(string_len(ComputedPart::SubjectKind, 8))
                .col(big_integer(ComputedPart::SubjectId))
                .col(string_len(ComputedPart::Period, 10))
                .col(string_len(ComputedPart::Source, 32))
                .col(big_integer(ComputedPart::Num))
                .col(big_integer(ComputedPart::Den))
                .primary_key(
                    Index::create()
                        .col(ComputedPart::SubjectKind)
                        .col(ComputedPart::SubjectId)
                        .col(ComputedPart::Period)
                        .col(ComputedPart::Source),
                )
                .to_owned(),
        )
        .await?;
        for (code, source) in DEFAULT_SOURCES {
            m.exec_stmt(
                Query::update()
                    .table(Metric::Table)
                    .value(Metric::Source, source.code())
                    .and_where(Expr::col(Metric::Code).eq(code))
                    .and_where(Expr::col(Metric::Source).eq("manual"))
                    .to_owned(),
            )
            .await?;
        }
        // The repurchase rate is cumulative over the year: its year figure
        // is its latest month's, not the average of its months.
        m.exec_stmt(
            Query::update()
                .table(Metric::Table)
                .value(Metric::Total, "last")
                .and_where(Expr::col(Metric::Code).eq("repurchase_rate"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ComputedPart::Table).to_owned())
            .await
    }
}
