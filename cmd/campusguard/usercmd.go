package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/campusguard/campusguard/dashboards/auth"
	"github.com/campusguard/campusguard/devices"
)

const userUsage = `用法 Usage:
  campusguard user add    -users F -name N -role R [-region C]... [-school S]... [-display-name D] [-registry R]
  campusguard user passwd -users F -name N [-registry R]
  campusguard user del    -users F -name N [-registry R]
  campusguard user token  -users F -name N -role R [-region C]... [-school S]... [-replace] [-registry R]
  campusguard user hash
  campusguard user list   -users F

add, passwd and hash read the password from standard input: twice, without echo, on a terminal;
else one line. token prints the new secret once: only its SHA-256 is kept. token for an existing
name with the same role and jurisdiction rotates its secret (the old one stops working); -replace
also changes the role or jurisdiction.
角色 roles: admin, police, education, market, school (school: exactly one -school).
`

// hashPassword is auth.Hash; tests swap in a cheaper cost.
var hashPassword = auth.Hash

// cmdUser manages users.yaml: users with bcrypt password hashes and API
// tokens (docs/access.md).
func cmdUser(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return errors.New("user: want add, passwd, del, token, hash or list")
	}
	switch args[0] {
	case "add":
		return userAdd(args[1:], stdin, stdout, stderr)
	case "passwd":
		return userPasswd(args[1:], stdin, stdout, stderr)
	case "del":
		return userDel(args[1:], stdout, stderr)
	case "token":
		return userToken(args[1:], stdout, stderr)
	case "hash":
		return userHash(args[1:], stdin, stdout, stderr)
	case "list":
		return userList(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, userUsage)
		return nil
	}
	fmt.Fprint(stderr, userUsage)
	return fmt.Errorf("user: unknown subcommand %q (want add, passwd, del, token, hash or list)", args[0])
}

// listFlag is a flag that may be repeated or given comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

// userFlags are the flags the subcommands share.
type userFlags struct {
	fs          *flag.FlagSet
	users       *string
	registry    *string
	name        *string
	role        *string
	displayName *string
	regions     listFlag
	schools     listFlag
}

func newUserFlags(sub string, stderr io.Writer, scope bool) *userFlags {
	f := &userFlags{fs: flag.NewFlagSet("user "+sub, flag.ContinueOnError)}
	f.fs.SetOutput(stderr)
	f.users = f.fs.String("users", "", "users file (users.yaml)")
	f.registry = f.fs.String("registry", "", "registry file: check that regions and schools exist (optional)")
	f.name = f.fs.String("name", "", "login or token name")
	if scope {
		f.role = f.fs.String("role", "", "role: admin, police, education, market or school")
		f.fs.Var(&f.regions, "region", "region code of the jurisdiction (repeatable; none: the whole city)")
		f.fs.Var(&f.schools, "school", "school id of the jurisdiction (repeatable; exactly one for the school role)")
	}
	return f
}

func (f *userFlags) parse(args []string) error {
	if err := f.fs.Parse(args); err != nil {
		return err
	}
	if f.fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", f.fs.Name(), f.fs.Arg(0))
	}
	if *f.users == "" {
		return fmt.Errorf("%s: -users is required", f.fs.Name())
	}
	if f.name != nil && *f.name == "" {
		return fmt.Errorf("%s: -name is required", f.fs.Name())
	}
	return nil
}

// edit applies change to the users file and writes it back atomically if
// the whole result is valid.
func (f *userFlags) edit(change func(*auth.File) error) error {
	data, err := f.check(change)
	if err != nil {
		return err
	}
	return writeFileAtomic(*f.users, data)
}

// check applies change to the users file in memory and returns the result
// if it is valid, with the registry when -registry is given.
func (f *userFlags) check(change func(*auth.File) error) ([]byte, error) {
	file, err := auth.ReadFile(*f.users)
	if err != nil {
		return nil, err
	}
	if err := change(file); err != nil {
		return nil, fmt.Errorf("%s: %w", f.fs.Name(), err)
	}
	data, err := file.Bytes()
	if err != nil {
		return nil, err
	}
	var reg *devices.Registry
	if *f.registry != "" {
		if reg, err = devices.Load(*f.registry); err != nil {
			return nil, err
		}
	}
	if _, err := auth.Parse(*f.users, data, reg); err != nil {
		return nil, fmt.Errorf("%s: not written, the result would be invalid:\n%w", f.fs.Name(), err)
	}
	return data, nil
}

// placeholderHash passes for a bcrypt hash in a check made before the
// password is asked for; it is never written.
var placeholderHash = "$2a$12$" + strings.Repeat("x", 53)

