// Command kstatus prints how kstatus (sigs.k8s.io/cli-utils/pkg/kstatus/status, the library behind
// Flux's health checks and kstatus-based waits) reads each object given as JSON on stdin: a single
// object or a List, as `kubectl get -o json` prints them. One JSON line per object:
// {"name": ..., "status": "InProgress" | "Current" | "Failed" | ..., "message": ...}.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type reading struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Message string `json:"message"`
}

func main() {
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("reading stdin: %v", err)
	}
	var object unstructured.Unstructured
	if err := object.UnmarshalJSON(input); err != nil {
		fail("stdin is not a Kubernetes object: %v", err)
	}
	objects := []unstructured.Unstructured{object}
	if object.IsList() {
		list, err := object.ToList()
		if err != nil {
			fail("reading the list: %v", err)
		}
		objects = list.Items
	}
	out := json.NewEncoder(os.Stdout)
	for i := range objects {
		result, err := status.Compute(&objects[i])
		if err != nil {
			fail("kstatus could not read %s: %v", objects[i].GetName(), err)
		}
		if err := out.Encode(reading{Name: objects[i].GetName(), Status: result.Status.String(), Message: result.Message}); err != nil {
			fail("writing: %v", err)
		}
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "kstatus: "+format+"\n", args...)
	os.Exit(1)
}
