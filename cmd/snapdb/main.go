// Command snapdb inspects, verifies and builds snapdb snapshots.
//
// Every behaviour lives in the library packages (snapshot, manifest, ...);
// this command only parses flags and prints. Run "snapdb --help" for the
// commands and the exit status convention.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
