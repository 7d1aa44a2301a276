select
    customer_id,
    name as customer_name,
    segment,
    country
from {{ source('raw', 'customers') }}
