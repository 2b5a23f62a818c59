package bench

import "testing"

// The benchmarks below are the figures `go run ./report` (make bench) turns into the
// README's table.

// BenchmarkDecision times one decision of each workload request, Keyward and cedar-go
// side by side.
func BenchmarkDecision(b *testing.B) {
	w := loadWorkload(b)
	k := newKeywardFixture(b, w, nil)
	c := newCedarFixture(b, w)
	for i := range w.cases {
		b.Run("keyward/"+k.cases[i].name, benchKeywardDecision(k.policies, k.cases[i]))
		b.Run("cedar/"+c.cases[i].name, benchCedarDecision(c, c.cases[i]))
	}
}

// BenchmarkParse times turning the ten documents into something that decides:
// policy.Parse and policy.NewSet for Keyward, cedar.NewPolicySetFromBytes of the
// translated text for cedar-go.
func BenchmarkParse(b *testing.B) {
	w := loadWorkload(b)
	b.Run("keyward", benchKeywardParse(w.documents))
	b.Run("cedar", benchCedarParse(newCedarFixture(b, w).translation.text))
}

// BenchmarkScale times Keyward's decisions with the role's 47 statements and with 470
// more for other services.
func BenchmarkScale(b *testing.B) {
	w := loadWorkload(b)
	small := newKeywardFixture(b, w, nil)
	large := newKeywardFixture(b, w, scaleDocuments(b))
	for i := range w.cases {
		b.Run("47/"+small.cases[i].name, benchKeywardDecision(small.policies, small.cases[i]))
		b.Run("517/"+large.cases[i].name, benchKeywardDecision(large.policies, large.cases[i]))
	}
}
