//! The sales process, first part: customers (客户档案), their contacts with
//! the key-customer profile (关键客户信息登记表), follow-up records
//! (销售过程记录) and activities (calls, visits, meetings).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Customer {
    Table,
    Id,
    Name,
    Industry,
    Region,
    Address,
    Source,
    OwnerPersonId,
    Status,
    FirstPurchaseOn,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CustomerContact {
    Table,
    Id,
    CustomerId,
    Name,
    Title,
    Phone,
    Email,
    IsKey,
    Birthday,
    Anniversary,
    AnniversaryLabel,
    Background,
    Education,
    Family,
    Interests,
    Goals,
    Personality,
    PrivateNotes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CustomerNote {
    Table,
    Id,
    CustomerId,
    PersonId,
    Kind,
    Content,
    NotedOn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Activity {
    Table,
    Id,
    PersonId,
    Kind,
    CustomerId,
    Contact,
    OccurredOn,
    OccurredTime,
    Outcome,
    NextStep,
    CreatedByUserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Customer::Table)
                .col(big_pk_auto(Customer::Id))
                // Imports match customers by exact name.
                .col(string_len_uniq(Customer::Name, 128))
                .col(string_len_null(Customer::Industry, 64))
                .col(string_len_null(Customer::Region, 64))
                .col(string_len_null(Customer::Address, 255))
                .col(string_len_null(Customer::Source, 64))
                .col(big_integer_null(Customer::OwnerPersonId))
                .col(string_len(Customer::Status, 16).default("prospect"))
                .col(string_len_null(Customer::FirstPurchaseOn, 10))
                .col(text_null(Customer::Notes))
                .col(timestamp_with_time_zone(Customer::CreatedAt))
                .col(timestamp_with_time_zone(Customer::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_customer_owner")
                        .from(Customer::Table, Customer::OwnerPersonId)
                        .to(Person::Table, Person::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_customer_owner")
                .table(Customer::Table)
                .col(Customer::OwnerPersonId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CustomerContact::Table)
                .col(big_pk_auto(CustomerContact::Id))
                .col(big_integer(CustomerContact::CustomerId))
                .col(string_len(CustomerContact::Name, 64))
                .col(string_len_null(CustomerContact::Title, 64))
                .col(string_len_null(CustomerContact::Phone, 32))
                .col(string_len_null(CustomerContact::Email, 128))
                .col(boolean(CustomerContact::IsKey).default(false))
                // The private profile (关键客户信息登记表).
                .col(string_len_null(CustomerContact::Birthday, 10))
                .col(string_len_null(CustomerContact::Anniversary, 10))
                .col(string_len_null(CustomerContact::AnniversaryLabel, 64))
                .col(text_null(CustomerContact::Background))
                .col(text_null(CustomerContact::Education))
                .col(text_null(CustomerContact::Family))
                .col(text_null(CustomerContact::Interests))
                .col(text_null(CustomerContact::Goals))
                .col(text_null(CustomerContact::Personality))
                .col(text_null(CustomerContact::PrivateNotes))
                .col(timestamp_with_time_zone(CustomerContact::CreatedAt))
                .col(timestamp_with_time_zone(CustomerContact::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_customer_contact_customer")
                        .from(CustomerContact::Table, CustomerContact::CustomerId)
                        .to(Customer::Table, Customer::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_customer_contact_customer")
                .table(CustomerContact::Table)
                .col(CustomerContact::CustomerId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CustomerNote::Table)
                .col(big_pk_auto(CustomerNote::Id))
                .col(big_integer(CustomerNote::CustomerId))
                .col(big_integer(CustomerNote::PersonId))
                .col(string_len(CustomerNote::Kind, 16))
                .col(text(CustomerNote::Content))
                .col(string_len(CustomerNote::NotedOn, 10))
                .col(timestamp_with_time_zone(CustomerNote::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_customer_note_customer")
                        .from(CustomerNote::Table, CustomerNote::CustomerId)
                        .to(Customer::Table, Customer::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_customer_note_person")
                        .from(CustomerNote::Table, CustomerNote::PersonId)
                        .to(Person::Table, Person::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_customer_note_customer")
                .table(CustomerNote::Table)
                .col(CustomerNote::CustomerId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Activity::Table)
                .col(big_pk_auto(Activity::Id))
                .col(big_integer(Activity::PersonId))
                .col(string_len(Activity::Kind, 16))
                .col(big_integer_null(Activity::CustomerId))
                .col(string_len_null(Activity::Contact, 64))
                .col(string_len(Activity::OccurredOn, 10))
                .col(string_len_null(Activity::OccurredTime, 5))
                .col(text_null(Activity::Outcome))
                .col(text_null(Activity::NextStep))
                .col(big_integer(Activity::CreatedByUserId))
                .col(timestamp_with_time_zone(Activity::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_activity_person")
                        .from(Activity::Table, Activity::PersonId)
                        .to(Person::Table, Person::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_activity_customer")
                        .from(Activity::Table, Activity::CustomerId)
                        .to(Customer::Table, Customer::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_activity_person_day")
                .table(Activity::Table)
                .col(Activity::PersonId)
                .col(Activity::OccurredOn)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_activity_day")
                .table(Activity::Table)
                .col(Activity::OccurredOn)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_activity_customer")
                .table(Activity::Table)
                .col(Activity::CustomerId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Activity::Table.into_iden(),
            CustomerNote::Table.into_iden(),
            CustomerContact::Table.into_iden(),
            Customer::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
