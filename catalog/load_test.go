package catalog

import "testing"

// The cost of first use, which the server pays at start (policies) and
// lint pays per run (services).
func BenchmarkDecodeManaged(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := decodeManaged(managedData); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadServices(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		loadServices()
	}
}
