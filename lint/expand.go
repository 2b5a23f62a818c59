package lint

import "github.com/keyward/keyward/policy"

// Expansion is what one Action or NotAction pattern matches.
type Expansion struct {
	Path    string   `json:"path"`
	Line    int      `json:"line"`
	Column  int      `json:"column"`
	Effect  string   `json:"effect"`
	Not     bool     `json:"notAction,omitempty"` // a NotAction pattern: the statement applies to every action but these
	Pattern string   `json:"pattern"`
	Actions []string `json:"actions"` // the concrete actions, sorted; every one in the catalog for "*"
}

// Expand returns, for every Action and NotAction pattern of a document of
// type t, the concrete actions it matches. It fails on documents Parse
// refuses.
func Expand(data []byte, t policy.Type) ([]Expansion, error) {
	doc, err := policy.Parse(data, t)
	if err != nil {
		return nil, err
	}
	c := &checker{doc: doc, pos: newPositions(data)}
	var out []Expansion
	for i, s := range doc.Statements {
		sp := c.stmtPath(i)
		elem := "Action"
		if s.NotAction {
			elem = "NotAction"
		}
		for j, p := range s.Action {
			path := c.elemPath(sp, elem, j)
			line, col := c.pos.find(path)
			actions := expandPattern(p)
			if actions == nil {
				actions = []string{}
			}
			out = append(out, Expansion{Path: path, Line: line, Column: col, Effect: s.Effect.String(), Not: s.NotAction, Pattern: p, Actions: actions})
		}
	}
	return out, nil
}
