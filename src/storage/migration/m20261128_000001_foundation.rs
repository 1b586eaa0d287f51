//! Org tree, people, accounts, sessions, API tokens, login throttling, audit log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OrgUnit {
    Table,
    Id,
    Code,
    Name,
    ParentId,
    HeadPersonId,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
    EmployeeNo,
    Name,
    UnitId,
    Role,
    ManagerId,
    HireDate,
    Phone,
    Email,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
    Username,
    PasswordHash,
    Role,
    PersonId,
    Locale,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Session {
    Table,
    IdHash,
    UserId,
    CsrfToken,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    Prefix,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum LoginThrottle {
    Table,
    Username,
    Failures,
    FirstFailureAt,
    LockedUntil,
}

#[derive(DeriveIden)]
enum AuditEntry {
    Table,
    Id,
    At,
    ActorUserId,
    Actor,
    Action,
    Entity,
    Record,
    Before,
    After,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(OrgUnit::Table)
                .col(big_pk_auto(OrgUnit::Id))
                .col(string_len_uniq(OrgUnit::Code, 32))
                .col(string_len(OrgUnit::Name, 64))
                .col(big_integer_null(OrgUnit::ParentId))
                // No foreign key: person is created after this table and
                // SQLite cannot add one later. Kept consistent by storage.
                .col(big_integer_null(OrgUnit::HeadPersonId))
                .col(boolean(OrgUnit::Active).default(true))
                .col(timestamp_with_time_zone(OrgUnit::CreatedAt))
                .col(timestamp_with_time_zone(OrgUnit::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_org_unit_parent")
                        .from(OrgUnit::Table, OrgUnit::ParentId)
                        .to(OrgUnit::Table, OrgUnit::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_org_unit_parent")
                .table(OrgUnit::Table)
                .col(OrgUnit::ParentId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Person::Table)
                .col(big_pk_auto(Person::Id))
                .col(string_len_uniq(Person::EmployeeNo, 32))
                .col(string_len(Person::Name, 64))
                .col(big_integer(Person::UnitId))
                .col(string_len(Person::Role, 16))
                .col(big_integer_null(Person::ManagerId))
                .col(date_null(Person::HireDate))
                .col(string_len_null(Person::Phone, 32))
                .col(string_len_null(Person::Email, 254))
                .col(boolean(Person::Active).default(true))
                .col(timestamp_with_time_zone(Person::CreatedAt))
                .col(timestamp_with_time_zone(Person::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_person_unit")
                        .from(Person::Table, Person::UnitId)
                        .to(OrgUnit::Table, OrgUnit::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_person_manager")
                        .from(Person::Table, Person::ManagerId)
                        .to(Person::Table, Person::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_person_unit")
                .table(Person::Table)
                .col(Person::UnitId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AppUser::Table)
                .col(big_pk_auto(AppUser::Id))
                .col(string_len_uniq(AppUser::Username, 64))
                .col(string_len(AppUser::PasswordHash, 255))
                .col(string_len(AppUser::Role, 16))
                .col(big_integer_null(AppUser::PersonId).unique_key())
                .col(string_len_null(AppUser::Locale, 8))
                .col(boolean(AppUser::Active).default(true))
                .col(timestamp_with_time_zone(AppUser::CreatedAt))
                .col(timestamp_with_time_zone(AppUser::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_app_user_person")
                        .from(AppUser::Table, AppUser::PersonId)
                        .to(Person::Table, Person::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Session::Table)
                .col(string_len(Session::IdHash, 64).primary_key())
                .col(big_integer(Session::UserId))
                .col(string_len(Session::CsrfToken, 64))
                .col(timestamp_with_time_zone(Session::CreatedAt))
                .col(timestamp_with_time_zone(Session::ExpiresAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_session_user")
                        .from(Session::Table, Session::UserId)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiToken::Table)
                .col(big_pk_auto(ApiToken::Id))
                .col(big_integer(ApiToken::UserId))
                .col(string_len(ApiToken::Name, 64))
                .col(string_len_uniq(ApiToken::TokenHash, 64))
                .col(string_len(ApiToken::Prefix, 16))
                .col(timestamp_with_time_zone(ApiToken::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiToken::LastUsedAt))
                .col(timestamp_with_time_zone_null(ApiToken::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_api_token_user")
                        .from(ApiToken::Table, ApiToken::UserId)
                        .to(AppUser::Table, AppUser::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LoginThrottle::Table)
                .col(string_len(LoginThrottle::Username, 64).primary_key())
                .col(integer(LoginThrottle::Failures))
                .col(timestamp_with_time_zone(LoginThrottle::FirstFailureAt))
                .col(timestamp_with_time_zone_null(LoginThrottle::LockedUntil))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditEntry::Table)
                .col(big_pk_auto(AuditEntry::Id))
                .col(timestamp_with_time_zone(AuditEntry::At))
                .col(big_integer_null(AuditEntry::ActorUserId))
                .col(string_len(AuditEntry::Actor, 64))
                .col(string_len(AuditEntry::Action, 32))
                .col(string_len(AuditEntry::Entity, 32))
                .col(string_len(AuditEntry::Record, 64))
                .col(text_null(AuditEntry::Before))
                .col(text_null(AuditEntry::After))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_entry_record")
                .table(AuditEntry::Table)
                .col(AuditEntry::Entity)
                .col(AuditEntry::Record)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            AuditEntry::Table.into_iden(),
            LoginThrottle::Table.into_iden(),
            ApiToken::Table.into_iden(),
            Session::Table.into_iden(),
            AppUser::Table.into_iden(),
            Person::Table.into_iden(),
            OrgUnit::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
