// Command argocd-health runs an Argo CD resource health check (a Lua script, as set in argocd-cm
// under resource.customizations.health.<group>_<kind>) on an object given as JSON on stdin, the way
// Argo CD runs a custom health script: gopher-lua with only the package, base and table libraries
// (Argo CD adds a reduced os library that this script does not use), a one-second limit, the object
// as the global `obj`, and the returned table read as {status, message}. A status Argo CD does not
// know becomes Unknown, as in Argo CD. Prints {"status": ..., "message": ...}.
//
// Usage: argocd-health SCRIPT.lua < object.json
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	lua "github.com/yuin/gopher-lua"
)

type health struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

var knownStatuses = map[string]bool{
	"Unknown": true, "Progressing": true, "Suspended": true, "Healthy": true, "Degraded": true, "Missing": true,
}

func main() {
	if len(os.Args) != 2 {
		fail("usage: argocd-health SCRIPT.lua < object.json")
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("reading the script: %v", err)
	}
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("reading stdin: %v", err)
	}
	var object map[string]any
	if err := json.Unmarshal(input, &object); err != nil {
		fail("stdin is not a JSON object: %v", err)
	}
	result, err := run(string(script), object)
	if err != nil {
		fail("the health script failed: %v", err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(result); err != nil {
		fail("writing: %v", err)
	}
}

func run(script string, object map[string]any) (health, error) {
	state := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer state.Close()
	for _, library := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
	} {
		if err := state.CallByParam(lua.P{Fn: state.NewFunction(library.open), NRet: 0, Protect: true}, lua.LString(library.name)); err != nil {
			return health{}, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	state.SetContext(ctx)
	state.SetGlobal("obj", toLua(state, object))
	if err := state.DoString(script); err != nil {
		return health{}, err
	}
	returned, ok := state.Get(-1).(*lua.LTable)
	if !ok {
		return health{}, fmt.Errorf("expect table output from Lua script, not %s", state.Get(-1).Type())
	}
	result := health{Status: lua.LVAsString(returned.RawGetString("status")), Message: lua.LVAsString(returned.RawGetString("message"))}
	if !knownStatuses[result.Status] {
		return health{Status: "Unknown", Message: "Lua returned an invalid health status"}, nil
	}
	return result, nil
}

// toLua converts decoded JSON as Argo CD converts an object: maps to tables with string keys,
// arrays to sequences, numbers to Lua numbers, null to nil.
func toLua(state *lua.LState, value any) lua.LValue {
	switch converted := value.(type) {
	case bool:
		return lua.LBool(converted)
	case float64:
		return lua.LNumber(converted)
	case string:
		return lua.LString(converted)
	case []any:
		sequence := state.CreateTable(len(converted), 0)
		for _, item := range converted {
			sequence.Append(toLua(state, item))
		}
		return sequence
	case map[string]any:
		table := state.CreateTable(0, len(converted))
		for key, item := range converted {
			table.RawSetH(lua.LString(key), toLua(state, item))
		}
		return table
	}
	return lua.LNil
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "argocd-health: "+format+"\n", args...)
	os.Exit(1)
}
