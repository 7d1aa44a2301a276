-- One row per non-cancelled order, typed and renamed for the marts.
select
    order_id,
    customer_id,
    store_id,
    ds as order_date,
    cast(amount as decimal(10, 2)) as amount,
    currency,
    status
from {{ source('raw', 'orders') }}
where status <> 'cancelled'
