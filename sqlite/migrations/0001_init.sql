CREATE TABLE partners (
    tenant          TEXT    NOT NULL,
    id              TEXT    NOT NULL,
    display_name    TEXT,
    url             TEXT,
    app_authorized  INTEGER NOT NULL,
    enabled         INTEGER NOT NULL,
    last_connection INTEGER NOT NULL,
    etag            TEXT    NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;

CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;
