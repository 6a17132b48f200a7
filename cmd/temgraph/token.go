package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/temgraph/temgraph/auth"
)

// runToken prints a token from the built-in issuer, whose key lives in --db.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", defaultDB, "database holding the issuer key (same as serve's --db)")
	tenant := fs.String("tenant", auth.DefaultTenant, "tenant id (tid claim), a GUID")
	scopes := fs.String("scopes", "", "space-separated delegated permissions (scp claim); "+
		"default "+auth.ScopeReadWrite+" unless --roles is given")
	roles := fs.String("roles", "", "space-separated application permissions (roles claim)")
	ttl := fs.Duration("ttl", time.Hour, "lifetime of the token")
	oid := fs.String("oid", auth.DefaultObjectID, "object id of the caller (oid claim)")
	app := fs.String("app-id", auth.DefaultAppID, "client application id (azp and appid claims)")
	aud := fs.String("audience", auth.GraphAudience, "audience (aud claim)")
	issuer := fs.String("issuer", auth.DefaultIssuerBase, "base of the built-in issuer's identifier (same as serve's --issuer)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := applyEnv(fs); err != nil {
		return err
	}

	req := auth.TokenRequest{
		Tenant: *tenant, ObjectID: *oid, AppID: *app, TTL: *ttl, Audience: *aud,
		Scopes: strings.Fields(*scopes), Roles: strings.Fields(*roles),
	}
	if !flagGiven(fs, "scopes") && len(req.Roles) == 0 {
		req.Scopes = []string{auth.ScopeReadWrite}
	}
	fresh := !isPostgres(*db) && !fileExists(sqliteFile(*db))
	store, err := openStore(ctx, *db, false)
	if err != nil {
		return err
	}
	defer store.Close()
	if fresh {
		// A token from a new database's key is trusted by no running server.
		fmt.Fprintf(stderr, "temgraph token: created the new database %s and a signing key in it; "+
			"a server trusts only tokens minted from its own --db\n", *db)
	}
	key, err := auth.LoadSigningKey(ctx, store)
	if err != nil {
		return err
	}
	tok, err := auth.Issue(key, *issuer, req, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}
