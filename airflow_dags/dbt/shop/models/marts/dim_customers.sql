-- Customers with their lifetime order count and revenue (EUR).
select
    c.customer_id,
    c.customer_name,
    c.segment,
    c.country,
    count(f.order_id) as lifetime_orders,
    coalesce(sum(f.amount_eur), 0) as lifetime_revenue_eur
from {{ ref('stg_customers') }} c
left join {{ ref('fct_orders') }} f on f.customer_id = c.customer_id
group by all