func userAdd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	f := newUserFlags("add", stderr, true)
	f.displayName = f.fs.String("display-name", "", "name shown in the pages (e.g. 张警官)")
	if err := f.parse(args); err != nil {
		return err
	}
	u := auth.User{Name: *f.name, DisplayName: *f.displayName, Role: *f.role, Regions: f.regions, Schools: f.schools,
		PasswordHash: placeholderHash}
	// Check everything but the password before asking for it.
	if _, err := f.check(func(file *auth.File) error { return file.AddUser(u) }); err != nil {
		return err
	}
	hash, err := newPasswordHash(stdin, stderr, true)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	u.PasswordHash = hash
	if err := f.edit(func(file *auth.File) error { return file.AddUser(u) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s added (%s, %s) / 已添加用户\n", u.Name, u.Role, auth.Jurisdiction(u.Regions, u.Schools))
	return nil
}

func userPasswd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	f := newUserFlags("passwd", stderr, false)
	if err := f.parse(args); err != nil {
		return err
	}
	if file, err := auth.ReadFile(*f.users); err != nil {
		return err
	} else if !file.IsUser(*f.name) { // ask for no password in vain
		return fmt.Errorf("user passwd: %w: user %s", auth.ErrNotFound, *f.name)
	}
	hash, err := newPasswordHash(stdin, stderr, true)
	if err != nil {
		return fmt.Errorf("user passwd: %w", err)
	}
	if err := f.edit(func(file *auth.File) error { return file.SetPassword(*f.name, hash) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "password of %s changed; its sessions end when campusguard reloads the file / 密码已修改\n", *f.name)
	return nil
}

func userDel(args []string, stdout, stderr io.Writer) error {
	f := newUserFlags("del", stderr, false)
	if err := f.parse(args); err != nil {
		return err
	}
	if err := f.edit(func(file *auth.File) error { return file.Delete(*f.name) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s deleted / 已删除\n", *f.name)
	return nil
}

func userToken(args []string, stdout, stderr io.Writer) error {
	f := newUserFlags("token", stderr, true)
	replace := f.fs.Bool("replace", false, "replace the token of this name even if its role or jurisdiction differs")
	if err := f.parse(args); err != nil {
		return err
	}
	secret, hash := auth.NewToken()
	t := auth.Token{Name: *f.name, Role: *f.role, Regions: f.regions, Schools: f.schools, TokenHash: hash}
	// The same command again rotates the secret: a token of this name with
	// the same role and jurisdiction gets a new one, so a script that asks
	// for a token (README: T=$(... user token ...)) works every time it runs.
	// A different role or jurisdiction still needs -replace, so that no
	// typo widens or narrows a token by accident.
	rotated := false
	if err := f.edit(func(file *auth.File) error {
		old, ok := file.Token(t.Name)
		rotated = ok
		return file.PutToken(t, *replace || (ok && old.SameScope(t)))
	}); err != nil {
		if errors.Is(err, auth.ErrExists) {
			return fmt.Errorf("%w (a token of this name has another role or jurisdiction: use -replace to change it)", err)
		}
		return err
	}
	verb := "saved"
	if rotated {
		verb = "rotated, the old secret no longer works / 已轮换，旧令牌失效;"
	}
	fmt.Fprintf(stderr, "token %s %s (%s, %s). The secret is shown once: store it now / 令牌只显示一次，请立即保存:\n",
		t.Name, verb, t.Role, auth.Jurisdiction(t.Regions, t.Schools))
	fmt.Fprintln(stdout, secret)
	return nil
}

func userHash(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user hash", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	hash, err := newPasswordHash(stdin, stderr, true)
	if err != nil {
		return fmt.Errorf("user hash: %w", err)
	}
	fmt.Fprintln(stdout, hash)
	return nil
}

func userList(args []string, stdout, stderr io.Writer) error {
	f := newUserFlags("list", stderr, false)
	f.name = nil
	if err := f.parse(args); err != nil {
		return err
	}
	us, err := auth.Load(*f.users, nil)
	if err != nil {
		return err
	}
	for _, u := range us.Users() {
		fmt.Fprintf(stdout, "user\t%s\t%s\t%s\t%s\n", u.Name, u.Role, auth.Jurisdiction(u.Regions, u.Schools), u.DisplayName)
	}
	for _, t := range us.Tokens() {
		fmt.Fprintf(stdout, "token\t%s\t%s\t%s\n", t.Name, t.Role, auth.Jurisdiction(t.Regions, t.Schools))
	}
	return nil
}

// newPasswordHash reads a new password and hashes it.
func newPasswordHash(stdin io.Reader, stderr io.Writer, confirm bool) (string, error) {
	pw, err := readPassword(stdin, stderr, confirm)
	if err != nil {
		return "", err
	}
	return hashPassword(pw)
}

// readPassword reads a password: on a terminal without echo, twice when
// confirm; else one line of stdin.
func readPassword(stdin io.Reader, stderr io.Writer, confirm bool) (string, error) {
	if f, ok := stdin.(interface{ Fd() uintptr }); ok && term.IsTerminal(int(f.Fd())) {
		fd := int(f.Fd())
		fmt.Fprint(stderr, "密码 Password: ")
		pw, err := term.ReadPassword(fd)
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if confirm {
			fmt.Fprint(stderr, "再输一次 Again: ")
			again, err := term.ReadPassword(fd)
			fmt.Fprintln(stderr)
			if err != nil {
				return "", fmt.Errorf("read password: %w", err)
			}
			if string(again) != string(pw) {
				return "", errors.New("the passwords differ / 两次输入的密码不一致")
			}
		}
		return string(pw), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}

// writeFileAtomic replaces path with data through a temporary file in the
// same directory, keeping the old file's permissions (0600 for a new one).
func writeFileAtomic(path string, data []byte) (err error) {
	mode := fs.FileMode(0o600)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
