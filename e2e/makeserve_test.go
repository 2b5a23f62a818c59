package e2e

import (
	"bufio"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMakeServe_Interrupt: Ctrl-C on `make serve` (SIGINT to its process
// group, as a terminal sends it) stops the server cleanly: keyward itself
// exits 0, so make reports no error of the recipe (it still reports the
// interrupt it received itself, as it does for any command: "Interrupt",
// exit status 130 by signal). Before, go run made it "Error 1".
func TestMakeServe_Interrupt(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	cmd := exec.Command("make", "-C", "..", "serve", "SERVE_FLAGS=--store sqlite::memory: --addr 127.0.0.1:0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := make(chan struct{})
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "keyward listening") {
				close(listening)
			}
		}
	}()
	select {
	case <-listening:
	case <-time.After(120 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatalf("make serve did not start")
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil && !strings.Contains(err.Error(), "signal: interrupt") {
			t.Errorf("make serve after Ctrl-C: %v, want exit 0 or make's own interrupt\n%s", err, log.String())
		}
		time.Sleep(100 * time.Millisecond) // the last lines
		if !strings.Contains(log.String(), "keyward stopped") || strings.Contains(log.String(), "Error") {
			t.Errorf("make serve after Ctrl-C printed:\n%s\nwant keyward stopped cleanly, and no error", log.String())
		}
	case <-time.After(30 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatalf("make serve did not stop after Ctrl-C")
	}
}

// TestServe_SignalsExitZero: SIGINT and SIGTERM stop keyward serve cleanly,
// with exit status 0.
func TestServe_SignalsExitZero(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		p := launch(t, "--store", "sqlite::memory:")
		p.cmd.Process.Signal(sig)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			t.Fatalf("keyward serve did not stop on %v", sig)
		}
		if code := p.cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("keyward serve after %v: exit %d, want 0\n%s", sig, code, p.Log())
		}
	}
}
