package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readmeBlocks returns the command blocks (```sh) of the README, in order.
func readmeBlocks(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	var cur *strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case cur == nil && line == "```sh":
			cur = &strings.Builder{}
		case cur != nil && line == "```":
			blocks = append(blocks, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
		}
	}
	return blocks
}

// readmeCommand is one command of a block: its lines joined where they end
// with a backslash, and the output the README says it prints (the comment
// lines right after it).
type readmeCommand struct {
	text   string
	output []string
}

func commandsOf(block string) []readmeCommand {
	var cmds []readmeCommand
	lines := strings.Split(block, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			if len(cmds) > 0 && !strings.HasPrefix(line, "# as ") {
				cmds[len(cmds)-1].output = append(cmds[len(cmds)-1].output, strings.TrimPrefix(line, "# "))
			}
			continue
		}
		text := line
		for strings.HasSuffix(strings.TrimRight(text, " "), "\\") && i+1 < len(lines) {
			i++
			text = strings.TrimSuffix(strings.TrimRight(text, " "), "\\") + " " + strings.TrimSpace(lines[i])
		}
		cmds = append(cmds, readmeCommand{text: text})
	}
	return cmds
}

// TestREADME_Runs runs every command block of the README, as a newcomer
// would type it, against a real server started the way the README says
// (in a directory of its own, with the data directory and generated root
// credentials it describes; the only change is the port, which is the
// test's): each command must be accepted, the ones the README shows
// failing must fail as it says, and what its comments say a command prints
// must be printed. A block the test does not know fails it, so the README
// cannot show a command no test ran.
func TestREADME_Runs(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not installed: the README's blocks use it")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed: the README's blocks are bash")
	}
	blocks := readmeBlocks(t)
	// What each block is, by its first line: run here, or run elsewhere.
	known := map[string]string{
		"make build":              "elsewhere: CI runs make test; TestMakeServe_Interrupt runs make serve",
		"make serve":              "elsewhere: TestMakeServe_Interrupt",
		"aws --version":           "run",
		"aws --endpoint-url":      "run",
		"aws iam create-role":     "run",
		"keyward policy validate": "run",
	}
	dir := t.TempDir()
	bin := filepath.Dir(binary)
	if filepath.Base(binary) != "keyward" {
		bin = t.TempDir()
		if err := os.Symlink(binary, filepath.Join(bin, "keyward")); err != nil {
			t.Fatal(err)
		}
	}
	writeReadmeFixtures(t, dir)
	url := startReadmeServer(t, dir)

	env := append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"),
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=",
		"KEYWARD_ACCOUNT_ID=", "KEYWARD_ROOT_ACCESS_KEY_ID=", "KEYWARD_ROOT_SECRET_ACCESS_KEY=")
	// The README's blocks run in one shell, in order, as one reader types
	// them: later blocks use what earlier ones set.
	var script strings.Builder
	script.WriteString("cd " + dir + "\n")
	var cmds []readmeCommand
	ran := 0
	for i, b := range blocks {
		first := strings.TrimSpace(strings.SplitN(b, "\n", 2)[0])
		var kind string
		for prefix, k := range known {
			if strings.HasPrefix(first, prefix) {
				kind = k
			}
		}
		switch {
		case kind == "":
			t.Errorf("README block %d (%q) is not known to this test: run it here, or say where it runs", i+1, first)
			continue
		case kind != "run":
			continue
		}
		ran++
		for _, c := range commandsOf(b) {
			if strings.Contains(c.text, "<command>") {
				continue // a template: keyward <command> -h
			}
			n := len(cmds)
			cmds = append(cmds, c)
			text := strings.ReplaceAll(c.text, "http://127.0.0.1:4599", url)
			fmt.Fprintf(&script, "echo '@@begin %d'\n%s\necho \"@@end %d $?\"\n", n, text, n)
		}
	}
	cmd := exec.Command("bash", "-c", script.String())
	cmd.Env = env
	cmd.Dir = dir
	out, _ := cmd.CombinedOutput()

	// Each command's output and status.
	outputs := map[int]string{}
	status := map[int]int{}
	cur, buf := -1, &strings.Builder{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	end := regexp.MustCompile(`^@@end (\d+) (\d+)$`)
	for sc.Scan() {
		line := sc.Text()
		if n, err := strconv.Atoi(strings.TrimPrefix(line, "@@begin ")); err == nil && strings.HasPrefix(line, "@@begin ") {
			cur, buf = n, &strings.Builder{}
			continue
		}
		if m := end.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			code, _ := strconv.Atoi(m[2])
			outputs[n], status[n] = buf.String(), code
			cur = -1
			continue
		}
		if cur >= 0 {
			buf.WriteString(line + "\n")
		}
	}
	space := regexp.MustCompile(`\s+`)
	for n, c := range cmds {
		code, ok := status[n]
		if !ok {
			t.Errorf("README command %q did not finish:\n%s", c.text, out)
			continue
		}
		shown := strings.Join(c.output, " ")
		failing := strings.Contains(c.text, "# AccessDenied")
		switch {
		case failing && code == 0:
			t.Errorf("README command %q succeeded; the README says it is refused\n%s", c.text, outputs[n])
		case !failing && strings.HasPrefix(c.text, "keyward ") && code != 0 && code != 1:
			t.Errorf("README command %q exited %d (a usage error or worse)\n%s", c.text, code, outputs[n])
		case !failing && !strings.HasPrefix(c.text, "keyward ") && !strings.HasPrefix(c.text, "cat ") && code != 0:
			t.Errorf("README command %q exited %d\n%s", c.text, code, outputs[n])
		}
		// What the README's comments say it prints, for the commands whose
		// output is exact (the refusal, AWS's message).
		if failing && !strings.Contains(space.ReplaceAllString(outputs[n], " "), space.ReplaceAllString(shown, " ")) {
			t.Errorf("README command %q printed:\n%s\nthe README says it prints:\n%s", c.text, outputs[n], shown)
		}
	}
	if ran < 4 || len(cmds) < 20 {
		t.Errorf("ran %d blocks and %d commands of the README; want its command blocks", ran, len(cmds))
	}
	t.Logf("ran %d README blocks, %d commands, against %s", ran, len(cmds), url)
}

// startReadmeServer starts keyward serve in dir as the README does (data in
// ./keyward-data, the root credentials generated and written there), on a
// port of the test's, and returns its URL.
func startReadmeServer(t *testing.T, dir string) string {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KEYWARD_ACCOUNT_ID=", "KEYWARD_ROOT_ACCESS_KEY_ID=", "KEYWARD_ROOT_SECRET_ACCESS_KEY=", "KEYWARD_KEK=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec struct{ Msg, URL string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "keyward listening" {
				ready <- rec.URL
			}
		}
	}()
	select {
	case u := <-ready:
		return u
	case <-time.After(60 * time.Second):
		t.Fatal("keyward serve did not start")
	}
	return ""
}

// writeReadmeFixtures writes the files the README's policy commands name.
func writeReadmeFixtures(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"policy.json":                   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:PassRole"],"Resource":"*"}]}`,
		"other.json":                    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`,
		"service-policies/kvstore.json": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kvstore:GetItem","Resource":"arn:aws:kvstore:::item/*"}]}`,
		"request.json": `{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","principal":"arn:aws:iam::123456789012:user/alice",
			"identityPolicies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}]}`,
		"audit.log": "",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
