-- One durable single-row UPDATE per transaction (autocommit, one round
-- trip) of a random partner, returning the row as a PATCH answer needs it.
\set n random(1, 100)
UPDATE bench_partners
   SET display_name = 'Display Name value', url = 'Url value', app_authorized = true,
       enabled = true, last_connection = 636188591166670033, etag = md5(random()::text)
 WHERE tenant = '11111111-1111-4111-8111-111111111111'
   AND id = format('%s-0000-4000-8000-%s', lpad(to_hex(:n::int), 8, '0'), lpad(to_hex(:n::int), 12, '0'))
RETURNING id, display_name, url, app_authorized, enabled, last_connection, etag;
