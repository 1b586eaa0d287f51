//! Orders (订单) with their lines, the credit split between salespeople,
//! and collections (回款) with the same split. Dates are `YYYY-MM-DD` text
//! on both databases, so `substr(col, 1, 7)` is the month.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SalesOrder {
    Table,
    Id,
    OrderNo,
    CustomerId,
    Status,
    OrderDate,
    ConfirmedOn,
    ShippedOn,
    InvoicedOn,
    PaidOn,
    CancelledOn,
    Total,
    Note,
    CreatedByUserId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrderLine {
    Table,
    Id,
    OrderId,
    LineNo,
    Product,
    Category,
    QuantityMilli,
    UnitPrice,
    Amount,
}

#[derive(DeriveIden)]
enum OrderCredit {
    Table,
    OrderId,
    PersonId,
    Share,
    Amount,
}

#[derive(DeriveIden)]
enum Collection {
    Table,
    Id,
    OrderId,
    Amount,
    CollectedOn,
    Note,
    CreatedByUserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CollectionCredit {
    Table,
    CollectionId,
    PersonId,
    Amount,
}

#[derive(DeriveIden)]
enum Customer {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

fn index(name: &str, table: impl IntoIden, cols: &[&str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(Alias::new(*c));
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SalesOrder::Table)
                .col(big_pk_auto(SalesOrder::Id))
                .col(string_len_uniq(SalesOrder::OrderNo, 64))
                .col(big_integer(SalesOrder::CustomerId))
                .col(string_len(SalesOrder::Status, 16))
                .col(string_len(SalesOrder::OrderDate, 10))
                .col(string_len_null(SalesOrder::ConfirmedOn, 10))
                .col(string_len_null(SalesOrder::ShippedOn, 10))
                .col(string_len_null(SalesOrder::InvoicedOn, 10))
                .col(string_len_null(SalesOrder::PaidOn, 10))
                .col(string_len_null(SalesOrder::CancelledOn, 10))
                .col(big_integer(SalesOrder::Total))
                .col(text_null(SalesOrder::Note))
                .col(big_integer_null(SalesOrder::CreatedByUserId))
                .col(timestamp_with_time_zone(SalesOrder::CreatedAt))
                .col(timestamp_with_time_zone(SalesOrder::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_sales_order_customer")
                        .from(SalesOrder::Table, SalesOrder::CustomerId)
                        .to(Customer::Table, Customer::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_sales_order_customer",
            SalesOrder::Table,
            &["customer_id"],
        ))
        .await?;
        m.create_index(index(
            "ix_sales_order_date",
            SalesOrder::Table,
            &["order_date"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(OrderLine::Table)
                .col(big_pk_auto(OrderLine::Id))
                .col(big_integer(OrderLine::OrderId))
                .col(integer(OrderLine::LineNo))
                .col(string_len(OrderLine::Product, 128))
                .col(string_len_null(OrderLine::Category, 64))
                .col(big_integer(OrderLine::QuantityMilli))
                .col(big_integer(OrderLine::UnitPrice))
                .col(big_integer(OrderLine::Amount))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_order_line_order")
                        .from(OrderLine::Table, OrderLine::OrderId)
                        .to(SalesOrder::Table, SalesOrder::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_order_line_order",
            OrderLine::Table,
            &["order_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(OrderCredit::Table)
                .col(big_integer(OrderCredit::OrderId))
                .col(big_integer(OrderCredit::PersonId))
                .col(integer(OrderCredit::Share))
                .col(big_integer(OrderCredit::Amount))
                .primary_key(
                    Index::create()
                        .col(OrderCredit::OrderId)
                        .col(OrderCredit::PersonId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_order_credit_order")
                        .from(OrderCredit::Table, OrderCredit::OrderId)
                        .to(SalesOrder::Table, SalesOrder::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_order_credit_person")
                        .from(OrderCredit::Table, OrderCredit::PersonId)
                        .to(Person::Table, Person::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_order_credit_person",
            OrderCredit::Table,
            &["person_id", "order_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Collection::Table)
                .col(big_pk_auto(Collection::Id))
                .col(big_integer(Collection::OrderId))
                .col(big_integer(Collection::Amount))
                .col(string_len(Collection::CollectedOn, 10))
                .col(text_null(Collection::Note))
                .col(big_integer_null(Collection::CreatedByUserId))
                .col(timestamp_with_time_zone(Collection::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_collection_order")
                        .from(Collection::Table, Collection::OrderId)
                        .to(SalesOrder::Table, SalesOrder::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_collection_order",
            Collection::Table,
            &["order_id"],
        ))
        .await?;
        m.create_index(index(
            "ix_collection_collected_on",
            Collection::Table,
            &["collected_on"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(CollectionCredit::Table)
                .col(big_integer(CollectionCredit::CollectionId))
                .col(big_integer(CollectionCredit::PersonId))
                .col(big_integer(CollectionCredit::Amount))
                .primary_key(
                    Index::create()
                        .col(CollectionCredit::CollectionId)
                        .col(CollectionCredit::PersonId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_collection_credit_collection")
                        .from(CollectionCredit::Table, CollectionCredit::CollectionId)
                        .to(Collection::Table, Collection::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_collection_credit_person")
                        .from(CollectionCredit::Table, CollectionCredit::PersonId)
                        .to(Person::Table, Person::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_collection_credit_person",
            CollectionCredit::Table,
            &["person_id"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            CollectionCredit::Table.into_iden(),
            Collection::Table.into_iden(),
            OrderCredit::Table.into_iden(),
            OrderLine::Table.into_iden(),
            SalesOrder::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
