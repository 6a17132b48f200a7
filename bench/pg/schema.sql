-- pgbench's side of the PostgreSQL comparison: a table shaped like a
-- partner store's, 100 partners of one tenant, in their own database.
CREATE TABLE bench_partners (
    tenant          text    NOT NULL,
    id              text    NOT NULL,
    display_name    text,
    url             text,
    app_authorized  boolean NOT NULL,
    enabled         boolean NOT NULL,
    last_connection bigint  NOT NULL,
    etag            text    NOT NULL,
    PRIMARY KEY (tenant, id)
);

INSERT INTO bench_partners
SELECT '11111111-1111-4111-8111-111111111111',
       format('%s-0000-4000-8000-%s', lpad(to_hex(n), 8, '0'), lpad(to_hex(n), 12, '0')),
       'Partner ' || n, 'https://tem' || n || '.example', n % 2 = 0, true,
       636188591166670033, 'seed' || n
  FROM generate_series(1, 100) AS n;

VACUUM ANALYZE bench_partners;
