-- Orders in EUR at the day's reference rate.
select
    o.order_id,
    o.customer_id,
    o.store_id,
    o.order_date,
    o.amount,
    o.currency,
    round(o.amount * fx.rate_to_eur, 2) as amount_eur
from {{ ref('stg_orders') }} o
join {{ source('ref', 'fx_rates') }} fx
    on fx.ds = o.order_date and fx.currency = o.currency
