package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/campusguard/campusguard/alerting/notify"
	"github.com/campusguard/campusguard/devices"
)

const aclUsage = `用法 Usage:
  campusguard registry acl -registry R [-o ACL] [-passwd FILE -credentials FILE] [-given FILE]
      [-service-user campusguard] [-agencies police,education,market] [-reader NAME=REGION[,REGION...]|NAME=*]...

从登记册生成 Mosquitto ACL 和密码文件 / writes a Mosquitto ACL (and password file) from the registry:
  每台设备（用户名 = 设备 id）只能发布自己的 campus/{region}/{school}/{kind}/{device}/{event|heartbeat|status}；
  campusguard 账号读 campus/+/+/+/+/+、发布 campus/alerts/#；
  机构账号 <agency>-<region>（如 police-130802）和 -reader 账号只读本辖区告警 campus/alerts/<region>/#。
  Every device (username = device id) publishes only its own campus/{region}/{school}/{kind}/{device}/
  {event|heartbeat|status}; the campusguard account reads campus/+/+/+/+/+ and publishes
  campus/alerts/#; agency accounts <agency>-<region> and -reader accounts read only their
  regions' alerts, campus/alerts/<region>/#.
-passwd keeps the hashes of accounts already in it, drops accounts no longer present and gives
every new account a random password, written in clear to -credentials (mode 0600, never
overwritten: provision the devices and delete it before the next run that adds accounts).
-given sets passwords from user:password lines (e.g. the campusguard account's).
`

// aclAccount is one broker account and what it may do.
type aclAccount struct {
	user        string
	read, write []string // topic filters
	comment     string
}

var aclUserRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// readerFlag collects -reader NAME=REGION[,REGION...] or NAME=*.
type readerFlag []string

func (r *readerFlag) String() string     { return strings.Join(*r, " ") }
func (r *readerFlag) Set(s string) error { *r = append(*r, s); return nil }

