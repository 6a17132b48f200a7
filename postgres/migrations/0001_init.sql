-- Every text column uses the "C" collation, so that strings compare and
-- sort byte by byte, exactly as they do in the SQLite backend, and the
-- primary key index serves ORDER BY id without a sort.
--
-- Every key and index of tenant data leads with tenant, so that a
-- distributed engine can shard the table by tenant.
CREATE TABLE partners (
    tenant          text    COLLATE "C" NOT NULL,
    id              text    COLLATE "C" NOT NULL,
    display_name    text    COLLATE "C",
    url             text    COLLATE "C",
    app_authorized  boolean NOT NULL,
    enabled         boolean NOT NULL,
    -- 100 ns ticks since 0001-01-01T00:00:00Z, as in the SQLite backend.
    last_connection bigint  NOT NULL,
    etag            text    COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant, id)
);

-- Secrets shared by every node, such as the token issuer's signing key.
-- They belong to the deployment, not to a tenant.
CREATE TABLE secrets (
    name  text  COLLATE "C" PRIMARY KEY,
    value bytea NOT NULL
);
