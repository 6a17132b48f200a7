// Command temgraph serves Microsoft Graph's Intune telecom expense
// management partner API. Run "temgraph help" for its subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp): // "-h" asked for help and got it
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "temgraph:", err)
		os.Exit(1)
	}
}

// run dispatches to a subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stderr)
	case "token":
		return runToken(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "cert":
		return runCert(rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "temgraph", version)
		return nil
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return nil
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", cmd)
}

func usage(w io.Writer) {
	fmt.Fprint(w, strings.TrimLeft(`
temgraph serves Microsoft Graph's telecomExpenseManagementPartners API.

Usage: temgraph <command> [flags]

Commands:
  serve     run the HTTP server
  token     print a bearer token from the built-in issuer
  migrate   apply database migrations and exit
  cert      write a local CA and a certificate for serving https
  version   print the version

Run "temgraph <command> -h" for a command's flags. Every flag can also be set
through an environment variable: --page-size is TEMGRAPH_PAGE_SIZE.
`, "\n"))
}

// errUsage reports a command line that names no command; the usage text
// has been printed.
var errUsage = errors.New("no command given")

// applyEnv sets each flag not given on the command line from its
// TEMGRAPH_* environment variable, if present.
func applyEnv(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		name := envName(f.Name)
		if v, ok := os.LookupEnv(name); ok {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q is not a valid value for --%s (%s): %w", name, v, f.Name, f.Usage, e)
			}
		}
	})
	return err
}

// envName maps a flag name to its environment variable.
func envName(flagName string) string {
	return "TEMGRAPH_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// flagGiven reports whether the flag was set on the command line or from
// the environment.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