func registryACL(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("registry acl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, aclUsage); fs.PrintDefaults() }
	regPath := fs.String("registry", "", "registry YAML (required)")
	out := fs.String("o", "-", "ACL output file (- for stdout)")
	passwd := fs.String("passwd", "", "Mosquitto password file to create or update (mode 0640)")
	creds := fs.String("credentials", "", "file for newly generated passwords in clear, user:password (mode 0600); required with -passwd when any is generated")
	given := fs.String("given", "", "file of user:password lines setting those accounts' passwords")
	service := fs.String("service-user", "campusguard", "campusguard's own MQTT username (its --mqtt-username)")
	agencies := fs.String("agencies", "police,education,market", "agency accounts <agency>-<region> for every region (comma list; empty: none)")
	var readers readerFlag
	fs.Var(&readers, "reader", "extra alert reader NAME=REGION[,REGION...] or NAME=* for every region (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *regPath == "" || fs.NArg() != 0 {
		fs.Usage()
		return errors.New("registry acl: -registry is required, and no other arguments")
	}
	reg, err := devices.Load(*regPath)
	if err != nil {
		return err
	}
	accts, err := aclAccounts(reg, *service, splitList(*agencies), readers)
	if err != nil {
		return fmt.Errorf("registry acl: %w", err)
	}
	if *passwd != "" {
		if err := writePasswords(accts, *passwd, *creds, *given); err != nil {
			return fmt.Errorf("registry acl: %w", err)
		}
	} else if *given != "" || *creds != "" {
		return errors.New("registry acl: -given and -credentials need -passwd")
	}
	acl := renderACL(accts, *regPath)
	if *out == "-" {
		_, err = stdout.Write(acl)
		return err
	}
	if err := writeFileMode(*out, acl, 0o644); err != nil {
		return fmt.Errorf("registry acl: %w", err)
	}
	fmt.Fprintf(stderr, "registry acl: %s: %d accounts (%d devices) / 已生成\n", *out, len(accts), reg.DeviceCount())
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// aclAccounts lists every account: the service, agency and reader accounts,
// then each device in registry order. Names must be unique.
func aclAccounts(reg *devices.Registry, service string, agencies []string, readers []string) ([]aclAccount, error) {
	alerts := notify.TopicPrefix
	var accts []aclAccount
	seen := map[string]bool{}
	add := func(a aclAccount) error {
		if !aclUserRE.MatchString(a.user) {
			return fmt.Errorf("account name %q: want [A-Za-z0-9][A-Za-z0-9_.-]{0,63}", a.user)
		}
		if seen[a.user] {
			return fmt.Errorf("account name %q twice (a device id, agency or reader name clash)", a.user)
		}
		seen[a.user] = true
		accts = append(accts, a)
		return nil
	}
	if err := add(aclAccount{user: service, comment: "campusguard itself: reads every device topic, publishes alerts",
		read: []string{"campus/+/+/+/+/+"}, write: []string{alerts + "/#"}}); err != nil {
		return nil, err
	}
	regionRead := func(codes []string) []string {
		var r []string
		for _, c := range codes {
			r = append(r, alerts+"/"+c+"/#")
		}
		return r
	}
	for _, ag := range agencies {
		for _, rg := range reg.Regions {
			if err := add(aclAccount{user: ag + "-" + rg.Code,
				comment: ag + " of " + rg.Code + " " + rg.Name + ": that region's alerts only",
				read:    regionRead([]string{rg.Code})}); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range readers {
		name, list, ok := strings.Cut(r, "=")
		if !ok || list == "" {
			return nil, fmt.Errorf("-reader %q: want NAME=REGION[,REGION...] or NAME=*", r)
		}
		a := aclAccount{user: name}
		if list == "*" {
			a.comment, a.read = "every region's alerts", []string{alerts + "/#"}
		} else {
			codes := splitList(list)
			for _, c := range codes {
				if _, ok := reg.Region(c); !ok {
					return nil, fmt.Errorf("-reader %q: region %q is not in the registry", r, c)
				}
			}
			a.comment, a.read = "alerts of "+strings.Join(codes, ", "), regionRead(codes)
		}
		if err := add(a); err != nil {
			return nil, err
		}
	}
	for i := range reg.Schools {
		s := &reg.Schools[i]
		for j := range s.Devices {
			d := &s.Devices[j]
			base := "campus/" + s.Region + "/" + s.ID + "/" + string(d.Kind) + "/" + d.ID + "/"
			a := aclAccount{user: d.ID, comment: string(d.Kind) + " of " + s.ID}
			for _, ch := range []devices.Channel{devices.ChannelEvent, devices.ChannelHeartbeat, devices.ChannelStatus} {
				a.write = append(a.write, base+string(ch))
			}
			if err := add(a); err != nil {
				return nil, err
			}
		}
	}
	return accts, nil
}

// renderACL writes the Mosquitto acl_file: only "user" blocks, so an
// account not named (or anonymous) may do nothing.
func renderACL(accts []aclAccount, source string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Mosquitto ACL generated by `campusguard registry acl` from %s.\n", source)
	b.WriteString("# Do not edit by hand: regenerate after every registry change and reload mosquitto (SIGHUP).\n")
	b.WriteString("# Anything not granted here is denied. No pattern lines: a device's topics are listed\n")
	b.WriteString("# in full, so no device can write under campus/alerts/ or as another device.\n")
	for _, a := range accts {
		fmt.Fprintf(&b, "\n# %s\nuser %s\n", a.comment, a.user)
		for _, t := range a.read {
			fmt.Fprintf(&b, "topic read %s\n", t)
		}
		for _, t := range a.write {
			fmt.Fprintf(&b, "topic write %s\n", t)
		}
	}
	return b.Bytes()
}

// writePasswords creates or updates the password file at path: given
// passwords are set, existing hashes kept, new accounts get a random
// password written in clear to creds (0600). Entries of accounts that are
// gone are dropped.
func writePasswords(accts []aclAccount, path, creds, given string) error {
	old, err := readUserLines(path, true)
	if err != nil {
		return err
	}
	set := map[string]string{}
	if given != "" {
		if set, err = readUserLines(given, false); err != nil {
			return err
		}
	}
	known := map[string]bool{}
	for _, a := range accts {
		known[a.user] = true
	}
	for u := range set {
		if !known[u] {
			return fmt.Errorf("%s: account %q is not generated from the registry or flags", given, u)
		}
	}
	var pw, fresh bytes.Buffer
	fresh.WriteString("# New MQTT credentials from `campusguard registry acl`: give each to its device, then delete this file.\n")
	generated := 0
	for _, a := range accts {
		var hash string
		switch p, ok := set[a.user]; {
		case ok:
			if h := old[a.user]; h != "" && mosquittoCheck(h, p) {
				hash = h // unchanged: keep the salt, so the file does not churn
			} else if hash, err = mosquittoHash(p); err != nil {
				return err
			}
		case old[a.user] != "":
			hash = old[a.user]
		default:
			p, err := newPassword()
			if err != nil {
				return err
			}
			if hash, err = mosquittoHash(p); err != nil {
				return err
			}
			fmt.Fprintf(&fresh, "%s:%s\n", a.user, p)
			generated++
		}
		fmt.Fprintf(&pw, "%s:%s\n", a.user, hash)
	}
	if generated > 0 {
		if creds == "" {
			return fmt.Errorf("%d new accounts need passwords: name a -credentials file for them", generated)
		}
		// Never overwrite: the previous file may hold passwords not yet
		// given to their devices.
		if _, err := os.Stat(creds); err == nil {
			return fmt.Errorf("%s exists: provision and delete the previous credentials first (%d new accounts wait)", creds, generated)
		}
		if err := writeFileMode(creds, fresh.Bytes(), 0o600); err != nil {
			return err
		}
	}
	return writeFileMode(path, pw.Bytes(), 0o640)
}

// writeFileMode writes data to path through a temporary file with mode
// perm, so a reader never sees half a file and secrets are never readable
// by others, even for a moment.
func writeFileMode(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil { // an old .tmp may have had another mode
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
