//! Monthly submissions (数据填报): one row per unit and month once it has
//! been submitted, with its status and history.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Submission {
    Table,
    Id,
    UnitId,
    Period,
    Status,
    Comment,
    SubmittedByUserId,
    SubmittedBy,
    SubmittedAt,
    UpdatedBy,
    UpdatedAt,
    History,
}

#[derive(DeriveIden)]
enum OrgUnit {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Submission::Table)
                .col(big_pk_auto(Submission::Id))
                .col(big_integer(Submission::UnitId))
                .col(string_len(Submission::Period, 10))
                .col(string_len(Submission::Status, 16))
                .col(text_null(Submission::Comment))
                .col(big_integer_null(Submission::SubmittedByUserId))
                .col(string_len_null(Submission::SubmittedBy, 64))
                .col(timestamp_with_time_zone_null(Submission::SubmittedAt))
                .col(string_len(Submission::UpdatedBy, 64))
                .col(timestamp_with_time_zone(Submission::UpdatedAt))
                .col(text(Submission::History))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_submission_unit")
                        .from(Submission::Table, Submission::UnitId)
                        .to(OrgUnit::Table, OrgUnit::Id),
                )
                .to_owned(),
        )
        .await?;
        // One submission per unit and month; also the index of the check
        // every actual edit makes.
        m.create_index(
            Index::create()
                .name("ux_submission_unit_period")
                .table(Submission::Table)
                .col(Submission::UnitId)
                .col(Submission::Period)
                .unique()
                .to_owned(),
        )
        .await?;
        // The list of one month across units.
        m.create_index(
            Index::create()
                .name("ix_submission_period")
                .table(Submission::Table)
                .col(Submission::Period)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Submission::Table).to_owned())
            .await?;
        Ok(())
    }
}
